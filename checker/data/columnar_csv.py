"""The columnar fast path for CSV (checker.data.columnar reads JSON Lines): a UTF-8 CSV file in the
contract's plain form read with polars a chunk of lines at a time, its plain rows split into cells,
then checked and cast column by column by the checks the JSON Lines path uses (checker.data.column_checks),
with the cell forms of numbers and yes/no in place of JSON's.

The file is read here only if its first line (after a UTF-8 BOM, which the general path skips
too) is a header of the record type's own keys, each once, in any order; otherwise, or if it is
not UTF-8, the general path reads the whole file. A row is taken only if its line is plain and
every check passes. A plain line: as many cells as the header, each either unquoted without a
quote, or quoted whole without a quote inside; no control character anywhere (the line end
aside), no BOM at its start, shorter than the csv module's field limit; not the header again (its
first cell is not the first header's name). A cell of a column the columnar path does not know
(a list, whose cell is a list written out) must be blank; an amount is yuan with at most two
decimals (`1280.5`), a whole number digits, a measure at most fifteen digits, a yes/no `true` or
`false`.

Every other row is handed to the general path (checker.data.csvrows `csv_rows`) exactly as it
would have read it: a line that leaves no quoted cell open (each cell quoted as the csv module
reads it, or no quote in it) is a row of its own there too, so such lines are read by `csv_rows`
a chunk's worth at a time after the header; the first line that may open a cell spanning lines
(Excel writes a cell with line breaks so) ends the fast path: from it on the general path reads
the rest of the file, from a fresh start, as it would have. Its rows keep their numbers: a row's
number is the line it starts on, and lines are counted as `checker.data.encoding` counts them.
"""

from __future__ import annotations

import codecs
import csv
import re
from collections.abc import Iterator
from functools import cache
from itertools import chain
from pathlib import Path
from typing import Any

from checker.data import columnar
from checker.data.column_checks import BLANK, KIND_CHECKS, Stages, checks, within_bounds
from checker.data.columnar import Batch, collect_checks, load_polars, readable, wide_ids, years_of
from checker.data.csvrows import csv_rows
from checker.data.encoding import UTF8, decoded_lines, lines_in, whole_lines
from checker.data.files import READ_ERRORS, cannot_read
from checker.data.plain import Plan, plan_of
from checker.data.records import InputError
from checker.data.values import MAX_AMOUNT_YUAN

_GENERAL_BATCH = 10_000  # rows of the general path's reading of a file's rest, a batch at a time
# A plain cell (polars' regex): quoted whole, or not at all; no control character (NUL, CR, tab…).
_CELL = r'(?:"([^"\x00-\x1f]*)"|([^",\x00-\x1f]*))'
# A line the csv module (the excel dialect, not strict) ends outside a quoted cell: each cell
# quoted (a quote inside written twice, anything but a quote after the closing one) or not quoted
# (it does not start with a quote; a quote later is a character). Any other line with a quote may
# open a cell that spans lines.
_QUOTED = r'"(?:[^"]|"")*"(?:[^,"][^,]*)?'
_CLOSED = re.compile(rf'(?:{_QUOTED}|[^,"][^,]*|)(?:,(?:{_QUOTED}|[^,"][^,]*|))*')


def plain_batches(path: Path, record_type: str, errors: list[InputError]) -> Iterator[Batch] | None:
    """A CSV file's rows, chunk by chunk, or None when the columnar path does not read it (a header
    that is not the record type's own keys, not UTF-8, a record type it does not know, or polars
    not usable here): then read it as before. The header is looked at first: a file with Chinese
    headers is not scanned for its encoding twice."""
    plan = plan_of(record_type)
    found = _header(path, plan) if plan is not None and path.suffix.lower() == ".csv" else None
    read = readable(path, record_type, ".csv") if found else None
    if found is None or read is None or read[1].bom != found[2]:
        return None
    names, header, bom = found
    return _batches(path, read[0], names, header, bom + len(header.encode()), errors)


def _header(path: Path, plan: Plan) -> tuple[tuple[str, ...], str, int] | None:
    """The first line's keys, its text and the UTF-8 BOM before it, if it is the record type's own
    keys, each once."""
    with path.open("rb") as handle:
        line = handle.readline()
    bom = len(codecs.BOM_UTF8) if line.startswith(codecs.BOM_UTF8) else 0
    try:
        header = line[bom:].decode("utf-8")
    except UnicodeDecodeError:
        return None
    # (a key quoted is read as the key: no key holds a quote, a comma or a blank)
    names = [name[1:-1] if name[:1] == name[-1:] == '"' else name
             for name in header.removesuffix("\n").removesuffix("\r").split(",")]
    if not header.endswith("\n") or len(set(names)) != len(names) or not set(names) <= {f.key for f in plan.fields}:
        return None
    return tuple(names), header, bom


