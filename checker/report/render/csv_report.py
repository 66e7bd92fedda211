"""CSV renderer (one row per finding, UTF-8 with BOM so Excel opens Chinese text correctly)."""

from __future__ import annotations

import csv
import io

from checker.report.render.common import HEADERS, finding_row, norm_lang

BOM = "\ufeff"


def _neutralise(cell: str) -> str:
    """Stop spreadsheet formula injection: a cell that starts like a formula gets a leading quote."""
    return "'" + cell if cell[:1] in ("=", "+", "-", "@", "\t", "\r") else cell


def render(report: dict, lang: str = "zh") -> str:
    lang = norm_lang(lang, report)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(HEADERS[lang])
    for f in report.get("findings") or []:
        writer.writerow([_neutralise(c) for c in finding_row(f, lang)])
    return BOM + buf.getvalue()
