"""XLSX workbook renderer: findings, summary, per-person responsibility and input errors sheets."""

from __future__ import annotations

import io
import unicodedata
from collections import Counter

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from checker.report.render.common import (
    HEADERS,
    finding_row,
    fmt_period,
    is_waived,
    norm_lang,
    responsibility,
    scalar,
    tr,
)
from checker.text.vocabulary import ROLE_LABEL, SEVERITIES, severity_label

SHEETS = {
    "zh": {"findings": "问题清单", "summary": "汇总", "responsibility": "责任人", "input_errors": "输入错误"},
    "en": {"findings": "findings", "summary": "summary", "responsibility": "responsibility",
           "input_errors": "input_errors"},
}
SUMMARY_HEADERS = {"zh": ["维度", "项目", "数量", "其中已豁免"], "en": ["dimension", "key", "count", "waived"]}
DIMENSIONS = {
    "zh": {"total": "合计", "severity": "严重程度", "discipline": "纪律类别", "unit": "单位",
           "records": "检查记录数", "findings": "问题数", "input_errors": "输入错误数", "meta": "报告信息"},
    "en": {"total": "total", "severity": "severity", "discipline": "discipline", "unit": "unit",
           "records": "records checked", "findings": "findings", "input_errors": "input errors",
           "meta": "report"},
}
RESP_HEADERS = {"zh": ["责任人编号", "姓名", "角色", "问题数", "其中已豁免", "规则编号"],
                "en": ["person", "name", "role", "count", "waived", "rule_ids"]}
ERROR_HEADERS = {"zh": ["来源", "行", "字段", "级别", "说明"], "en": ["source", "row", "field", "level", "message"]}
LEVEL_LABEL = {"zh": {"error": "错误", "warning": "警告"}, "en": {"error": "error", "warning": "warning"}}
MAX_WIDTH = 60


def _display_width(text: str) -> int:
    line = max(text.split("\n"), key=len) if text else ""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line)


def _cell_value(value: object) -> object:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    return ILLEGAL_CHARACTERS_RE.sub("\ufffd", scalar(value))


def _sheet(wb: Workbook, title: str, headers: list[str], rows: list[list[object]], first: bool = False):
    ws = wb.active if first else wb.create_sheet()
    ws.title = title
    ws.append(headers)
    for row in rows:
        ws.append([_cell_value(v) for v in row])
    widths = [_display_width(h) for h in headers]
    for row_cells in ws.iter_rows(min_row=2):
        for cell in row_cells:
            if isinstance(cell.value, str):
                # Text that looks like a formula ("=HYPERLINK(...)") must stay text, never run.
                cell.data_type = "s"
                widths[cell.column - 1] = max(widths[cell.column - 1], _display_width(cell.value))
                if len(cell.value) > MAX_WIDTH:
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
            else:
                widths[cell.column - 1] = max(widths[cell.column - 1], len(scalar(cell.value)))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = min(max(width + 2, 8), MAX_WIDTH)
    ws.freeze_panes = "A2"
    if rows:
        ws.auto_filter.ref = ws.dimensions
    return ws


def _summary_rows(report: dict, lang: str) -> list[list[object]]:
    dims = DIMENSIONS[lang]
    findings = report.get("findings") or []
    summary = report.get("summary") or {}
    meta = report.get("meta") or {}
    rows: list[list[object]] = []
    for key in ("as_of", "period", "version", "rules_version"):
        if meta.get(key):
            rows.append([dims["meta"], key, fmt_period(meta[key]) if key == "period" else scalar(meta[key]), ""])
    if summary.get("records") is not None:
        rows.append([dims["total"], dims["records"], summary["records"], ""])
    rows.append([dims["total"], dims["findings"], len(findings), sum(is_waived(f) for f in findings)])
    rows.append([dims["total"], dims["input_errors"], len(report.get("input_errors") or []), ""])
    for dim in ("severity", "discipline", "unit"):
        counts = Counter(scalar(f.get(dim)) for f in findings)
        waived = Counter(scalar(f.get(dim)) for f in findings if is_waived(f))
        if dim == "severity":
            keys = [s for s in SEVERITIES if s in counts] + sorted(set(counts) - set(SEVERITIES))
        else:
            keys = sorted(counts, key=lambda k: (-counts[k], k))
        for key in keys:
            label = severity_label(key, lang) if dim == "severity" else key
            rows.append([dims[dim], label, counts[key], waived[key]])
    return rows


def build(report: dict, lang: str = "zh") -> Workbook:
    lang = norm_lang(lang, report)
    names = SHEETS[lang]
    wb = Workbook()
    _sheet(wb, names["findings"], HEADERS[lang],
           [finding_row(f, lang) for f in report.get("findings") or []], first=True)
    _sheet(wb, names["summary"], SUMMARY_HEADERS[lang], _summary_rows(report, lang))
    _sheet(wb, names["responsibility"], RESP_HEADERS[lang], [
        [r["person"], r["name"], ROLE_LABEL[lang].get(r["role"], r["role"]), r["count"], r["waived"],
         ", ".join(r["rules"])] for r in responsibility(report)])
    _sheet(wb, names["input_errors"], ERROR_HEADERS[lang], [
        [e.get("source"), e.get("row") if e.get("row") is not None else "", e.get("field"),
         LEVEL_LABEL[lang].get(e.get("level") or "error", scalar(e.get("level"))), tr(e.get("message"), lang)]
        for e in report.get("input_errors") or []])
    return wb


def render(report: dict, lang: str = "zh") -> bytes:
    buf = io.BytesIO()
    build(report, lang).save(buf)
    return buf.getvalue()
