"""Where the partition pass keeps each unit's rows until the unit is judged: on disk for a check of
files (memory then follows the largest unit, not the data set), or in memory for rows that are in
memory already (rule examples, self-checks of small data, tests). Both give back the same rows in
the same order, so a check reports the same whichever holds them (tests/test_run.py).

A row is kept as `(table index, row number, row as read)`; the index sorts into input order. Rows
the columnar path took (checker.data.columnar) come as polars frames; they are grouped by unit when
the buffer is written, and each unit's share of a table is written as one block of columns, which
its worker turns back into rows `(table index, row number, validated record)`.
"""

from __future__ import annotations

import os
import pickle
from array import array
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from checker.data import blocks

Row = tuple[int, int, Any]
FLUSH_BYTES = 8 << 20  # text of the spooled rows (or polars' size of rows taken) held before they are written
# A flush's pickles are written through a buffer of this size: half of them are larger than the file's
# own (st_blksize, 4 KB), and each of those was a write system call of its own.
WRITE_BUFFER = 1 << 20
_OFFSET_BITS = 40  # a pickle's offset in its file (a flush file is some megabytes); the file's number above
_OFFSET_MASK = (1 << _OFFSET_BITS) - 1
ROW_BYTES = 256  # what a row read as a mapping (CSV, XLSX, JSON array) counts as towards FLUSH_BYTES


def read_pickles(path: Path) -> Iterator[Any]:
    """Each object of a file written by successive pickle.dump calls (a spool, a facts file)."""
    with path.open("rb") as handle:
        while True:
            try:
                yield pickle.load(handle)
            except EOFError:
                return


class MemorySpool:
    def __init__(self) -> None:
        self.rows: dict[str, list[Row]] = {}
        self.counts: dict[str, int] = {}

    def add(self, unit: str, row: Row) -> None:
        rows = self.rows.get(unit)
        if rows is None:
            rows = self.rows[unit] = []
            self.counts[unit] = 0
        rows.append(row)
        self.counts[unit] += 1

    def flush(self) -> None:
        """Nothing to write."""

    def rows_of(self, unit: str) -> Iterator[Row]:
        return iter(self.rows.get(unit, ()))

    def merge(self, other: MemorySpool) -> None:
        for unit, rows in other.rows.items():
            self.rows.setdefault(unit, []).extend(rows)
            self.counts[unit] = self.counts.get(unit, 0) + len(rows)


