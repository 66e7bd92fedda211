"""Duplicate ids across the whole data set, found without holding it: a 64-bit hash and the place
of every activity row that gives an id (16 bytes a row, in buckets, on disk for a check of files).
The one duplicate rule: ids are compared among all rows that give one, valid or not, so a repeated
id is reported even when one of its rows is invalid for another reason."""

from __future__ import annotations

from array import array
from collections import Counter
from collections.abc import Callable
from itertools import repeat
from pathlib import Path

BUCKETS = 64  # a power of two (see keys_of)


def keys_of(record_type: str, idents: list[str]) -> list[int]:
    """Each id's key: its hash with the record type's. A key's bucket is `key % BUCKETS` (which is
    `key & (BUCKETS - 1)`: BUCKETS is a power of two). str hashes are salted per interpreter; helper
    processes are forked, so they share it."""
    return list(map(hash, zip(repeat(record_type), idents)))


def place_of(index: int, row_number: int) -> int:
    return index << 32 | row_number


class IdIndex:
    def __init__(self, folder: Path | None):
        self.folder = folder  # None: the buckets stay in memory
        self.hashes = [array("q") for _ in range(BUCKETS)]
        self.places = [array("q") for _ in range(BUCKETS)]
        self.folders: list[Path] = [folder] if folder else []  # this pass's and its helpers'

    def add(self, record_type: str, ident: str, index: int, row_number: int) -> None:
        key = hash((record_type, ident))  # as keys_of
        bucket = key % BUCKETS
        self.hashes[bucket].append(key)
        self.places[bucket].append(place_of(index, row_number))

    def add_by_bucket(self, keys: array, places: array, counts: list[int]) -> None:
        """`add` for many rows whose keys (`keys_of`) and places are in bucket order already, `counts`
        of each bucket: a slice a bucket, not a row at a time (the columnar path's rows, sorted by
        polars)."""
        start = 0
        for bucket, count in enumerate(counts):
            if count:
                self.hashes[bucket] += keys[start:start + count]
                self.places[bucket] += places[start:start + count]
                start += count

    def flush(self) -> None:
        if self.folder is None:
            return
        for bucket in range(BUCKETS):
            if self.hashes[bucket]:
                with (self.folder / f"ids-{bucket}.bin").open("ab") as handle:
                    self.hashes[bucket].tofile(handle)
                with (self.folder / f"places-{bucket}.bin").open("ab") as handle:
                    self.places[bucket].tofile(handle)
                self.hashes[bucket], self.places[bucket] = array("q"), array("q")

    def merge(self, other: IdIndex) -> None:
        if other.folder is not None:
            self.folders.append(other.folder)
        for bucket in range(BUCKETS):
            self.hashes[bucket].extend(other.hashes[bucket])
            self.places[bucket].extend(other.places[bucket])

    def _bucket(self, bucket: int) -> tuple[array, array]:
        hashes, places = array("q"), array("q")
        for folder in self.folders:
            if (folder / f"ids-{bucket}.bin").exists():
                hashes.frombytes((folder / f"ids-{bucket}.bin").read_bytes())
                places.frombytes((folder / f"places-{bucket}.bin").read_bytes())
        hashes.extend(self.hashes[bucket])
        places.extend(self.places[bucket])
        return hashes, places

    def repeats(self) -> list[tuple[int, int]]:
        """(place of the first, place of a later row) for every hash seen more than once."""
        repeated: list[tuple[int, int]] = []
        for bucket in range(BUCKETS):
            hashes, places = self._bucket(bucket)
            if len(set(hashes)) == len(hashes):
                continue  # the usual case, checked at C speed
            counts = Counter(hashes)
            first: dict[int, int] = {}
            for key, place in sorted((k, p) for k, p in zip(hashes, places, strict=True) if counts[k] > 1):
                if key in first:
                    repeated.append((first[key], place))
                else:
                    first[key] = place
        return repeated

    def duplicates(self, ids_at: Callable[[set[int]], dict[int, tuple[str, str, str]]]
                   ) -> list[tuple[int, int, tuple[str, str, str], tuple[str, str, str]]]:
        """(first place, later place, (type, id, unit) of each) for every real repeat, in the order
        of the later rows; `ids_at` reads the rows back (only done when a hash repeats)."""
        repeated = self.repeats()
        if not repeated:
            return []
        ids = ids_at({p for pair in repeated for p in pair})
        found = []
        for first, later in sorted(repeated, key=lambda pair: pair[1]):
            if ids[first][:2] == ids[later][:2]:  # else two ids with one 64-bit hash: not a duplicate
                found.append((first, later, ids[first], ids[later]))
        return found
