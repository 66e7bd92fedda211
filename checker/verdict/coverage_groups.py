"""A unit's records of one type, grouped by what the rules of the type read of them before judging,
so that checker.verdict.coverage takes each group through a rule's gates once (issue 18).

What a rule's gates read of a record (checker.verdict.coverage._outcome): the values its `applies`
tests and row selectors read (and print, in a 'no standard' detail), which of the fields it needs
are missing, and what the standard resolver is asked — the day, which only matters up to the days
on which some standard or gap starts or ends, and party membership. Records alike in all of it are
judged alike, in every unit whose units the rule's standards bind alike. The records of a type are
grouped once by all that the type's rules read (one pass over them, mostly in C: a column at a time);
each rule sees the groups merged by what it reads itself (the rules reading no values of a type see
a few groups at most).

A key holds the things read, never a record: a value as itself and its type (1, 1.0 and True are
equal, but a yes/no test or a 'no standard' detail tells them apart; a printed float as its repr:
0.0 and -0.0 are equal too), absent apart from None (a 'no standard' detail prints '—' for absent).
Groups keep the order of their first record, and a view the order of its groups' first records: so
a count or detail added a group at a time is added in the order record by record would add it.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass, field
from functools import partial
from itertools import repeat
from operator import is_, itemgetter
from typing import Any

from checker.ruleset import conditions as expr


class _Absent:
    """A field the record does not have: one object, in a fresh interpreter too (keys are pickled)."""

    def __reduce__(self) -> str:
        return "_ABSENT"


_ABSENT = _Absent()
_NONE = frozenset([None])
OUTCOMES_KEPT = 4096  # outcomes remembered per rule and binding: keys with values (days, amounts) are many


@dataclass
class Reads:
    """What the rules (coverage plans) of one record type read of a record, and where each thing
    read sits in a group key (columns, in this order: span of days; party membership, its type and
    whether a person is named; fields missing; each value and its type)."""
    plans: tuple[Any, ...]
    values: tuple[str, ...]  # fields whose values a gate reads: `applies` tests, row selectors
    printed: frozenset[str]  # of those, the ones a 'no standard' detail prints
    present: tuple[str, ...]  # fields only whose presence a gate reads (`applies` and needed fields)
    days: list[int]  # days on which a standard or gap of some rule starts, or the day after one ends
    party: bool  # some standard binds party members only: the resolver's answer depends on membership
    views: list[tuple[int, ...] | None] = field(default_factory=list)  # per plan, its columns (None: all)
    missing: dict[tuple[bool, ...], int] = field(default_factory=dict, repr=False)  # patterns of `present` missing
    # per plan: which of its standards bind the unit -> its group key -> what the rule makes of the group
    outcomes: list[dict[tuple[bool, ...], dict[Any, Any]]] = field(default_factory=list, repr=False)

    @classmethod
    def of(cls, plans: list[Any]) -> Reads:
        value_fields = [_value_fields(plan) for plan in plans]
        values = tuple(sorted(set().union(*value_fields)))
        present: set[str] = set()
        days: set[int] = set()
        printed: set[str] = set()
        for plan in plans:
            present.update(plan.applies_fields)
            if plan.active.skipped is None:  # a rule that does not run reads its `applies` only
                for needed in plan.needed.values():
                    present.update(needed)
                printed.update(name for rows in plan.rows.values() for name in rows.fields)
                days.update(_changes(plan))
        party = [plan.active.skipped is None and any(s.scope.party_members for s in plan.active.standards)
                 for plan in plans]
        reads = cls(tuple(plans), values, frozenset(printed), tuple(sorted(present - set(values))), sorted(days),
                    any(party))
        reads.views = [reads._columns(plan, reads_party, fields | _presence_fields(plan))
                       for plan, reads_party, fields in zip(plans, party, value_fields, strict=True)]
        reads.outcomes = [{} for _ in plans]
        return reads

    def _columns(self, plan: Any, reads_party: bool, fields: set[str]) -> tuple[int, ...] | None:
        """The columns of a group key the rule reads (`fields`: the fields it reads, a value or whether
        it is missing); None: all of them."""
        columns: list[int] = []
        at = 0
        if self.days:
            if plan.active.skipped is None:
                columns.append(at)
            at += 1
        if self.party:
            if reads_party:
                columns += [at, at + 1, at + 2]
            at += 3
        if self.present:
            columns.append(at)
            at += 1
        for name in self.values:
            if name in fields:
                columns += [at, at + 1]
            at += 2
        return None if len(columns) == at else tuple(columns)

    def fits(self, plans: list[Any]) -> bool:
        """Worked out for these very plans (coverage.plans() works them out once per run)."""
        return len(self.plans) == len(plans) and all(map(is_, self.plans, plans))


def _value_fields(plan: Any) -> set[str]:
    tests = [*plan.applies]
    if plan.active.skipped is None:
        tests += [test for rows in plan.rows.values() for selector in rows.selectors for test in selector]
    found = {name for test in tests for alias, name in expr.fields_of(test.cond) if alias is None}
    if plan.active.skipped is None:
        found.update(name for rows in plan.rows.values() for name in rows.fields)  # printed in 'no standard' details
    return found


def _presence_fields(plan: Any) -> set[str]:
    found = set(plan.applies_fields)
    if plan.active.skipped is None:
        found.update(name for needed in plan.needed.values() for name in needed)
    return found


def _changes(plan: Any) -> set[int]:
    """The days on which Resolver._resolve's answer for the rule may change: a standard's or gap's
    first day, the day after its last (bounds are inclusive). Between two of them the same standards
    are in force and the same gap declared (tests/test_coverage_speed.py asks the resolver)."""
    days = set()
    for standard in plan.active.standards:
        days.update((standard.start, standard.end + 1))
    for gap in plan.active.rule.gaps:
        days.add(gap.start.toordinal())
        if gap.end is not None:
            days.add(gap.end.toordinal() + 1)
    return days


class Groups:
    """The records of one type in a unit, grouped by all the type's rules read: key -> size, in the
    order of each group's first record, and a record of each group (any stands for all of it)."""

    def __init__(self, reads: Reads, facts: list[dict[str, Any]]):
        self.reads = reads
        self.facts = facts
        self.keys = _keys(reads, facts)
        self.sizes = Counter(self.keys)
        self.sample = dict(zip(self.keys, facts, strict=True))
        self.views: dict[tuple[int, ...] | None, Grouped] = {}

    def view(self, position: int) -> Grouped:
        """The groups as the type's plan at `position` tells them apart."""
        columns = self.reads.views[position]
        found = self.views.get(columns)
        if found is None:
            found = self.views[columns] = Grouped.merged(self, columns)
        return found

    def judged_records(self) -> int:
        """Records some rule judged, counted as distinct ids."""
        judged: set[Any] = set()
        for view in self.views.values():
            if view.judged:
                merged = view.merged_keys if view.merged_keys is not None else self.sizes
                judged.update(key for key, merged_key in zip(self.sizes, merged, strict=True) if merged_key in view.judged)
        if not judged:
            return 0
        rid = itemgetter("rid")
        if len(judged) == len(self.sizes):
            return len(set(map(rid, self.facts)))
        return len({rid(fact) for fact, key in zip(self.facts, self.keys, strict=True) if key in judged})


