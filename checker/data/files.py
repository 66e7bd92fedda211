"""Finding and reading the input: which files a PATH holds, and each file's (or sheet's) rows as
read, every row with its number, before anything is validated.

A `Table` is one file or one workbook sheet: the record type its name gives, the name errors are
located by, its place in input order, and its rows. The in-memory loader (`checker.data.load`) and
the partition pass of a check (`checker.run.partition`) read through the same functions, so a file
is read one way.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from checker.data import yamlio
from checker.data.records import InputError, record_type_of

SUFFIXES = (".json", ".jsonl", ".csv", ".yaml", ".yml", ".xlsx")
SNIFF_BYTES = 1 << 20
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
                                     f"{len(sheets)} sheets; only the first {SHEETS_PER_FILE} are read"))
        return [Table(stem, source, position * SHEETS_PER_FILE + sheet, ((i, r, None) for i, r in rows))
                for sheet, (stem, source, rows) in enumerate(sheets[:SHEETS_PER_FILE])]
    return [Table(file.stem, str(file), position * SHEETS_PER_FILE, stream_rows(file, errors))]


def tables(path: Path, errors: list[InputError]) -> Iterator[Table]:
    """Every table of PATH, in input order."""
    for position, file in enumerate(discover(path, errors)):
        yield from file_tables(file, position, errors)


@dataclass
class InMemory:
    """Tables whose rows are in memory already, with what reading them found wrong, and the files
    they came from (if any)."""
    tables: list[Table]
    errors: list[InputError] = field(default_factory=list)
    inputs: list[Path] = field(default_factory=list)


def record_tables(records: dict[str, list[Any]], source: str) -> InMemory:
    """Rows given in memory (rule examples, tests), by record type, as tables named `source#type`."""
    return InMemory([Table(record_type, f"{source}#{record_type}", position * SHEETS_PER_FILE,
                           [(index, row, None) for index, row in enumerate(rows, start=1)])
                     for position, (record_type, rows) in enumerate(records.items())])


def read_all(path: Path) -> InMemory:
    """Every table of PATH read into memory, as a check of files reads them."""
    errors: list[InputError] = []
    files = discover(path, errors)
    found = [Table(t.stem, t.name, t.index, list(t.rows))
             for position, file in enumerate(files) for t in file_tables(file, position, errors)]
    return InMemory(found, errors, files)


def decode(raw: bytes) -> tuple[str, str]:
    """UTF-8 (with or without BOM) first, then GB18030, which is what Excel in China writes."""
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8"), "utf-8-sig"
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return raw.decode("gb18030"), "gb18030"


def _rows_from_text(text: str, suffix: str) -> Iterator[tuple[int, Any]]:
    if suffix == ".csv":
        reader = csv.DictReader(io.StringIO(text))
        for row in reader:
            index = reader.line_num  # the line the row ends on; blank lines are counted too
            if None in row:
                extra = row.pop(None)
                row["__extra__"] = extra
            yield index, row
    elif suffix == ".jsonl":
        # split on "\n" only: str.splitlines() also breaks at U+0085/U+2028 inside JSON strings
        for index, line in enumerate(text.split("\n"), start=1):
            if line.strip():
                try:
                    yield index, json.loads(line)
                except json.JSONDecodeError as exc:
                    yield index, exc
    elif suffix == ".json":
        data = json.loads(text)
        if not isinstance(data, list):
            raise ValueError("a .json record file must hold an array of objects")
        yield from enumerate(data, start=1)
    else:
        data = yamlio.load(text) or []
        if not isinstance(data, list):
            raise ValueError("a .yaml record file must hold a list of mappings")
        yield from enumerate(data, start=1)


def stream_rows(path: Path, errors: list[InputError]) -> Iterator[tuple[int, Any, str | None]]:
    """(row number, parsed row or None, raw JSON line or None). JSON Lines and CSV are read line by
    line (the raw line is left to the caller to parse); other files whole."""
    suffix = path.suffix.lower()
    try:
        if suffix in (".jsonl", ".csv"):
            with path.open("rb") as handle:
                head = handle.read(SNIFF_BYTES)
            encoding = _sniff(head)
            with path.open(encoding=encoding, newline="" if suffix == ".csv" else "\n") as handle:
                if suffix == ".csv":
                    reader = csv.DictReader(handle)
                    for row in reader:
                        if None in row:
                            row["__extra__"] = row.pop(None)
                        yield reader.line_num, row, None
                else:
                    for index, line in enumerate(handle, start=1):
                        if line.strip():
                            yield index, None, line.rstrip("\n")
        else:
            text, _ = decode(path.read_bytes())
            for index, row in _rows_from_text(text, suffix):
                yield index, row, None
    except (OSError, ValueError, RecursionError, csv.Error) as exc:
        errors.append(InputError(str(path), getattr(exc, "lineno", None), None, f"cannot read file: {exc}"))
    except Exception as exc:  # noqa: BLE001 - the YAML parser's errors: a located message, not a crash
        errors.append(InputError(str(path), getattr(exc, "lineno", None), None, f"cannot read file: {exc}"))


def _sniff(head: bytes) -> str:
    """The encoding of a streamed file, from its first megabyte (cut at a line end)."""
    if head.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    cut = head.rfind(b"\n") if len(head) == SNIFF_BYTES else len(head)
    try:
        head[:cut if cut > 0 else len(head)].decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        return "gb18030"


