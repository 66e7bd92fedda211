"""XLSX workbook: the findings (real date cells, amounts as numbers in 元, Chinese labels, unit
names, severity colours, autofilter, frozen header, column widths from their content with CJK
counted double), a summary, responsibility by person and input errors, and the units the engine
could not judge (a sheet of their own, its tab red, and a line at the top of the summary saying the
report is incomplete); with `per_unit`, a sheet of findings for each unit as well."""

from __future__ import annotations

import datetime as dt
import io
import unicodedata
from collections import Counter

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from checker.report.render.common import (
    HEADERS,
    finding_row,
    incompleteness,
    is_waived,
    norm_lang,
    person_text,
    responsibility,
    scalar,
    tr,
    unit_text,
    units_not_judged,
)
from checker.text import formats
from checker.text.vocabulary import ROLE_LABEL, SEVERITIES, discipline_label, severity_label

SHEETS = {
    "zh": {"findings": "问题清单", "summary": "汇总", "responsibility": "责任人", "input_errors": "输入错误",
           "not_judged": "未检查的单位"},
    "en": {"findings": "findings", "summary": "summary", "responsibility": "responsibility",
           "input_errors": "input_errors", "not_judged": "units_not_judged"},
}
NOT_JUDGED_HEADERS = {"zh": ["单位编号", "单位", "原因"], "en": ["unit_id", "unit", "reason"]}
ALARM_TAB = "C00000"  # the tab of a sheet that lists what was not judged, when it lists anything
SUMMARY_HEADERS = {"zh": ["维度", "项目", "数量", "其中已豁免"], "en": ["dimension", "key", "count", "waived"]}
DIMENSIONS = {
    "zh": {"total": "合计", "severity": "严重程度", "discipline": "纪律类别", "unit": "单位",
           "records": "检查记录数", "findings": "问题数", "input_errors": "输入错误数", "meta": "报告信息",
           "as_of": "基准日", "period": "检查期间", "profile": "规则配置", "version": "工具版本",
           "rules_version": "规则版本", "complete": "完整性", "not_judged": "未检查的单位数"},
    "en": {"total": "total", "severity": "severity", "discipline": "discipline", "unit": "unit",
           "records": "records checked", "findings": "findings", "input_errors": "input errors",
           "meta": "report", "as_of": "as of", "period": "period", "profile": "profile", "version": "version",
           "rules_version": "rules version", "complete": "completeness", "not_judged": "units not judged"},
}
RESP_HEADERS = {"zh": ["责任人编号", "姓名（职务）", "角色", "问题数", "其中已豁免", "涉及单位", "规则编号"],
                "en": ["person", "name (post)", "role", "count", "waived", "units", "rule_ids"]}
ERROR_HEADERS = {"zh": ["来源", "行", "字段", "级别", "说明"], "en": ["source", "row", "field", "level", "message"]}
LEVEL_LABEL = {"zh": {"error": "错误", "warning": "警告"}, "en": {"error": "error", "warning": "warning"}}
SEVERITY_FILL = {"high": "F4CCCC", "medium": "FCE5CD", "low": "CFE2F3", "info": "EEEEEE"}
DATE_FORMAT = {"zh": 'yyyy"年"m"月"d"日"', "en": "yyyy-mm-dd"}
YUAN_FORMAT = {"zh": '#,##0.00"元"', "en": "#,##0.00"}
MAX_WIDTH = 60
WRAP_AT = 40
_DATE_COLUMN, _AMOUNT_COLUMN = 5, 6  # in HEADERS


def _display_width(text: str) -> int:
    line = max(text.split("\n"), key=len) if text else ""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line)


def _cell_value(value: object) -> object:
    if isinstance(value, (int, float, dt.date)) and not isinstance(value, bool):
        return value
    return ILLEGAL_CHARACTERS_RE.sub("\ufffd", scalar(value))


def _sheet(wb: Workbook, title: str, headers: list[str], rows: list[list[object]], first: bool = False):
    ws = wb.active if first else wb.create_sheet()
    ws.title = title[:31]
    ws.append(headers)
    for row in rows:
        ws.append([_cell_value(v) for v in row])
    widths = [_display_width(h) for h in headers]
    for row_cells in ws.iter_rows(min_row=2):
        for cell in row_cells:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # text that looks like a formula ("=HYPERLINK(...)") stays text
                width = _display_width(cell.value)
                if width > WRAP_AT:
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
            else:
                width = 12 if isinstance(cell.value, dt.date) else len(scalar(cell.value)) + 4
            widths[cell.column - 1] = max(widths[cell.column - 1], width)
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDDDDD")
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = min(max(width + 2, 8), MAX_WIDTH)
    ws.freeze_panes = "A2"
    if rows:
        ws.auto_filter.ref = ws.dimensions
    return ws


