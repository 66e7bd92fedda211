"""CSV renderer (one row per finding, UTF-8 with BOM so Excel opens Chinese text correctly).

CSV has no sheets, so what was not judged follows the findings as rows of their own: a unit the
engine could not judge, then each input error and warning. Such a row has no rule id; its 严重程度
cell says what it is (未检查 / 输入错误 / 输入警告), its 问题表述 the reason, its 记录 where the error
is; and the last column, 说明 (`note`), names the kind of row — it is empty on every finding, so a
program keeps the findings with `rule_id != ""` (or `说明 == ""`).
"""

from __future__ import annotations

import csv
import io

from checker.report.render.common import HEADERS, error_where, finding_row, norm_lang, tr, units_not_judged

BOM = "\ufeff"
NOTE = {"zh": "说明", "en": "note"}
KINDS = {"zh": {"unit": ("未检查", "未检查的单位"), "error": ("输入错误", "输入错误，该记录未检查"),
                "warning": ("输入警告", "输入警告")},
         "en": {"unit": ("not judged", "unit not judged"), "error": ("input error", "input error: record not judged"),
                "warning": ("input warning", "input warning")}}


def _neutralise(cell: str) -> str:
    """Stop spreadsheet formula injection: a cell that starts like a formula gets a leading quote."""
    return "'" + cell if cell[:1] in ("=", "+", "-", "@", "\t", "\r") else cell


def _row(lang: str, **cells: str) -> list[str]:
    """A row that is not a finding, in the columns of HEADERS (by their English names) and 说明."""
    columns = HEADERS["en"]
    return [cells.get(name, "") for name in columns] + [cells.get("note", "")]


def not_judged_rows(report: dict, lang: str) -> list[list[str]]:
    """The rows after the findings: units not judged, then input errors and warnings."""
    kinds = KINDS[lang]
    rows = [_row(lang, severity=kinds["unit"][0], unit=u["label"], problem=u["text"], unit_id=u["unit"],
                 note=kinds["unit"][1]) for u in units_not_judged(report, lang)]
    for error in report.get("input_errors") or []:
        kind = kinds["warning" if error.get("level") == "warning" else "error"]
        rows.append(_row(lang, severity=kind[0], problem=tr(error.get("message"), lang),
                         records=error_where(error, lang), note=kind[1]))
    return rows


def render(report: dict, lang: str = "zh") -> str:
    lang = norm_lang(lang, report)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow([*HEADERS[lang], NOTE[lang]])
    for f in report.get("findings") or []:
        writer.writerow([_neutralise(c) for c in finding_row(f, lang)] + [""])
    for row in not_judged_rows(report, lang):
        writer.writerow([_neutralise(c) for c in row])
    return BOM + buf.getvalue()
