"""The durable-rules adapter and the pure-Python reference evaluator must agree exactly: the same
matches on random data, through the same run."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

from checker.data.files import record_tables
from checker.engine import make_evaluator
from checker.run.check import Options, active_rules, run
from tests.randomdata import random_records


class Recording:
    """An evaluator that keeps every match it returns, by unit."""

    def __init__(self, kind: str, found, matches: dict):
        self.inner, self.matches = make_evaluator(kind, found), matches

    def judge(self, batch):
        found = self.inner.judge(batch)
        self.matches[batch.unit] = Counter(found)
        return found

    def close(self):
        self.inner.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_engine_and_reference_find_the_same_matches(seed, monkeypatch):
    from checker.run import check as check_module

    records = random_records(seed)
    options = Options(profile="speech", as_of=dt.date(2021, 2, 15), period="2020", isolate=False)
    rules = active_rules(options)
    matches: dict[str, dict] = {"durable": {}, "reference": {}}
    results = {}
    for kind in matches:
        monkeypatch.setattr(check_module, "make_evaluator",
                            lambda _kind, found, kind=kind: Recording(kind, found, matches[kind]))
        results[kind] = run(record_tables(records, "random"), options, rules)
    data = results["durable"].data
    assert results["durable"].records > 3000
    assert not [e for e in data.errors if e.level == "error" and "unknown" not in e.message], data.errors[:5]
    assert matches["durable"] == matches["reference"]
    assert [f.as_dict() for f in results["durable"].findings] == [f.as_dict() for f in results["reference"].findings]
    total = Counter(m.rule_id for unit in matches["durable"].values() for m in unit.elements())
    found = [a.rule.id for a in rules[0] if a.skipped is None]
    fired = {rule_id for rule_id in found if total[rule_id]}
    # The comparison means something only if most rules actually fired on the random data.
    assert len(fired) >= 0.6 * len(found), sorted(set(found) - fired)
