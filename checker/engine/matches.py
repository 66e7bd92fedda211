"""What an evaluator returns: which rule matched which records of a unit."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from checker.facts.derive import UnitBatch


@dataclass(frozen=True)
class EngineMatch:
    rule_id: str
    records: tuple[tuple[str, str, str], ...]  # (alias, record type, record id)
    standards: tuple[int, ...] | None = None  # the alternative's standards (None: an obligation's, on its fact)


class Evaluator(Protocol):
    """Judges one unit's facts at a time; holds its compiled rules until closed."""

    def judge(self, batch: UnitBatch) -> list[EngineMatch]: ...

    def close(self) -> None: ...

    def __enter__(self) -> Evaluator: ...

    def __exit__(self, *exc: object) -> None: ...
