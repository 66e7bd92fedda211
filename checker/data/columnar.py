"""The columnar fast path: a JSON Lines file of one record type read with polars a chunk of lines
at a time, each row that is in the contract's plain form checked and cast column by column as its
model would (the plan of checker.data.plain), so that it need not be parsed and validated one by one.
A UTF-8 CSV file in the plain form is read the same way, with the same checks, by
checker.data.columnar_csv; any other file (another encoding, XLSX, JSON, YAML) by the general path.

A row is taken only if every check passes; any other line — a BOM, a line not in UTF-8, Chinese
names or value forms, a null or a blank, a key given twice or not known, an escape, a value a check
refuses — is handed on exactly as `checker.data.files.stream_rows` would hand it (row number, raw
line), to the general path, which locates every problem. The columnar path never reports an error
and never changes a row: tests/test_columnar.py checks that both paths give the same records and the
same errors.

How a row is proved plain, in three steps, each a column operation:
1. its line matches a grammar built from the plan: a flat JSON object of the record type's own keys,
   each with a value of the JSON type its field takes (a string without escapes or control characters,
   a non-negative number without exponent, true/false); so the line is valid JSON as jiter and polars
   read it alike, and the typed decoding cannot fail;
2. as many keys as values decoded (no key given twice): counted by the quotes of a chunk whose lines
   are all in the grammar (`each_key_once`), else line by line;
3. each value checked by its field's kind and bounds, and cast (yuan to fen, ISO text to dates):
   checker.data.column_checks.

polars runs only in a process that has not inherited its thread pool by fork (a forked child of a
process that used polars would wait for ever on threads it does not have): `usable()`. Records are
rebuilt in the unit's worker from plain Python columns (`PlainBlock`), never with polars.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from checker.data.column_checks import KIND_CHECKS, checks
from checker.data.encoding import UTF8, Encoding, decode_line, detect, lines_in, whole_lines
from checker.data.files import jsonl_rows
from checker.data.models import DATE_FIELD
from checker.data.plain import TOKEN, FieldPlan, Plan, plan_of
from checker.data.records import InputError

# Lines read and checked at a time: memory stays flat whatever the file's size (polars holds about
# 20 times a chunk while it decodes and checks it). Each chunk costs some twenty polars calls
# whatever its size: 2 MB, not 1, took ~0.2-0.5 µs a record less on the 1M set (the pass's peak
# memory 249 MB, not 225; 4 MB: 315 MB for no more gain).
CHUNK_BYTES = 2 << 20
# LIANJIAN_COLUMNAR=0 sends every row through the general path (benchmarks compare the two; tests too)
ENABLED = os.environ.get("LIANJIAN_COLUMNAR", "1") != "0"

_started_in: int | None = None  # the process that started polars' thread pool


def usable() -> bool:
    """Whether polars may run in this process: not in a forked child of a process that ran it."""
    return ENABLED and _started_in in (None, os.getpid())


def load_polars() -> Any:
    global _started_in
    # One thread: each chunk's column operations run one after the other anyway, and idle pool threads
    # spin (measured on the 1M set's reception file: 0.99 s of CPU with two threads, 0.87 s with one);
    # a check runs several processes instead. Read when the pool starts, at the first use.
    os.environ.setdefault("POLARS_MAX_THREADS", "1")
    import polars

    if _started_in is None:
        _started_in = os.getpid()
    return polars


@dataclass
class Batch:
    """One chunk of a file's lines: the rows for the general path, as `stream_rows` yields them, the
    rows taken (a polars DataFrame: `__row`, then one column per field the plan takes, as the model
    holds it) and the first and last year of their date field."""
    general: list[tuple[int, Any, str | None]]
    taken: Any
    years: tuple[int, int] | None = None

    @property
    def rows(self) -> int:
        return len(self.general) + (self.taken.height if self.taken is not None else 0)


def plain_batches(path: Path, record_type: str, errors: list[InputError]) -> Iterator[Batch] | None:
    """A JSON Lines file's rows, chunk by chunk, or None when the columnar path does not read it (not
    UTF-8, a record type it does not know, or polars not usable here): then read it as before."""
    read = readable(path, record_type, ".jsonl")
    return _batches(path, read[0], read[1].bom, errors) if read else None


def readable(path: Path, record_type: str, suffix: str) -> tuple[Plan, Encoding] | None:
    """The plan and encoding of a file the columnar path may read: of a record type it knows,
    named with `suffix`, in UTF-8 (with or without BOM), polars usable here."""
    plan = plan_of(record_type)
    if plan is None or not usable() or path.suffix.lower() != suffix:
        return None
    encoding = detect(path, valid_utf8)
    return (plan, encoding) if encoding.name == UTF8.name else None


def valid_utf8(data: bytes) -> bool:
    """`encoding.decodes_as_utf8` by polars: its cast to text refuses what bytes.decode refuses
    (tests/test_columnar.py), at a tenth of the cost (a fifth of a µs a row of the 1M set)."""
    pl = load_polars()
    try:
        pl.Series([data], dtype=pl.Binary).cast(pl.String)
    except pl.exceptions.PolarsError:
        return False
    return True


def _batches(path: Path, plan: Plan, bom: int, errors: list[InputError]) -> Iterator[Batch]:
    first = 1
    for data, _ in whole_lines(path, bom, CHUNK_BYTES):
        batch, lines = _batch(path, plan, data, first, errors)
        yield batch
        first += lines


def _batch(path: Path, plan: Plan, data: bytes, first: int, errors: list[InputError]) -> tuple[Batch, int]:
    """The chunk's batch and how many lines it has (`encoding.lines_in`: counted by polars' split,
    not again in Python, 0.6 ms a chunk)."""
    pl = load_polars()
    try:
        lines, checked, count = _checked(plan, data, first, pl)
    except pl.exceptions.PolarsError:  # a line not in UTF-8 (polars refuses the chunk as text) or, not
        try:                           # expected, one polars cannot decode: read as before
            text = data.decode("utf-8")
        except UnicodeDecodeError:  # a line in another encoding: these lines are read one by one
            split = (decode_line(number, raw + b"\n", UTF8) for number, raw in enumerate(data.split(b"\n"), first))
            rows = list(jsonl_rows(str(path), (line for line in split if line[1] != "\n"), errors))
            return Batch(rows, None), lines_in(data)
        numbered = ((number, line, None) for number, line in enumerate(text.split("\n"), first))
        return Batch(list(jsonl_rows(str(path), numbered, errors)), None), lines_in(data)
    general = list(jsonl_rows(str(path), lines.iter_rows(), errors)) if lines is not None else []
    if checked["__ok"].all(ignore_nulls=False):  # (the usual chunk: nothing refused, no rows to filter out)
        taken = checked.drop("__ok", "__line")
    else:
        refused = checked.filter(~pl.col("__ok")).select("__row", "__line")
        general += [(row, None, line) for row, line in refused.iter_rows()]
        general.sort(key=lambda row: row[0])
        taken = checked.drop("__line").filter(pl.col("__ok")).drop("__ok")
    return Batch(general, taken, years_of(taken, plan, pl)), count


def _checked(plan: Plan, data: bytes, first: int, pl: Any) -> tuple[Any, Any, int]:
    """The chunk's lines outside the grammar (`__row`, `__line`, None; None if there is none), the
    others checked (`__ok`, whether the row is taken, and each field's value as its model would hold
    it) and how many lines the chunk has."""
    body = data[:-1] if data.endswith(b"\n") else data
    pieces = split_lines(body, pl)
    lines = pieces.to_frame().with_row_index("__row", offset=first)
    plain, decode, any_wide_id = _expressions(plan.record_type)
    lines = lines.with_columns(plain)
    if lines["__plain"].all(ignore_nulls=False):  # (the usual chunk: no line to filter out)
        # Every line plain: polars' JSON Lines reader reads the chunk's bytes, a line a row (no line
        # is blank), as str.json_decode reads the lines (tests/test_columnar.py), at 0.2-0.3 µs a
        # row less on the 1M set.
        others = None
        values = pl.read_ndjson(data, schema=_schema(plan.record_type), row_index_name="__row",
                                row_index_offset=first)
        count_keys = not each_key_once(values, data, plan.record_type)
        decoded = values.with_columns(pieces, *([lines.select(decode[0]).to_series()] if count_keys else []))
    else:
        candidates = lines.filter("__plain").drop("__plain")
        others = lines.filter(~pl.col("__plain")).select("__row", "__line", pl.lit(None).alias("__problem"))
        decoded, count_keys = candidates.select("__row", "__line", *decode).unnest("__json"), True
    nfkc = bool(any_wide_id) and any(decoded.select(any_wide_id).row(0))
    stages, final = _check_expressions(plan.record_type, nfkc, count_keys)
    query = decoded.lazy()
    for stage in stages:
        query = query.with_columns(stage)
    checked = collect_checks(query.select("__row", "__line", *final), pl)
    return others, checked, pieces.len()


def collect_checks(query: Any, pl: Any) -> Any:
    """A chunk's checks, collected without polars' query optimisations: the query is the plan to run
    already (each intermediate column computed once, in levels: column_checks `Stages`), and
    optimising it cost ~2.5M instructions a chunk whatever its rows (callgrind, the 1M set's
    reception: 10.2M → 7.7M a query of 5 rows, 32.3M → 28.7M of a 2 MB chunk's 5,759)."""
    return query.collect(optimizations=pl.QueryOptFlags.none())


# A byte no plain line holds (the grammar lets no control character in): polars' CSV reader, told
# it separates cells, reads each line as one cell.
_NO_CELLS = "\x1f"


def split_lines(body: bytes, pl: Any) -> Any:
    """The lines of a chunk (without its last line end) as a String Series `__line`, as
    `str.split("\n")` of the chunk's text gives them; text not in UTF-8 is refused (PolarsError), as
    bytes.decode refuses it. Read by polars' CSV reader as one cell a line, at ~60 % of the cost of
    splitting (0.08 µs a row less on the 1M set), and taken only if they are the chunk whole: as
    long, a line end between each two, as the chunk. The reader ends a line at a line end only,
    and drops or cuts one (a BOM at the start, a CR before the line end, a blank last line), or
    refuses it (a separator in it): then its lines are short of the chunk and it is split by polars
    from the bytes (a fifth of the cost of str.split and a Series made of Python strings)."""
    try:
        lines = pl.read_csv(body, has_header=False, separator=_NO_CELLS, quote_char=None, schema={"__line": pl.String},
                            empty_string_is_null=False, truncate_ragged_lines=False)["__line"]
    except pl.exceptions.PolarsError:
        lines = None
    if lines is not None and not lines.null_count() and lines.str.len_bytes().sum() + lines.len() - 1 == len(body):
        return lines
    return _split(body, pl)


def _split(body: bytes, pl: Any) -> Any:
    return pl.Series("__line", [body], dtype=pl.Binary).cast(pl.String).str.split("\n").explode()


def each_key_once(values: Any, data: bytes, record_type: str) -> bool:
    """Whether no line of a chunk whose lines are all in the grammar gives a key twice, by its
    quotes: each key given has two, each string value two more (the grammar lets no quote into a
    string), so when each key is given once the chunk has two for each value decoded and two more
    for each string decoded, and a key given twice adds two at least. One count of the chunk's
    bytes, not one of each line's keys then a check of it by row: 0.1 µs a row less on the 1M set."""
    missing = values.null_count().row(0, named=True)
    quotes = sum((values.height - missing[key]) * each for key, each in _quotes(record_type).items())
    return data.count(b'"') == quotes


@cache
def _quotes(record_type: str) -> dict[str, int]:
    """The quotes of each key given once with its value: four with a string, two with any other."""
    pl = load_polars()
    return {key: 4 if dtype == pl.String else 2 for key, dtype in _schema(record_type).items()}


# Each chunk's expressions are made once per record type: made anew, they cost a third of a
# microsecond a row.
@cache
def _expressions(record_type: str) -> tuple[Any, list[Any], list[Any]]:
    """The grammar's match (`__plain`), the decoding, whether an id of the chunk is not ASCII."""
    plan, pl = plan_of(record_type), load_polars()
    assert plan is not None
    plain = pl.col("__line").str.contains(_grammar(plan)).alias("__plain")
    return plain, [_keys_given(pl), _decoded(plan, pl)], wide_ids(plan, pl)


@cache
def _check_expressions(record_type: str, nfkc: bool, count_keys: bool) -> tuple[list[list[Any]], list[Any]]:
    plan = plan_of(record_type)
    assert plan is not None
    return checks(plan, load_polars(), nfkc, KIND_CHECKS, cells=False, count_keys=count_keys)


def years_of(taken: Any, plan: Plan, pl: Any) -> tuple[int, int] | None:
    """The first and last year of the record type's own date (what the partition pass notes)."""
    name = DATE_FIELD.get(plan.record_type)
    if name is None or taken.height == 0 or name not in taken.columns:
        return None
    # (the years of the first and last date, not of every date: 0.05 ms a chunk, not 0.2-0.4)
    years = taken.select(pl.col(name).min().dt.year().alias("first"), pl.col(name).max().dt.year().alias("last"))
    first, last = years.row(0)
    return (first, last) if first is not None else None


# --- step 1: the grammar of a plain line ---------------------------------------------------------

_BLANKS = "[ \\t]*"
_JSON_TOKENS = {
    "string": r'"[^"\\\x00-\x1f]*"',
    "int": r"(?:0|[1-9][0-9]{0,17})",
    "number": r"(?:0|[1-9][0-9]{0,17})(?:\.[0-9]{1,17})?",
    "bool": r"(?:true|false)",
    "empty_list": r"\[[ \t]*\]",
    # an amount in yuan: at most ten digits, then at most two decimals (and three zeros after them):
    # a decimal of at most fifteen digits, which every JSON reader reads as the float nearest to it
    "fen": r"(?:0|[1-9][0-9]{0,9})(?:\.[0-9]{1,2}0{0,3})?",
}


def _token(f: FieldPlan) -> str:
    """The grammar's token of a field's value (an amount's is narrower than any number's)."""
    return "fen" if f.kind == "fen" else TOKEN[f.kind]


def _grammar(plan: Plan) -> str:
    """A line that is one flat JSON object of the plan's keys, each with a value of its JSON type.
    No null, no escape, no exponent, no sign: those rows are the general path's."""
    pairs = []
    for token, pattern in _JSON_TOKENS.items():
        keys = [re.escape(f.key) for f in plan.taken if _token(f) == token]
        if keys:
            pairs.append(f'"(?:{"|".join(keys)})":{_BLANKS}{pattern}')
    pair = f"(?:{'|'.join(pairs)})"
    return f"^{_BLANKS}\\{{{_BLANKS}(?:{pair}(?:{_BLANKS},{_BLANKS}{pair})*)?{_BLANKS}\\}}{_BLANKS}\\r?$"


# --- step 2: decoded and counted (step 3, the checks by kind: checker.data.column_checks) -----------

def _decoded(plan: Plan, pl: Any) -> Any:
    """The line's values by key (`__json`), each in its JSON type (the grammar made sure of it)."""
    return pl.col("__line").str.json_decode(pl.Struct(_schema(plan.record_type))).alias("__json")


@cache
def _schema(record_type: str) -> dict[str, Any]:
    """The JSON type of each key the plan takes, as polars decodes it."""
    plan, pl = plan_of(record_type), load_polars()
    assert plan is not None
    dtypes = {"string": pl.String, "int": pl.Int64, "number": pl.Float64, "bool": pl.Boolean,
              "empty_list": pl.List(pl.String)}
    return {f.key: dtypes[TOKEN[f.kind]] for f in plan.taken}


def _keys_given(pl: Any) -> Any:
    """How many keys the line gives: each ends with `":` (the grammar allows no blank between)."""
    return pl.col("__line").str.count_matches('":', literal=True).alias("__keys")


def wide_ids(plan: Plan, pl: Any) -> list[Any]:
    """Whether an id of the chunk is not ASCII, by id field (then ids are normalised: NFKC costs
    4 µs a row). Not ASCII: more bytes than characters (a quarter of the cost of a regex)."""
    return [(pl.col(f.key).str.len_bytes() != pl.col(f.key).str.len_chars()).any() for f in plan.taken if f.kind == "id"]