def _findings_sheet(wb: Workbook, title: str, findings: list[dict], lang: str, first: bool = False) -> None:
    rows = []
    for f in findings:
        row: list[object] = list(finding_row(f, lang))
        row[_DATE_COLUMN] = formats.as_day(f.get("date")) or ""
        fen = f.get("amount_fen")
        row[_AMOUNT_COLUMN] = fen / 100 if isinstance(fen, int | float) and not isinstance(fen, bool) else ""
        rows.append(row)
    ws = _sheet(wb, title, HEADERS[lang], rows, first=first)
    for index, f in enumerate(findings, start=2):
        colour = SEVERITY_FILL.get(scalar(f.get("severity")))
        if colour:
            ws.cell(row=index, column=1).fill = PatternFill("solid", fgColor=colour)
        ws.cell(row=index, column=_DATE_COLUMN + 1).number_format = DATE_FORMAT[lang]
        ws.cell(row=index, column=_AMOUNT_COLUMN + 1).number_format = YUAN_FORMAT[lang]


def _summary_rows(report: dict, lang: str) -> list[list[object]]:
    dims = DIMENSIONS[lang]
    findings = report.get("findings") or []
    summary = report.get("summary") or {}
    meta = report.get("meta") or {}
    profiles = " → ".join(tr(p.get("title"), lang) for p in meta.get("profile_titles") or [])
    shown = {"as_of": formats.day(meta.get("as_of"), lang), "period": formats.report_period(meta.get("period"), lang),
             "profile": profiles, "version": scalar(meta.get("version")),
             "rules_version": scalar(meta.get("rules_version"))}
    rows: list[list[object]] = [[dims["meta"], dims[key], value, ""] for key, value in shown.items() if value]
    if summary.get("records") is not None:
        rows.append([dims["total"], dims["records"], summary["records"], ""])
    rows.append([dims["total"], dims["findings"], len(findings), sum(is_waived(f) for f in findings)])
    rows.append([dims["total"], dims["input_errors"], len(report.get("input_errors") or []), ""])
    if not_judged := units_not_judged(report, lang):
        rows.append([dims["total"], dims["not_judged"], len(not_judged), ""])
    if sentence := incompleteness(report, lang):
        rows.insert(0, [dims["meta"], dims["complete"], sentence, ""])
    label_of = {"severity": lambda f: severity_label(f.get("severity"), lang),
                "discipline": lambda f: discipline_label(f.get("discipline"), lang),
                "unit": lambda f: unit_text(f, lang)}
    for dim, label in label_of.items():
        counts = Counter(label(f) for f in findings)
        waived = Counter(label(f) for f in findings if is_waived(f))
        if dim == "severity":
            order = [severity_label(s, lang) for s in SEVERITIES]
            keys = [k for k in order if k in counts]
        else:
            keys = sorted(counts, key=lambda k: (-counts[k], k))
        rows += [[dims[dim], key, counts[key], waived[key]] for key in keys]
    return rows


def build(report: dict, lang: str = "zh", per_unit: list[tuple[str, str, list[dict]]] | None = None) -> Workbook:
    lang = norm_lang(lang, report)
    names = SHEETS[lang]
    wb = Workbook()
    _findings_sheet(wb, names["findings"], list(report.get("findings") or []), lang, first=True)
    _sheet(wb, names["summary"], SUMMARY_HEADERS[lang], _summary_rows(report, lang))
    _sheet(wb, names["responsibility"], RESP_HEADERS[lang], [
        [r["person"], person_text(r, lang), ROLE_LABEL[lang].get(r["role"], r["role"]), r["count"], r["waived"],
         "、".join(r["units"]), ", ".join(r["rules"])] for r in responsibility(report)])
    errors = _sheet(wb, names["input_errors"], ERROR_HEADERS[lang], [
        [e.get("source"), e.get("row") if e.get("row") is not None else "", e.get("field"),
         LEVEL_LABEL[lang].get(e.get("level") or "error", scalar(e.get("level"))), tr(e.get("message"), lang)]
        for e in report.get("input_errors") or []])
    if any((e.get("level") or "error") == "error" for e in report.get("input_errors") or []):
        errors.sheet_properties.tabColor = ALARM_TAB
    if not_judged := units_not_judged(report, lang):  # only then: a complete report keeps its four sheets
        sheet = _sheet(wb, names["not_judged"], NOT_JUDGED_HEADERS[lang],
                       [[u["unit"], u["label"], u["reason"]] for u in not_judged])
        sheet.sheet_properties.tabColor = ALARM_TAB
    for unit, name, findings in per_unit or []:
        _findings_sheet(wb, _sheet_title(name, unit, wb.sheetnames), findings, lang)
    return wb


def _sheet_title(name: str, unit: str, taken: list[str]) -> str:
    """A sheet name Excel accepts (31 characters, none of []:*?/\\), unique in the workbook."""
    title = "".join("_" if ch in "[]:*?/\\" else ch for ch in (name or unit))[:31]
    if title in taken:
        title = f"{title[:31 - len(unit) - 2]}（{unit}）"
    return title


def render(report: dict, lang: str = "zh", per_unit: list[tuple[str, str, list[dict]]] | None = None) -> bytes:
    buf = io.BytesIO()
    build(report, lang, per_unit).save(buf)
    return buf.getvalue()

