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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from checker.data.csvrows import csv_rows
from checker.data.documents import json_array_rows, yaml_list_rows
from checker.data.encoding import decode_text, decoded_lines, detect
from checker.data.records import InputError, RowProblem, record_type_of
from checker.data.yamlio import YAMLError

SUFFIXES = (".json", ".jsonl", ".csv", ".yaml", ".yml", ".xlsx")
SHEETS_PER_FILE = 1024  # a table's index is file position × this + sheet: sorting by it is input order
SUPPORTED = ("可读的是：一个文件夹（内含 记录类型.json/.jsonl/.csv/.yaml 文件）或一个 .xlsx 工作簿 / "
             "what is read: a folder of TYPE.json/.jsonl/.csv/.yaml files, or one .xlsx workbook")
# What to do with a form that is not read, by the end of its name.
_ADVICE = {
    **dict.fromkeys((".xls", ".xlsm", ".xlsb", ".et", ".ods", ".numbers", ".wps"),
                    ("请另存为 .xlsx", "save it as .xlsx")),
    **dict.fromkeys((".tsv", ".tab", ".txt", ".dat", ".prn"), ("请另存为逗号分隔的 .csv", "save it as comma-separated .csv")),
    **dict.fromkeys((".gz", ".zip", ".7z", ".rar", ".bz2", ".xz", ".tar", ".tgz", ".zst"), ("请先解压", "unpack it first")),
    **dict.fromkeys((".ndjson", ".json5", ".jsonc"), ("请改名为 .jsonl 或 .json", "rename it .jsonl or .json")),
}


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
    """The record files PATH names: itself, or the folder's files, in name order. Whatever else is
    there is named: a PATH that is not read, or a folder's file or sub-folder that holds a record
    type's data in a form not read, is an error; any other file not read is a warning (notes in
    Markdown and hidden files, such as .DS_Store, excepted)."""
    path = Path(path)
    if not path.exists():
        errors.append(InputError(str(path), None, None, "路径不存在 / no such file or folder"))
        return []
    if not path.is_dir():
        if _readable(path):
            return [path]
        errors.append(_not_read(path, as_path=True))
        return []
    files = []
    for entry in sorted(path.iterdir()):
        if _readable(entry):
            files.append(entry)
        elif not entry.name.startswith(".") and not (entry.suffix.lower() == ".md" and entry.is_file()):
            errors.append(_not_read(entry, as_path=False))
    if not files:
        errors.append(InputError(str(path), None, None, f"文件夹中没有记录文件；{SUPPORTED}"))
    return files


def _readable(path: Path) -> bool:
    return path.is_file() and path.suffix.lower() in SUFFIXES and not path.name.startswith("~$")


def _not_read(path: Path, as_path: bool) -> InputError:
    """Why a path is not read, and what to do: an error for PATH itself and for what holds a record
    type's data (its name before the first dot is a record type), a warning for anything else."""
    record_type = record_type_of(path.name.split(".")[0])
    suffix = "".join(path.suffixes[-1:]).lower()
    if path.name.startswith("~$"):
        zh, en = "Excel 的临时锁文件（工作簿正在 Excel 中打开）", "Excel's lock file (the workbook is open in Excel)"
    elif path.is_dir():
        zh, en = "这是文件夹：子文件夹不读取，要检查它请把它作为 PATH", "a folder: sub-folders are not read; give it as PATH"
    elif not path.is_file():
        zh, en = "不是普通文件", "not a regular file"
    else:
        what, how = _ADVICE.get(suffix, ("不是可读的格式", "not a form that is read"))
        zh, en = f"{suffix or '无扩展名'} 格式不读取，{what}", f"{suffix or 'no extension'}: {how}"
    serious = as_path or (record_type is not None and not path.name.startswith("~$"))
    kind = f"（{record_type} 记录）" if record_type else ""
    readable_zh, readable_en = SUPPORTED.split(" / ")
    return InputError(str(path), None, None, f"未读取{kind}：{zh}；{readable_zh} / not read: {en}; {readable_en}",
                      level="error" if serious else "warning")


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
            yield from jsonl_rows(str(path), lines, errors)
        else:
            text, bad_lines = decode_text(path)
            read = json_array_rows if suffix == ".json" else yaml_list_rows
            for index, row in read(text, bad_lines):
                yield index, row, None
    except READ_ERRORS as exc:
        errors.append(cannot_read(str(path), exc))


# What reading a file may raise: the file is read no further, and the error is located.
READ_ERRORS = (OSError, ValueError, RecursionError, csv.Error, YAMLError)


def cannot_read(source: str, exc: Exception) -> InputError:
    return InputError(source, getattr(exc, "lineno", None) or _yaml_line(exc), None, f"无法读取文件 / cannot read file: {exc}")


def jsonl_rows(source: str, lines: Iterable[tuple[int, str, str | None]],
               errors: list[InputError]) -> Iterator[tuple[int, Any, str | None]]:
    """A JSON Lines file's rows from its decoded lines (checker.data.encoding): each line as read,
    a line not in the file's encoding as the problem that stands for it; blank lines are no rows."""
    for index, text, problem in lines:
        if text.startswith("\ufeff"):
            text = text.lstrip("\ufeff")
            errors.append(InputError(source, index, None, "行首的字节顺序标记（BOM）已去掉 / a "
                                     "byte-order mark at the start of the line was removed", level="warning"))
        if problem:
            yield index, RowProblem.of(problem), None
        elif text.strip():
            yield index, None, text.rstrip("\n")


def _yaml_line(exc: Exception) -> int | None:
    mark = getattr(exc, "problem_mark", None)
    return mark.line + 1 if mark is not None else None
