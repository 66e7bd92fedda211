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


def _start(found: list[Matcher]) -> None:
    global _engine
    _engine = Engine(found)


def _judge(batches: list[UnitBatch]) -> dict[str, list[EngineMatch]]:
    assert _engine is not None
    return {batch.unit: _engine.judge(batch) for batch in batches}


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
    suspects: list[UnitBatch] = []
    with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_start,
                             initargs=(found,)) as pool:
        futures = [(pool.submit(_judge, chunk), chunk) for chunk in _chunks(batches, workers)]
        for future, chunk in futures:
            try:
                results.update(future.result())
            except BrokenProcessPool:
                suspects += chunk  # a dead worker fails every unfinished chunk, guilty or not
    not_judged: dict[str, str] = {}
    for batch in suspects:  # each alone in a fresh process: a crash now names its unit
        with ProcessPoolExecutor(max_workers=1, mp_context=context, initializer=_start,
                                 initargs=(found,)) as pool:
            try:
                results.update(pool.submit(_judge, [batch]).result())
            except BrokenProcessPool:
                not_judged[batch.unit] = CRASHED
    return results, not_judged
