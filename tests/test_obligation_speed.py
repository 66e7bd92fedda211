"""Obligation states made with what units share (checker/facts/obligations.py: each standard's rows and
each period's due date made once per rule, the records a row admits once per unit, each record's
quorum tested once per period) say exactly what the plain reading says: the same states, fields in
the same order. The plain reading is kept here: per state, every record of the unit through `where`,
the period, the as-of date and the quorum; the due date worked out again.

Run on every obligation rule of the catalogue over a unit per kind of party organisation with random
meetings, reports and people over three years: quorum figures missing, short and met, records
planned after the as-of date, reports naming a period, units set up or dissolved inside the span."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import pytest

from checker.data.load import dataset_from_records
from checker.facts import derive, obligation_plan, obligations
from checker.facts.periods import Period
from checker.ruleset import conditions as expr
from checker.ruleset.standards import Resolver
from checker.run.check import Options, active_rules
from checker.text.labels import ENUM_LABELS

AS_OF_DAYS = ("2021-03-31", "2020-07-20", "2020-12-31")
SPAN = Period(dt.date(2018, 1, 1), dt.date(2020, 12, 31), "2018-01-01..2020-12-31")


def reference_states(rule, unit, facts, span, as_of, persons) -> list[dict[str, Any]]:
    ob = rule.rule.match.obligation
    owers = [None] if ob.per_person is None else [p for p in persons if all(
        str(getattr(p, name, None)) in allowed for name, allowed in ob.per_person.items())]
    resolver, states = Resolver(rule.rule, rule.standards, unit), []
    for period in obligation_plan.obligation_periods(rule, span):
        found = resolver.on(period.end.toordinal())
        if not obligations.existed(unit, period) or isinstance(found, str):
            continue
        for row_index, values in enumerate(obligation_plan.row_values(rule, rule.standards[found].plain_values)):
            where = [expr.bind(expr.parse(c), values) for c in ob.where]
            quorum = [expr.bind(expr.parse(c), values) for c in ob.quorum]
            required, due = int(obligation_plan.param(ob.min_count, values)), obligation_plan.due_date(rule, period, values)
            for person in owers:
                states.append(_reference_state(rule, unit, person, period, found, row_index, facts, where, quorum,
                                               required, due, as_of))
    return states


def reference_unjudged(rule, unit, span, persons) -> list[tuple[str, str]]:
    """(rule, reason) for each period the unit existed for that no standard judges, once per ower."""
    ob = rule.rule.match.obligation
    owers = [None] if ob.per_person is None else [p for p in persons if all(
        str(getattr(p, name, None)) in allowed for name, allowed in ob.per_person.items())]
    resolver, unjudged = Resolver(rule.rule, rule.standards, unit), []
    for period in obligation_plan.obligation_periods(rule, span):
        found = resolver.on(period.end.toordinal())
        if obligations.existed(unit, period) and isinstance(found, str):
            unjudged += [(rule.rule.id, found)] * len(owers)
    return unjudged


def _reference_state(rule, unit, person, period, found, row_index, facts, where, quorum, required, due, as_of):
    ob = rule.rule.match.obligation
    in_period = [f for f in facts if f["t"] == ob.record and all(expr.holds(c, f) for c in where)
                 and (person is None or f.get("person") == person.id)
                 and (f.get("period") == period.label if ob.record == "report"
                      else period.start.toordinal() <= f.get("day", 0) <= period.end.toordinal())]
    quorate = [f for f in in_period if f.get("day", 0) <= as_of.toordinal() and all(expr.holds(c, f) for c in quorum)]
    on_time = [f for f in quorate if f.get("day", 0) <= due.toordinal()]
    # the first state whose test holds, in this order
    states = (("done", len(on_time) >= required), ("late", as_of > due and len(quorate) >= required),
              ("overdue", as_of > due), ("due", as_of >= period.start), ("upcoming", True))
    state = next(name for name, holds in states if holds)
    owner = f"@{person.id}" if person is not None else ""
    fact = {"t": "obligation_status", "rid": f"{rule.rule.id}@{unit.id}{owner}@{period.label}", "rule": rule.rule.id,
            "period": period.label, "period_start": period.start.toordinal(), "period_end": period.end.toordinal(),
            "due": due.toordinal(), "required": required, "count": len(on_time), "count_all": len(quorate),
            "inquorate": sum(1 for f in in_period if not all(expr.holds(c, f) for c in quorum)), "state": state,
            "as_of": as_of.toordinal(), "satisfied_by": [f["rid"] for f in on_time or quorate]}
    if person is not None:
        fact.update({"person": person.id, "person_name": person.name, "person_rank": person.rank})
    fact["standard"] = found
    if rule.rule.match.for_each:
        fact["rid"] += f"#{row_index}"
        fact["row"] = row_index
    return fact


def random_records(seed: int) -> dict[str, list[dict[str, Any]]]:
    rng = random.Random(seed)
    kinds = sorted(ENUM_LABELS["org_kind"])
    units = [{"id": f"U{i}", "name": f"单位{i}", "org_kind": kind, "level": "county",
              **({"established": "2019-03-15"} if i % 3 == 1 else {}),
              **({"dissolved": "2020-08-31"} if i % 3 == 2 else {})} for i, kind in enumerate(kinds)]
    day = lambda: (SPAN.start + dt.timedelta(days=rng.randrange(1200))).isoformat()  # noqa: E731 - past the span too
    persons, meetings, reports = [], [], []
    for unit in units:
        for n in range(3):
            persons.append({"id": f"{unit['id']}P{n}", "unit": unit["id"], "name": f"人{n}",
                            "rank": rng.choice(sorted(ENUM_LABELS["rank"])),
                            "party_member": rng.random() < 0.8, "roles": ["secretary"] if n == 0 else []})
        for n in range(150):  # half of them of the kinds that have a quorum
            expected = rng.choice([None, 5, 9, 12])
            kind = rng.choice(["branch_committee", "branch_general_meeting", "democratic_life"] if n % 2
                              else sorted(ENUM_LABELS["meeting_kind"]))
            meetings.append({"id": f"{unit['id']}M{n}", "unit": unit["id"], "date": day(), "kind": kind,
                             "expected": expected,
                             "present": None if expected is None or rng.random() < 0.1 else rng.randint(1, expected)})
        for n, (on, kind) in enumerate((d, k) for d in AS_OF_DAYS for k in ("branch_committee", "monthly_study",
                                                                           "party_group_meeting")):
            meetings.append({"id": f"{unit['id']}A{n}", "unit": unit["id"], "date": on, "kind": kind,
                             "expected": 4, "present": 4})  # held on an as-of day: it counts that day
        for n in range(40):
            year = rng.choice([2017, 2018, 2019, 2020])
            reports.append({"id": f"{unit['id']}R{n}", "unit": unit["id"], "submitted": day(),
                            "kind": rng.choice(["personal_matters", *sorted(ENUM_LABELS["report_kind"])]), "person": rng.choice(
                                [None, f"{unit['id']}P0", f"{unit['id']}P1"]),
                            "period": rng.choice([str(year), f"{year}H{rng.randint(1, 2)}", f"{year}Q{rng.randint(1, 4)}",
                                                  f"{year}-{rng.randint(1, 12):02d}"])})
    return {"unit": units, "person": persons, "meeting": meetings, "report": reports}


@pytest.mark.parametrize(("seed", "as_of"), [(1, dt.date(2021, 3, 31)), (2, dt.date(2020, 7, 20)),
                                             (3, dt.date(2020, 12, 31))])
def test_obligation_states_equal_the_plain_reading(seed, as_of):
    active, _ = active_rules(Options(None, "speech", as_of=as_of))
    owed = [rule for rule in active if rule.rule.match.obligation]
    data = dataset_from_records(random_records(seed))
    lookups = derive.Lookups(data)
    compared = per_person = quorate = not_judged = nothing = 0
    seen: set[str] = set()
    owing: set[bool] = set()
    for unit_id, unit in lookups.units.items():
        records = [r for r in data.records if derive.unit_of(r) == unit_id]
        batch = derive.unit_batch(unit_id, records, lookups, as_of, SPAN)
        facts = batch.facts + batch.outside
        # shared over the unit's rules as unit_obligations shares them (`index`: records grouped by a field)
        by_type, index = obligations.facts_by_type(batch), {}
        for rule in owed:
            plain_owes = all(str(getattr(unit, name, None)) in allowed
                             for name, allowed in rule.rule.match.obligation.owed_by.items())
            assert obligations.owes(rule, unit) == plain_owes  # (decided once per unit attributes read)
            owing.add(plain_owes)
            if not plain_owes:
                continue
            persons = lookups.persons_of.get(unit_id, [])
            unjudged: list[tuple[str, str]] = []
            states = obligations.obligation_states(rule, unit, batch, SPAN, as_of, persons, by_type, unjudged, index)
            expected = reference_states(rule, unit, facts, SPAN, as_of, persons)
            assert [list(s.items()) for s in states] == [list(s.items()) for s in expected], rule.rule.id
            assert unjudged == reference_unjudged(rule, unit, SPAN, persons), rule.rule.id
            not_judged += len(unjudged)
            compared += len(states)
            per_person += sum(1 for s in states if "person" in s)
            quorate += sum(1 for s in states if s["inquorate"] and s["count_all"])
            nothing += sum(1 for s in states if not s["satisfied_by"] and not s["inquorate"])
            seen.update(s["state"] for s in states)
    assert compared > 200 and per_person and quorate and not_judged  # the data reached every branch
    assert owing == {True, False} and 0 < nothing < compared  # periods without records and with
    assert any(grouped for grouped in index.values())  # the first tests read records grouped by their field
    assert {"done", "overdue"} <= seen and len(seen) >= 3, seen

