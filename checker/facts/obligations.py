"""Obligations over time: for each unit, rule and period in the audit, what was owed, which records
count, and the state (done, due, late, overdue). Each state becomes an `obligation_status` fact, so
the rules themselves stay declarative."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from checker.facts import obligation_plan
from checker.facts.derive import Lookups, UnitBatch
from checker.facts.obligation_plan import PlannedRow, decide
from checker.facts.periods import Period
from checker.ruleset import conditions as expr
from checker.ruleset.catalogue import ActiveRule
from checker.ruleset.standards import Resolver, shared_answers


def owes(rule: ActiveRule, unit: Any) -> bool:
    return obligation_plan.shared(rule).owes(unit)


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
    plan = obligation_plan.shared(rule).plan(span, tuple(resolver.binding), resolver, as_of)
    judged, not_judged = plan.run(unit, len(owers))
    if unjudged is not None:
        unjudged.extend(not_judged)
    # The records each row of a standard admits do not depend on the period: picked once per
    # standard, not once per period (a monthly obligation over five years has sixty); and for a
    # per-person obligation, each person's among them, not once per period and person; and those
    # by the period they belong to once (`Plan.by_period`), not scanned again for each period
    groups_of: dict[int, list[list[dict[Any, list[tuple[dict[str, Any], int]]]]]] = {}
    by_label = ob.record == "report"
    head = f"{rule.rule.id}@{unit.id}"
    as_of_day = as_of.toordinal()
    states = []
    for at in judged:
        period, found, rows = plan.entries[at]
        groups = groups_of.get(found)
        if groups is None:
            groups = groups_of[found] = []
            for row in rows:  # type: ignore[union-attr]
                admitted = _admitted(row.row.where, of_type, ob.record, index)
                if ob.per_person is None:
                    groups.append([plan.by_period(admitted, by_label)])
                else:
                    mine = _by_person(admitted)
                    groups.append([plan.by_period(mine.get(person.id, []), by_label) for person in owers])
        key = period.label if by_label else at
        for row, row_groups in zip(rows, groups, strict=True):  # type: ignore[arg-type]
            for person, grouped in zip(owers, row_groups, strict=True):
                states.append(_state(row, head, person, grouped.get(key, ()), as_of_day))
    return states


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


def _state(row: PlannedRow, head: str, person: Any, in_period: list[tuple[dict[str, Any], int]] | tuple[()],
           as_of_day: int) -> dict[str, Any]:
    """The state of a period (row `row`, for `person` or the unit) from the records admitted that
    belong to it (`in_period`, in input order; `head`: the rid's start, the rule and the unit)."""
    if not in_period:  # (most periods of a long audit of small units: counts and state planned)
        fact = row.empty.copy()
        fact["satisfied_by"] = []
    else:
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
        fact["count"], fact["count_all"], fact["inquorate"] = len(on_time), len(quorate), inquorate
        fact["state"] = decide(len(on_time), len(quorate), row)
        fact["satisfied_by"] = on_time or [f["rid"] for f, _ in quorate]
    fact["rid"] = f"{head}@{person.id}{row.tail}" if person is not None else head + row.tail
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
    facts = batch.facts
    for rule in owed:
        if not owes(rule, unit):
            continue
        unjudged = "rule_off" if rule.skipped is not None else None if data_in_period else "no_data"
        if unjudged:  # owed, but not judged (this profile; or no record in the period): counted, not silent
            first, last = obligation_plan.shared(rule).periods(span).existed(unit)
            batch.obligations_unjudged.extend([(rule.rule.id, unjudged)] * (last - first))
            continue
        states = obligation_states(rule, unit, batch, span, as_of, lookups.persons_of.get(batch.unit, []), by_type,
                                   batch.obligations_unjudged, index)
        batch.obligations.extend(states)
        for state in states:
            fact = state.copy()  # the engine's fact: the state without the records that satisfy it
            del fact["satisfied_by"]
            facts.append(fact)
