"""The first stage of every check: one pass over the input that puts each unit's rows aside.

Nothing is judged here and only the registries (units, persons, vehicles: what every unit's
derivation and the responsibility chain look up) are validated and held. Every activity row goes,
as read, to its unit's spool (`checker.run.spool`: on disk for files, in memory for rows already in
memory); each unit is later validated, derived and judged on its own (`checker.run.unit`), so memory
is bounded by the largest unit, not by the data set.

What needs the whole data set is kept compact: the id index for duplicates across units
(`checker.run.duplicates`), and the first and last year the records mention, for the default audit
period. A JSON Lines or UTF-8 CSV file is read by the columnar path (checker.data.columnar,
checker.data.columnar_csv): the rows it takes are validated already, and held (registries) or
spooled as columns (activity types). JSON Lines rows it does not take whose unit, id and date can
be read with a pattern are spooled as their original text; any other row is parsed to find its
unit. A row without a unit is validated at
once, so its errors are located like every other row's. With several workers, helper processes
spool the big activity files (JSON Lines, CSV) into folders of their own while this process reads
the registries; each row carries its table index and row number, so input order is restored by
sorting.
"""

from __future__ import annotations

import dataclasses
import json
import multiprocessing
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from checker.data import blocks, columnar, columnar_csv, validate
from checker.data.files import SHEETS_PER_FILE, InMemory, Table, discover, file_tables
from checker.data.models import ACTIVITY_TYPES, DATE_FIELD, REGISTRY_TYPES
from checker.data.plain import PlainRecord
from checker.data.records import DataSet, InputError, LoadedRecord, record_type_of, unknown_type
from checker.data.rows import _header_map, parse_line, validate_line, validate_parsed
from checker.data.values import normalise_id
from checker.facts.audit_period import SPAN_ONLY_IF_ALONE
from checker.run.duplicates import BUCKETS, IdIndex, keys_of
from checker.run.processes import worker_signals
from checker.run.spool import DiskSpool, MemorySpool, Row, Spool

_STRING = r'"((?:[^"\\]|\\.)*)"'


def _field_pattern(name: str, value: str = _STRING) -> re.Pattern[str]:
    # A key is a key only where it follows `{` or `,`: inside a JSON string a quote is escaped.
    return re.compile(r'[{,]\s*"' + re.escape(name) + r'"\s*:\s*' + value)


UNIT_KEY = _field_pattern("unit")
ID_KEY = _field_pattern("id", r'(?:' + _STRING + r'|(-?\d+))')
YEAR_OF = {t: _field_pattern(name, r'"(\d{4})') for t, name in DATE_FIELD.items()}
YEAR_TEXT = re.compile(r"^\s*(\d{4})")


@dataclass
class Source:
    record_type: str
    name: str


@dataclass
class Partitioned:
    """The registries (validated), where each unit's rows are, and what the pass saw."""
    spool: Spool
    registry: DataSet = field(default_factory=DataSet)
    sources: dict[int, Source] = field(default_factory=dict)  # by table index: sorting by it is input order
    years: tuple[int, int] | None = None

    def rows_of(self, unit: str) -> Iterator[Row]:
        """(table index, row number, the row as read — or the record, if the columnar path took it)
        for each of the unit's rows."""
        return self.spool.rows_of(unit)

    @property
    def spool_rows(self) -> dict[str, int]:
        return self.spool.counts


def _unescape(text: str) -> str:
    return json.loads(f'"{text}"') if "\\" in text else text


def _raw_field(row: dict[str, Any], record_type: str, name: str) -> Any:
    """A field of a raw row under any accepted column name (English, Chinese, any case)."""
    headers = _header_map(record_type)
    for key, value in row.items():
        text = str(key).strip()
        if (headers.get(text) or headers.get(text.lower())) == name:
            return value
    return None


