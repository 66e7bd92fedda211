"""What every unit owing an obligation shares, made once per rule (checker.facts.obligations reads
it per unit): the periods of a span, each standard's rows, each period's due date, and for the units
the same standards bind, which standard judges each period and how its states begin (`Plan`)."""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left, bisect_right
from collections import defaultdict
from typing import Any, NamedTuple

from checker.facts.periods import Period, next_workday, periods_between
from checker.ruleset import conditions as expr
from checker.ruleset.catalogue import ActiveRule
from checker.ruleset.standards import Resolver


def due_date(rule: ActiveRule, period: Period, values: dict[str, Any] | None = None) -> dt.date:
    """When the period's obligation falls due, under `values` (the standard's; the rule's by default)."""
    ob = rule.rule.match.obligation
    values = rule.values if values is None else values
    if ob.due_fixed:
        month, day = (int(p) for p in ob.due_fixed.split("-"))
        due = dt.date(period.end.year + 1, month, day)
    else:
        due = period.end + dt.timedelta(days=int(param(ob.due_days, values)))
    if param(ob.shift_to_workday, values):
        due = next_workday(due)
    return due


def param(value: Any, values: dict[str, Any]) -> Any:
    if isinstance(value, str) and value.startswith("$"):
        return values[value[1:]]
    return value


class _Row(NamedTuple):
    """One row of a standard: its values, the record tests of its `where`, its quorum conditions and
    the count required."""
    values: dict[str, Any]
    where: list[Any]
    quorum: list[expr.Cond]
    required: int


class Shared:
    """What every unit owing a rule shares: each standard's rows, each period's due date under a
    row's values, the periods of a span (`Periods`) and their `Plan`s. Made once per rule, not once
    per unit (a thousand units owe the same sixty months)."""

    def __init__(self, rule: ActiveRule):
        self.rule = rule
        self._rows: dict[int, list[_Row]] = {}
        self._dues: dict[tuple[int, int, dt.date], dt.date] = {}
        self._periods: dict[Period, Periods] = {}
        self._plans: dict[tuple[Period, tuple[bool, ...], dt.date], Plan] = {}
        self._owed_by: dict[tuple[Any, ...], bool] = {}

    def owes(self, unit: Any) -> bool:
        """Whether the rule binds the unit (`owed_by`), decided once per unit attributes it reads
        (by value and class: `str` of an equal value of another class may differ)."""
        owed_by = self.rule.rule.match.obligation.owed_by
        key = tuple((value.__class__, value) for value in (getattr(unit, name, None) for name in owed_by))
        try:
            owed = self._owed_by.get(key)
        except TypeError:  # (a value that cannot be a key: decided for this unit alone)
            return _owes(owed_by, unit)
        if owed is None:
            owed = self._owed_by[key] = _owes(owed_by, unit)
        return owed

    def periods(self, span: Period) -> Periods:
        found = self._periods.get(span)
        if found is None:
            found = self._periods[span] = Periods(obligation_periods(self.rule, span))
        return found

    def plan(self, span: Period, binding: tuple[bool, ...], resolver: Resolver, as_of: dt.date) -> Plan:
        """The periods of `span` as the units bound by the same standards (`binding`: the resolver's)
        owe them (`Plan`): worked out once, not once per unit."""
        key = (span, binding, as_of)
        plan = self._plans.get(key)
        if plan is None:
            plan = self._plans[key] = Plan(self, self.periods(span), resolver, as_of)
        return plan

    def rows(self, found: int) -> list[_Row]:
        rows = self._rows.get(found)
        if rows is None:
            ob = self.rule.rule.match.obligation
            rows = self._rows[found] = [
                _Row(values, [expr.predicate(expr.bind(expr.parse(c), values)) for c in ob.where],
                     [expr.bind(expr.parse(c), values) for c in ob.quorum], int(param(ob.min_count, values)))
                for values in row_values(self.rule, self.rule.standards[found].plain_values)]
        return rows

    def due(self, found: int, row_index: int, period: Period) -> dt.date:
        key = (found, row_index, period.end)  # the due date depends on the period through its end
        due = self._dues.get(key)
        if due is None:
            due = self._dues[key] = due_date(self.rule, period, self._rows[found][row_index].values)
        return due


def _owes(owed_by: dict[str, list[str]], unit: Any) -> bool:
    return all(str(getattr(unit, name, None)) in allowed for name, allowed in owed_by.items())


class Periods:
    """A rule's periods in a span (`obligation_periods`), in order, with their first and last days."""

    def __init__(self, periods: list[Period]):
        self.periods = periods
        self.starts = [period.start.toordinal() for period in periods]
        self.ends = [period.end.toordinal() for period in periods]
        # `Plan.by_period` places a day in the last period starting on or before it: periods of one
        # kind follow one another (checker.facts.periods `periods_between`), none overlaps the next
        assert all(end < start for end, start in zip(self.ends[:-1], self.starts[1:], strict=True)), "overlapping"
        self._start_days = [period.start for period in periods]
        self._end_days = [period.end for period in periods]

    def existed(self, unit: Any) -> tuple[int, int]:
        """The periods the unit existed for the whole of (checker.facts.obligations `existed`), as
        [first, last): those starting on or after its establishment and ending on or before its
        dissolution (periods in order: their starts and their ends are)."""
        established, dissolved = getattr(unit, "established", None), getattr(unit, "dissolved", None)
        first = 0 if established is None else bisect_left(self._start_days, established)
        last = len(self.periods) if dissolved is None else bisect_right(self._end_days, dissolved)
        return first, max(first, last)


