"""The same per-unit partitions on a Dask cluster (`lianjian check --scheduler tcp://HOST:8786`).

Each task judges a chunk of units with its own engine; the compiled rules are sent to the workers
once. A chunk whose worker keeps dying (the engine can segfault) is split and retried unit by
unit, and a unit that still kills its worker is reported as not judged, as with local workers.
"""

from __future__ import annotations

from .compile import Matcher
from .derive import UnitBatch
from .engine import Engine, EngineMatch
from .parallel import CRASHED, _chunks


def _judge_chunk(found: list[Matcher], batches: list[UnitBatch]) -> dict[str, list[EngineMatch]]:
    with Engine(found) as engine:
        return {batch.unit: engine.judge(batch) for batch in batches}


def evaluate(found: list[Matcher], batches: list[UnitBatch],
             scheduler: str) -> tuple[dict[str, list[EngineMatch]], dict[str, str]]:
    from distributed import Client
    from distributed.scheduler import KilledWorker

    results: dict[str, list[EngineMatch]] = {}
    not_judged: dict[str, str] = {}
    with Client(scheduler) as client:
        workers = max(1, len(client.scheduler_info().get("workers", {})))
        rules = client.scatter(found, broadcast=True)
        chunks = _chunks(batches, workers)
        futures = client.map(_judge_chunk, [rules] * len(chunks), chunks, pure=False)
        suspects: list[UnitBatch] = []
        for future, chunk in zip(futures, chunks, strict=True):
            try:
                results.update(future.result())
            except KilledWorker:
                suspects += chunk
        for batch in suspects:
            try:
                results.update(client.submit(_judge_chunk, rules, [batch], pure=False).result())
            except KilledWorker:
                not_judged[batch.unit] = CRASHED
    return results, not_judged
