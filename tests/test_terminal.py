"""The terminal, through pseudo-terminals: colour on a terminal and not with NO_COLOR, --no-color or
a pipe; wrapping to 80 columns with CJK counted double; the progress line on stderr; a summary on
stderr when the reports went to files; a large report never dumped whole on a terminal."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import struct
import subprocess
import sys
import termios

import pytest
from rich.cells import cell_len

from tests.conftest import DEMO

DEMO_ARGS = ["check", str(DEMO), "--profile", "speech", "--as-of", "2020-07-10"]
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
COLOUR = re.compile(r"\x1b\[[0-9;]*(?:3[0-7]|9[0-7]|38;[25])[0-9;]*m")


def _terminal(columns: int) -> tuple[int, int]:
    main, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 40, columns, 0, 0))
    return main, follower


def on_terminal(*args: str, columns: int = 80, env: dict | None = None, stdout_tty: bool = True,
                stderr_tty: bool = True) -> tuple[int, str, str]:
    """Run lianjian with stdout and stderr each on its own pseudo-terminal of `columns` columns (or
    a pipe); what each received, as the terminal got it (escape codes included)."""
    environment = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "COLUMNS", "LINES", "FORCE_COLOR")}
    environment.update({"TERM": "xterm-256color", **(env or {})})
    ends = {}
    for name, tty in (("stdout", stdout_tty), ("stderr", stderr_tty)):
        ends[name] = _terminal(columns) if tty else os.pipe()
    process = subprocess.Popen([sys.executable, "-m", "checker.cli", *args], stdin=subprocess.DEVNULL,
                               stdout=ends["stdout"][1], stderr=ends["stderr"][1], env=environment)
    for _, write_end in ends.values():
        os.close(write_end)
    received = {name: b"" for name in ends}
    open_ends = {ends[name][0]: name for name in ends}
    while open_ends:
        ready, _, _ = select.select(list(open_ends), [], [], 120)
        assert ready, "lianjian printed nothing for 120 s"
        for fd in ready:
            try:
                chunk = os.read(fd, 65536)
            except OSError:  # a pseudo-terminal whose other end closed
                chunk = b""
            if chunk:
                received[open_ends[fd]] += chunk
            else:
                os.close(fd)
                del open_ends[fd]
    code = process.wait(timeout=60)
    return code, received["stdout"].decode("utf-8", "replace"), received["stderr"].decode("utf-8", "replace")


def visible_lines(text: str) -> list[str]:
    return ANSI.sub("", text).replace("\r\n", "\n").split("\n")


def test_colour_on_a_terminal_and_none_with_no_color_or_a_pipe():
    code, out, _ = on_terminal(*DEMO_ARGS)
    assert code == 1 and COLOUR.search(out), out[:500]
    for args, env in ((["--no-color"], {}), ([], {"NO_COLOR": "1"})):
        code, out, _ = on_terminal(*DEMO_ARGS, *args, env=env)
        assert code == 1 and "\x1b[" not in out and "严重" in out
    _, piped, _ = on_terminal(*DEMO_ARGS, stdout_tty=False)
    assert "\x1b[" not in piped and "■ " in piped


def test_an_80_column_terminal_gets_lines_of_80_cells_at_most():
    _, out, _ = on_terminal(*DEMO_ARGS, "--full", columns=80)
    lines = visible_lines(out)
    assert max(cell_len(line) for line in lines) <= 80
    assert sum(cell_len(line) > 70 for line in lines) > 20  # the width is used, not wrapped short
    # a message wraps under itself (a hanging indent), not to column 0
    starts = [i for i, line in enumerate(lines) if line.startswith("      ") and "违反了" not in line]
    assert starts and all(lines[i + 1].startswith("      ") or not lines[i + 1].strip() or lines[i + 1].startswith("  ")
                          for i in starts if i + 1 < len(lines))


@pytest.fixture(scope="module")
def demo():
    """The demo's counts, from its JSON report: what the terminal must say."""
    import json

    from click.testing import CliRunner

    from checker.cli import main

    report = json.loads(CliRunner().invoke(main, [*DEMO_ARGS, "--format", "json"]).stdout)
    by_severity = report["summary"]["by_severity"]
    return {"findings": report["summary"]["findings"], "records": report["summary"]["records"],
            "units": len({f["unit"] for f in report["findings"]} | {u["unit"] for u in report["meta"]["units_not_judged"]}),
            "all_units": None, **by_severity}