@dataclass
class Grouped:
    """Groups as one rule tells them apart, in the order of their first record; which it judged."""
    sizes: dict[Any, int]
    sample: dict[Any, dict[str, Any]]
    merged_keys: list[Any] | None  # for each group of the type, in order, its key here (None: the same)
    judged: set[Any]

    @classmethod
    def merged(cls, groups: Groups, columns: tuple[int, ...] | None) -> Grouped:
        if columns is None:
            return cls(groups.sizes, groups.sample, None, set())
        merged_keys = list(map(itemgetter(*columns), groups.sizes)) if columns else [()] * len(groups.sizes)
        sizes: dict[Any, int] = {}
        sample: dict[Any, dict[str, Any]] = {}
        for key, merged, size in zip(groups.sizes, merged_keys, groups.sizes.values(), strict=True):
            if merged in sizes:
                sizes[merged] += size
            else:
                sizes[merged] = size
                sample[merged] = groups.sample[key]
        return cls(sizes, sample, merged_keys, set())


def _keys(reads: Reads, facts: list[dict[str, Any]]) -> list[tuple]:
    """Each record's group key (the columns of Reads). Built a column at a time, in C where it can
    be (map over the records): this is the one pass over every record of the type."""
    columns: list[Any] = []
    if reads.days:
        columns.append(_day_spans(reads.days, facts))
    if reads.party:  # as the resolver is asked: the membership, or whether a person is named at all
        members = _column(facts, "person_party_member")
        columns += [members, map(type, members), map(dict.__contains__, facts, repeat("person"))]
    if reads.present:
        columns.append(_missing(reads, facts))
    for name in reads.values:
        values = _column(facts, name)
        types = list(map(type, values))
        if name in reads.printed and float in types:
            values = list(map(repr, values))
        columns += [values, types]
    if not columns:
        return [()] * len(facts)
    return list(zip(*columns, strict=True))


def _column(facts: list[dict[str, Any]], name: str) -> list[Any]:
    return list(map(dict.get, facts, repeat(name), repeat(_ABSENT)))


def _day_spans(changes: list[int], facts: list[dict[str, Any]]) -> Any:
    """Each record's span of days between two changes (its day as the resolver is asked it)."""
    days = list(map(dict.get, facts, repeat("day"), repeat(0)))
    if not days:
        return days
    try:
        first = bisect_right(changes, min(days))
        if first == bisect_right(changes, max(days)):  # no change among the unit's days: most often
            return repeat(first, len(days))
        return map(partial(bisect_right, changes), days)
    except TypeError:  # a day that is not a number: a group of its own, the resolver will say
        return [bisect_right(changes, day) if isinstance(day, int) else ("day", repr(day)) for day in days]


def _missing(reads: Reads, facts: list[dict[str, Any]]) -> list[int]:
    """Which of the fields are missing (absent or None), per record, as the number of that pattern
    (reads.missing). Most records of a type miss the same fields as the first: those are tested for
    that (in C), the rest field by field."""
    if not facts:
        return []
    names, patterns = reads.present, reads.missing
    first = facts[0]
    usual = [name for name in names if first.get(name) is not None]
    usually_missing = frozenset(name for name in names if first.get(name) is None)
    like_first = patterns.setdefault(tuple(name in usually_missing for name in names), len(patterns))
    try:
        if not usually_missing:
            return [like_first if _NONE.isdisjoint(map(f.get, usual))
                    else patterns.setdefault(tuple(f.get(name) is None for name in names), len(patterns)) for f in facts]
        return [like_first if _NONE.isdisjoint(map(f.get, usual)) and f.keys().isdisjoint(usually_missing)
                else patterns.setdefault(tuple(f.get(name) is None for name in names), len(patterns)) for f in facts]
    except TypeError:  # a value that cannot be hashed: compared with None instead
        return [like_first if None not in map(f.get, usual) and f.keys().isdisjoint(usually_missing)
                else patterns.setdefault(tuple(f.get(name) is None for name in names), len(patterns)) for f in facts]
