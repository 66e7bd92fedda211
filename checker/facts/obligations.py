"""Obligations over time: for each unit, rule and period in the audit, what was owed, which records
count, and the state (done, due, late, overdue). Each state becomes an `obligation_status` fact, so
the rules themselves stay declarative."""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left, bisect_right
from collections import defaultdict
from typing import Any, NamedTuple

from checker.facts.derive import Lookups, UnitBatch
from checker.facts.periods import Period, next_workday, periods_between
from checker.ruleset import conditions as expr
from checker.ruleset.catalogue import ActiveRule
from checker.ruleset.standards import Resolver, shared_answers


def due_date(rule: ActiveRule, period: Period, values: dict[str, Any] | None = None) -> dt.date:
    """When the period's obligation falls due, under `values` (the standard's; the rule's by default)."""
    ob = rule.rule.match.obligation
    values = rule.values if values is None else values
    if ob.due_fixed:
        month, day = (int(p) for p in ob.due_fixed.split("-"))
        due = dt.date(period.end.year + 1, month, day)
    else:
        due = period.end + dt.timedelta(days=int(_param(ob.due_days, values)))
    if _param(ob.shift_to_workday, values):
        due = next_workday(due)
    return due


def _param(value: Any, values: dict[str, Any]) -> Any:
    if isinstance(value, str) and value.startswith("$"):
        return values[value[1:]]
    return value


def owes(rule: ActiveRule, unit: Any) -> bool:
    for name, allowed in rule.rule.match.obligation.owed_by.items():
        if str(getattr(unit, name, None)) not in allowed:
            return False
    return True


def facts_by_type(batch: UnitBatch | None, types: frozenset[str] | None = None) -> dict[str, list[dict[str, Any]]]:
    """The unit's facts, in the period and outside it, by record type (each in input order): of
    `types` only, if given (the obligations of a unit read one or two of its record types). Read off
    the batch's facts by type (`UnitBatch.kinds`) when no fact was added since unit_batch made them."""
    by_type: dict[str, list[dict[str, Any]]] = defaultdict(list)
    if batch is not None and types is not None and batch.kinds_of == len(batch.facts):
        for kind in types:
            found = [*batch.kinds.get(kind, ()), *(fact for fact in batch.outside if fact["t"] == kind)]
            if found:
                by_type[kind] = found
        return by_type
    for fact in (batch.facts + batch.outside) if batch else ():
        if types is None or fact["t"] in types:
            by_type[fact["t"]].append(fact)
    return by_type


def existed(unit: Any, period: Period) -> bool:
    """A unit owes a period only if it existed for the whole of it (unit.established / dissolved)."""
    established, dissolved = getattr(unit, "established", None), getattr(unit, "dissolved", None)
    return (established is None or established <= period.start) and (dissolved is None or period.end <= dissolved)


