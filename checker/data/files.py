"""Finding and reading the input: which files a PATH holds, and each file's (or sheet's) rows as
read, every row with its number, before anything is validated.

A `Table` is one file or one workbook sheet: the record type its name gives, the name errors are
located by, its place in input order, and its rows. The in-memory loader (`checker.data.load`) and
the partition pass of a check (`checker.run.partition`) read through the same functions, so a file
is read one way.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from checker.data.csvrows import csv_rows
from checker.data.documents import json_array_rows, yaml_list_rows
from checker.data.encoding import decode_text, decoded_lines, detect
from checker.data.records import InputError, RowProblem, record_type_of
from checker.data.yamlio import YAMLError

SUFFIXES = (".json", ".jsonl", ".csv", ".yaml", ".yml", ".xlsx")
SHEETS_PER_FILE = 1024  # a table's index is file position × this + sheet: sorting by it is input order
@dataclass
class Table:
    """One file or sheet of rows: (row number, parsed row or None, raw JSON line or None) each."""
    stem: str  # the file stem or sheet name, as written: names the record type
    name: str  # where its rows are, for messages: the path, or book.xlsx#sheet
    index: int
    rows: Iterable[tuple[int, Any, str | None]]

    @property
    def record_type(self) -> str | None:
        return record_type_of(self.stem)


def discover(path: Path, errors: list[InputError]) -> list[Path]:
    """The record files PATH names: itself, or the folder's files, in name order."""
    path = Path(path)
    if not path.exists():
        errors.append(InputError(str(path), None, None, "no such file or folder / 路径不存在"))
        return []
    files = sorted(p for p in (path.iterdir() if path.is_dir() else [path])
                   if p.is_file() and p.suffix.lower() in SUFFIXES)
    if path.is_dir() and not files:
        errors.append(InputError(str(path), None, None, "folder holds no record files (TYPE.json/.jsonl/.csv/.yaml)"))
    return files


def file_tables(file: Path, position: int, errors: list[InputError]) -> list[Table]:
    """A file's tables: one, or a workbook's sheets."""
    if file.suffix.lower() == ".xlsx":
        from checker.data.xlsx import load_workbook_rows

        sheets = load_workbook_rows(file, errors)
        if len(sheets) > SHEETS_PER_FILE:
            errors.append(InputError(str(file), None, None,
                                     f"工作表有 {len(sheets)} 张，只读取前 {SHEETS_PER_FILE} 张 / {len(sheets)} sheets; "
                                     f"only the first {SHEETS_PER_FILE} are read"))
        return [Table(stem, source, position * SHEETS_PER_FILE + sheet, ((i, r, None) for i, r in rows))
                for sheet, (stem, source, rows) in enumerate(sheets[:SHEETS_PER_FILE])]
    return [Table(file.stem, str(file), position * SHEETS_PER_FILE, stream_rows(file, errors))]


def tables(path: Path, errors: list[InputError]) -> Iterator[Table]:
    """Every table of PATH, in input order."""
    for position, file in enumerate(discover(path, errors)):
        yield from file_tables(file, position, errors)


def record_tables(records: dict[str, list[Any]], source: str) -> list[Table]:
    """Rows held in memory (rule examples, tests), by record type, as tables named `source#type`."""
    return [Table(record_type, f"{source}#{record_type}", position * SHEETS_PER_FILE,
                  [(index, row, None) for index, row in enumerate(rows, start=1)])
            for position, (record_type, rows) in enumerate(records.items())]


def stream_rows(path: Path, errors: list[InputError]) -> Iterator[tuple[int, Any, str | None]]:
    """(row number, parsed row or None, raw JSON line or None). JSON Lines and CSV are read line by
    line (the raw JSON line is left to the caller to parse); other files whole, then item by item.
    Each file's encoding is decided over the whole file (checker.data.encoding); a line not in it
    is an error at its row."""
    suffix = path.suffix.lower()
    try:
        if suffix in (".jsonl", ".csv"):
            lines = decoded_lines(path, detect(path))
            if suffix == ".csv":
                for index, row in csv_rows(lines, str(path), errors):
                    yield index, row, None
                return
            for index, text, problem in lines:
                if text.startswith("\ufeff"):
                    text = text.lstrip("\ufeff")
                    errors.append(InputError(str(path), index, None, "行首的字节顺序标记（BOM）已去掉 / a "
                                             "byte-order mark at the start of the line was removed", level="warning"))
                if problem:
                    yield index, RowProblem.of(problem), None
                elif text.strip():
                    yield index, None, text.rstrip("\n")
        else:
            text, bad_lines = decode_text(path)
            read = json_array_rows if suffix == ".json" else yaml_list_rows
            for index, row in read(text, bad_lines):
                yield index, row, None
    except (OSError, ValueError, RecursionError, csv.Error, YAMLError) as exc:
        errors.append(InputError(str(path), getattr(exc, "lineno", None) or _yaml_line(exc), None,
                                 f"无法读取文件 / cannot read file: {exc}"))


def _yaml_line(exc: Exception) -> int | None:
    mark = getattr(exc, "problem_mark", None)
    return mark.line + 1 if mark is not None else None