class DiskSpool:
    """The rows of every unit under `folder`, one file per flush: each unit's share of a flush (its
    rows read as they were, or a block of one table's rows the columnar path took) is one pickle in
    that file, and the spool keeps where each is. A file is opened once a flush to write, and a
    unit's worker reads its pickles in the order they were written, so its rows come back in input
    order within each process; with helpers spooling big files in parallel, the caller sorts."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.paths: list[Path] = []  # the flushes' files, this spool's and its helpers'
        self.places: dict[str, array] = {}  # by unit: file << 40 | offset, then size, of each pickle
        self.counts: dict[str, int] = {}
        self.buffers: dict[str, list[Row]] = {}
        self.frames: list[tuple[str, int, Any]] = []  # (record type, table index, rows taken)
        self.buffered = 0

    def add(self, unit: str, row: Row) -> None:
        buffer = self.buffers.get(unit)
        if buffer is None:
            buffer = self.buffers[unit] = []
        buffer.append(row)
        value = row[2]
        self.buffered += len(value) if type(value) is str else ROW_BYTES
        if self.buffered >= FLUSH_BYTES:
            self.flush()

    def add_taken(self, record_type: str, index: int, frame: Any) -> None:
        """Rows of one table the columnar path took (a polars DataFrame with a `unit` column)."""
        self.frames.append((record_type, index, frame))
        self.buffered += blocks.frame_bytes(frame)
        if self.buffered >= FLUSH_BYTES:
            self.flush()

    def flush(self) -> None:
        if not self.frames and not self.buffers:
            return
        path = self.folder / f"{len(self.paths)}.rows"
        number = len(self.paths)
        self.paths.append(path)
        with path.open("wb", buffering=WRITE_BUFFER) as handle:
            offset = number << _OFFSET_BITS  # (the file's number, then where the next pickle starts in it)
            for unit, block in blocks.blocks_by_unit(self.frames):  # written as made: one table's units at a time
                offset = self._write(handle, offset, unit, [block], block.count)
            self.frames = []
            for unit, buffer in self.buffers.items():
                offset = self._write(handle, offset, unit, buffer, len(buffer))
        self.buffers.clear()
        self.buffered = 0

    def _write(self, handle: Any, offset: int, unit: str, rows: list[Any], count: int) -> int:
        """Write one pickle at `offset` (file number and place in it) and note it; the next one's offset."""
        places = self.places.get(unit)
        if places is None:
            places = self.places[unit] = array("q")
            self.counts[unit] = 0
        data = pickle.dumps(rows, protocol=pickle.HIGHEST_PROTOCOL)
        size = len(data)
        places.append(offset)  # (10M records: 1.5M pickles, 16 bytes each)
        places.append(size)
        handle.write(data)
        self.counts[unit] += count
        return offset + size

    def rows_of(self, unit: str) -> SpooledRows:
        return SpooledRows(self, unit)

    def parts_of(self, unit: str) -> Iterator[Row | blocks.PlainBlock]:
        """The unit's rows as the spool holds them: rows read as they were, and blocks. Each pickle is
        read with one pread of the file's descriptor (a Python file object opened for each file a unit
        reads from, and a seek, cost twice as much: a unit's pickles lie in a dozen files)."""
        places = self.places.get(unit, ())
        descriptor, opened = -1, -1
        try:
            for at in range(0, len(places), 2):
                number, offset, size = places[at] >> _OFFSET_BITS, places[at] & _OFFSET_MASK, places[at + 1]
                if number != opened:
                    if descriptor >= 0:
                        os.close(descriptor)
                        descriptor = -1  # (closed, if the next open fails)
                    descriptor, opened = os.open(self.paths[number], os.O_RDONLY), number
                yield from pickle.loads(os.pread(descriptor, size, offset))
        finally:
            if descriptor >= 0:
                os.close(descriptor)

    def merge(self, other: DiskSpool) -> None:
        shift = len(self.paths)
        self.paths.extend(other.paths)
        for unit, places in other.places.items():
            moved = array("q", places)
            moved[0::2] = array("q", (place + (shift << _OFFSET_BITS) for place in places[0::2]))
            self.places.setdefault(unit, array("q")).extend(moved)
            self.counts[unit] = self.counts.get(unit, 0) + other.counts[unit]


class SpooledRows:
    """A unit's rows in a DiskSpool, an iterator of rows `(table index, row number, row)`; or, before
    it is iterated, `parts()`: the rows as the spool holds them, where the columnar path's rows of a
    table are a block (checker.data.blocks `PlainBlock`), which a unit's validation takes a column at
    a time (checker.run.unit)."""

    __slots__ = ("spool", "unit", "_rows")

    def __init__(self, spool: DiskSpool, unit: str):
        self.spool, self.unit = spool, unit
        self._rows: Iterator[Row] | None = None

    def __iter__(self) -> Iterator[Row]:
        return self if self._rows is not None else self._start()

    def __next__(self) -> Row:
        return next(self._rows if self._rows is not None else self._start())

    def _start(self) -> Iterator[Row]:
        self._rows = self._each_row()
        return self._rows

    def _each_row(self) -> Iterator[Row]:
        for part in self.spool.parts_of(self.unit):
            if type(part) is tuple:
                yield part
            else:
                yield from part.rows()

    def parts(self) -> Iterator[Row | blocks.PlainBlock]:
        if self._rows is not None:
            raise RuntimeError(f"the rows of {self.unit} are being read already")
        self._rows = iter(())
        return self.spool.parts_of(self.unit)


Spool = MemorySpool | DiskSpool