class _Reader:
    """One pass's reading: each table's rows validated (registries), routed to their unit's spool
    (activities), their ids indexed and their years noted."""

    def __init__(self, spool: Spool, ids: IdIndex):
        self.out = Partitioned(spool)
        self.ids = ids
        self.shared: dict[Any, Any] = {}  # equal short values of the registries, held once (compact)
        # first and last year seen, of the records that set the audited span and of reports (the default audit period no longer reads them: see facts/audit_period.py)
        self.years = {False: [9999, 0], True: [9999, 0]}
        self.columnar_registries = True  # registries in JSON Lines or CSV read by the columnar path too
        self.registry_checked = False


    def read_file(self, file: Path, position: int) -> None:
        record_type = record_type_of(file.stem)
        if record_type is not None and (self.columnar_registries or record_type not in REGISTRY_TYPES):
            read = columnar_csv if file.suffix.lower() == ".csv" else columnar
            batches = read.plain_batches(file, record_type, self.out.registry.errors)
            if batches is not None:
                table = Table(file.stem, str(file), position * SHEETS_PER_FILE, ())
                self.out.sources[table.index] = Source(record_type, table.name)
                if record_type in REGISTRY_TYPES:
                    self.register_batches(record_type, table, batches)
                else:
                    self.take_batches(table, batches)
                return
        for table in file_tables(file, position, self.out.registry.errors):
            self.take(table)

    def register_batches(self, record_type: str, table: Table, batches: Iterator[columnar.Batch]) -> None:
        """A registry the columnar path reads: its rows taken are held as validated, the others
        validated one by one as `take` does (the registry is put in input order at the end)."""
        data, model = self.out.registry, REGISTRY_TYPES[record_type]
        for batch in batches:
            data.rows_read += batch.rows
            for row_number, row, line in batch.general:
                self._register(record_type, table.name, row_number, row, line)
            if batch.taken is not None and batch.taken.height:
                numbers, values = blocks.columns_in(record_type, batch.taken)
                data.records += LoadedRecord.many(record_type, compact_columns(model, values, self.shared),
                                                  table.name, numbers)

    def take_batches(self, table: Table, batches: Iterator[columnar.Batch]) -> None:
        """A file of activity records the columnar path reads: its rows taken are routed by unit as
        columns, the others as `take` routes rows."""
        record_type = table.record_type
        assert record_type is not None
        for batch in batches:
            self.out.registry.rows_read += batch.rows
            for row_number, row, line in batch.general:
                self._route(record_type, table, row_number, row, line)
            if batch.taken is not None and batch.taken.height:
                keys = keys_of(record_type, batch.taken["id"].to_list())
                self.ids.add_by_bucket(*blocks.by_bucket(keys, batch.taken, table.index, BUCKETS))
                if batch.years:
                    self._note_years(record_type, *batch.years)
                self.out.spool.add_taken(record_type, table.index, batch.taken)  # type: ignore[union-attr]

    def take(self, table: Table) -> None:
        data = self.out.registry
        record_type = table.record_type
        if record_type is None:
            data.errors.append(unknown_type(table.stem, table.name))
            return
        self.out.sources[table.index] = Source(record_type, table.name)
        for row_number, row, line in table.rows:
            data.rows_read += 1
            if record_type in REGISTRY_TYPES:
                self._register(record_type, table.name, row_number, row, line)
            else:
                self._route(record_type, table, row_number, row, line)

    def _route(self, record_type: str, table: Table, row_number: int, row: Any, line: str | None) -> None:
        unit = ident = year = None
        if line is not None:
            found_unit, found_id = UNIT_KEY.search(line), ID_KEY.search(line)
            if found_unit and found_id:
                unit = _unescape(found_unit.group(1))
                ident = _unescape(found_id.group(1)) if found_id.group(1) is not None else found_id.group(2)
                year_key = YEAR_OF.get(record_type)
                found_year = year_key.search(line) if year_key else None
                year = found_year and int(found_year.group(1))
                row = line
            else:
                row = parse_line(line)
        if unit is None:
            if isinstance(row, dict):
                unit, ident = _raw_field(row, record_type, "unit"), _raw_field(row, record_type, "id")
                date_name = DATE_FIELD.get(record_type)
                year_text = YEAR_TEXT.match(str(_raw_field(row, record_type, date_name) or "")) if date_name else None
                year = year_text and int(year_text.group(1))
            if unit is None or str(unit).strip() == "":
                # the unit is missing: validation says so, located like every other row's errors
                validate_parsed(record_type, row, table.name, row_number, self.out.registry.errors)
                return
        unit = normalise_id(str(unit))  # as validation reads it (trimmed, NFKC), so it lands in the same unit
        if year:
            self._note_years(record_type, year, year)
        if ident is not None:
            self.ids.add(record_type, normalise_id(str(ident)), table.index, row_number)  # as validated
        self.out.spool.add(unit, (table.index, row_number, row))

    def _note_years(self, record_type: str, first: int, last: int) -> None:
        seen = self.years[record_type in SPAN_ONLY_IF_ALONE]
        seen[0], seen[1] = min(seen[0], first), max(seen[1], last)

    def _register(self, record_type: str, source: str, row_number: int, row: Any, line: str | None) -> None:
        data = self.out.registry
        if line is not None:
            record = validate_line(record_type, line, source, row_number, data.errors)
        else:
            record = validate_parsed(record_type, row, source, row_number, data.errors)
        if record is not None:
            data.records.append(LoadedRecord(record_type, compact(record, self.shared), source, row_number))

    def flush(self) -> None:
        self.out.spool.flush()
        self.ids.flush()

    def merge(self, other: _Reader) -> None:
        registry = self.out.registry
        registry.errors += other.out.registry.errors
        registry.rows_read += other.out.registry.rows_read
        self.out.sources.update(other.out.sources)
        self.out.spool.merge(other.out.spool)  # type: ignore[arg-type]  # helpers spool like their parent
        self.ids.merge(other.ids)
        for key, (first, last) in other.years.items():
            seen = self.years[key]
            seen[0], seen[1] = min(seen[0], first), max(seen[1], last)

    def check_registry(self) -> None:
        """The registries in input order and checked as a whole (duplicates, references among
        themselves, date order). Once every registry file is read: with helpers, while they still read
        (at 1M records 0.04-0.07 s of CPU less at the pass's serial end). Its errors may come before
        the helpers' then: a check sorts every error by source and row (run/check.py `result`)."""
        if self.registry_checked:
            return
        self.registry_checked = True
        registry = self.out.registry
        order = {source.name: index for index, source in self.out.sources.items()}
        registry.records.sort(key=lambda r: (order[r.source], r.row))  # input order
        validate.check(registry)

    def finish(self) -> Partitioned:
        report_duplicates(self.out, self.ids)
        self.check_registry()
        first, last = self.years[False] if self.years[False][1] else self.years[True]
        if last:
            self.out.years = (first, last)
        return self.out


