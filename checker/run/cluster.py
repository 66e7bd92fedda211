"""The same per-unit partitions on a Dask cluster (`lianjian check --scheduler tcp://HOST:8786`).

Each task judges a chunk of units with its own engine; the compiled rules (and, for a streamed
check, the registries) are sent to the workers once, and a chunk's rows travel with its task, a few
chunks per worker at a time, so the client holds no more than those. A chunk whose worker keeps
dying (the engine can segfault) is split and retried unit by unit, and a unit that still kills its
worker is reported as not judged, as with local workers.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from checker.engine.durable import Engine, EngineMatch
from checker.facts.derive import UnitBatch
from checker.ruleset.matchers import Matcher
from checker.run.processes import CRASHED, chunks_by_size

if TYPE_CHECKING:
    from checker.run.partition import Partitioned
    from checker.run.stream import UnitContext, UnitOutcome

IN_FLIGHT_PER_WORKER = 2
MAX_RESENDS = 20


def _judge_batches(found: list[Matcher], batches: list[UnitBatch]) -> dict[str, list[EngineMatch]]:
    with Engine(found) as engine:
        return {batch.unit: engine.judge(batch) for batch in batches}


def _judge_rows(found: list[Matcher], context: UnitContext,
                units: list[tuple[str, bool, list[Any]]]) -> dict[str, UnitOutcome]:
    from checker.run.stream import judge_unit

    with Engine(found) as engine:
        return {unit: judge_unit(context, engine if judged else None, unit, rows) for unit, judged, rows in units}


def _run(scheduler: str, chunks: list[list[str]], submit: Callable[[Any, Any, list[str]], Any],
         shared: Callable[[Any], Any], accept: Callable[[str, Any], None]) -> dict[str, str]:
    from concurrent.futures import CancelledError

    from distributed import Client, as_completed
    from distributed.scheduler import KilledWorker

    not_judged: dict[str, str] = {}
    with Client(scheduler) as client:
        workers = max(1, len(client.scheduler_info().get("workers", {})))
        scattered = [shared(client)]
        pending = list(reversed(chunks))
        running = as_completed()
        owner: dict[Any, list[str]] = {}
        suspects: list[str] = []

        def top_up() -> None:
            while pending and running.count() < workers * IN_FLIGHT_PER_WORKER:
                chunk = pending.pop()
                future = submit(client, scattered[0], chunk)
                owner[future.key] = chunk
                running.add(future)

        def resend() -> None:
            # Every worker holding the rules and registries died (replacements start empty): the
            # task did nothing wrong; send the shared data again, then the task.
            if len(scattered) > MAX_RESENDS:
                raise RuntimeError("the Dask cluster keeps losing the shared rules and registries")
            scattered.insert(0, shared(client))

        top_up()
        for future in running:
            try:
                done = future.result()
            except KilledWorker:
                suspects += owner[future.key]
            except CancelledError:
                resend()
                pending.append(owner[future.key])
            else:
                for unit, result in done.items():
                    accept(unit, result)
            top_up()
        while suspects:
            unit = suspects.pop(0)
            try:
                accept(unit, submit(client, scattered[0], [unit]).result()[unit])
            except KilledWorker:
                not_judged[unit] = CRASHED
            except CancelledError:
                resend()
                suspects.insert(0, unit)
    return not_judged


def evaluate(found: list[Matcher], batches: list[UnitBatch],
             scheduler: str) -> tuple[dict[str, list[EngineMatch]], dict[str, str]]:
    """Matches per unit for batches already in memory."""
    by_unit = {b.unit: b for b in batches}
    chunks = chunks_by_size({b.unit: len(b.facts) for b in batches}, 1, per_worker=16)
    results: dict[str, list[EngineMatch]] = {}
    not_judged = _run(scheduler, chunks,
                      lambda client, rules, chunk: client.submit(_judge_batches, rules, [by_unit[u] for u in chunk],
                                                                 pure=False),
                      lambda client: client.scatter(found, broadcast=True), results.__setitem__)
    return results, not_judged


def judge_units(context: UnitContext, parts: Partitioned, found: list[Matcher], sizes: dict[str, int],
                selected: set[str], scheduler: str, accept: Callable[[str, UnitOutcome], None]) -> dict[str, str]:
    """A streamed check's units: each chunk's rows are read from the spools as the chunk is sent."""
    chunks = chunks_by_size(sizes, 1, per_worker=64)

    def submit(client: Any, shared: Any, chunk: list[str]) -> Any:
        rules, shared_context = shared
        units = [(unit, unit in selected, list(parts.rows_of(unit))) for unit in chunk]
        return client.submit(_judge_rows, rules, shared_context, units, pure=False)

    return _run(scheduler, chunks, submit,
                lambda client: (client.scatter(found, broadcast=True), client.scatter(context, broadcast=True)),
                accept)
