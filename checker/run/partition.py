"""Stage 1 for large data sets: one pass over the input that partitions the rows by unit on disk.

Nothing is judged here and only the registries (units, persons, vehicles: what every unit's
derivation and the responsibility chain look up) are validated and held in memory. Every activity
row is appended, as read, to its unit's spool file; each unit is later validated, derived and judged
on its own (`checker.run.stream`), so memory is bounded by the largest unit, not by the data set.

What needs the whole data set is kept compact: a 64-bit hash and the location of every activity
record (16 bytes, on disk, in buckets) to find duplicate ids across units (among all rows that give
an id, so a repeated id is reported even when one of its rows is invalid for another reason), and
the first and last year the records mention, for the default audit period. JSON Lines rows whose unit, id and date can
be read with a pattern are spooled as their original text; any other row is parsed to find its unit.
A row without a unit is validated at once, so its errors are located like every other row's.
With several workers, helper processes spool the big activity files (JSON Lines, CSV) into folders
of their own while this process reads the registries; a unit's rows may then sit in several spools,
and each row carries its source index (file position, sheet) and row number, so input order is
restored by sorting.
"""

from __future__ import annotations

import dataclasses
import json
import multiprocessing
import pickle
import re
from array import array
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from checker.data import validate
from checker.data.files import Table, discover, file_tables
from checker.data.models import ACTIVITY_TYPES, DATE_FIELD, REGISTRY_TYPES
from checker.data.records import DataSet, InputError, LoadedRecord, record_type_of, unknown_type
from checker.data.rows import _header_map, parse_line, validate_line, validate_parsed
from checker.data.values import normalise_id
from checker.facts.audit_period import SPAN_ONLY_IF_ALONE

FLUSH_BYTES = 8 << 20  # text of the spooled rows held in memory before they are appended to the unit files
ROW_BYTES = 256  # what a row read as a mapping (CSV, XLSX, JSON array) counts as towards FLUSH_BYTES
BUCKETS = 64
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
    """The registries (validated), where each unit's rows are spooled, and what the pass saw."""
    folder: Path
    registry: DataSet = field(default_factory=DataSet)
    # by index: file position × SHEETS_PER_FILE + sheet, so sorting by index is sorting by input order
    sources: dict[int, Source] = field(default_factory=dict)
    spools: dict[str, list[Path]] = field(default_factory=dict)
    spool_rows: dict[str, int] = field(default_factory=dict)
    years: tuple[int, int] | None = None

    def rows_of(self, unit: str) -> Iterator[tuple[int, int, Any]]:
        """(source index, row number, the row as read) for each of the unit's spooled rows (input order
        within each spool; a unit spooled by several processes has one spool per process). A spool
        holds one pickled list of rows per flush."""
        for path in self.spools.get(unit, ()):
            for rows in read_pickles(path):
                yield from rows


def read_pickles(path: Path) -> Iterator[Any]:
    """Each object of a file written by successive pickle.dump calls (a spool, a facts file)."""
    with path.open("rb") as handle:
        while True:
            try:
                yield pickle.load(handle)
            except EOFError:
                return


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


