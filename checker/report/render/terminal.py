"""The report on a terminal (rich): the same words as the table renderer, wrapped to the terminal's
width with CJK counted double and a hanging indent, severities in colour, a summary table by unit,
and — unless asked for all — only the most severe findings, so a large audit never floods the screen.

The content is the table renderer's (`render/table.py`): this module adds layout, colour and the
choice of what fits on a screen, and reads only the report dict.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

from rich import box
from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.table import Table
from rich.text import Text

from checker.report.render import table
from checker.report.render.common import incompleteness, is_waived, unit_text, units_not_judged
from checker.text.lines import fill
from checker.text.vocabulary import SEVERITIES, severity_label

SHOW_ALL_UP_TO = 30  # a report this small is shown whole on a terminal
SUMMARY_UNITS = 30  # units listed in the summary table; the others are one line
TOP = 20  # otherwise: the most severe findings, then a line saying how to see the rest
CITED = tuple(f"{table.WORDS[lang]['cite']}{colon}" for lang, colon in (("zh", "："), ("en", ": ")))
SEVERITY_STYLE = {"high": "bold red", "medium": "yellow", "low": "cyan", "info": "dim"}
WORDS = {
    "zh": {"unit": "单位", "total": "合计", "summary": "问题汇总", "shown": "以下列出最严重的 {n} 个问题（共 {total} 个）。",
           "rest": "另有 {n} 个问题未显示：加 --full 在终端列出全部，或写入文件（-o 报告.html、-o 问题清单.xlsx）。",
           "written": "报告已写入：{files}", "waived": "已豁免"},
    "en": {"unit": "Unit", "total": "Total", "summary": "Findings", "shown": "The {n} most severe of {total} findings:",
           "rest": "{n} more findings not shown: add --full to list them all here, or write a file "
                   "(-o report.html, -o findings.xlsx).", "written": "Report written: {files}", "waived": "waived"},
}


def header(report: dict[str, Any], lang: str) -> Text:
    """廉检 lianjian 0.1.0 — 期间 2020年上半年，截至 2020年7月10日，规则配置 中央规定 → 讲话要求."""
    return _styled(table.heading(report, lang))


def summary_table(report: dict[str, Any], lang: str) -> Table:
    """Findings by unit and severity (waived ones left out, as the exit code does), with totals; with
    more than SUMMARY_UNITS units, those with the most findings and one line for the rest."""
    words = WORDS[lang]
    counts: Counter[tuple[str, str]] = Counter()
    names: dict[str, str] = {}
    findings = report["findings"]
    # a report built from a check's store gives what a count needs, counted, without reading any finding back
    for finding, count in findings.tally() if hasattr(findings, "tally") else ((f, 1) for f in findings):
        if not is_waived(finding):
            counts[(finding["unit"], finding["severity"])] += count
            names[finding["unit"]] = unit_text(finding, lang)
    # ASCII rules: box-drawing characters are of ambiguous width, drawn double in many Chinese terminals
    grid = Table(title=words["summary"], title_justify="left", show_footer=True, expand=False, box=box.ASCII2)
    grid.add_column(words["unit"], footer=words["total"])
    for severity in SEVERITIES:
        total = sum(n for (_, s), n in counts.items() if s == severity)
        grid.add_column(severity_label(severity, lang), justify="right", footer=str(total),
                        header_style=SEVERITY_STYLE[severity])
    grid.add_column(words["total"], justify="right", footer=str(sum(counts.values())), style="bold")
    per_unit = {unit: [counts[(unit, s)] for s in SEVERITIES] for unit in names}
    shown = sorted(names, key=lambda u: names[u])
    if len(shown) > SUMMARY_UNITS:  # many units: those with the most findings, and a line for the others
        shown = sorted(shown, key=lambda u: (-sum(per_unit[u]), names[u]))[:SUMMARY_UNITS]
    for unit in shown:
        row = per_unit[unit]
        grid.add_row(names[unit], *(str(n) if n else "" for n in row), str(sum(row)))
    if len(shown) < len(names):
        rest = [u for u in names if u not in set(shown)]
        label = (f"……另有 {len(rest)} 个单位" if lang == "zh" else f"… {len(rest)} more units")
        grid.add_row(Text(label, style="dim"), *(str(sum(per_unit[u][i] for u in rest)) for i in range(len(SEVERITIES))),
                     str(sum(sum(per_unit[u]) for u in rest)), style="dim")
    for unit in units_not_judged(report, lang):
        grid.add_row(Text(unit["label"], style="bold red"), *[""] * len(SEVERITIES),
                     Text("未检查" if lang == "zh" else "not judged", style="bold red"))
    return grid


def most_severe(findings: list[dict[str, Any]], n: int) -> list[dict[str, Any]]:
    order = {s: i for i, s in enumerate(SEVERITIES)}
    ranked = sorted(findings, key=lambda f: (is_waived(f), order.get(f["severity"], len(order)), f.get("date") or ""))
    return ranked[:n]


def report_view(report: dict[str, Any], lang: str, group_by: str = "unit", full: bool = False) -> Group:
    """What `check` prints on a terminal: the header, the summary by unit, the findings (all of them
    when few or with `full`, else the most severe), what was not judged, and the closing count."""
    findings = list(report["findings"])
    shown = findings if full or len(findings) <= SHOW_ALL_UP_TO else most_severe(findings, TOP)
    parts: list[RenderableType] = [header(report, lang), Text(), summary_table(report, lang), Text()]
    if len(shown) < len(findings):
        parts.append(Text(WORDS[lang]["shown"].format(n=len(shown), total=len(findings)), style="bold"))
    body = table.render({**report, "findings": shown}, lang, group_by if len(shown) == len(findings) else "unit")
    # the header was printed above; the citation line repeats the message's closing 违反了《…》
    lines = [line for line in body.splitlines()[2:] if not line.lstrip().startswith(CITED)]
    if len(shown) < len(findings):
        lines.insert(len(lines) - 1, "!! " + WORDS[lang]["rest"].format(n=len(findings) - len(shown)))
    parts += list(wrapped(lines))
    return Group(*parts)


def files_summary(report: dict[str, Any], lang: str, files: list[str]) -> Group:
    """What `check` says when every report went to a file: the header, the summary by unit, where
    the reports are, and what was not judged."""
    summary = report["summary"]
    parts: list[RenderableType] = [header(report, lang), summary_table(report, lang)]
    sep = "、" if lang == "zh" else ", "
    parts.append(Text(WORDS[lang]["written"].format(files=sep.join(files)), style="bold"))
    for unit in units_not_judged(report, lang):
        parts.append(Text("!! " + unit["text"], style="bold red"))
    if sentence := incompleteness(report, lang):
        parts.append(Text("!! " + sentence, style="bold red"))
    parts.append(Text(table.WORDS[lang]["summary"].format(records=summary["records"], findings=summary["findings"])))
    return Group(*parts)


def lines_view(text: str) -> Group:
    """Plain text (the self-check's list) wrapped and styled for a terminal."""
    return Group(*wrapped(text.splitlines()))


def wrapped(lines: list[str]) -> Iterator[RenderableType]:
    """Each line wrapped to the width with its own indent as a hanging indent (a message under its
    finding stays under it), styled."""
    for line in lines:
        yield Wrapped(line)


class Wrapped:
    """One line of the report, filled to the console's width when it is drawn (checker.text.lines:
    Chinese breaks between characters, never before a closing mark), continuation lines indented."""

    def __init__(self, line: str):
        self.line = line

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        indent = len(self.line) - len(self.line.lstrip(" "))
        body = self.line[indent:]
        if not body:
            yield Text()
            return
        whole = "bold red" if body.startswith("!!") else "bold" if body.startswith("■") else ""
        for number, part in enumerate(fill(body, max(options.max_width - indent, 10))):
            text = _styled(part) if number == 0 else Text(part, style=whole)
            yield Text(" " * indent) + text


def _styled(line: str) -> Text:
    text = Text(line)
    for severity in SEVERITIES:
        for lang in ("zh", "en"):
            text.highlight_words([f"[{severity_label(severity, lang)}]"], SEVERITY_STYLE[severity])
    if line.startswith("■"):
        text.stylize("bold")
    elif line.startswith(("!!", "✖")):
        text.stylize("bold red")
    elif line.startswith("✔"):
        text.stylize("green", 0, 1)
    elif line.startswith("廉检 lianjian"):
        text.stylize("bold", 0, len("廉检 lianjian"))
    text.highlight_regex(r"^(记录|责任人|Records|Responsible)[：:]", "dim")
    return text