def _ids_at(out: Partitioned, places: set[int]) -> dict[int, tuple[str, str, str]]:
    """The (type, id as validated, unit) at each place, read back from the spools: only done when
    duplicates exist."""
    ids = {}
    for unit in out.spool.counts:
        for index, row_number, row in out.rows_of(unit):
            place = index << 32 | row_number
            if place in places:
                kind = out.sources[index].record_type
                if isinstance(row, PlainRecord):  # validated by the columnar path
                    ids[place] = (kind, row.id, unit)
                    continue
                parsed = parse_line(row) if isinstance(row, str) else row
                ids[place] = (kind, normalise_id(str(_raw_field(parsed, kind, "id"))), unit)
    return ids


def report_duplicates(out: Partitioned, ids: IdIndex) -> None:
    """Every activity record whose (type, id) was seen earlier, located, saying what happens to it."""
    sources = out.sources
    for first, later, (_, _, first_unit), (kind, ident, unit) in ids.duplicates(lambda p: _ids_at(out, p)):
        first_at = f"{sources[first >> 32].name}:{first & 0xFFFFFFFF}"
        out.registry.errors.append(InputError(
            sources[later >> 32].name, later & 0xFFFFFFFF, "id",
            validate.duplicate_message(kind, ident, first_at, first_unit, unit), value=ident))


def _compact_class(model: type) -> type:
    made = dataclasses.make_dataclass(f"{model.__name__}Values", tuple(model.model_fields), slots=True)
    made.__module__ = __name__  # a module-level name, so a fresh interpreter can unpickle it
    globals()[made.__name__] = made
    return made


_OWN = frozenset(("id", "name", "plate"))  # a record's own, unlike any other's: nothing to share
_SHORT = 24  # texts up to this length are shared (ranks, kinds, units' ids); longer ones are their own


def _compacter(model: type) -> tuple[Any, Any]:
    """compact's work for one model, written out field by field: a function call per value and a
    dict of keyword arguments per record cost more than the object made. Shared, in `shared` (the
    pass's): a str up to _SHORT long, and a list of str (of items whose types are {str}), keyed
    ("list", *items); anything else is held as it is (tests/test_registry_sharing.py). Written
    twice from one expression a field: for a record, and for a batch's columns (`compact_columns`)."""
    made, one, many = _compact_class(model), [], []
    share = (f"(held(value, value) if VALUE.__class__ is str and len(value) <= {_SHORT} else value if value.__class__ "
             f"is not list else held(('list', *value), value) if not value or {{*map(type, value)}} == only_str else value)")
    for name in model.model_fields:
        own = name in _OWN
        one.append(f"values[{name!r}]" if own else share.replace("VALUE", f"(value := values[{name!r}])"))
        many.append(f"columns[{name!r}]" if own else f"[{share.replace('VALUE', 'value')} for value in columns[{name!r}]]")
    source = (f"def compact(record, shared):\n    values, held = record.__dict__, shared.setdefault\n"
              f"    return made({', '.join(one)})\n"
              f"def compact_columns(columns, shared):\n    held = shared.setdefault\n"
              f"    return list(map(made, {', '.join(many)}))\n")
    namespace: dict[str, Any] = {"made": made, "only_str": {str}}
    exec(compile(source, f"<compact {model.__name__}>", "exec"), namespace)  # noqa: S102  # names from the model, quoted
    return namespace["compact"], namespace["compact_columns"]


