"""Obligations over time: for each unit, rule and period in the audit, what was owed, which records
count, and the state (done, due, late, overdue). Each state becomes an `obligation_status` fact, so
the rules themselves stay declarative."""

from __future__ import annotations

import datetime as dt
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
    shared = _shared(rule)
    # The records each row of a standard admits do not depend on the period: picked once per
    # standard, not once per period (a monthly obligation over five years has sixty); and for a
    # per-person obligation, each person's among them, not once per period and person
    candidates_of: dict[int, list[Any]] = {}
    states = []
    for period in obligation_periods(rule, span):
        if not existed(unit, period):
            continue
        found = resolver.on(period.end.toordinal())
        if isinstance(found, str):
            if unjudged is not None:
                unjudged.extend([(rule.rule.id, found)] * len(owers))
            continue
        rows = shared.rows(found)
        candidates = candidates_of.get(found)
        if candidates is None:
            candidates = candidates_of[found] = [
                _admitted(row.where, of_type, ob.record, index) if ob.per_person is None
                else _by_person(_admitted(row.where, of_type, ob.record, index))
                for row in rows]
        for row_index, row in enumerate(rows):
            due = shared.due(found, row_index, period)
            for person in owers:
                mine = candidates[row_index] if person is None else candidates[row_index].get(person.id, [])
                state = _state(rule, unit, person, period, mine, row, as_of, due)
                state["standard"] = found
                if rule.rule.match.for_each:
                    state["rid"] += f"#{row_index}"
                    state["row"] = row_index
                states.append(state)
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


def _state(rule: ActiveRule, unit: Any, person: Any, period: Period, candidates: list[tuple[dict[str, Any], int]],
           row: _Row, as_of: dt.date, due: dt.date) -> dict[str, Any]:
    ob = rule.rule.match.obligation
    start, end, due_day, as_of_day = period.start.toordinal(), period.end.toordinal(), due.toordinal(), as_of.toordinal()
    # A report belongs to the period it names; anything else to the period its date falls in.
    if ob.record == "report":
        label = period.label
        in_period = [c for c in candidates if c[0].get("period") == label]
    else:
        in_period = [c for c in candidates if start <= c[1] <= end]
    quorum, holds = row.quorum, expr.holds
    # Only what has happened by the as-of date counts: a meeting planned for next week is not done.
    if quorum:
        quorate_flags = [all(holds(c, f) for c in quorum) for f, _ in in_period]
        quorate = [c for c, ok in zip(in_period, quorate_flags, strict=True) if ok and c[1] <= as_of_day]
        inquorate = quorate_flags.count(False)
    else:  # (most obligations have no quorum: every record is quorate)
        quorate, inquorate = [c for c in in_period if c[1] <= as_of_day], 0
    on_time = [f["rid"] for f, day in quorate if day <= due_day]
    required = row.required
    if len(on_time) >= required:
        state = "done"
    elif as_of <= due:
        state = "due" if as_of >= period.start else "upcoming"
    else:
        state = "late" if len(quorate) >= required else "overdue"
    owner = f"@{person.id}" if person is not None else ""
    fact = {
        "t": "obligation_status", "rid": f"{rule.rule.id}@{unit.id}{owner}@{period.label}", "rule": rule.rule.id,
        "period": period.label, "period_start": start, "period_end": end, "due": due_day,
        "required": required, "count": len(on_time), "count_all": len(quorate),
        "inquorate": inquorate, "state": state, "as_of": as_of_day,
        "satisfied_by": on_time or [f["rid"] for f, _ in quorate],
    }
    if person is not None:
        fact.update({"person": person.id, "person_name": person.name, "person_rank": person.rank})
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