def obligation_states(rule: ActiveRule, unit: Any, batch: UnitBatch | None, span: Period,
                      as_of: dt.date, persons: list[Any] | None = None,
                      by_type: dict[str, list[dict[str, Any]]] | None = None,
                      unjudged: list[tuple[str, str]] | None = None,
                      index: dict[tuple[str, str], dict[Any, list[dict[str, Any]]] | None] | None = None,
                      ) -> list[dict[str, Any]]:
    """For each period of the rule in `span` (and each person owing it, for per-person obligations):
    what was owed, which records count, and the state, under the standard in force at the period's
    end that binds the unit. A period no standard judges is appended to `unjudged` as (rule, reason).
    `by_type` is `facts_by_type(batch)`, when the caller judges several rules on one batch; `index`
    (`_admitted`'s) a dict kept for the unit's rules as long as `by_type` is."""
    ob = rule.rule.match.obligation
    owers: list[Any] = [None]
    if ob.per_person is not None:
        owers = [p for p in (persons or []) if all(
            str(getattr(p, name, None)) in allowed for name, allowed in ob.per_person.items())]
    if by_type is None:
        by_type = facts_by_type(batch)
    of_type = by_type.get(ob.record, [])
    resolver = Resolver(rule.rule, rule.standards, unit, shared_answers(rule))
    plan = _shared(rule).plan(span, tuple(resolver.binding), resolver, as_of)
    # The records each row of a standard admits do not depend on the period: picked once per
    # standard, not once per period (a monthly obligation over five years has sixty); and for a
    # per-person obligation, each person's among them, not once per period and person; and those
    # by the period they fall in once (`_by_period`), not scanned again for each period
    candidates_of: dict[int, list[Any]] = {}
    by_period: dict[tuple[int, int, Any], dict[Any, list[tuple[dict[str, Any], int]]]] = {}
    by_label = ob.record == "report"
    head = f"{rule.rule.id}@{unit.id}"
    as_of_day = as_of.toordinal()
    states = []
    first, last = plan.existed(unit)
    for at in range(first, last):
        period, found, rows = plan.entries[at]
        if rows is None:  # (found: why no standard judges the period)
            if unjudged is not None:
                unjudged.extend([(rule.rule.id, found)] * len(owers))
            continue
        candidates = candidates_of.get(found)
        if candidates is None:
            candidates = candidates_of[found] = [
                _admitted(row.row.where, of_type, ob.record, index) if ob.per_person is None
                else _by_person(_admitted(row.row.where, of_type, ob.record, index))
                for row in rows]
        for row_index, row in enumerate(rows):
            for person in owers:
                key = (found, row_index, None if person is None else person.id)
                grouped = by_period.get(key)
                if grouped is None:
                    mine = candidates[row_index] if person is None else candidates[row_index].get(person.id, [])
                    grouped = by_period[key] = plan.by_period(mine, by_label)
                states.append(_state(row, head, person, grouped.get(period.label if by_label else at, ()),
                                     as_of_day))
    return states


class _Row(NamedTuple):
    """One row of a standard: its values, the record tests of its `where`, its quorum conditions and
    the count required."""
    values: dict[str, Any]
    where: list[Any]
    quorum: list[expr.Cond]
    required: int


class _Shared:
    """What every unit owing a rule shares: each standard's rows, each period's due date under a
    row's values. Made once per rule, not once per unit (a thousand units owe the same sixty months)."""

    def __init__(self, rule: ActiveRule):
        self.rule = rule
        self._rows: dict[int, list[_Row]] = {}
        self._dues: dict[tuple[int, int, dt.date], dt.date] = {}
        self._plans: dict[tuple[Period, tuple[bool, ...], dt.date], _Plan] = {}

    def plan(self, span: Period, binding: tuple[bool, ...], resolver: Resolver, as_of: dt.date) -> _Plan:
        """The periods of `span` as the units bound by the same standards (`binding`: the resolver's)
        owe them (`_Plan`): worked out once, not once per unit."""
        key = (span, binding, as_of)
        plan = self._plans.get(key)
        if plan is None:
            plan = self._plans[key] = _Plan(self, obligation_periods(self.rule, span), resolver, as_of)
        return plan

    def rows(self, found: int) -> list[_Row]:
        rows = self._rows.get(found)
        if rows is None:
            ob = self.rule.rule.match.obligation
            rows = self._rows[found] = [
                _Row(values, [expr.predicate(expr.bind(expr.parse(c), values)) for c in ob.where],
                     [expr.bind(expr.parse(c), values) for c in ob.quorum], int(_param(ob.min_count, values)))
                for values in row_values(self.rule, self.rule.standards[found].plain_values)]
        return rows

    def due(self, found: int, row_index: int, period: Period) -> dt.date:
        key = (found, row_index, period.end)  # the due date depends on the period through its end
        due = self._dues.get(key)
        if due is None:
            due = self._dues[key] = due_date(self.rule, period, self._rows[found][row_index].values)
        return due


class _PlannedRow(NamedTuple):
    """A row of the standard judging a period: the row, the start of each of its states (`template`:
    every key in the order a state has them, the values that do not depend on the unit filled in),
    the end of their rid, the state if nothing was done on time (None: it depends on what was done
    at all) and the count required."""
    row: _Row
    template: dict[str, Any]
    tail: str
    pending: str | None
    required: int


