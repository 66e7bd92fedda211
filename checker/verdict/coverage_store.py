"""Each judged unit's coverage (checker.verdict.coverage: a row per rule with records in its scope,
and per record type), kept until the report reads it back in unit order.

A coverage row is a rule × unit: a check of ten million records in ten thousand units has over a
million of them. Held as dicts in the parent process until the report they grew it by ~70 KB a
unit (441 MB at 3M records, 1.37 GB at 10M). So for a check of files each unit's coverage is
pickled to an anonymous temporary file as it arrives, and only its place and the one count the
run reads before the report (records dated in the audit period) stay in memory; data already in
memory keeps it in memory. Either way it is read as a mapping, unit → coverage, in unit order.
"""

from __future__ import annotations

import pickle
import tempfile
from collections.abc import Iterator
from typing import Any


class CoverageStore:
    def __init__(self, on_disk: bool = True):
        self._file = tempfile.TemporaryFile(prefix="lianjian-coverage-") if on_disk else None
        self._index: dict[str, Any] = {}  # unit -> (offset, size) on disk, or the coverage itself
        self.dated_in_period = 0

    def add(self, unit: str, covered: dict[str, Any]) -> None:
        self.dated_in_period += covered.get("dated_in_period", 0)
        if self._file is None:
            self._index[unit] = covered
            return
        blob = pickle.dumps(covered, protocol=pickle.HIGHEST_PROTOCOL)
        self._file.seek(0, 2)
        self._index[unit] = (self._file.tell(), len(blob))
        self._file.write(blob)

    def _read(self, place: Any) -> dict[str, Any]:
        if self._file is None:
            return place
        self._file.seek(place[0])
        return pickle.loads(self._file.read(place[1]))

    def items(self) -> Iterator[tuple[str, dict[str, Any]]]:
        for unit in sorted(self._index):
            yield unit, self._read(self._index[unit])

    def values(self) -> Iterator[dict[str, Any]]:
        return (covered for _, covered in self.items())

    def __len__(self) -> int:
        return len(self._index)

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
