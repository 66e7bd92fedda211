"""Judging units across processes, with crash isolation.

The engine's C extension never releases the GIL and can segfault, so units are judged in worker
processes. A worker that dies takes down only the units it was judging: those are retried one by
one in fresh processes, and a unit that still kills its process is reported as not judged.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager, nullcontext
from typing import Any

from checker.engine.matches import Evaluator
from checker.run.stopping import raise_if_stopped

CRASHED = "the rule engine crashed while judging this unit / 规则引擎崩溃，该单位未检查"
UnitJob = Callable[[Evaluator | None, str], Any]  # the worker's evaluator; None when run_units got no factory
EvaluatorFactory = Callable[[], Evaluator]
IN_FLIGHT_PER_WORKER = 2
CHUNK_RECORDS = 50_000  # records per chunk, about: small enough for a worker to hold its results

_evaluator: Evaluator | None = None
# Set before the pool forks: workers inherit the job (and whatever it reads: batches, spools, the
# registries) and receive only unit ids, so no fact is pickled on the way out; only results return.
_job: UnitJob | None = None


def worker_signals() -> None:
    """A forked worker takes the default SIGTERM (die) and ignores SIGINT. It inherits the command's
    handlers otherwise: SIGTERM raised as an exception in a worker that the pool terminates (a sibling
    crashed) makes it try to report that exception through a pipe nobody reads any more — the pool
    then waits for it for ever. Ctrl-C is the parent's to handle: it stops the workers itself."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _start(factory: EvaluatorFactory | None) -> None:
    global _evaluator
    worker_signals()
    _evaluator = factory() if factory is not None else None


def _run(units: list[str]) -> dict[str, Any]:
    assert _job is not None
    return {unit: _job(_evaluator, unit) for unit in units}


