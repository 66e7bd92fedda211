"""Judging units across processes, with crash isolation.

The engine's C extension never releases the GIL and can segfault, so units are judged in worker
processes. A worker that dies takes down only the units it was judging: those are retried one by
one in fresh processes, and a unit that still kills its process is reported as not judged.
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from .compile import Matcher
from .derive import UnitBatch
from .engine import Engine, EngineMatch

_engine: Engine | None = None
# Set before the pool forks: workers inherit the batches and receive only unit ids, so no fact is
# pickled on the way out (only the small match lists come back).
_batches: dict[str, UnitBatch] = {}


def _start(found: list[Matcher]) -> None:
    global _engine
    _engine = Engine(found)


def _judge(units: list[str]) -> dict[str, list[EngineMatch]]:
    assert _engine is not None
    return {unit: _engine.judge(_batches[unit]) for unit in units}


def _chunks(batches: list[UnitBatch], workers: int) -> list[list[UnitBatch]]:
    """About four chunks per worker, balanced by fact count, so one big unit does not idle the rest."""
    ordered = sorted(batches, key=lambda b: len(b.facts), reverse=True)
    count = max(1, min(len(ordered), workers * 4))
    chunks: list[list[UnitBatch]] = [[] for _ in range(count)]
    sizes = [0] * count
    for batch in ordered:
        smallest = sizes.index(min(sizes))
        chunks[smallest].append(batch)
        sizes[smallest] += len(batch.facts) + 1
    return [c for c in chunks if c]


def default_workers() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)


CRASHED = "the rule engine crashed while judging this unit / 规则引擎崩溃，该单位未检查"


def evaluate(found: list[Matcher], batches: list[UnitBatch],
             workers: int) -> tuple[dict[str, list[EngineMatch]], dict[str, str]]:
    """Matches per unit, and the units that could not be judged with the reason."""
    context = multiprocessing.get_context("fork")
    results: dict[str, list[EngineMatch]] = {}
    suspects: list[str] = []
    _batches.clear()
    _batches.update({b.unit: b for b in batches})
    try:
        with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_start,
                                 initargs=(found,)) as pool:
            chunks = [[b.unit for b in chunk] for chunk in _chunks(batches, workers)]
            futures = [(pool.submit(_judge, chunk), chunk) for chunk in chunks]
            for future, chunk in futures:
                try:
                    results.update(future.result())
                except BrokenProcessPool:
                    suspects += chunk  # a dead worker fails every unfinished chunk, guilty or not
        not_judged: dict[str, str] = {}
        for unit in suspects:  # each alone in a fresh process: a crash now names its unit
            with ProcessPoolExecutor(max_workers=1, mp_context=context, initializer=_start,
                                     initargs=(found,)) as pool:
                try:
                    results.update(pool.submit(_judge, [unit]).result())
                except BrokenProcessPool:
                    not_judged[unit] = CRASHED
    finally:
        _batches.clear()
    return results, not_judged
