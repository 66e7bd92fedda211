"""What every stage passes along: a validated record with where it came from, a located input
problem, and the data set that holds both (each input row is in exactly one of them)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from checker.data.models import RECORD_TYPES, TYPE_BY_LABEL, TYPE_LABELS, Record
from checker.data.plain import build, build_one


@dataclass(frozen=True, slots=True)  # a run may hold a million of them
class InputError:
    source: str
    row: int | None
    field: str | None
    message: str
    level: str = "error"  # "error" | "warning"
    value: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"source": self.source, "row": self.row, "field": self.field, "message": self.message,
                "level": self.level, "value": self.value}

    def __str__(self) -> str:
        where = self.source + (f":{self.row}" if self.row is not None else "")
        what = f" [{self.field}]" if self.field else ""
        return f"{where}{what}: {self.message}"


@dataclass(frozen=True, slots=True)
class LoadedRecord:
    type: str
    record: Record
    source: str
    row: int

    @property
    def id(self) -> str:
        return self.record.id

    @property
    def location(self) -> str:
        return f"{self.source}:{self.row}"

    @classmethod
    def many(cls, record_type: str, records: list[Record], source: str, rows: list[int]) -> list[LoadedRecord]:
        """A LoadedRecord for each of `records` (their row numbers `rows`) of one table, each made as
        its writable twin (`_WritableLoadedRecord`), its fields set in place at C speed, and then given
        this class: the frozen __init__ pays four object.__setattr__ calls a record (half a µs), a
        slot's descriptor called a field at a time over the records a third more than this."""
        if len(rows) != len(records):
            raise ValueError(f"{len(records)} records of {source}, {len(rows)} row numbers")
        return _many(record_type, records, source, rows, object.__new__, _WritableLoadedRecord, cls)


class _WritableLoadedRecord(LoadedRecord):
    """LoadedRecord without its frozen __setattr__ and __delattr__ (both: they share one slot of the
    type, and either left in Python makes every attribute set a Python call)."""

    __slots__ = ()
    __setattr__ = object.__setattr__
    __delattr__ = object.__delattr__


def _many(record_type: str, records: list[Record], source: str, rows: list[int], new: Any, writable: type,
          final: type) -> list[LoadedRecord]:
    made = []
    append = made.append
    for record, row in zip(records, rows, strict=True):
        loaded = new(writable)
        loaded.type = record_type
        loaded.record = record
        loaded.source = source
        loaded.row = row
        loaded.__class__ = final
        append(loaded)
    return made


class BlockRecords:
    """The records of one block of the columnar path (checker.data.blocks `PlainBlock`), by their values
    by field (`values`: checker.data.plain `field_columns`, the ids among them) and row numbers, with
    the records themselves (`loaded`) made only when something first asks for them. A unit's
    validation checks a block a column at a time and derivation makes its facts from the columns: the
    usual block's records are read by nothing after (a finding on one of them asks, through
    checker.facts.derive `UnitBatch.loaded`, and has it made alone: `one`). Making them all, then
    letting them go, cost a unit's validation and derivation a sixth of their instructions."""

    __slots__ = ("type", "source", "numbers", "values", "_loaded", "_at")

    def __init__(self, record_type: str, source: str, numbers: list[int], values: dict[str, list[Any]]):
        if len(numbers) != len(values["id"]):
            raise ValueError(f"{len(values['id'])} records of {source}, {len(numbers)} row numbers")
        self.type, self.source, self.numbers, self.values = record_type, source, numbers, values
        self._loaded: list[LoadedRecord] | None = None
        self._at: dict[str, int] | None = None  # each id's place, made when `one` is first asked

    def __len__(self) -> int:
        return len(self.numbers)

    @property
    def ids(self) -> list[str]:
        return self.values["id"]

    def loaded(self) -> list[LoadedRecord]:
        """The block's records, in its order: made the first time (all of them), then kept."""
        if self._loaded is None:
            self._loaded = LoadedRecord.many(self.type, build(self.type, self.values), self.source, self.numbers)
        return self._loaded

    def one(self, rid: str) -> LoadedRecord:
        """The record of an id of the block (whose ids are each the id of one record): made alone if the
        block's are not made (a unit's findings name a few of a big block's records, if any)."""
        if self._at is None:
            self._at = dict(zip(self.ids, range(len(self.numbers)), strict=True))
        at = self._at[rid]
        if self._loaded is not None:
            return self._loaded[at]
        return LoadedRecord(self.type, build_one(self.type, self.values, at), self.source, self.numbers[at])

    def records(self) -> list[Record]:
        """The records as the model's values (`LoadedRecord.record`), in the block's order."""
        return [loaded.record for loaded in self.loaded()]


