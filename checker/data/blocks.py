"""The rows the columnar path (checker.data.columnar) took, on their way on: a registry's made
records at once (the partition pass holds them), an activity type's grouped by unit and sent to the
unit's worker as a few objects a column, which the worker turns into records without polars; and
the places of their ids, bucketed for the duplicate index (checker.run.duplicates).

A unit's rows of one table are sent as: numbers and yes/no as a list (pickle writes and reads them
at C speed), dates as a list of day numbers, and text as one string, the values joined with NUL,
which no value taken holds (the grammar admits no control character in a string, and an id NFKC
made ASCII has none either); in text an empty string is a value not given (no value taken is
empty: a blank is a value not given). The worker makes each column with a C-level call (str.split,
a map over a dict of the dates), never value by value in Python.
"""

from __future__ import annotations

import datetime as dt
from array import array
from collections.abc import Iterator
from functools import cache, partial
from typing import Any

from checker.data.columnar import load_polars
from checker.data.plain import PlainRecord, build, field_columns, filler

SEPARATOR = "\x00"


class _Days(dict):
    """Day numbers (since 1970-01-01) to dates, made once each: records share date objects."""

    def __missing__(self, day: int) -> dt.date:
        made = self[day] = _EPOCH + dt.timedelta(days=day)
        return made


_EPOCH = dt.date(1970, 1, 1)
_DAYS = _Days({None: None})


class PlainBlock:
    """A unit's rows of one table that the columnar path took, a few objects a column (see above), so
    that the unit's worker rebuilds its records without polars: `kind:name` → the values."""

    __slots__ = ("record_type", "index", "unit", "count", "columns")

    def __init__(self, record_type: str, index: int, unit: str, count: int, columns: dict[str, Any]):
        self.record_type, self.index, self.unit, self.count, self.columns = record_type, index, unit, count, columns

    def __reduce__(self) -> tuple[Any, ...]:  # (pickled as its arguments: a spool holds thousands)
        return PlainBlock, (self.record_type, self.index, self.unit, self.count, self.columns)

    def rows(self) -> Iterator[tuple[int, int, Any]]:
        """(table index, row number, record), as a spool gives rows."""
        numbers, _, records = self.made()
        index = self.index
        return ((index, number, record) for number, record in zip(numbers, records, strict=True))

    def made_columns(self) -> tuple[list[int], dict[str, list[Any]]]:
        """(row numbers, each field's values as the records hold them (checker.data.plain `field_columns`)):
        what a unit's validation checks a column at a time, and derivation makes the facts of."""
        columns = self.columns
        return _maker(self.record_type, tuple(columns))(list(columns.values()), self.count, self.unit)

    def made(self) -> tuple[list[int], dict[str, list[Any]], list[PlainRecord]]:
        """`made_columns` and the records (checker.data.plain `build`)."""
        numbers, values = self.made_columns()
        return numbers, values, build(self.record_type, values)


@cache
def _maker(record_type: str, labels: tuple[str, ...]) -> Any:
    """A function of a block's columns (in the order of `labels`, each `kind:name`), its count and its
    unit, that makes each column's values (a C-level call a column: `_COLUMN_OF`) and returns (row
    numbers, `field_columns` of them). Written out once for the labels a table's blocks have: a loop
    over the columns, then over the model's fields, cost a block of a few dozen records more than
    making its values did."""
    read = [label.split(":", 1) for label in labels]
    each = ", ".join(f"c{k}" for k in range(len(read)))
    lines = ["def made(columns, count, unit):"]
    if read:
        lines += [f"    {each}, = columns",
                  *(f"    c{k} = {kind}_of(c{k})" for k, (kind, _) in enumerate(read) if kind != "values"),
                  f"    if {' or '.join(f'len(c{k}) != count' for k in range(len(read)))}:",
                  f"        uneven(unit, count, {[name for _, name in read]!r}, [{each}])"]
    rows = next((f"c{k}" for k, (_, name) in enumerate(read) if name == "__row"), "[]")
    given = "".join(f", {name!r}: c{k}" for k, (_, name) in enumerate(read) if name != "__row")
    lines.append(f"    return {rows}, fill({{'unit': [unit] * count{given}}}, count)")
    namespace: dict[str, Any] = {f"{kind}_of": convert for kind, convert in _COLUMN_OF.items()}
    namespace |= {"fill": filler(record_type, ("unit", *(name for _, name in read if name != "__row"))),
                  "uneven": partial(_uneven, record_type)}
    exec(compile("\n".join(lines) + "\n", f"<block of {record_type}>", "exec"), namespace)  # noqa: S102  # names quoted
    return namespace["made"]