class _Plan:
    """A rule's periods in a span, for the units the same standards bind, in order: each with the
    standard judging it and that standard's rows (`_PlannedRow`), or with why none does (rows None).
    Which of them a unit owes is a run of them (`existed`)."""

    def __init__(self, shared: _Shared, periods: list[Period], resolver: Resolver, as_of: dt.date):
        rule = shared.rule
        self.entries: list[tuple[Period, Any, list[_PlannedRow] | None]] = []
        for period in periods:
            found = resolver.on(period.end.toordinal())
            self.entries.append((period, found, None if isinstance(found, str) else [
                _planned(rule, period, found, row_index, row, shared.due(found, row_index, period), as_of)
                for row_index, row in enumerate(shared.rows(found))]))
        self.starts = [period.start.toordinal() for period in periods]
        self.ends = [period.end.toordinal() for period in periods]
        # `by_period` places a day in the last period starting on or before it: periods of one kind
        # follow one another (checker.facts.periods `periods_between`), none overlaps the next
        assert all(end < start for end, start in zip(self.ends[:-1], self.starts[1:], strict=True)), "overlapping periods"
        self._start_days = [period.start for period in periods]
        self._end_days = [period.end for period in periods]

    def existed(self, unit: Any) -> tuple[int, int]:
        """The entries of the periods the unit existed for the whole of (`existed`), as [first, last):
        those starting on or after its establishment and ending on or before its dissolution."""
        established, dissolved = getattr(unit, "established", None), getattr(unit, "dissolved", None)
        first = 0 if established is None else bisect_left(self._start_days, established)
        last = len(self.entries) if dissolved is None else bisect_right(self._end_days, dissolved)
        return first, max(first, last)

    def by_period(self, candidates: list[tuple[dict[str, Any], int]],
                  by_label: bool) -> dict[Any, list[tuple[dict[str, Any], int]]]:
        """The candidates by the entry of the period they belong to (each in input order): a report by
        the period it names (its label), anything else by the period its day falls in (its index)."""
        grouped: dict[Any, list[tuple[dict[str, Any], int]]] = defaultdict(list)
        if by_label:
            for candidate in candidates:
                grouped[candidate[0].get("period")].append(candidate)
            return grouped
        starts, ends = self.starts, self.ends
        for candidate in candidates:
            day = candidate[1]
            at = bisect_right(starts, day) - 1
            if at >= 0 and day <= ends[at]:
                grouped[at].append(candidate)
        return grouped


def _planned(rule: ActiveRule, period: Period, found: int, row_index: int, row: _Row, due: dt.date,
             as_of: dt.date) -> _PlannedRow:
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
    return _PlannedRow(row, template, tail, pending, row.required)


_SHARED: dict[int, _Shared] = {}


def _shared(rule: ActiveRule) -> _Shared:
    cached = _SHARED.get(id(rule))
    if cached is None or cached.rule is not rule:  # an id is reused once its rule is freed
        cached = _SHARED[id(rule)] = _Shared(rule)
    return cached


def _admitted(where: list[Any], of_type: list[dict[str, Any]], record_type: str = "",
              index: dict[tuple[str, str], dict[Any, list[dict[str, Any]]] | None] | None = None,
              ) -> list[tuple[dict[str, Any], int]]:
    """The records a row's `where` admits, each with its day (0 if it has none), in input order. A
    first test of a field against one value (`kind == 'monthly_study'`, as most obligations begin)
    reads the records with that value from `index`, the unit's records of the type grouped by the
    field's value once (`_grouped`), instead of testing each record for each row of each rule."""
    admitted = of_type
    tests = where
    if index is not None and where and where[0].shape == "cmp" and where[0].op == "==":
        first = where[0]
        key = (record_type, first.name)
        if key not in index:
            index[key] = _grouped(of_type, first.name)
        grouped = index[key]
        if grouped is not None:
            try:
                admitted = grouped.get(first.constant, [])
            except TypeError:  # (an unhashable constant: tested record by record)
                pass
            else:
                admitted = [f for f in admitted if first(f)]  # (the test itself still decides: equal keys)
                tests = where[1:]
    for test in tests:
        admitted = [f for f in admitted if test(f)]
    return [(f, f.get("day", 0)) for f in admitted]


def _grouped(of_type: list[dict[str, Any]], name: str) -> dict[Any, list[dict[str, Any]]] | None:
    """The records by their value of `name` (each group in input order; no value: left out, as an
    equality test never admits it), or None if a value cannot be a key."""
    grouped: dict[Any, list[dict[str, Any]]] = defaultdict(list)
    try:
        for fact in of_type:
            value = fact.get(name)
            if value is not None:
                grouped[value].append(fact)
    except TypeError:
        return None
    return grouped


