"""A unit's records of one type, grouped by what the rules of the type read of them before judging,
so that checker.verdict.coverage takes each group through a rule's gates once (issue 18).

What a rule's gates read of a record (checker.verdict.coverage._outcome): the values its `applies`
tests and row selectors read (and print, in a 'no standard' detail), which of the fields it needs
are missing, and what the standard resolver is asked — the day, which only matters up to the days
on which some standard or gap starts or ends, and party membership. Records alike in all of it are
judged alike, in every unit whose units the rule's standards bind alike. The records of a type are
grouped once by all that the type's rules read, a column at a time, mostly in C; a column every
record holds alike (most: a unit's records of a type are mostly alike) is not made a key per record,
and when all are, the type is one group with no key per record at all. A rule's outcome is
remembered by the columns it reads itself (Reads.views): groups alike in those share it.

A key holds the things read, never a record: a value as itself and its type (1, 1.0 and True are
equal, but a yes/no test or a 'no standard' detail tells them apart; a printed float as its repr:
0.0 and -0.0 are equal too), absent apart from None (a 'no standard' detail prints '—' for absent).
Groups keep the order of their first record: so a count or detail added a group at a time is added
in the order record by record would add it.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass, field
from functools import partial
from itertools import chain, repeat
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
UNITS_KEPT = 1024  # per type, units' groups judged remembered (Reads.judged): a unit's keys, when values vary, are its own


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
    views: list[tuple[int, ...] | None] = field(default_factory=list)  # per plan, the columns it reads (None: all)
    missing: dict[tuple[bool, ...], int] = field(default_factory=dict, repr=False)  # patterns of `present` missing
    mixed: bool = field(default=False, repr=False)  # the last unit's records missed unlike fields (_missing)
    steady: tuple[str, ...] = field(default=(), repr=False)  # of `present`, given by all of the last such unit's
    # per plan: which of its standards bind the unit -> its group key -> what the rule makes of the group
    outcomes: list[dict[tuple[bool, ...], dict[Any, Any]]] = field(default_factory=list, repr=False)
    # which standards of the type's rules bind the unit, and the unit's group keys in order -> what each
    # rule makes of each group, and which groups some rule judged (units alike in both share them)
    judged: dict[tuple[Any, tuple], tuple[list[list[Any]], tuple[bool, ...]]] = field(default_factory=dict, repr=False)

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
        self.record_keys: Any = None  # each record's key among the varying columns (None: one group)
        self.full: dict[Any, tuple] = {}  # such a key -> the group's key
        self.sizes: dict[Any, int] = {}
        self._samples: dict[Any, dict[str, Any]] | None = None  # made when first asked (sample)
        if not facts:
            return
        fields = _Fields(facts)
        template, varying = _key_columns(reads, fields)
        if not varying:  # the records alike in all the rules read: one group, no key per record
            key = tuple(template)
            self.sizes[key] = len(facts)
        else:
            positions = [position for position, _ in varying]
            self.record_keys = varying[0][1] if len(varying) == 1 else list(zip(*(c for _, c in varying), strict=True))
            short_sizes = Counter(self.record_keys)
            one = len(positions) == 1
            for short in short_sizes:
                for position, value in zip(positions, (short,) if one else short, strict=True):
                    template[position] = value
                self.full[short] = tuple(template)
            self.sizes = dict(zip(self.full.values(), short_sizes.values(), strict=True))

    def sample(self, key: tuple) -> dict[str, Any]:
        """A record of the group (the last: any stands for all of it). Asked only for a group whose
        outcome some rule does not remember yet: most units ask for none, so the records by group
        are made on the first ask, not for every unit."""
        if self.record_keys is None:
            return self.facts[-1]
        if self._samples is None:
            last = dict(zip(self.record_keys, self.facts, strict=True))
            self._samples = {full: last[short] for short, full in self.full.items()}
        return self._samples[key]

    def judged_records(self, judged: tuple[bool, ...]) -> int:
        """Records some rule judged (`judged`: per group, in order), counted as distinct ids."""
        if not any(judged):
            return 0
        ids = map(itemgetter("rid"), self.facts)
        if all(judged):
            return len(set(ids))
        assert self.record_keys is not None  # some groups judged, not all: more than one group
        judged_short = {short for short, is_judged in zip(self.full, judged, strict=True) if is_judged}
        return len({rid for rid, short in zip(ids, self.record_keys, strict=True) if short in judged_short})


def _key_columns(reads: Reads, fields: _Fields) -> tuple[list[Any], list[tuple[int, Any]]]:
    """The records' group keys (the columns of Reads), a column at a time, in C where it can be (map
    over the records): this is the one pass over every record of the type. A column all the records
    hold alike goes into the key template as its value; the others are returned as (position,
    column). Alike as keys are: `is` or == (list.count, like tuple and dict keys)."""
    template: list[Any] = []
    varying: list[tuple[int, Any]] = []

    def add(column: Any) -> None:
        if column.__class__ is _Same:
            template.append(column.value)
        elif column.count(column[0]) == len(column):
            template.append(column[0])
        else:
            varying.append((len(template), column))
            template.append(None)

    if reads.days:
        add(_day_spans(reads.days, fields))
    if reads.party:  # as the resolver is asked: the membership, or whether a person is named at all
        members = fields.column("person_party_member")
        add(members)
        add(_types(members))
        add(fields.given("person"))
    if reads.present:
        add(_missing(reads, fields))
    for name in reads.values:
        values = fields.column(name)
        types = _types(values)
        if name in reads.printed and (types.value is float if types.__class__ is _Same else float in types):
            values = _Same(repr(values.value)) if values.__class__ is _Same else list(map(repr, values))
        add(values)
        add(types)
    return template, varying


@dataclass
class _Same:
    """A column every record holds alike, as its one value."""
    value: Any


class _Fields:
    """The fields of a unit's records of one type that its rules read, a column each (a value or
    _ABSENT), each read once: a field the first record has, with one call a record (itemgetter,
    KeyError if a record does not have it); one it does not have, looked for in the others first."""

    def __init__(self, facts: list[dict[str, Any]]):
        self.facts = facts
        self.first = facts[0]
        self.whole: dict[str, list[Any]] = {}  # fields every record has: their values
        self.nowhere: dict[str, bool] = {}  # field -> whether no record has it

    def column(self, name: str) -> Any:
        found = self.whole.get(name)
        if found is not None:
            return found
        if self.absent(name):
            return _Same(_ABSENT)
        if name in self.first:
            try:
                found = self.whole[name] = list(map(itemgetter(name), self.facts))
                return found
            except KeyError:
                pass
        return list(map(dict.get, self.facts, repeat(name), repeat(_ABSENT)))

    def absent(self, name: str) -> bool:
        """No record has the field."""
        found = self.nowhere.get(name)
        if found is None:
            found = self.nowhere[name] = name not in self.first and not any(map(dict.__contains__, self.facts,
                                                                                repeat(name)))
        return found

    def given(self, name: str) -> Any:
        """Whether each record has the field."""
        if self.absent(name):
            return _Same(False)
        if name in self.whole:
            return _Same(True)
        return list(map(dict.__contains__, self.facts, repeat(name)))


def _types(column: Any) -> Any:
    return _Same(type(column.value)) if column.__class__ is _Same else list(map(type, column))


def _day_spans(changes: list[int], fields: _Fields) -> Any:
    """Each record's span of days between two changes (its day as the resolver is asked it: 0 if none)."""
    days = fields.column("day")
    if days.__class__ is _Same:  # no record has a day
        days = [0]
    elif "day" not in fields.whole:  # some record has none
        days = list(map(dict.get, fields.facts, repeat("day"), repeat(0)))
    try:
        first = bisect_right(changes, min(days))
        if first == bisect_right(changes, max(days)):  # no change among the unit's days: most often
            return _Same(first)
        return list(map(partial(bisect_right, changes), days))
    except TypeError:  # a day that is not a number: a group of its own, the resolver will say
        return [bisect_right(changes, day) if isinstance(day, int) else ("day", repr(day)) for day in days]