def records_of(stretch: list[LoadedRecord] | BlockRecords) -> list[LoadedRecord]:
    """A stretch's records themselves (a block's made)."""
    return stretch.loaded() if type(stretch) is BlockRecords else stretch


class InputOrder:
    """A unit's records in input order, as stretches: a list of records (LoadedRecord), or a block's
    (BlockRecords), whose facts derivation makes from the block's columns, its records made only if
    something asks for them. Iterated, it gives every record (making the blocks'): for callers that
    want the records themselves. A plain list of records stands for one stretch that is no block."""

    __slots__ = ("stretches",)

    def __init__(self, stretches: Iterable[list[LoadedRecord] | BlockRecords] = ()):
        self.stretches = list(stretches)

    def __iter__(self) -> Iterator[LoadedRecord]:
        for stretch in self.stretches:
            yield from records_of(stretch)

    def __len__(self) -> int:
        return sum(map(len, self.stretches))

    def __eq__(self, other: object) -> bool:  # (the records compared, as lists of them are)
        if not isinstance(other, InputOrder | list):
            return NotImplemented
        return list(self) == list(other)

    __hash__ = None  # type: ignore[assignment]  # (mutable, as a list)

    @property
    def blocks(self) -> list[BlockRecords]:
        return [stretch for stretch in self.stretches if type(stretch) is BlockRecords]


@dataclass
class DataSet:
    records: list[LoadedRecord] = field(default_factory=list)
    errors: list[InputError] = field(default_factory=list)
    inputs: list[Path] = field(default_factory=list)
    rows_read: int = 0

    def of_type(self, record_type: str) -> list[LoadedRecord]:
        return [r for r in self.records if r.type == record_type]

    @property
    def has_errors(self) -> bool:
        return any(e.level == "error" for e in self.errors)


def record_type_of(stem: str) -> str | None:
    """The record type a file or sheet holds, from its name (English or Chinese)."""
    return stem if stem in RECORD_TYPES else TYPE_BY_LABEL.get(stem)


def unknown_type(stem: str, source: str) -> InputError:
    known = "、".join(f"{label}({name})" for name, label in TYPE_LABELS.items())
    return InputError(source, None, None, f"未知的记录类型“{stem}”，未读取；记录类型有：{known} / "
                      f"unknown record type {stem!r}, not read")


@dataclass(frozen=True)
class RowProblem:
    """What stands among the rows for one that could not be read as a row (a CSV quote left open, a
    line not in the file's encoding, an XLSX formula without its value, a JSON key given twice): it
    is counted like any row and validation turns it into its located errors, never into a record."""
    problems: tuple[tuple[str | None, str, str | None], ...]  # (field, message, value as written)
    level: str = "error"  # "warning": the row is skipped, with a warning (a repeated header line)

    @classmethod
    def of(cls, message: str, field: str | None = None, value: str | None = None, level: str = "error") -> RowProblem:
        return cls(((field, message, value),), level)


def printable(value: object, limit: int = 200) -> str:
    """A value as an error message may show it: lone surrogates escaped (they cannot be written
    out as UTF-8) and a long value cut."""
    text = value if isinstance(value, str) else str(value)
    if not text.isascii():
        text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text if len(text) <= limit else text[:limit] + "…"


def keys_given_twice(keys: list[str]) -> RowProblem:
    """A record (a JSON object, a YAML mapping) naming a field twice: which value was meant is unknown."""
    return RowProblem(tuple((printable(key), f"字段“{printable(key)}”在同一条记录中出现了两次 / key given twice "
                             "in one record", None) for key in dict.fromkeys(keys)))
