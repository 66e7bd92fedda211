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
from collections.abc import Iterator
from typing import Any

from checker.data.columnar import load_polars
from checker.data.plain import PlainRecord, build, field_columns, records_of

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

    def made(self) -> tuple[list[int], dict[str, list[Any]], list[PlainRecord]]:
        """(row numbers, each field's values as the records hold them (checker.data.plain `field_columns`),
        the records): what a unit's validation checks a column at a time."""
        given: dict[str, list[Any]] = {"unit": [self.unit] * self.count}
        numbers: list[int] = []
        for label, text in self.columns.items():  # (a column's values: a list, or text)
            kind, name = _LABELS.get(label) or _label(label)
            column = _COLUMN_OF[kind](text)
            if len(column) != self.count:  # a separator in a value would shift every later row
                raise ValueError(f"{self.record_type} block of {self.unit}: {name} has {len(column)} values, not {self.count}")
            if name == "__row":
                numbers = column
            else:
                given[name] = column
        values = field_columns(self.record_type, given, self.count)
        return numbers, values, build(self.record_type, values)


_LABELS: dict[str, tuple[str, str]] = {}  # `kind:name` → (kind, name): the same few dozen in every block


def _label(label: str) -> tuple[str, str]:
    kind, name = _LABELS[label] = tuple(label.split(":", 1))
    return kind, name


def _texts(text: str) -> list[str | None]:
    values = text.split(SEPARATOR)
    return [value or None for value in values] if "" in values else values


_COLUMN_OF = {
    "values": lambda values: values,
    "text": _texts,
    "date": lambda days: list(map(_DAYS.__getitem__, days)),
    "time": lambda text: [dt.datetime.fromisoformat(value) if value else None for value in text.split(SEPARATOR)],
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


def records_in(record_type: str, taken: Any) -> list[tuple[int, Any]]:
    """(row number, record) of a batch's rows taken, made here (the registries, which the partition
    pass holds itself)."""
    columns = {name: series.to_list() for name, series in taken.to_dict().items()}
    numbers = columns.pop("__row")
    return list(zip(numbers, records_of(record_type, columns, taken.height), strict=True))


def by_bucket(keys: list[int], taken: Any, index: int, buckets: int) -> tuple[list[int], list[int], list[int]]:
    """The keys of a batch's rows taken (checker.run.duplicates `keys_of`) and their places (table
    index and row number), sorted by bucket (`key & (buckets - 1)`, as `key % buckets` for a power
    of two), and how many fall in each bucket."""
    pl = load_polars()
    frame = pl.DataFrame({"key": pl.Series(keys, dtype=pl.Int64),
                          "place": taken["__row"].cast(pl.Int64) + (index << 32)})
    frame = frame.with_columns((pl.col("key") & (buckets - 1)).alias("bucket")).sort("bucket")
    counts = dict(frame.group_by("bucket").len().iter_rows())
    return frame["key"].to_list(), frame["place"].to_list(), [counts.get(b, 0) for b in range(buckets)]


def frame_bytes(frame: Any) -> int:
    return int(frame.estimated_size())