class _Partitioner:
    def __init__(self, folder: Path):
        self.out = Partitioned(folder)
        self.buffers: dict[str, list[tuple[int, int, Any]]] = {}
        self.buffered = 0
        self.hashes = [array("q") for _ in range(BUCKETS)]
        self.places = [array("q") for _ in range(BUCKETS)]
        # first and last year seen, of the records that set the audited span and of reports (see data_span)
        self.years = {False: [9999, 0], True: [9999, 0]}
        self.folders = [folder]  # this pass's and its helpers': where the id buckets are

    # --- reading -----------------------------------------------------------------------------------

    def read_file(self, file: Path, position: int) -> None:
        for table in file_tables(file, position, self.out.registry.errors):
            self.take(table)

    def take(self, table: Table) -> None:
        data = self.out.registry
        record_type = table.record_type
        if record_type is None:
            data.errors.append(unknown_type(table.stem, table.name))
            return
        source, index = table.name, table.index
        self.out.sources[index] = Source(record_type, source)
        registry = record_type in REGISTRY_TYPES
        year_key = YEAR_OF.get(record_type)
        for row_number, row, line in table.rows:
            data.rows_read += 1
            if registry:
                self._register(record_type, source, row_number, row, line)
                continue
            unit = ident = year = None
            if line is not None:
                found_unit, found_id = UNIT_KEY.search(line), ID_KEY.search(line)
                if found_unit and found_id:
                    unit = _unescape(found_unit.group(1))
                    ident = _unescape(found_id.group(1)) if found_id.group(1) is not None else found_id.group(2)
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
                    self._validate_now(record_type, source, row_number, row)
                    continue
                unit = str(unit)  # as validation will read it (not stripped), so it lands in the same unit
            if year:
                seen = self.years[record_type in SPAN_ONLY_IF_ALONE]
                seen[0], seen[1] = min(seen[0], year), max(seen[1], year)
            if ident is not None:
                # str hashes are salted per interpreter; helper processes are forked, so they share it
                key = hash((record_type, normalise_id(str(ident))))  # as validated: trimmed, NFKC
                bucket = key % BUCKETS
                self.hashes[bucket].append(key)
                self.places[bucket].append(index << 32 | row_number)
            self._spool(unit, (index, row_number, row))

    def _register(self, record_type: str, source: str, row_number: int, row: Any, line: str | None) -> None:
        data = self.out.registry
        if line is not None:
            record = validate_line(record_type, line, source, row_number, data.errors)
        else:
            record = validate_parsed(record_type, row, source, row_number, data.errors)
        if record is not None:
            data.records.append(LoadedRecord(record_type, compact(record), source, row_number))

    def _validate_now(self, record_type: str, source: str, row_number: int, row: Any) -> None:
        validate_parsed(record_type, row, source, row_number, self.out.registry.errors)  # the unit is missing: an error

    # --- spooling ----------------------------------------------------------------------------------

    def _spool(self, unit: str, item: tuple[int, int, Any]) -> None:
        buffer = self.buffers.get(unit)
        if buffer is None:
            buffer = self.buffers[unit] = []
            if unit not in self.out.spools:
                self.out.spools[unit] = [self.folder / f"{len(self.out.spools)}.rows"]
                self.out.spool_rows[unit] = 0
        buffer.append(item)
        self.out.spool_rows[unit] += 1
        row = item[2]
        self.buffered += len(row) if type(row) is str else ROW_BYTES
        if self.buffered >= FLUSH_BYTES:
            self._flush()

    @property
    def folder(self) -> Path:
        return self.out.folder

    @property
    def order(self) -> dict[str, int]:
        return {source.name: index for index, source in self.out.sources.items()}

    def _flush(self) -> None:
        for unit, buffer in self.buffers.items():
            with self.out.spools[unit][0].open("ab") as handle:
                pickle.dump(buffer, handle, protocol=pickle.HIGHEST_PROTOCOL)
        self.buffers.clear()
        self.buffered = 0
        for bucket in range(BUCKETS):
            if self.hashes[bucket]:
                with (self.folder / f"ids-{bucket}.bin").open("ab") as handle:
                    self.hashes[bucket].tofile(handle)
                with (self.folder / f"places-{bucket}.bin").open("ab") as handle:
                    self.places[bucket].tofile(handle)
                self.hashes[bucket], self.places[bucket] = array("q"), array("q")

    # --- what needs the whole data set -------------------------------------------------------------

    def duplicates(self) -> None:
        """Report every activity record whose (type, id) was seen earlier, like `validate.check` does."""
        repeated: list[tuple[int, int]] = []  # (first place, later place)
        for bucket in range(BUCKETS):
            hashes, places = array("q"), array("q")
            for folder in self.folders:
                if (folder / f"ids-{bucket}.bin").exists():
                    hashes.frombytes((folder / f"ids-{bucket}.bin").read_bytes())
                    places.frombytes((folder / f"places-{bucket}.bin").read_bytes())
            if len(set(hashes)) == len(hashes):
                continue  # the usual case, checked at C speed
            counts = Counter(hashes)
            first: dict[int, int] = {}
            for key, place in sorted((k, p) for k, p in zip(hashes, places, strict=True) if counts[k] > 1):
                if key in first:
                    repeated.append((first[key], place))
                else:
                    first[key] = place
        if not repeated:
            return
        ids = self._ids_at({p for pair in repeated for p in pair})
        sources = self.out.sources
        for first_place, later in sorted(repeated, key=lambda pair: pair[1]):
            kind, ident, unit = ids[later]
            first_kind, first_ident, first_unit = ids[first_place]
            if (first_kind, first_ident) != (kind, ident):
                continue  # two ids with one 64-bit hash: not a duplicate
            first_at = f"{sources[first_place >> 32].name}:{first_place & 0xFFFFFFFF}"
            self.out.registry.errors.append(InputError(
                sources[later >> 32].name, later & 0xFFFFFFFF, "id",
                validate.duplicate_message(kind, ident, first_at, first_unit, unit), value=ident))

    def _ids_at(self, places: set[int]) -> dict[int, tuple[str, str, str]]:
        """The (type, id, unit) at each place, read back from the spools: only done when duplicates exist."""
        ids = {}
        for unit in self.out.spools:
            for index, row_number, row in self.out.rows_of(unit):
                place = index << 32 | row_number
                if place in places:
                    parsed = parse_line(row) if isinstance(row, str) else row
                    kind = self.out.sources[index].record_type
                    ids[place] = (kind, str(_raw_field(parsed, kind, "id")), unit)
        return ids