def _batches(path: Path, plan: Plan, names: tuple[str, ...], header: str, start: int,
             errors: list[InputError]) -> Iterator[Batch]:
    first = 2
    for data, offset in whole_lines(path, start, columnar.CHUNK_BYTES):
        batch, general_from = _batch(path, plan, names, header, data, first, errors)
        if batch.rows:
            yield batch
        if general_from is not None:  # the rest of the file is the general path's, from that line
            skipped = 0
            for _ in range(general_from - first):
                skipped = data.index(b"\n", skipped) + 1
            yield from _general(path, header, (offset + skipped, general_from), errors)
            return
        first += lines_in(data)


def _general(path: Path, header: str, start: tuple[int, int], errors: list[InputError]) -> Iterator[Batch]:
    """The rows from the line at `start` on, as the general path reads them after the header."""
    source, rows = str(path), []
    try:
        lines = decoded_lines(path, UTF8, start)
        for number, row in csv_rows(chain([(1, header, None)], lines), source, errors):
            rows.append((number, row, None))
            if len(rows) == _GENERAL_BATCH:
                yield Batch(rows, None)
                rows = []
    except READ_ERRORS as exc:
        errors.append(cannot_read(source, exc))
    if rows:
        yield Batch(rows, None)


def _closed(line: str) -> bool:
    """Whether a line leaves no quoted cell open, as the general path's csv reader sees it: after it
    has taken byte-order marks off the line's start and NULs out of it (checker.data.csvrows)."""
    return _CLOSED.fullmatch(line.lstrip("\ufeff").replace("\x00", "")) is not None


def _batch(path: Path, plan: Plan, names: tuple[str, ...], header: str, data: bytes, first: int,
           errors: list[InputError]) -> tuple[Batch, int | None]:
    """A chunk's rows, and the line from which the general path reads the rest of the file, if it
    must: a line that may open a cell spanning lines, or the chunk's first if it is not UTF-8."""
    pl = load_polars()
    body = data[:-1] if data.endswith(b"\n") else data
    try:
        lines = columnar.split_lines(body, pl)
    except pl.exceptions.PolarsError:  # a line not in UTF-8
        return Batch([], None), first
    lines = lines.to_frame().with_row_index("__row", offset=first).with_columns(
        pl.col("__line").str.strip_suffix("\r").alias("__text"))
    lines = lines.with_columns(_plain(names, pl).alias("__plain"))
    others = lines.filter(~pl.col("__plain") & (pl.col("__text") != "")).select("__row", "__line").rows()
    general_from = next((number for number, line in others if '"' in line and not _closed(line)), None)
    if general_from is not None:
        lines = lines.filter(pl.col("__row") < general_from)
        others = [(number, line) for number, line in others if number < general_from]
    checked = _checked(plan, names, lines.filter("__plain"), pl)
    refused = checked.filter(~pl.col("__ok")).select("__row", "__line").rows()
    last = first + lines_in(data) - 1  # the chunk's last line
    handed = sorted(others + refused)
    # each line as the general path reads it: with its line end (the file's last may have none)
    numbered = ((number, line if number == last and not data.endswith(b"\n") else line + "\n", None)
                for number, line in handed)
    general = [(number, row, None) for number, row in csv_rows(chain([(1, header, None)], numbered), str(path), errors)]
    taken = checked.filter(pl.col("__ok")).drop("__ok", "__line")
    return Batch(general, taken, years_of(taken, plan, pl)), general_from


def _grammar(names: tuple[str, ...]) -> str:
    """A plain line of as many cells as the header (each cell's text in one of two groups)."""
    return f"^{_CELL}" + f",{_CELL}" * (len(names) - 1) + "$"


def _plain(names: tuple[str, ...], pl: Any) -> Any:
    line = pl.col("__text")
    # (a cell longer than the csv module's field limit is an error there, even a blank one)
    short = line.str.len_bytes() < csv.field_size_limit()
    return line.str.contains(_grammar(names)) & ~line.str.starts_with("\ufeff") & short


