"""Stage 1 for XLSX workbooks: one sheet per record type, header row 1, one record per row.

A sheet is named by the record type (`reception`) or by its Chinese label (`公务接待`); a label that
holds a character Excel forbids in sheet names (`整改/工作任务`) is written as `sheet_name_for(type)`
(`整改工作任务`) and mapped back here. Cell values are passed on as openpyxl reads them (datetime,
int, float, str): the models parse dates, Excel serial numbers, yuan and 是/否. Row numbers are
the ones Excel shows, so an error message points at the cell the user sees.

Each sheet is read by openpyxl's own sheet parser (`WorkSheetParser`, what its read-only mode
uses; its module is private, hence setup.cfg's `openpyxl<3.2`), cell by cell as stored: no row is
padded to the sheet's stated dimension (a hostile `A1:XFD1048576` would make billions of empty
cells), and a formula cell whose value was never stored (a file written by a program and not saved
by Excel) is an error at its cell instead of a blank that lets a default apply; so is an Excel error
value (#REF!) and a cell longer than Excel allows. A sheet that cannot be read is rejected by name
and the others are read. Before openpyxl opens a workbook its parts' sizes are checked, so that a
zip bomb (a shared-strings table of gigabytes in a few megabytes) is refused, not read into memory.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from checker.data.models import RECORD_TYPES, TYPE_BY_LABEL, TYPE_LABELS
from checker.data.records import InputError, RowProblem, printable

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


# Guards: beyond these a workbook is not a ledger but a way to exhaust memory or time.
MAX_PART_BYTES = 1 << 30  # any part, uncompressed
MAX_RATIO = 200  # uncompressed : compressed, for parts over RATIO_FROM bytes (sheets compress about 10:1)
RATIO_FROM = 32 << 20
MAX_SHARED_STRINGS_BYTES = 50 << 20  # openpyxl reads the shared-strings table into memory whole
MAX_ROWS = 500_000  # rows holding a value, in one workbook; more: split it, or use CSV or JSON Lines
MAX_CELLS = 5_000_000  # cells holding a value, in one workbook
MAX_CELL_CHARS = 32_767  # Excel's own limit for a cell's text
_NO_VALUE = "formula without a stored value"


class _Refused(Exception):
    """A sheet (or the rest of the workbook) not read, and why."""


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


def _column_name(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


def _zip_problem(path: Path) -> str | None:
    """Why a workbook's parts are too big to open, if they are (sizes as the zip directory states
    them: zipfile never inflates a part beyond its stated size)."""
    with zipfile.ZipFile(path) as archive:
        for part in archive.infolist():
            size, ratio = part.file_size / 2**20, part.file_size / max(part.compress_size, 1)
            if part.filename.lower() == "xl/sharedstrings.xml" and part.file_size > MAX_SHARED_STRINGS_BYTES:
                return (f"共享字符串表解压后 {size:,.0f} MB，超过上限 {MAX_SHARED_STRINGS_BYTES >> 20} MB / the "
                        f"shared-strings table is {size:,.0f} MB uncompressed, over {MAX_SHARED_STRINGS_BYTES >> 20} MB")
            if part.file_size > MAX_PART_BYTES or (part.file_size > RATIO_FROM and ratio > MAX_RATIO):
                return (f"“{part.filename}”解压后 {size:,.0f} MB（压缩比 {ratio:,.0f}:1），像是压缩炸弹 / "
                        f"{part.filename} is {size:,.0f} MB uncompressed ({ratio:,.0f}:1): a zip bomb")
    return None


def _cell_parser() -> type:
    from openpyxl.worksheet._reader import FORMULA_TAG, VALUE_TAG, WorkSheetParser

    class CellParser(WorkSheetParser):
        """openpyxl's sheet parser, keeping what reading stored values drops: that a cell holds a
        formula whose value was never stored."""

        def parse_cell(self, element: Any) -> dict[str, Any]:
            cell = super().parse_cell(element)
            # No value: no <v>, or an empty one that is not a formula's empty text result (t="str")
            stored = element.find(VALUE_TAG) is not None and element.get("t") == "str"
            if cell["value"] is None and not stored and element.find(FORMULA_TAG) is not None:
                cell["data_type"] = _NO_VALUE
                cell["value"] = "=" + (element.findtext(FORMULA_TAG) or "…")
            return cell

    return CellParser


def _cells_by_row(sheet: Any) -> Iterator[tuple[int, list[dict[str, Any]]]]:
    """(row number, the row's stored cells) of a read-only sheet, by openpyxl's own parser."""
    workbook = sheet.parent
    with sheet._get_source() as xml:
        parser = _cell_parser()(xml, sheet._shared_strings, data_only=True, epoch=workbook.epoch,
                                date_formats=workbook._date_formats, timedelta_formats=workbook._timedelta_formats)
        yield from parser.parse()


def _sheet_rows(sheet: Any, source: str, errors: list[InputError],
                budget: dict[str, int]) -> list[tuple[int, Any]]:
    headers: list[str] | None = None
    rows: list[tuple[int, Any]] = []
    for number, cells in _cells_by_row(sheet):
        cells = [cell for cell in cells if cell["value"] is not None]  # an empty cell is a field not given
        if not cells:
            continue
        budget["rows"] -= 1
        budget["cells"] -= len(cells)
        if budget["rows"] < 0 or budget["cells"] < 0:
            raise _Refused(f"工作簿超过 {MAX_ROWS:,} 行或 {MAX_CELLS:,} 个非空单元格，请拆分或改用 CSV、JSON Lines / "
                           f"the workbook holds more than {MAX_ROWS:,} rows or {MAX_CELLS:,} cells: split it, or "
                           "use CSV or JSON Lines")
        if headers is None:
            headers = []
            if number == 1:  # row 1 is the header, even when empty (then every cell is an unknown column)
                headers = _headers(cells, source, errors)
                continue
        row = _row(headers, cells, number)
        if row is not None:
            rows.append((number, row))
    return rows


def _headers(cells: list[dict[str, Any]], source: str, errors: list[InputError]) -> list[str]:
    headers = [""] * max(cell["column"] for cell in cells)
    seen: set[str] = set()
    for cell in cells:
        text = str(cell["value"]).strip()
        if text and text in seen:
            errors.append(InputError(source, 1, text, "列名重复，后一列为准 / duplicate column header, the later "
                                     "column wins", level="warning"))
        seen.add(text)
        headers[cell["column"] - 1] = text
    return headers


def _row(headers: list[str], cells: list[dict[str, Any]], number: int) -> dict[str, Any] | RowProblem | None:
    """A row's cells by header, or the problems of its cells; None if every cell is blank."""
    row: dict[str, Any] = {}
    problems: list[tuple[str | None, str, str | None]] = []
    for cell in cells:
        column = cell["column"]
        value = cell["value"]
        name = (headers[column - 1] if column <= len(headers) else "") or f"(列 {_column_name(column - 1)} 无列名)"
        where = f"{_column_name(column - 1)}{number}"
        if cell["data_type"] == _NO_VALUE:
            problems.append((name, f"公式单元格 {where} 没有保存计算结果（请在 Excel 或 WPS 中打开并保存后再交） / "
                                   f"formula cell {where} has no stored value (open and save the workbook in Excel)",
                             printable(value)))
        elif cell["data_type"] == "e":
            problems.append((name, f"单元格 {where} 是 Excel 错误值 {value} / cell {where} holds the Excel error "
                                   f"{value}", printable(value)))
        elif isinstance(value, str) and len(value) > MAX_CELL_CHARS:
            problems.append((name, f"单元格 {where} 超过 {MAX_CELL_CHARS:,} 个字符 / cell {where} is longer than "
                                   f"{MAX_CELL_CHARS:,} characters", printable(value)))
        else:
            row[name] = value
    if problems:
        return RowProblem(tuple(problems))
    return None if all(_is_blank(v) for v in row.values()) else row


def _open_workbook(path: Path) -> tuple[Any, list[tuple[str, str]]]:
    """A workbook opened read-only, reading stored values, and the sheets that could not be opened
    with why: openpyxl itself would fail on the whole workbook for one damaged sheet, and silently
    skip a sheet whose part is missing."""
    from openpyxl.reader.excel import ExcelReader
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

    failed: list[tuple[str, str]] = []

    class Reader(ExcelReader):
        def read_worksheets(self) -> None:  # its read-only branch, each sheet on its own
            for sheet, rel in self.parser.find_sheets():
                if "chartsheet" in rel.Type:
                    continue  # a chart: no rows
                if rel.target not in self.valid_files:
                    failed.append((sheet.name, f"工作簿里没有它的文件 {rel.target} / its part {rel.target} is missing"))
                    continue
                try:
                    worksheet = ReadOnlyWorksheet(self.wb, sheet.name, rel.target, self.shared_strings)
                except Exception as exc:  # noqa: BLE001 - XML or zip errors of a damaged sheet
                    failed.append((sheet.name, f"{type(exc).__name__}: {exc}"))
                    continue
                worksheet.sheet_state = sheet.state
                self.wb._sheets.append(worksheet)

    reader = Reader(path, read_only=True, data_only=True)
    reader.read()
    return reader.wb, failed


def load_workbook_rows(path: Path, errors: list[InputError]) -> list[tuple[str, str, list[tuple[int, Any]]]]:
    """Read every sheet of an XLSX workbook as (stem, source, [(row number, {header: value}, or the
    RowProblem standing for the row)])."""
    path = Path(path)
    try:
        problem = _zip_problem(path)
        if problem:
            errors.append(InputError(str(path), None, None, f"工作簿未读取：{problem}"))
            return []
        workbook, failed = _open_workbook(path)
    except Exception as exc:  # openpyxl raises zipfile, XML, KeyError, ... for a damaged file
        errors.append(InputError(str(path), None, None, f"无法读取工作簿 / cannot read workbook: "
                                 f"{type(exc).__name__}: {exc}"))
        return []
    for title, reason in failed:
        errors.append(_sheet_not_read(path, title, reason))
    result: list[tuple[str, str, list[tuple[int, Any]]]] = []
    budget = {"rows": MAX_ROWS, "cells": MAX_CELLS}
    try:
        for sheet in workbook.worksheets:
            title = sheet.title
            if title.strip().lower() in SKIPPED_SHEETS:
                continue
            sheet_errors: list[InputError] = []
            try:
                rows = _sheet_rows(sheet, f"{path.name}#{title}", sheet_errors, budget)
            except Exception as exc:  # noqa: BLE001 - a damaged sheet (bad XML), or a guard
                errors.append(_sheet_not_read(path, title, str(exc) if isinstance(exc, _Refused)
                                              else f"{type(exc).__name__}: {exc}"))
                continue
            errors.extend(sheet_errors)
            result.append((_stem_for(title), f"{path.name}#{title}", rows))
    finally:
        workbook.close()
    return result


def _sheet_not_read(path: Path, title: str, reason: str) -> InputError:
    return InputError(f"{path.name}#{title}", None, None, f"工作表“{title}”未读取 / sheet not read: {reason}")
