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