def _checked(plan: Plan, names: tuple[str, ...], plain: Any, pl: Any) -> Any:
    """The plain lines' cells checked: `__row`, `__line`, `__ok` and each field's value."""
    quoted = pl.col("__text").str.contains('"', literal=True)
    split = plain.filter(~quoted).select(
        "__row", "__line", pl.col("__text").str.split_exact(",", len(names) - 1).struct.rename_fields(list(names)))
    groups = plain.filter(quoted).select(
        "__row", "__line", pl.col("__text").str.extract_groups(_grammar(names)))
    cells = split.unnest("__text")
    if groups.height:
        parts = groups["__text"].struct
        unquoted = groups.select("__row", "__line", *(
            pl.coalesce(parts.field(str(2 * k + 1)), parts.field(str(2 * k + 2))).alias(name)
            for k, name in enumerate(names)))
        cells = pl.concat([cells, unquoted], how="vertical").sort("__row")
    absent = [f.key for f in plan.taken if f.key not in names]
    cells = cells.with_columns(pl.lit(None, pl.String).alias(key) for key in absent)
    wide = wide_ids(plan, pl)
    nfkc = bool(wide) and cells.height > 0 and any(cells.select(wide).row(0))
    stages, final = _check_expressions(plan.record_type, nfkc)
    query = cells.lazy()
    for stage in stages:
        query = query.with_columns(stage)
    checked = query.select("__row", "__line", *final, _others_blank(plan, names, pl).alias("__others"))
    ok = (pl.col("__ok") & pl.col("__others")).fill_null(False)
    return collect_checks(checked.with_columns(ok.alias("__ok")).drop("__others"), pl)


@cache
def _check_expressions(record_type: str, nfkc: bool) -> tuple[list[list[Any]], list[Any]]:
    plan = plan_of(record_type)
    assert plan is not None
    return checks(plan, load_polars(), nfkc, CELL_CHECKS, cells=True, count_keys=False)


def _others_blank(plan: Plan, names: tuple[str, ...], pl: Any) -> Any:
    """The cells of columns the checks do not read are blank (a value not given), and the row is
    not the header again (the general path warns of it)."""
    taken = {f.key for f in plan.taken}
    blank = [pl.col(name).str.contains(BLANK) for name in names if name not in taken]
    return pl.all_horizontal(pl.col(names[0]) != names[0], *blank)


# --- the cell forms of numbers and yes/no (text, ids, dates and enums are read as JSON strings are) ---

_WHOLE = r"^(?:0|[1-9][0-9]{0,17})$"
# at most fifteen digits: the float nearest to the decimal, however it is read (pydantic-core, polars)
_MEASURE = r"^(?:0|[1-9][0-9]{0,8})(?:\.[0-9]{1,6})?$"
_YUAN = r"^(0|[1-9][0-9]{0,9})(?:\.([0-9]{1,2}))?$"


def _fen_cell(f: Any, raw: Any, pl: Any, stages: Stages) -> tuple[Any, Any]:
    """parse_fen of text: the decimal read exactly (Decimal × 100), so yuan × 100 + cents."""
    parts = stages.column(f"__parts:{f.key}", raw.str.extract_groups(_YUAN), 0)
    cents = parts.struct.field("2").str.pad_end(2, "0").cast(pl.Int64).fill_null(0)
    fen = stages.column(f"__value:{f.key}", parts.struct.field("1").cast(pl.Int64) * 100 + cents, 1)
    return fen, (fen <= MAX_AMOUNT_YUAN * 100) & within_bounds(fen, f.bounds)


def _int_cell(f: Any, raw: Any, pl: Any, stages: Stages) -> tuple[Any, Any]:
    value = stages.column(f"__value:{f.key}", raw.cast(pl.Int64, strict=False), 0)
    return value, raw.str.contains(_WHOLE) & within_bounds(value, f.bounds)


def _float_cell(f: Any, raw: Any, pl: Any, stages: Stages) -> tuple[Any, Any]:
    value = stages.column(f"__value:{f.key}", raw.cast(pl.Float64, strict=False), 0)
    return value, raw.str.contains(_MEASURE) & within_bounds(value, f.bounds)


def _bool_cell(f: Any, raw: Any, pl: Any, stages: Stages) -> tuple[Any, Any]:
    return raw == "true", raw.is_in(["true", "false"])


def _blank_only(f: Any, raw: Any, pl: Any, stages: Stages) -> tuple[Any, Any]:
    """A list's cell is the list written out (`P1、P2`): taken only blank, a value not given."""
    return None, pl.lit(False)


CELL_CHECKS = {**KIND_CHECKS, "fen": _fen_cell, "int": _int_cell, "float": _float_cell, "bool": _bool_cell,
               "empty_list": _blank_only}