def _by_person(admitted: list[tuple[dict[str, Any], int]]) -> dict[Any, list[tuple[dict[str, Any], int]]]:
    """The records admitted, by the person each names (each person's in input order)."""
    grouped: dict[Any, list[tuple[dict[str, Any], int]]] = defaultdict(list)
    for candidate in admitted:
        grouped[candidate[0].get("person")].append(candidate)
    return grouped


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


def _state(row: _PlannedRow, head: str, person: Any, in_period: list[tuple[dict[str, Any], int]] | tuple[()],
           as_of_day: int) -> dict[str, Any]:
    """The state of a period (row `row`, for `person` or the unit) from the records admitted that
    belong to it (`in_period`, in input order; `head`: the rid's start, the rule and the unit)."""
    quorum, holds = row.row.quorum, expr.holds
    # Only what has happened by the as-of date counts: a meeting planned for next week is not done.
    if quorum:
        quorate_flags = [all(holds(c, f) for c in quorum) for f, _ in in_period]
        quorate = [c for c, ok in zip(in_period, quorate_flags, strict=True) if ok and c[1] <= as_of_day]
        inquorate = quorate_flags.count(False)
    else:  # (most obligations have no quorum: every record is quorate)
        quorate, inquorate = [c for c in in_period if c[1] <= as_of_day], 0
    fact = row.template.copy()
    due_day = fact["due"]
    on_time = [f["rid"] for f, day in quorate if day <= due_day]
    required = row.required
    if len(on_time) >= required:
        state = "done"
    elif row.pending is not None:
        state = row.pending
    else:
        state = "late" if len(quorate) >= required else "overdue"
    fact["rid"] = f"{head}@{person.id}{row.tail}" if person is not None else head + row.tail
    fact["count"], fact["count_all"], fact["inquorate"], fact["state"] = len(on_time), len(quorate), inquorate, state
    fact["satisfied_by"] = on_time or [f["rid"] for f, _ in quorate]
    if person is not None:
        fact["person"], fact["person_name"], fact["person_rank"] = person.id, person.name, person.rank
    return fact


_OWED: dict[int, tuple[list[ActiveRule], list[ActiveRule], frozenset[str], int]] = {}


def _owed(rules: list[ActiveRule]) -> tuple[list[ActiveRule], frozenset[str]]:
    """The rules that are obligations, and the record types they count: picked once per list of rules,
    not once per unit (a profile has hundreds of rules, a dozen of them obligations)."""
    cached = _OWED.get(id(rules))
    if cached is None or cached[0] is not rules or len(cached[0]) != cached[3]:  # an id is reused once freed
        owed = [rule for rule in rules if rule.rule.match.obligation]
        cached = _OWED[id(rules)] = (rules, owed, frozenset(rule.rule.match.obligation.record for rule in owed),
                                     len(rules))
    return cached[1], cached[2]


def unit_obligations(batch: UnitBatch, lookups: Lookups, rules: list[ActiveRule], span: Period,
                     as_of: dt.date, data_in_period: bool = True) -> None:
    """The unit's obligation states, kept for the report and given to the engine as facts."""
    unit = lookups.units.get(batch.unit)
    if unit is None:
        return
    owed, types = _owed(rules)
    by_type = facts_by_type(batch, types)
    index: dict[tuple[str, str], dict[Any, list[dict[str, Any]]] | None] = {}
    for rule in owed:
        if not owes(rule, unit):
            continue
        unjudged = "rule_off" if rule.skipped is not None else None if data_in_period else "no_data"
        if unjudged:  # owed, but not judged (this profile; or no record in the period): counted, not silent
            batch.obligations_unjudged.extend((rule.rule.id, unjudged) for period in obligation_periods(rule, span)
                                              if existed(unit, period))
            continue
        for state in obligation_states(rule, unit, batch, span, as_of, lookups.persons_of.get(batch.unit, []),
                                       by_type, batch.obligations_unjudged, index):
            batch.obligations.append(state)
            fact = state.copy()  # the engine's fact: the state without the records that satisfy it
            del fact["satisfied_by"]
            batch.facts.append(fact)
