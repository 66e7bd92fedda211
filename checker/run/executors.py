"""Who runs the unit job, chosen in one place (as sqlfluff's `get_runner` picks its runner by
process count): in this process, in forked worker processes with crash isolation, or on a Dask
cluster. Each takes the job, the units with their sizes, an evaluator factory (each worker builds
its own evaluator: the engine's rulesets cannot cross processes), and `accept(unit, outcome)`; each
returns the units it could not judge, with the reason."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import nullcontext
from typing import Any, Protocol

from checker.run.processes import EvaluatorFactory, UnitJob, chunks_by_size, run_units
from checker.run.stopping import raise_if_stopped

Accept = Callable[[str, Any], None]


class Executor(Protocol):
    def run(self, job: UnitJob, sizes: dict[str, int], factory: EvaluatorFactory | None,
            accept: Accept) -> dict[str, str]: ...


class InProcess:
    """One evaluator, every unit in turn, here: for rule examples (each already in a worker of its
    own) and for tests. An engine crash ends the process."""

    def run(self, job: UnitJob, sizes: dict[str, int], factory: EvaluatorFactory | None,
            accept: Accept) -> dict[str, str]:
        with factory() if factory is not None else nullcontext(None) as evaluator:
            for unit in sizes:
                accept(unit, job(evaluator, unit))
                raise_if_stopped()  # (checker/run/stopping.py)
        return {}


class Processes:
    """Forked workers, a few chunks each in flight; a worker that dies takes only its units, which
    are retried one by one, then in a fresh interpreter (`checker.run.processes`). With one worker
    too: the engine can segfault, and a crash must leave a report that says which unit was not judged."""

    def __init__(self, workers: int):
        self.workers = workers

    def run(self, job: UnitJob, sizes: dict[str, int], factory: EvaluatorFactory | None,
            accept: Accept) -> dict[str, str]:
        chunks = chunks_by_size(sizes, self.workers, per_worker=16)
        return run_units(job, factory, chunks, self.workers, accept, fresh=True)


class Cluster:
    def __init__(self, scheduler: str):
        self.scheduler = scheduler

    def run(self, job: UnitJob, sizes: dict[str, int], factory: EvaluatorFactory | None,
            accept: Accept) -> dict[str, str]:
        from checker.run.cluster import run_on_cluster

        assert factory is not None, "a cluster judges: it needs an evaluator"
        return run_on_cluster(self.scheduler, job, factory, sizes, accept)


def get_executor(workers: int = 1, scheduler: str | None = None, isolate: bool = True) -> Executor:
    """A Dask scheduler wins; otherwise `workers` forked processes, or this process when crash
    isolation is not wanted (the caller is itself an isolated worker, or a test)."""
    if scheduler:
        return Cluster(scheduler)
    if isolate:
        return Processes(max(1, workers))
    return InProcess()
