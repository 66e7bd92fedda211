"""What an evaluator returns: which rule matched which records of a unit."""

from __future__ import annotations

from typing import NamedTuple, Protocol

from checker.facts.derive import UnitBatch


class EngineMatch(NamedTuple):
    """A named tuple, not a frozen dataclass: the heavy set makes ~230k of them, and a frozen
    dataclass's `__init__` (one `object.__setattr__` a field) made one match cost 1.45 µs in
    checker.engine.durable `matches_in`, against 0.88 µs as a tuple."""

    rule_id: str
    records: tuple[tuple[str, str, str], ...]  # (alias, record type, record id)
    standards: tuple[int, ...] | None = None  # the alternative's standards (None: an obligation's, on its fact)


class Evaluator(Protocol):
    """Judges one unit's facts at a time; holds its compiled rules until closed."""

    def judge(self, batch: UnitBatch) -> list[EngineMatch]: ...

    def close(self) -> None: ...

    def __enter__(self) -> Evaluator: ...

    def __exit__(self, *exc: object) -> None: ...
