"""The same unit job on a Dask cluster (`lianjian check --scheduler tcp://HOST:8786`).

Each task judges a chunk of units with its own evaluator; the evaluator factory and the unit
context (registries, rules) are sent to the workers once, and a chunk's rows travel with its task,
a few chunks per worker at a time, so the client holds no more than those. A chunk whose worker
keeps dying (the engine can segfault) is split and retried unit by unit, and a unit that still kills
its worker is reported as not judged, as with local workers.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from checker.run.processes import CRASHED, EvaluatorFactory, chunks_by_size
from checker.run.unit import UnitContext, UnitOutcome, judge_unit

IN_FLIGHT_PER_WORKER = 2
MAX_RESENDS = 20


def _judge_rows(factory: EvaluatorFactory, context: UnitContext,
                units: list[tuple[str, bool, list[Any]]]) -> dict[str, UnitOutcome]:
    with factory() as evaluator:
        return {unit: judge_unit(context, evaluator if judged else None, unit, rows) for unit, judged, rows in units}


def run_on_cluster(scheduler: str, job: Any, factory: EvaluatorFactory, sizes: dict[str, int],
                   accept: Callable[[str, Any], None]) -> dict[str, str]:
    """`job` is a `checker.run.check.UnitJob`: its context is scattered, its rows read as chunks are sent."""
    from concurrent.futures import CancelledError

    from distributed import Client, as_completed
    from distributed.scheduler import KilledWorker

    chunks = chunks_by_size(sizes, 1, per_worker=64)
    not_judged: dict[str, str] = {}
    with Client(scheduler) as client:
        workers = max(1, len(client.scheduler_info().get("workers", {})))

        def share() -> tuple[Any, Any]:
            return client.scatter(factory, broadcast=True), client.scatter(job.context, broadcast=True)

        def submit(chunk: list[str]) -> Any:
            shared_factory, shared_context = scattered[0]
            units = [(unit, unit in job.selected, list(job.parts.rows_of(unit))) for unit in chunk]
            return client.submit(_judge_rows, shared_factory, shared_context, units, pure=False)

        scattered = [share()]
        pending = list(reversed(chunks))
        running = as_completed()
        owner: dict[Any, list[str]] = {}
        suspects: list[str] = []

        def top_up() -> None:
            while pending and running.count() < workers * IN_FLIGHT_PER_WORKER:
                chunk = pending.pop()
                future = submit(chunk)
                owner[future.key] = chunk
                running.add(future)

        def resend() -> None:
            # Every worker holding the rules and registries died (replacements start empty): the
            # task did nothing wrong; send the shared data again, then the task.
            if len(scattered) > MAX_RESENDS:
                raise RuntimeError("the Dask cluster keeps losing the shared rules and registries")
            scattered.insert(0, share())

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
                accept(unit, submit([unit]).result()[unit])
            except KilledWorker:
                not_judged[unit] = CRASHED
            except CancelledError:
                resend()
                suspects.insert(0, unit)
    return not_judged
