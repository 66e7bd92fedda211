"""The distinct scopes of a run's standards, for checker.verdict.coverage: whether each binds a unit is
asked once per unit, not once per rule (issue 18)."""

from __future__ import annotations

from typing import Any

from checker.ruleset.schema import Scope

# What a scope says that is not whom among units it binds: its article's text, and whether it binds
# party members only (asked of each record, checker.ruleset.standards.Resolver, not of the unit).
_NOT_OF_UNITS = frozenset({"text", "party_members"})


class Scopes:
    """A scope is its fields: equal scopes bind the same units. Scopes that differ only in what they
    say of persons or in their text (most of a run's 32 at 1M: 12 distinct left) bind the same units
    too: each of those is asked once per unit (binding: 133 -> ~50 µs a unit, heavy set)."""

    def __init__(self) -> None:
        self.scopes: list[Scope] = []
        self._index: dict[str, int] = {}
        self._of_units: list[Scope] = []  # the scopes distinct in whom among units they bind
        self._of_units_index: dict[str, int] = {}
        self._of_units_at: list[int] = []  # per scope, its place in _of_units

    def add(self, scope: Scope) -> int:
        index = self._index.get(repr(scope))
        if index is None:
            index = self._index[repr(scope)] = len(self.scopes)
            self.scopes.append(scope)
            of_units = repr(scope.model_dump(exclude=set(_NOT_OF_UNITS)))
            at = self._of_units_index.get(of_units)
            if at is None:
                at = self._of_units_index[of_units] = len(self._of_units)
                self._of_units.append(scope)
            self._of_units_at.append(at)
        return index

    def binding(self, unit: Any) -> list[bool]:
        """Which scopes bind the unit, as Resolver asks (no unit known: none)."""
        if unit is None:
            return [False] * len(self.scopes)
        binds = [scope.binds_unit(unit) for scope in self._of_units]
        return list(map(binds.__getitem__, self._of_units_at))
