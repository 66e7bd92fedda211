"""An independent evaluator of matchers in plain Python, with the engine's semantics.

It shares nothing with the adapter but the matchers and the condition semantics in `expr.holds`;
the differential test runs both over thousands of random records and demands identical matches.
"""

from __future__ import annotations

from typing import Any

from checker.engine.matches import EngineMatch
from checker.facts.derive import UnitBatch
from checker.ruleset import conditions as expr
from checker.ruleset.matchers import Alternative, Matcher, PartMatcher


def _fits(part: PartMatcher, fact: dict[str, Any], joined: dict[str, dict[str, Any]]) -> bool:
    context = {**joined, part.alias: fact}
    return all(expr.holds(c, fact, context) for c in part.conditions)


def _bindings(alternative: Alternative, facts: list[dict[str, Any]]):
    def extend(index: int, joined: dict[str, dict[str, Any]]):
        if index == len(alternative.parts):
            yield dict(joined)
            return
        part = alternative.parts[index]
        for fact in facts:
            if fact["t"] == part.record and _fits(part, fact, joined):
                joined[part.alias] = fact
                yield from extend(index + 1, joined)
                del joined[part.alias]
    yield from extend(0, {})


def judge(found: list[Matcher], batch: UnitBatch) -> list[EngineMatch]:
    matches = []
    for matcher in found:
        for alternative in matcher.alternatives:
            for joined in _bindings(alternative, batch.facts):
                unless = alternative.unless
                if unless and any(f["t"] == unless.record and _fits(unless, f, joined) for f in batch.facts):
                    continue
                matches.append(EngineMatch(matcher.id, tuple(
                    (alias, fact["t"], fact["rid"]) for alias, fact in sorted(joined.items())), alternative.standards))
    return matches


def evaluate(found: list[Matcher], unit_batches: list[UnitBatch]) -> dict[str, list[EngineMatch]]:
    return {batch.unit: judge(found, batch) for batch in unit_batches}


class ReferenceEvaluator:
    """`judge` over matchers in plain Python, with the same interface as the durable-rules engine."""

    def __init__(self, found: list[Matcher]):
        self.found = found

    def judge(self, batch: UnitBatch) -> list[EngineMatch]:
        return judge(self.found, batch)

    def close(self) -> None:
        """Nothing is held outside Python."""

    def __enter__(self) -> ReferenceEvaluator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