def _uneven(record_type: str, unit: str, count: int, names: list[str], columns: list[list[Any]]) -> None:
    """A column of more or fewer values than the block's rows (a separator in a value would shift
    every later row)."""
    name, column = next((name, column) for name, column in zip(names, columns, strict=True) if len(column) != count)
    raise ValueError(f"{record_type} block of {unit}: {name} has {len(column)} values, not {count}")


def _texts(text: str) -> list[str | None]:
    if not text or text[0] == SEPARATOR and text.count(SEPARATOR) == len(text):  # no value given (the column
        return [None] * (len(text) + 1)  # of a field the table's rows leave out): nothing to split
    values = text.split(SEPARATOR)
    return [value or None for value in values] if "" in values else values


def _times(text: str) -> list[dt.datetime | None]:
    values = text.split(SEPARATOR)
    if "" in values:
        return [dt.datetime.fromisoformat(value) if value else None for value in values]
    return list(map(dt.datetime.fromisoformat, values))


_COLUMN_OF = {
    "text": _texts,
    "date": lambda days: list(map(_DAYS.__getitem__, days)),
    "time": _times,
}


def blocks_by_unit(pending: list[tuple[str, int, Any]]) -> Iterator[tuple[str, PlainBlock]]:
    """The frames a partition pass buffered, as (unit, block): each table's rows grouped by unit and
    each column joined into one string by polars, a few calls for the whole buffer."""
    if not pending:
        return
    pl = load_polars()
    by_table: dict[tuple[str, int], list[Any]] = {}
    for record_type, index, frame in pending:
        by_table.setdefault((record_type, index), []).append(frame)
    for (record_type, index), frames in by_table.items():
        frame = pl.concat(frames, how="vertical")
        labels, texts = _text_columns(frame, pl)
        joined = frame.group_by("unit", maintain_order=True).agg(pl.len().alias("__count"), *texts)
        for unit, count, *columns in joined.iter_rows():
            yield unit, PlainBlock(record_type, index, unit, count, dict(zip(labels, columns, strict=True)))


def _text_columns(frame: Any, pl: Any) -> tuple[list[str], list[Any]]:
    """Each column but the unit as `kind:name` and the expression that gathers its values."""
    labels, texts = [], []
    for name, dtype in frame.schema.items():
        if name == "unit":
            continue
        value = pl.col(name)
        if dtype == pl.Date:
            kind, value = "date", value.to_physical()
        elif dtype == pl.Datetime:
            kind, value = "time", value.dt.cast_time_unit("us").cast(pl.String).fill_null("").str.join(SEPARATOR)
        elif dtype == pl.String:
            kind, value = "text", value.fill_null("").str.join(SEPARATOR)
        elif dtype == pl.Boolean or dtype.is_integer() or dtype.is_float():
            kind = "values"
        else:
            raise TypeError(f"a column of {dtype} is not sent to a worker: {name}")
        labels.append(f"{kind}:{name}")
        texts.append(value.alias(name))
    return labels, texts


def columns_in(record_type: str, taken: Any) -> tuple[list[int], dict[str, list[Any]]]:
    """(row numbers, each field's values as the records hold them (checker.data.plain `field_columns`))
    of a batch's rows taken: a registry's, which the partition pass holds itself."""
    columns = {name: series.to_list() for name, series in taken.to_dict().items()}
    numbers = columns.pop("__row")
    return numbers, field_columns(record_type, columns, taken.height)


def by_bucket(keys: list[int], taken: Any, index: int, buckets: int) -> tuple[array, array, list[int]]:
    """The keys of a batch's rows taken (checker.run.duplicates `keys_of`) and their places (table
    index and row number), sorted by bucket (`key & (buckets - 1)`, as `key % buckets` for a power
    of two), and how many fall in each bucket. Arrays, which the buckets take a slice of at C speed
    (a list's slice was converted again, value by value: 0.05 µs a row more)."""
    pl = load_polars()
    frame = pl.DataFrame({"key": pl.Series(keys, dtype=pl.Int64),
                          "place": taken["__row"].cast(pl.Int64) + (index << 32)})
    frame = frame.with_columns((pl.col("key") & (buckets - 1)).alias("bucket")).sort("bucket")
    counts = dict(frame.group_by("bucket").len().iter_rows())
    return (array("q", frame["key"].to_list()), array("q", frame["place"].to_list()),
            [counts.get(b, 0) for b in range(buckets)])


def frame_bytes(frame: Any) -> int:
    return int(frame.estimated_size())