class PlannedRow(NamedTuple):
    """A row of the standard judging a period: the row, the start of each of its states (`template`:
    every key in the order a state has them, the values that do not depend on the unit filled in),
    the end of their rid, the state if nothing was done on time (None: it depends on what was done
    at all) and the count required."""
    row: _Row
    template: dict[str, Any]
    tail: str
    pending: str | None
    required: int
    empty: dict[str, Any]  # `template` with the counts and state of a period without any record admitted


def decide(on_time: int, quorate: int, row: PlannedRow) -> str:
    """A period's state from how many records count on time and at all."""
    if on_time >= row.required:
        return "done"
    if row.pending is not None:
        return row.pending
    return "late" if quorate >= row.required else "overdue"


class Plan:
    """A rule's periods in a span, for the units the same standards bind, in order (`entries`): each
    with the standard judging it and that standard's rows (`PlannedRow`), or with why none does
    (rows None). A unit owes a run of them (`Periods.existed`; `run`)."""

    def __init__(self, shared: Shared, periods: Periods, resolver: Resolver, as_of: dt.date):
        rule = shared.rule
        self.periods, self.rule_id = periods, rule.rule.id
        self.entries: list[tuple[Period, Any, list[PlannedRow] | None]] = []
        for period in periods.periods:
            found = resolver.on(period.end.toordinal())
            self.entries.append((period, found, None if isinstance(found, str) else [
                _planned(rule, period, found, row_index, row, shared.due(found, row_index, period), as_of)
                for row_index, row in enumerate(shared.rows(found))]))
        self._runs: dict[tuple[int, int, int], tuple[list[int], list[tuple[str, str]]]] = {}

    def run(self, unit: Any, owers: int) -> tuple[list[int], list[tuple[str, str]]]:
        """The entries a unit existed for that a standard judges, and (rule, reason) for each it
        existed for that none does, once per ower (`owers` of them), in period order."""
        first, last = self.periods.existed(unit)
        key = (first, last, owers)
        found = self._runs.get(key)
        if found is None:
            rule_id, entries = self.rule_id, self.entries
            found = self._runs[key] = (
                [at for at in range(first, last) if entries[at][2] is not None],
                [(rule_id, entries[at][1]) for at in range(first, last) if entries[at][2] is None
                 for _ in range(owers)])
        return found

    def by_period(self, candidates: list[tuple[dict[str, Any], int]],
                  by_label: bool) -> dict[Any, list[tuple[dict[str, Any], int]]]:
        """The candidates by the entry of the period they belong to (each in input order): a report by
        the period it names (its label), anything else by the period its day falls in (its index)."""
        grouped: dict[Any, list[tuple[dict[str, Any], int]]] = defaultdict(list)
        if by_label:
            for candidate in candidates:
                grouped[candidate[0].get("period")].append(candidate)
            return grouped
        starts, ends = self.periods.starts, self.periods.ends
        for candidate in candidates:
            day = candidate[1]
            at = bisect_right(starts, day) - 1
            if at >= 0 and day <= ends[at]:
                grouped[at].append(candidate)
        return grouped


def _planned(rule: ActiveRule, period: Period, found: int, row_index: int, row: _Row, due: dt.date,
             as_of: dt.date) -> PlannedRow:
    template = {
        "t": "obligation_status", "rid": None, "rule": rule.rule.id, "period": period.label,
        "period_start": period.start.toordinal(), "period_end": period.end.toordinal(), "due": due.toordinal(),
        "required": row.required, "count": None, "count_all": None, "inquorate": None, "state": None,
        "as_of": as_of.toordinal(), "satisfied_by": None}
    if rule.rule.match.obligation.per_person is not None:
        template.update(dict.fromkeys(("person", "person_name", "person_rank")))
    template["standard"] = found
    tail = f"@{period.label}"
    if rule.rule.match.for_each:
        tail += f"#{row_index}"
        template["row"] = row_index
    pending = None if as_of > due else "due" if as_of >= period.start else "upcoming"
    planned = PlannedRow(row, template, tail, pending, row.required, template.copy())
    planned.empty.update(count=0, count_all=0, inquorate=0, state=decide(0, 0, planned))
    return planned


_SHARED: dict[int, Shared] = {}


def shared(rule: ActiveRule) -> Shared:
    cached = _SHARED.get(id(rule))
    if cached is None or cached.rule is not rule:  # an id is reused once its rule is freed
        cached = _SHARED[id(rule)] = Shared(rule)
    return cached


def obligation_periods(rule: ActiveRule, span: Period) -> list[Period]:
    """The periods an audit of `span` judges: those inside it (a period not over by its end is
    judged once it is due, by a later audit) and, for obligations due on a fixed date of the
    following year, the previous year falling due in it (last year's personal-matters report is due
    on 31 January of the audited year)."""
    ob = rule.rule.match.obligation
    if not ob.due_fixed:
        return periods_between(span, ob.period)
    wider = Period(span.start - dt.timedelta(days=400), span.end, span.label)
    return [p for p in periods_between(wider, ob.period)
            if p.overlaps(span) or span.start <= due_date(rule, p) <= span.end]


def row_values(rule: ActiveRule, values: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """The values (the rule's, or a standard's), once per row of its `for_each` table (once if none)."""
    values = rule.values if values is None else values
    table = rule.rule.match.for_each
    if table is None:
        return [values]
    return [{**values, **{f"row.{k}": v for k, v in row.items()}} for row in values.get(table) or []]
