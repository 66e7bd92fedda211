"""CSV rows, read so that one bad row never takes the rows after it.

The csv module, given a quote that is never closed, reads every line after it into one cell (up to
its field limit, then it stops with an error and the rest of the file is lost); a NUL byte stops it
too. Here the lines are fed to it one by one and the lines of each record are remembered: a record
that went wrong is reported at the line where it starts, as an error that stands for that row, and
its other lines are read again as rows of their own by a fresh reader.

A quoted cell may span lines (Excel writes a cell with line breaks so). It went wrong when:
- the file ends inside it (the quote is never closed);
- it grows past the csv module's field limit (131,072 characters);
- lines inside it would be rows on their own (as many cells as the header): a stray quote that
  a later stray quote closes.
A byte-order mark at the start of a line (a second BOM, or files joined with `cat`) is removed with
a warning; a line equal to the header further down (joined files) is skipped with a warning.
"""

from __future__ import annotations

import csv
from collections import deque
from collections.abc import Iterator
from typing import Any

from checker.data.records import InputError, RowProblem, printable

Line = tuple[int, str, "str | None"]  # (line number, text, why it is not in the file's encoding)


class _Feed:
    """The lines given to csv.reader, remembering those of the record being read."""

    def __init__(self, lines: Iterator[Line], source: str, errors: list[InputError]):
        self.lines, self.source, self.errors = lines, source, errors
        self.again: deque[Line] = deque()
        self.record: list[Line] = []
        self.exhausted = False

    def __iter__(self) -> _Feed:
        return self

    def __next__(self) -> str:
        if self.again:
            number, text, problem = self.again.popleft()
        else:
            item = next(self.lines, None)
            if item is None:
                self.exhausted = True
                raise StopIteration
            number, text, problem = item
            if text.startswith("\ufeff"):
                text = text.lstrip("\ufeff")
                self.errors.append(InputError(self.source, number, None, "行首的字节顺序标记（BOM，多半是文件拼接所致）"
                                              "已去掉 / a byte-order mark at the start of the line was removed",
                                              level="warning"))
            if "\x00" in text:  # the csv module (before Python 3.13) stops at a NUL
                text = text.replace("\x00", "")
                problem = problem or "含有 NUL 字节，这一行不可信 / holds NUL bytes"
        self.record.append((number, text, problem))
        return text

    def take(self) -> list[Line]:
        record, self.record = self.record, []
        return record

    def read_again(self, lines: list[Line]) -> None:
        self.again.extendleft(reversed(lines))
        self.exhausted = False


def csv_rows(lines: Iterator[Line], source: str, errors: list[InputError]) -> Iterator[tuple[int, Any]]:
    """(row number: the line it starts on, a row {header: cell} or the RowProblem standing for it).
    Row 1 is the header."""
    feed = _Feed(lines, source, errors)
    header: list[str] | None = None
    while True:
        reader = csv.reader(feed)
        try:
            for fields in reader:
                record = feed.take()
                start = record[0][0]
                if feed.exhausted or _swallowed(record, header):
                    if header is None:  # without its header no row can be read
                        raise ValueError("表头行的引号未闭合 / the header line opens a quote it never closes")
                    yield start, RowProblem.of(_UNCLOSED_AT_END if feed.exhausted else _UNCLOSED_ROWS)
                    feed.read_again(record[1:])
                    break
                if header is None:
                    if fields:
                        header = _header(fields, start, source, errors)
                    continue
                if fields:
                    yield start, _row(header, fields, record)
            else:
                return
        except csv.Error as exc:
            record = feed.take()
            if not record or header is None:
                raise
            limit = csv.field_size_limit()
            if "field limit" in str(exc):
                message = (f"单元格超过 {limit:,} 个字符（或引号未闭合） / a cell longer than {limit:,} characters "
                           "(or a quote left open)")
            elif "new-line character" in str(exc):
                message = _CARRIAGE_RETURN
            else:
                message = f"无法读取这一行 / unreadable: {exc}"
            yield record[0][0], RowProblem.of(message)
            feed.read_again(record[1:])


_CARRIAGE_RETURN = ("单元格中有回车符，而该单元格未加引号，这一行无法读取 / a carriage return (\\r) in a cell that is "
                    "not quoted: the row cannot be read")
_UNCLOSED_AT_END = ("引号未闭合：这一行的单元格一直延续到文件末尾；其后各行已单独读取 / a quote opened in this row is "
                    "never closed; the lines after it are read as rows")
_UNCLOSED_ROWS = ("引号未闭合：这一行的单元格吞进了其后像是独立记录的几行；这些行已单独读取 / a quote opened in this row "
                  "runs over lines that are rows of their own; they are read as rows")


def _swallowed(record: list[Line], header: list[str] | None) -> bool:
    """Whether the lines inside a multi-line cell are rows on their own (as many cells as the header)."""
    if header is None or len(header) < 2 or len(record) < 3:
        return False
    return any(_cells(text) >= len(header) for _, text, _ in record[1:-1])


def _cells(text: str) -> int:
    """How many cells a line inside a multi-line cell would give as a row of its own. The csv module
    refuses a lone carriage return in an unquoted cell: counted as a space here, as that line, read
    again as a row, is refused on its own (located) instead of the error escaping this test and
    ending the file's reading. A line it cannot read even so is not a row of its own."""
    for candidate in (text, text.replace("\r", " ")):
        try:
            return len(next(csv.reader([candidate]), []))
        except csv.Error:
            continue
    return 0


def _header(fields: list[str], number: int, source: str, errors: list[InputError]) -> list[str]:
    seen: set[str] = set()
    for name in fields:
        if name.strip() and name in seen:
            errors.append(InputError(source, number, printable(name), "列名重复，后一列为准 / duplicate column "
                                     "header, the later column wins", level="warning"))
        seen.add(name)
    return fields


def _row(header: list[str], fields: list[str], record: list[Line]) -> dict[str, Any] | RowProblem:
    problems = [(None, problem, None) for _, _, problem in record if problem]
    if problems:
        return RowProblem(tuple(problems))
    if fields == header:
        return RowProblem.of("表头在文件中又出现一次（多半是文件拼接所致），已跳过 / the header line appears again "
                             "(files joined?), skipped", level="warning")
    row: dict[str, Any] = dict(zip(header, fields, strict=False))  # a short row: missing cells are not given
    if len(fields) > len(header):
        row["__extra__"] = fields[len(header):]
    return row
