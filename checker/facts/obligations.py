"""Obligations over time: for each unit, rule and period in the audit, what was owed, which records
count, and the state (done, due, late, overdue). Each state becomes an `obligation_status` fact, so
the rules themselves stay declarative."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from checker.facts.derive import Lookups, UnitBatch
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


def facts_by_type(batch: UnitBatch | None) -> dict[str, list[dict[str, Any]]]:
    """The unit's facts, in the period and outside it, by record type (each in input order)."""
    by_type: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for fact in (batch.facts + batch.outside) if batch else ():
        by_type[fact["t"]].append(fact)
    return by_type


def existed(unit: Any, period: Period) -> bool:
    """A unit owes a period only if it existed for the whole of it (unit.established / dissolved)."""
    established, dissolved = getattr(unit, "established", None), getattr(unit, "dissolved", None)
    return (established is None or established <= period.start) and (dissolved is None or period.end <= dissolved)


def obligation_states(rule: ActiveRule, unit: Any, batch: UnitBatch | None, span: Period,
                      as_of: dt.date, persons: list[Any] | None = None,
                      by_type: dict[str, list[dict[str, Any]]] | None = None,
                      unjudged: list[tuple[str, str]] | None = None) -> list[dict[str, Any]]:
    """For each period of the rule in `span` (and each person owing it, for per-person obligations):
    what was owed, which records count, and the state, under the standard in force at the period's
    end that binds the unit. A period no standard judges is appended to `unjudged` as (rule, reason).
    `by_type` is `facts_by_type(batch)`, when the caller judges several rules on one batch."""
    ob = rule.rule.match.obligation
    owers: list[Any] = [None]
    if ob.per_person is not None:
        owers = [p for p in (persons or []) if all(
            str(getattr(p, name, None)) in allowed for name, allowed in ob.per_person.items())]
    if by_type is None:
        by_type = facts_by_type(batch)
    of_type = by_type.get(ob.record, [])
    resolver = Resolver(rule.rule, rule.standards, unit, _answers(rule))
    # A standard's rows, their conditions and the records they admit do not depend on the period:
    # made once per standard, not once per period (a monthly obligation over five years has sixty)
    rows_of: dict[int, list[tuple[dict[str, Any], list[Any], int, list[dict[str, Any]]]]] = {}
    states = []
    for period in obligation_periods(rule, span):
        if not existed(unit, period):
            continue
        found = resolver.on(period.end.toordinal())
        if isinstance(found, str):
            if unjudged is not None:
                unjudged.extend((rule.rule.id, found) for _ in owers)
            continue
        rows = rows_of.get(found)
        if rows is None:
            rows = rows_of[found] = [_row_plan(ob, values, of_type)
                                     for values in row_values(rule, rule.standards[found].plain_values)]
        for row_index, (values, quorum, required, candidates) in enumerate(rows):
            for person in owers:
                mine = candidates if person is None else [f for f in candidates if f.get("person") == person.id]
                state = _state(rule, unit, person, period, mine, quorum, required, as_of, values)
                state["standard"] = found
                if rule.rule.match.for_each:
                    state["rid"] += f"#{row_index}"
                    state["row"] = row_index
                states.append(state)
    return states


_ANSWERS: dict[int, tuple[ActiveRule, dict[tuple[bool, ...], dict[tuple[int, Any], int | str]]]] = {}


def _answers(rule: ActiveRule) -> dict[tuple[bool, ...], dict[tuple[int, Any], int | str]]:
    """The rule's resolver answers, shared by every unit bound by the same standards (they owe the
    same periods, so each period's standard is decided once, not once per unit)."""
    cached = _ANSWERS.get(id(rule))
    if cached is None or cached[0] is not rule:  # an id is reused once its rule is freed
        cached = _ANSWERS[id(rule)] = (rule, {})
    return cached[1]


def _row_plan(ob: Any, values: dict[str, Any], of_type: list[dict[str, Any]]
              ) -> tuple[dict[str, Any], list[Any], int, list[dict[str, Any]]]:
    """One row of a standard: its values, quorum conditions, the count required and the records its
    `where` admits."""
    where = [expr.predicate(expr.bind(expr.parse(c), values)) for c in ob.where]
    quorum = [expr.bind(expr.parse(c), values) for c in ob.quorum]
    candidates = [f for f in of_type if all(test(f) for test in where)]
    return values, quorum, int(_param(ob.min_count, values)), candidates


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


def _state(rule: ActiveRule, unit: Any, person: Any, period: Period, candidates: list[dict[str, Any]],
           quorum: list[expr.Cond], required: int, as_of: dt.date, values: dict[str, Any]) -> dict[str, Any]:
    ob = rule.rule.match.obligation
    due = due_date(rule, period, values)
    start, end, due_day = period.start.toordinal(), period.end.toordinal(), due.toordinal()
    # A report belongs to the period it names; anything else to the period its date falls in.
    in_period = [f for f in candidates if (f.get("period") == period.label if ob.record == "report"
                                           else start <= f.get("day", 0) <= end)]
    # Only what has happened by the as-of date counts: a meeting planned for next week is not done.
    quorate = [f for f in in_period if f.get("day", 0) <= as_of.toordinal() and all(expr.holds(c, f) for c in quorum)]
    on_time = [f for f in quorate if f.get("day", 0) <= due_day]
    done_by_as_of = quorate
    if len(on_time) >= required:
        state = "done"
    elif as_of <= due:
        state = "due" if as_of >= period.start else "upcoming"
    else:
        state = "late" if len(done_by_as_of) >= required else "overdue"
    owner = f"@{person.id}" if person is not None else ""
    fact = {
        "t": "obligation_status", "rid": f"{rule.rule.id}@{unit.id}{owner}@{period.label}", "rule": rule.rule.id,
        "period": period.label, "period_start": start, "period_end": end, "due": due_day,
        "required": required, "count": len(on_time), "count_all": len(done_by_as_of),
        "inquorate": sum(1 for f in in_period if not all(expr.holds(c, f) for c in quorum)), "state": state, "as_of": as_of.toordinal(),
        "satisfied_by": [f["rid"] for f in on_time] or [f["rid"] for f in done_by_as_of],
    }
    if person is not None:
        fact.update({"person": person.id, "person_name": person.name, "person_rank": person.rank})
    return fact


def unit_obligations(batch: UnitBatch, lookups: Lookups, rules: list[ActiveRule], span: Period,
                     as_of: dt.date, data_in_period: bool = True) -> None:
    """The unit's obligation states, kept for the report and given to the engine as facts."""
    unit = lookups.units.get(batch.unit)
    if unit is None:
        return
    by_type = facts_by_type(batch)
    for rule in rules:
        if not rule.rule.match.obligation or not owes(rule, unit):
            continue
        unjudged = "rule_off" if rule.skipped is not None else None if data_in_period else "no_data"
        if unjudged:  # owed, but not judged (this profile; or no record in the period): counted, not silent
            batch.obligations_unjudged.extend((rule.rule.id, unjudged) for period in obligation_periods(rule, span)
                                              if existed(unit, period))
            continue
        for state in obligation_states(rule, unit, batch, span, as_of, lookups.persons_of.get(batch.unit, []),
                                       by_type, batch.obligations_unjudged):
            batch.obligations.append(state)
            batch.facts.append({k: v for k, v in state.items() if k != "satisfied_by"})