def _missing(reads: Reads, fields: _Fields) -> _Same | list[int]:
    """Which of the fields are missing (absent or None), as the number of that pattern (reads.missing):
    one for all the records when they miss the same fields (most often), else per record. A type whose
    records were mixed in the last unit mostly is in the next (some types' are in every unit): its
    records go record by record at once, not through a test of them all alike that fails first. Both
    ways come to the same key: records all alike record by record are a column of one number, the one
    _missing_alike gives them (the first record's pattern), and _key_columns takes it as a value."""
    if not reads.mixed:
        alike = _missing_alike(reads.present, fields)
        if alike is not None:
            return _Same(reads.missing.setdefault(alike, len(reads.missing)))
    found = _missing_by_record(reads, fields)
    reads.mixed = found.count(found[0]) != len(found)
    return found


def _missing_alike(names: tuple[str, ...], fields: _Fields) -> tuple[bool, ...] | None:
    """The fields missing in every record, when all the records miss those and only those (None: they
    do not, or not all the records have the fields the first has). A field the first record gives
    (not None) must be given by all; one it has as None must be None in all; one it does not have, in
    none. The fields the first record gives are taken together: one call a record."""
    first = fields.first
    pattern = tuple(first.get(name) is None for name in names)
    given = [name for name, missing in zip(names, pattern, strict=True) if not missing]
    if len(given) > 1 and not _given_by_all(given, fields.facts):
        return None
    try:
        if len(given) == 1 and (not _NONE.isdisjoint(fields.column(given[0])) or given[0] not in fields.whole):
            return None
        for name, missing in zip(names, pattern, strict=True):
            if missing and not fields.absent(name):
                if name not in first or not _NONE.issuperset(fields.column(name)):
                    return None
    except (KeyError, TypeError):  # a record without a field the first gives; a value that cannot be hashed
        return None
    return pattern


