"""A value the rule needs is missing: that rule does not judge the record (never true, never false),
in both evaluators alike. The engine's own semantics differ: a comparison with a missing field of the
same record on the right-hand side (`litres > vehicle_tank_l`) is true in durable-rules, so the
compiler guards every field a condition reads."""

from __future__ import annotations

import datetime as dt

import pytest

from checker.data.files import record_tables
from tests.conftest import check

RECORDS = {
    "unit": [{"id": "U1", "name": "局", "level": "municipal", "org_kind": "party_group"}],
    "vehicle": [{"id": "V1", "unit": "U1", "plate": "皖P·00001", "kind": "other", "fuel": "petrol"}],  # no tank_l
    "fuel": [{"id": "F1", "unit": "U1", "vehicle": "V1", "time": "2020-06-09 10:00", "litres": 30, "amount": 200}],
}


@pytest.mark.parametrize("evaluator", ["durable", "reference"])
def test_a_vehicle_without_tank_size_is_not_judged_for_over_tank_refuels(evaluator):
    result = check(record_tables(RECORDS, "missing"), as_of=dt.date(2020, 7, 10), period="2020",
                   evaluator=evaluator, isolate=False)
    assert [f.rule.rule.id for f in result.findings] == []


@pytest.mark.parametrize("text", ["category == 3", "kind in ['cash', 'voucher']", "statutory_holiday", "not approved",
                                  "handed_in is missing", "decision is present", "amount >= 50000", "name != 'x'",
                                  "cost > person_days * 3"])
def test_a_compiled_predicate_agrees_with_the_condition_semantics(text):
    from checker.ruleset import conditions as expr

    cond = expr.parse(text)
    facts = [{}, {"category": 3, "kind": "cash", "statutory_holiday": True, "approved": False, "amount": 50000,
                  "name": "y", "cost": 10, "person_days": 2, "decision": "M1"},
             {"category": "3", "kind": "gift", "statutory_holiday": False, "approved": True, "amount": 1,
              "name": "x", "cost": 1, "person_days": 2, "handed_in": 737000},
             {"category": None, "amount": "abc", "approved": 0}]
    for fact in facts:
        assert expr.predicate(cond)(fact) == expr.holds(cond, fact), (text, fact)