@cache
def _compact_class(model: type) -> type:
    return dataclasses.make_dataclass(f"{model.__name__}Values", tuple(model.model_fields), slots=True)


def compact(record: Any) -> Any:
    """A validated registry record as a slotted object with the same attributes: a tenth of a million
    persons held for the whole run weigh a third of their pydantic models."""
    return _compact_class(type(record))(*record.__dict__.values())


def _streamed_activity(file: Path) -> bool:
    return file.suffix.lower() in (".jsonl", ".csv") and record_type_of(file.stem) in ACTIVITY_TYPES


def _read_group(folder: Path, group: list[tuple[int, Path]]) -> tuple[Partitioned, dict[bool, list[int]]]:
    """A helper process's share: activity files only (no registry), spooled under its own folder."""
    folder.mkdir()
    helper = _Partitioner(folder)
    for position, file in group:
        helper.read_file(file, position)
    helper._flush()
    return helper.out, helper.years


def _merge(into: _Partitioner, part: Partitioned, years: dict[bool, list[int]]) -> None:
    registry = into.out.registry
    registry.errors += part.registry.errors
    registry.rows_read += part.registry.rows_read
    into.out.sources.update(part.sources)
    for unit, paths in part.spools.items():
        into.out.spools.setdefault(unit, []).extend(paths)
        into.out.spool_rows[unit] = into.out.spool_rows.get(unit, 0) + part.spool_rows[unit]
    for key, (first, last) in years.items():
        seen = into.years[key]
        seen[0], seen[1] = min(seen[0], first), max(seen[1], last)
    into.folders.append(part.folder)


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
    worker = _Partitioner(folder)
    files = discover(Path(path), worker.out.registry.errors)
    worker.out.registry.inputs.extend(files)
    shared = [(position, file) for position, file in enumerate(files) if _streamed_activity(file)]
    if workers > 1 and len(shared) > 1:
        from concurrent.futures import ProcessPoolExecutor

        groups = _groups(shared, workers)
        with ProcessPoolExecutor(len(groups), mp_context=multiprocessing.get_context("fork")) as pool:
            futures = [pool.submit(_read_group, folder / f"helper-{k}", group) for k, group in enumerate(groups)]
            for position, file in enumerate(files):
                if (position, file) not in shared:
                    worker.read_file(file, position)
            worker._flush()
            for future in futures:
                _merge(worker, *future.result())
    else:
        for position, file in enumerate(files):
            worker.read_file(file, position)
        worker._flush()
    worker.duplicates()
    registry = worker.out.registry
    order = worker.order
    registry.records.sort(key=lambda r: (order[r.source], r.row))  # input order, as loaded in memory
    validate.check(registry)  # registries: duplicates, references among themselves, date order
    first, last = worker.years[False] if worker.years[False][1] else worker.years[True]
    if last:
        worker.out.years = (first, last)
    return worker.out
