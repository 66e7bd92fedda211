"""The terminal: colour, width, the progress line and what `check` prints where.

- Standard output carries the report; standard error everything else (progress, summaries, notes).
- Colour only on a terminal, and never with `--no-color` or `NO_COLOR` set; piped or redirected
  output is plain text, as it always was (the full table, one finding per block, no wrapping).
- On a terminal, text is wrapped to its width with CJK characters counted double (rich), and a
  large report shows its summary and most severe findings (`--full` shows all).
- The progress line (stderr, a terminal only, not with `--quiet`) appears once a run has taken more
  than PROGRESS_AFTER seconds (at once with `--verbose`) and is erased when the run ends. It is
  redrawn from the run's own callback, in the main process, never from a thread: worker processes
  are forked while it is shown, and a thread holding a lock at a fork would leave the child stuck.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, Any

from rich.console import Console, RenderableType
from rich.live import Live
from rich.progress_bar import ProgressBar
from rich.table import Table
from rich.text import Text

PROGRESS_AFTER = 2.0  # seconds: a shorter run shows no progress line
REDRAW_EVERY = 0.1  # seconds between redraws of the progress line
WORDS = {
    "zh": {"reading": "正在读取数据并按单位分拣…", "units": "{done}/{total} 个单位", "rate": "每秒 {rate:,.0f} 条记录",
           "eta": "预计还需 {eta}", "records": "已检查 {records:,} 条记录", "done":
           "用时 {seconds:.1f} 秒：{units} 个单位，{records:,} 条记录，每秒 {rate:,.0f} 条"},
    "en": {"reading": "reading the data and sorting it by unit…", "units": "{done}/{total} units",
           "rate": "{rate:,.0f} records/s", "eta": "about {eta} left", "records": "{records:,} records judged",
           "done": "{seconds:.1f} s: {units} units, {records:,} records, {rate:,.0f} records/s"},
}


def colour_wanted(stream: IO[Any], no_color: bool) -> bool:
    """Colour only on a terminal, and not when the user said no (`--no-color`, or `NO_COLOR` set to
    anything, as no-color.org asks)."""
    return not no_color and not os.environ.get("NO_COLOR") and stream.isatty() and os.environ.get("TERM") != "dumb"


def console_for(stream: IO[Any], no_color: bool) -> Console:
    """A console on `stream`: its width the terminal's (80 when not a terminal); no escape codes at
    all without colour (color_system None: rich then writes no styles, not even bold)."""
    colour = colour_wanted(stream, no_color)
    return Console(file=stream, color_system="auto" if colour else None, highlight=False, emoji=False,
                   soft_wrap=False, force_terminal=stream.isatty() or None)


def _duration(seconds: float, lang: str) -> str:
    minutes, secs = divmod(int(seconds + 0.5), 60)
    hours, minutes = divmod(minutes, 60)
    if lang == "zh":
        return (f"{hours}小时" if hours else "") + (f"{minutes}分" if minutes or hours else "") + f"{secs}秒"
    return (f"{hours}h" if hours else "") + (f"{minutes}m" if minutes or hours else "") + f"{secs}s"


class ProgressLine:
    """The run's progress callback (checker.run.check.Options.progress): units judged of all,
    records per second, time left. Drawn on stderr only when it is a terminal."""

    def __init__(self, lang: str, enabled: bool, verbose: bool, console: Console):
        self.lang, self.enabled, self.verbose, self.console = lang, enabled, verbose, console
        self.started = time.monotonic()
        self.first_unit: float | None = None
        self.drawn = 0.0
        self.live: Live | None = None
        self.state = (0, 0, 0)

    def start(self) -> None:
        if self.enabled and self.verbose:
            self._show(Text(WORDS[self.lang]["reading"], style="dim"))

    def __call__(self, done: int, total: int, records: int) -> None:
        now = time.monotonic()
        self.state = (done, total, records)
        if self.first_unit is None:
            self.first_unit = now
        if not self.enabled or (now - self.started < PROGRESS_AFTER and not self.verbose):
            return
        if now - self.drawn >= REDRAW_EVERY or done == total:
            self.drawn = now
            self._show(self.line(done, total, records, now))

    def line(self, done: int, total: int, records: int, now: float) -> RenderableType:
        words = WORDS[self.lang]
        elapsed = max(now - self.started, 1e-6)
        judging = max(now - (self.first_unit or now), 1e-6)
        parts = [words["units"].format(done=done, total=total), words["records"].format(records=records),
                 words["rate"].format(rate=records / elapsed)]
        if 0 < done < total:
            parts.append(words["eta"].format(eta=_duration(judging / done * (total - done), self.lang)))
        grid = Table.grid(padding=(0, 1))
        grid.add_column(width=24)
        grid.add_column()
        grid.add_row(ProgressBar(total=max(total, 1), completed=done, width=24),
                     Text(" · ".join(parts), overflow="ellipsis", no_wrap=True))
        return grid

    def _show(self, renderable: RenderableType) -> None:
        if self.live is None:  # no refresh thread (auto_refresh False): redrawn only from the callback
            self.live = Live(renderable, console=self.console, auto_refresh=False, transient=True,
                             redirect_stdout=False, redirect_stderr=False)
            self.live.start()
        self.live.update(renderable, refresh=True)

    def stop(self) -> None:
        if self.live is not None:
            self.live.stop()
            self.live = None

    def closing_line(self) -> str:
        done, _, records = self.state
        seconds = max(time.monotonic() - self.started, 1e-6)
        return WORDS[self.lang]["done"].format(seconds=seconds, units=done, records=records, rate=records / seconds)


@contextmanager
def progress_line(lang: str, quiet: bool, verbose: bool, no_color: bool) -> Iterator[ProgressLine]:
    """The progress callback for one run; the line is erased when the run ends, however it ends."""
    stream = sys.stderr
    line = ProgressLine(lang, enabled=not quiet and stream.isatty(), verbose=verbose,
                        console=console_for(stream, no_color))
    line.start()
    try:
        yield line
    finally:
        line.stop()


def terminal_options(func: Any) -> Any:
    """--no-color, --quiet, --verbose: how a command talks on the terminal."""
    import click

    func = click.option("-v", "--verbose", is_flag=True,
                        help="显示进度（立即）和用时 / Show progress at once, and the time taken.")(func)
    func = click.option("-q", "--quiet", is_flag=True,
                        help="不显示进度和汇总，只报错误 / No progress line or summary; only errors.")(func)
    return click.option("--no-color", is_flag=True,
                        help="不用颜色（或设环境变量 NO_COLOR）/ No colour (or set NO_COLOR).")(func)


def print_report(report: dict[str, Any], lang: str, group_by: str, full: bool, no_color: bool) -> None:
    """The report on a terminal: summary, then the findings that fit (all with `full`)."""
    from checker.report.render.terminal import report_view

    console_for(sys.stdout, no_color).print(report_view(report, lang, group_by, full))


def print_lines(text: str, no_color: bool) -> None:
    """Plain text on a terminal: wrapped to its width, styled."""
    from checker.report.render.terminal import lines_view

    console_for(sys.stdout, no_color).print(lines_view(text))


def tell_after_run(report: dict[str, Any], lang: str, written: list[str], on_stdout: bool, quiet: bool,
                   no_color: bool) -> None:
    """On stderr, after the reports are written: when every report went to a file, the summary by
    unit and where the files are (not with --quiet); in any case, what was not judged — never silent."""
    from checker.report.render.common import incompleteness, units_not_judged
    from checker.report.render.terminal import files_summary

    console = console_for(sys.stderr, no_color)
    if not on_stdout and not quiet:
        console.print(files_summary(report, lang, written))
        return
    if on_stdout and sys.stdout.isatty() and sys.stderr.isatty():
        return  # the report on the terminal says it already
    for unit in units_not_judged(report, lang):
        console.print(Text("!! " + unit["text"], style="bold red"))
    if sentence := incompleteness(report, lang):
        console.print(Text("!! " + sentence, style="bold red"))


def print_settings(ctx: Any, lang: str, no_color: bool) -> None:
    """`check --show-config`: each setting, its value and where it came from, one per line in
    aligned columns (CJK counted double), never wrapped: a line per setting stays greppable."""
    from rich.cells import cell_len

    from checker.cli.config import META_KEY, resolved

    zh = lang == "zh"
    config = ctx.meta.get(META_KEY)
    title = ((f"设置文件：{config.path}" if zh else f"settings file: {config.path}") if config
             else ("未找到设置文件（lianjian.toml）" if zh else "no settings file (lianjian.toml) found"))
    rows = [("设置", "值", "来源") if zh else ("setting", "value", "from"), *resolved(ctx, lang)]
    widths = [max(cell_len(row[i]) for row in rows) for i in range(2)]
    console = console_for(sys.stdout, no_color)
    console.print(Text(title, style="bold"), soft_wrap=True)
    for number, row in enumerate(rows):
        cells = [cell + " " * (widths[i] - cell_len(cell)) for i, cell in enumerate(row[:2])]
        console.print(Text("  ".join([*cells, row[2]]), style="bold" if number == 0 else ""), soft_wrap=True)
