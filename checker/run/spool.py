"""Where the partition pass keeps each unit's rows until the unit is judged: on disk for a check of
files (memory then follows the largest unit, not the data set), or in memory for rows that are in
memory already (rule examples, self-checks of small data, tests). Both give back the same rows in
the same order, so a check reports the same whichever holds them (tests/test_run.py).

A row is kept as `(table index, row number, row as read)`; the index sorts into input order. Rows
the columnar path took (checker.data.columnar) come as polars frames; they are split by unit when
the buffer is written, and each unit's share is written as one block of plain columns, which its
worker turns back into rows `(table index, row number, validated record)`.
"""

from __future__ import annotations

import pickle
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from checker.data import columnar

Row = tuple[int, int, Any]
FLUSH_BYTES = 8 << 20  # text of the spooled rows held in memory before they are appended to the unit files
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
    """One file per unit under `folder`, appended one pickled list of rows per flush. A unit whose
    rows were spooled by several processes (helpers reading big files in parallel) has one file per
    process: its rows come back in input order within each, and the caller sorts."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.files: dict[str, list[Path]] = {}
        self.counts: dict[str, int] = {}
        self.buffers: dict[str, list[Row | columnar.PlainBlock]] = {}
        self.frames: list[tuple[str, int, Any]] = []  # (record type, table index, rows taken)
        self.buffered = 0

    def _buffer(self, unit: str) -> list[Row | columnar.PlainBlock]:
        buffer = self.buffers.get(unit)
        if buffer is None:
            buffer = self.buffers[unit] = []
            if unit not in self.files:
                self.files[unit] = [self.folder / f"{len(self.files)}.rows"]
                self.counts[unit] = 0
        return buffer

    def add(self, unit: str, row: Row) -> None:
        self._buffer(unit).append(row)
        self.counts[unit] += 1
        value = row[2]
        self.buffered += len(value) if type(value) is str else ROW_BYTES
        if self.buffered >= FLUSH_BYTES:
            self.flush()

    def add_taken(self, record_type: str, index: int, frame: Any) -> None:
        """Rows of one table the columnar path took (a polars DataFrame with a `unit` column)."""
        for unit, count in columnar.unit_counts(frame):
            self._buffer(unit)
            self.counts[unit] += count
        self.frames.append((record_type, index, frame))
        self.buffered += columnar.frame_bytes(frame)
        if self.buffered >= FLUSH_BYTES:
            self.flush()

    def flush(self) -> None:
        for unit, block in columnar.blocks_by_unit(self.frames):  # written as made: a few thousand rows at a time
            self._write(unit, [block])
        self.frames = []
        for unit, buffer in self.buffers.items():
            if buffer:
                self._write(unit, buffer)
        self.buffers.clear()
        self.buffered = 0

    def _write(self, unit: str, rows: list[Any]) -> None:
        with self.files[unit][0].open("ab") as handle:
            pickle.dump(rows, handle, protocol=pickle.HIGHEST_PROTOCOL)

    def rows_of(self, unit: str) -> Iterator[Row]:
        for path in self.files.get(unit, ()):
            for rows in read_pickles(path):
                for row in rows:
                    if type(row) is tuple:
                        yield row
                    else:
                        yield from row.rows()

    def merge(self, other: DiskSpool) -> None:
        for unit, paths in other.files.items():
            self.files.setdefault(unit, []).extend(paths)
            self.counts[unit] = self.counts.get(unit, 0) + other.counts[unit]


Spool = MemorySpool | DiskSpool
