"""A report section's entries made into bytes by forked processes, a few units at a time, handed
back in report order.

Writing the JSON report of a findings-heavy check is most of what the check does after its units
are judged, in one process, while the cores that judged them idle: each finding is read back from
the store, made its report entry and encoded. That work is the same for every unit and needs only
what the parent holds (the store, read by position, and the report's lookups), so forked processes
do it unit by unit and the parent only writes what they send, in order. Few tasks are in flight at
once, so memory stays bounded however fast the parent writes.
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Callable, Iterator
from typing import Any

from checker.run.processes import worker_signals

IN_FLIGHT_PER_WORKER = 2

_make: Callable[[list[str]], bytes] | None = None  # set before the pool forks: children inherit it


def _run(units: list[str]) -> bytes:
    assert _make is not None
    return _make(units)


def in_order(groups: list[list[str]], make: Callable[[list[str]], bytes], workers: int) -> Iterator[bytes]:
    """`make(group)` for each group of units, in the groups' order: in `workers` forked processes
    when there are several of both, else here."""
    global _make
    if workers <= 1 or len(groups) <= 1:
        yield from map(make, groups)
        return
    _make = make
    try:
        context = multiprocessing.get_context("fork")
        with context.Pool(min(workers, len(groups)), initializer=worker_signals) as pool:
            pending: deque[Any] = deque()
            for group in groups:
                pending.append(pool.apply_async(_run, (group,)))
                if len(pending) >= workers * IN_FLIGHT_PER_WORKER:
                    yield pending.popleft().get()
            while pending:
                yield pending.popleft().get()
    finally:
        _make = None


def grouped(units: list[str], sizes: dict[str, int], per_group: int) -> list[list[str]]:
    """Consecutive units (report order is kept) in groups of about `per_group` entries; units
    without entries are left out."""
    groups: list[list[str]] = []
    current: list[str] = []
    total = 0
    for unit in units:
        size = sizes.get(unit, 0)
        if not size:
            continue
        current.append(unit)
        total += size
        if total >= per_group:
            groups.append(current)
            current, total = [], 0
    if current:
        groups.append(current)
    return groups