def compact(record: Any, shared: dict[Any, Any], model: type | None = None) -> Any:
    """A validated registry record (its model, or an object with the attributes of `model`) as a
    slotted object with the same attributes: a tenth of a million persons held for the whole run
    weigh a third of their pydantic models. Equal short texts (a rank, a kind, a unit's id) and equal
    lists (roles, most of them empty) are held once, in `shared` (one per pass): the registries are
    read-only, and at ten million records half a million persons otherwise hold ~60 MB of copies."""
    return _COMPACTERS[model or type(record)][0](record, shared)


def compact_columns(model: type, columns: dict[str, list[Any]], shared: dict[Any, Any]) -> list[Any]:
    """`compact` of each record of the columnar path's columns (checker.data.plain `field_columns`),
    without the records: at 1M records 1.8 µs a person less than making each record, then compacting it."""
    return _COMPACTERS[model][1](columns, shared)  # type: ignore[no-any-return]


_COMPACTERS = {model: _compacter(model) for model in REGISTRY_TYPES.values()}


def _streamed_activity(file: Path) -> bool:
    return file.suffix.lower() in (".jsonl", ".csv") and record_type_of(file.stem) in ACTIVITY_TYPES


def _read_group(folder: Path, group: list[tuple[int, Path]]) -> _Reader:
    """A helper process's share: activity files only (no registry), spooled under its own folder."""
    folder.mkdir()
    helper = _Reader(DiskSpool(folder), IdIndex(folder))
    for position, file in group:
        helper.read_file(file, position)
    helper.flush()
    return helper


def _groups(files: list[tuple[int, Path]], count: int) -> list[list[tuple[int, Path]]]:
    """Files split into `count` groups of about equal bytes, biggest first."""
    groups: list[list[tuple[int, Path]]] = [[] for _ in range(count)]
    sizes = [0] * count
    for position, file in sorted(files, key=lambda pair: pair[1].stat().st_size, reverse=True):
        smallest = sizes.index(min(sizes))
        groups[smallest].append((position, file))
        sizes[smallest] += file.stat().st_size
    return [g for g in groups if g]


def partition(path: Path, folder: Path, workers: int = 1) -> Partitioned:
    """Read `path` (a folder of record files, a record file or a workbook) into per-unit spools
    under `folder`, validate the registries, and report duplicate ids across the whole data set.
    With `workers` > 1, big activity files (JSON Lines, CSV) are read by helper processes while this
    one reads the registries and the rest."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    reader = _Reader(DiskSpool(folder), IdIndex(folder))
    files = discover(Path(path), reader.out.registry.errors)
    reader.out.registry.inputs.extend(files)
    shared = [(position, file) for position, file in enumerate(files) if _streamed_activity(file)]
    if workers > 1 and len(shared) > 1:
        from concurrent.futures import ProcessPoolExecutor

        groups = _groups(shared, workers)
        with ProcessPoolExecutor(len(groups), mp_context=multiprocessing.get_context("fork"),
                                 initializer=worker_signals) as pool:
            futures = [pool.submit(_read_group, folder / f"helper-{k}", group) for k, group in enumerate(groups)]
            # This process holds the registries for the whole run and reads no file with polars
            # now: started for the registries alone, polars' buffers would stay beside them (10M
            # records: 505 MB instead of 365 at the end of the pass). Read as before, they weigh
            # what they weighed.
            reader.columnar_registries = False
            for position, file in enumerate(files):
                if (position, file) not in shared:
                    reader.read_file(file, position)
            reader.flush()
            reader.check_registry()  # (helpers read activity files only)
            for future in futures:
                reader.merge(future.result())
    else:
        for position, file in enumerate(files):
            reader.read_file(file, position)
        reader.flush()
    return reader.finish()


def partition_tables(given: InMemory) -> Partitioned:
    """Tables whose rows are in memory already, kept in memory by unit."""
    reader = _Reader(MemorySpool(), IdIndex(None))
    reader.out.registry.errors.extend(given.errors)
    reader.out.registry.inputs.extend(given.inputs)
    for table in given.tables:
        reader.take(table)
    return reader.finish()