def chunks_by_size(sizes: dict[str, int], workers: int, per_worker: int = 4) -> list[list[str]]:
    """At least `per_worker` chunks per worker and about CHUNK_RECORDS records per chunk, balanced by
    size, so one big unit does not idle the rest and no chunk's results are large."""
    ordered = sorted(sizes, key=lambda unit: sizes[unit], reverse=True)
    count = max(1, min(len(ordered), max(workers * per_worker, sum(sizes.values()) // CHUNK_RECORDS)))
    chunks: list[list[str]] = [[] for _ in range(count)]
    totals = [0] * count
    for unit in ordered:
        smallest = totals.index(min(totals))
        chunks[smallest].append(unit)
        totals[smallest] += sizes[unit] + 1
    return [c for c in chunks if c]


def default_workers() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)


def run_units(job: UnitJob, factory: EvaluatorFactory | None, chunks: list[list[str]], workers: int,
              accept: Callable[[str, Any], None], fresh: bool = False,
              retried: set[str] | None = None) -> dict[str, str]:
    """`job(evaluator, unit)` for every unit, in `workers` forked processes; each result is handed to
    `accept(unit, result)` as its chunk completes. Returns the units that could not be judged, with
    the reason. With `factory` None, workers hold no evaluator (the job makes its own). With `fresh`
    (the job and factory can be pickled), a unit that crashes a forked worker alone is tried once more
    in a new interpreter, where the engine's memory-layout crashes rarely follow it; it is added to
    `retried` when that succeeds."""
    global _job
    context = multiprocessing.get_context("fork")
    _job = job
    try:
        suspects = _first_pass(chunks, workers, factory, context, accept)
        not_judged: dict[str, str] = {}
        for unit in _isolate(suspects, factory, context, accept):
            result = _in_fresh_interpreter(job, factory, unit) if fresh else None
            if result is None:
                not_judged[unit] = CRASHED
            else:
                accept(unit, result)
                if retried is not None:
                    retried.add(unit)
    finally:
        _job = None
    return not_judged


@contextmanager
def _pool(workers: int, factory: EvaluatorFactory | None, context: Any) -> Iterator[ProcessPoolExecutor]:
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_start, initargs=(factory,))
    try:
        yield pool
    except BaseException:
        # Ctrl-C, SIGTERM or an error here: stop the workers now instead of waiting for their chunks.
        # ProcessPoolExecutor has no public way to end its processes; `_processes` is its own table.
        for process in dict(getattr(pool, "_processes", None) or {}).values():
            process.terminate()
        for process in dict(getattr(pool, "_processes", None) or {}).values():
            process.join()
        # A worker ended while it wrote a result leaves half a message in the result pipe: the pool's
        # manager thread then waits in its read for the rest, and shutdown (and the interpreter's exit)
        # for the thread, for ever (seen: tests/test_stopping.py, one run in a few). The workers are
        # gone; with this process's own end of the pipe closed too, the read ends and the thread with it.
        writer = getattr(getattr(pool, "_result_queue", None), "_writer", None)
        if writer is not None:
            writer.close()
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown(wait=True)


def _first_pass(chunks: list[list[str]], workers: int, factory: EvaluatorFactory | None, context: Any,
                accept: Callable[[str, Any], None]) -> list[str]:
    """Every chunk, a few per worker in flight: a finished chunk's results are handed on and dropped
    before the next is sent, so the parent never holds more than those. Returns the units of the
    chunks a dead worker took down (guilty or not)."""
    suspects: list[str] = []
    with _pool(workers, factory, context) as pool:
        waiting = list(reversed(chunks))
        running: dict[Future, list[str]] = {}
        broken = False
        while (waiting or running) and not broken:
            try:
                while waiting and len(running) < workers * IN_FLIGHT_PER_WORKER:
                    running[pool.submit(_run, waiting[-1])] = waiting[-1]
                    waiting.pop()
            except BrokenProcessPool:
                break
            finished, _ = wait(running, return_when=FIRST_COMPLETED)
            raise_if_stopped()  # a stop dropped where it was raised: the pool is stopped now (`_pool`)
            for future in finished:
                chunk = running.pop(future)
                try:
                    done = future.result()
                except BrokenProcessPool:
                    broken = True
                    suspects += chunk
                    continue
                for unit, result in done.items():
                    accept(unit, result)
        suspects += [unit for chunk in [*running.values(), *reversed(waiting)] for unit in chunk]
    return suspects


def _isolate(suspects: list[str], factory: EvaluatorFactory | None, context: Any,
             accept: Callable[[str, Any], None]) -> list[str]:
    """One process judging one suspect per task, in order: when it dies, the first unit left
    unfinished is the one it died on; that one is tried once more alone, to be sure. Returns the
    units that crashed a forked worker alone."""
    crashed = []
    while suspects:
        with _pool(1, factory, context) as pool:
            futures: list[Future | None] = [pool.submit(_run, [unit]) for unit in suspects]
            for position, unit in enumerate(suspects):
                try:
                    accept(unit, futures[position].result()[unit])  # type: ignore[union-attr]
                    futures[position] = None  # its results are handed on: do not keep them
                except BrokenProcessPool:
                    suspects = suspects[position + 1:]
                    if not _alone(unit, factory, context, accept):
                        crashed.append(unit)
                    break
            else:
                suspects = []
    return crashed


def _alone(unit: str, factory: EvaluatorFactory | None, context: Any, accept: Callable[[str, Any], None]) -> bool:
    with _pool(1, factory, context) as pool:
        try:
            accept(unit, pool.submit(_run, [unit]).result()[unit])
            return True
        except BrokenProcessPool:
            return False


def _judge_fresh(job: UnitJob, factory: EvaluatorFactory | None, unit: str) -> Any:
    with factory() if factory is not None else nullcontext(None) as evaluator:
        return job(evaluator, unit)


def _in_fresh_interpreter(job: UnitJob, factory: EvaluatorFactory | None, unit: str) -> Any | None:
    """The unit's result from a new interpreter (spawn), or None if the engine crashed there too."""
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        try:
            return pool.submit(_judge_fresh, job, factory, unit).result()
        except BrokenProcessPool:
            return None