def test_a_large_report_shows_the_summary_and_the_most_severe_then_says_how_to_see_the_rest(demo):
    _, out, _ = on_terminal(*DEMO_ARGS, "--no-color", columns=120)
    text = "\n".join(visible_lines(out))
    assert "问题汇总" in text and "合计" in text
    total = demo["findings"]
    assert f"以下列出最严重的 20 个问题（共 {total} 个）" in text and f"另有 {total - 20} 个问题未显示：加 --full" in text
    shown = text.split("问题汇总")[1].split("另有")[0]
    assert shown.count("[严重]") == min(20, demo.get("high", 0))
    assert ("[较重]" not in shown) if demo.get("high", 0) >= 20 else True
    _, full, _ = on_terminal(*DEMO_ARGS, "--no-color", "--full", columns=120)
    assert "\n".join(visible_lines(full)).count("[较重]") == demo.get("medium", 0)


def test_the_progress_line_is_on_stderr_and_erased(demo):
    code, out, err = on_terminal(*DEMO_ARGS, "-o", "json:-", "--verbose",
                                 columns=100)
    assert code == 1 and '"findings"' in out
    drawn = ANSI.sub("", err)
    units = re.search(r"(\d+)/\1 个单位", drawn)
    assert units and "条记录" in drawn and "每秒" in drawn, err[-1500:]
    assert "\x1b[2K" in err or "\x1b[1A" in err  # the line is erased (transient), not left on screen
    assert re.search(rf"用时 \d+\.\d 秒：{units.group(1)} 个单位，{demo['records']:,} 条记录", drawn)


@pytest.mark.parametrize("args, tty", [(["--quiet", "--verbose"], True), (["--verbose"], False)])
def test_no_progress_line_with_quiet_or_off_a_terminal(args, tty):
    _, _, err = on_terminal(*DEMO_ARGS, "--format", "json", *args, stderr_tty=tty)
    assert "个单位 ·" not in ANSI.sub("", err)


def test_a_summary_on_stderr_when_the_reports_went_to_files(tmp_path, demo):
    report = tmp_path / "报告.html"
    code, out, err = on_terminal(*DEMO_ARGS, "-o", str(report), columns=100)
    assert code == 1 and out == "" and report.exists()
    text = "\n".join(visible_lines(err))
    assert "问题汇总" in text and "宣州市路桥工程处" in text and f"报告已写入：{report}" in text
    assert f"共检查记录 {demo['records']} 条，发现问题 {demo['findings']} 个" in text and COLOUR.search(err)
    _, _, quiet = on_terminal(*DEMO_ARGS, "-o", str(report), "--quiet")
    assert quiet == ""


def test_selfcheck_on_a_terminal_is_wrapped_and_coloured_and_plain_with_no_color():
    args = ["selfcheck", str(DEMO), "--unit", "LQ", "--as-of", "2020-07-10", "--profile", "speech"]
    _, out, _ = on_terminal(*args, columns=80)
    assert COLOUR.search(out) and max(cell_len(line) for line in visible_lines(out)) <= 80
    _, plain, _ = on_terminal(*args, "--no-color", columns=80)
    assert "\x1b[" not in plain and "✔ [已完成]" in plain


def test_the_summary_table_lists_at_most_30_units_and_a_line_for_the_rest():
    from rich.console import Console

    from checker.report.render.terminal import summary_table

    findings = [{"unit": f"U{i:02d}", "unit_name": f"单位{i:02d}", "severity": "high"} for i in range(40) for _ in range(i)]
    console = Console(width=100, record=True, color_system=None, file=open(os.devnull, "w"))
    console.print(summary_table({"findings": findings, "meta": {}}, "zh"))
    text = console.export_text()
    assert "单位39" in text and "单位10" in text and "单位09" not in text and "……另有 9 个单位" in text
    rest = next(line for line in text.splitlines() if "……另有 9 个单位" in line)
    assert rest.split("|")[2].strip() == "45"  # the 45 findings of units 1…9, on one line


def test_the_summary_table_of_a_check_counts_what_its_findings_count():
    """A check's summary by unit is counted from the summaries its store keeps (`FindingDicts.tally`,
    no finding read back): the same table as its findings, listed one by one, give — waived ones out."""
    import datetime as dt

    from rich.console import Console

    from checker.report import build
    from checker.report.render.terminal import summary_table
    from checker.run.check import Options, run
    from checker.verdict.marks import WaiverMarks, load_waivers
    from tests.conftest import ROOT

    marks = WaiverMarks(load_waivers(ROOT / "fixtures" / "waivers" / "demo.yaml"), dt.date(2020, 7, 10))
    report = build.build(run(DEMO, Options(profile="speech", as_of=dt.date(2020, 7, 10), mark=marks)), "zh")

    def drawn(findings) -> str:
        console = Console(width=160, record=True, color_system=None, file=open(os.devnull, "w"))
        console.print(summary_table({**report, "findings": findings}, "zh"))
        return console.export_text()

    listed = list(report["findings"])
    assert any((f["waiver"] or {}).get("state") == "active" for f in listed)
    assert drawn(report["findings"]) == drawn(listed)