def _given_by_all(names: Any, facts: list[dict[str, Any]]) -> bool:
    """Every record gives (has, not None) every one of the fields (two or more): one call a record."""
    try:
        return _NONE.isdisjoint(chain.from_iterable(map(itemgetter(*names), facts)))
    except (KeyError, TypeError):  # a record without one of the fields; a value that cannot be hashed
        return False


def _missing_by_record(reads: Reads, fields: _Fields) -> list[int]:
    """_missing, record by record, a field at a time (in C): a field missing in every record or in none
    is one value for all; only the fields missing in some records are read per record, and each pattern
    of them is numbered once (most records of a unit miss the same few fields: a handful of patterns).
    The fields all the records of the last unit taken this way gave (reads.steady: most, in the types
    whose records are mixed) are tested together first, one call a record: when all give them, only
    the others are read a field at a time (reception's records at 1M: 211 -> 110 µs a unit). A column
    the group keys read already (the day) is not read again."""
    names, patterns, facts = reads.present, reads.missing, fields.facts
    size = len(facts)
    steady = reads.steady
    given_by_all = len(steady) > 1 and _given_by_all(steady, facts)
    fixed: list[bool | None] = []  # per field: missing in all records, in none, or None: in some
    varying: list[list[bool]] = []  # the fields missing in some records: per record, whether missing
    for name in names:
        if given_by_all and name in steady:
            fixed.append(False)
            continue
        column = fields.whole.get(name)
        if column is None:
            column = list(map(dict.get, facts, repeat(name)))
        missing = column.count(None)
        if missing == 0 or missing == size:
            fixed.append(missing == size)
        else:
            fixed.append(None)
            varying.append(list(map(is_, column, repeat(None))))
    reads.steady = tuple(name for name, alike in zip(names, fixed, strict=True) if alike is False)
    if not varying:
        return [patterns.setdefault(tuple(fixed), len(patterns))] * size
    rows: list[Any] = varying[0] if len(varying) == 1 else list(zip(*varying, strict=True))
    numbers = {}
    for row in dict.fromkeys(rows):  # each pattern of the varying fields, in the order first seen
        values = iter((row,) if len(varying) == 1 else row)
        numbers[row] = patterns.setdefault(tuple(next(values) if alike is None else alike for alike in fixed),
                                           len(patterns))
    return list(map(numbers.__getitem__, rows))
