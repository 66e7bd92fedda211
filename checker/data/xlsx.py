"""Stage 1 for XLSX workbooks: one sheet per record type, header row 1, one record per row.

A sheet is named by the record type (`reception`) or by its Chinese label (`公务接待`); a label that
holds a character Excel forbids in sheet names (`整改/工作任务`) is written as `sheet_name_for(type)`
(`整改工作任务`) and mapped back here. Cell values are passed on as openpyxl reads them (datetime,
int, float, str): the models parse dates, Excel serial numbers, yuan and 是/否. Row numbers are
the ones Excel shows, so an error message points at the cell the user sees.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from checker.data.models import RECORD_TYPES, TYPE_BY_LABEL, TYPE_LABELS
from checker.data.records import InputError

# Sheets that carry instructions rather than records.
SKIPPED_SHEETS = {"说明", "readme", "notes"}

_FORBIDDEN_IN_SHEET_NAMES = re.compile(r"[\\/?*:\[\]：？／＼]")
SHEET_NAME_MAX = 31


def sheet_name_for(record_type: str) -> str:
    """The sheet name the entry template uses for a record type: its Chinese label, made legal."""
    label = TYPE_LABELS[record_type]
    name = _FORBIDDEN_IN_SHEET_NAMES.sub("", label).strip("'").strip()
    return (name or record_type)[:SHEET_NAME_MAX]


# Sheet names whose label had to be changed to be legal (e.g. 整改工作任务 -> task).
SHEET_ALIASES: dict[str, str] = {
    sheet_name_for(name): name for name in RECORD_TYPES if sheet_name_for(name) != TYPE_LABELS[name]
}


def _stem_for(sheet_name: str) -> str:
    """The stem load.py maps to a record type; unknown names are passed on for it to report."""
    name = sheet_name.strip()
    if name in RECORD_TYPES or name in TYPE_BY_LABEL:
        return name
    if name.lower() in RECORD_TYPES:
        return name.lower()
    return SHEET_ALIASES.get(name, name)


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


def _column_name(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


def _sheet_rows(sheet: Any, source: str, errors: list[InputError]) -> list[tuple[int, dict[str, Any]]]:
    headers: list[str] | None = None
    rows: list[tuple[int, dict[str, Any]]] = []
    # values_only rows come back one per sheet row, gaps filled with empty rows, so the
    # enumeration index is the row number Excel shows.
    for number, values in enumerate(sheet.iter_rows(min_row=1, values_only=True), start=1):
        if headers is None:
            # Row 1 is the header, even when empty (then every data cell is an unknown column).
            headers = []
            seen: set[str] = set()
            for cell in values:
                text = "" if cell is None else str(cell).strip()
                if text and text in seen:
                    errors.append(InputError(source, number, text,
                                             "duplicate column header, later column wins / 列名重复",
                                             level="warning"))
                seen.add(text)
                headers.append(text)
            continue
        if all(_is_blank(v) for v in values):
            continue
        row: dict[str, Any] = {}
        for index, value in enumerate(values):
            if value is None:
                continue  # an empty cell is a field not given, as in CSV
            header = headers[index] if index < len(headers) else ""
            if not header:
                header = f"(列 {_column_name(index)} 无列名)"
            row[header] = value
        rows.append((number, row))
    return rows


def load_workbook_rows(path: Path, errors: list[InputError]) -> list[tuple[str, str, list[tuple[int, dict]]]]:
    """Read every sheet of an XLSX workbook as (stem, source, [(row number, {header: value})])."""
    path = Path(path)
    try:
        from openpyxl import load_workbook

        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises zipfile, XML, KeyError, ... for a damaged file
        errors.append(InputError(str(path), None, None, f"cannot read workbook: {type(exc).__name__}: {exc}"))
        return []
    result: list[tuple[str, str, list[tuple[int, dict]]]] = []
    try:
        for sheet in workbook.worksheets:
            title = sheet.title
            if title.strip().lower() in SKIPPED_SHEETS:
                continue
            source = f"{path.name}#{title}"
            if hasattr(sheet, "reset_dimensions"):
                # Some writers store a wrong <dimension>; read what is actually there.
                sheet.reset_dimensions()
            result.append((_stem_for(title), source, _sheet_rows(sheet, source, errors)))
    except Exception as exc:  # the sheet XML is parsed lazily, so damage can surface here
        errors.append(InputError(str(path), None, None, f"cannot read workbook: {type(exc).__name__}: {exc}"))
        return []
    finally:
        workbook.close()
    return result
