"""Coverage a group at a time (checker/verdict/coverage_groups.py, issue 18) says exactly what coverage
record by record says: the same counts and details, in the same order (a report shows dict order).

The record-by-record reading is kept here, as checker/verdict/coverage.py had it before (every record
through every rule of its type), and both are run on the demo's units and on random facts: values
of every type alike in == (1, 1.0, True; 0.0, -0.0), None and absent, days on each side of every
day a standard or gap starts or ends, party membership known, unknown and absent, duplicate ids.
"""

from __future__ import annotations

import datetime as dt
import json
import pickle
import random
import tempfile
from bisect import bisect_right
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import pytest

from checker.facts.audit_period import audit_period
from checker.facts.derive import UnitBatch
from checker.ruleset.standards import Resolver
from checker.run.check import Options, active_rules
from checker.run.partition import partition
from checker.run.unit import context_of, derive_unit, validate_unit
from checker.verdict import coverage
from checker.verdict.coverage_groups import _changes
from tests.conftest import DEMO

# --- the reference: record by record ----------------------------------------------------------------


class ReferenceCoverage:
    """One unit's coverage as checker/verdict/coverage.py counted it record by record: a row per rule
    touched (Counters), the rows with nothing in scope left out at the end."""

    def __init__(self) -> None:
        self.rules: dict[str, dict[str, Any]] = {}
        self.records: dict[str, list[Any]] = {}

    def row(self, rule_id: str) -> dict[str, Any]:
        found = self.rules.get(rule_id)
        if found is None:
            found = self.rules[rule_id] = {"in_scope": 0, "judged": 0, "not_judged": Counter(),
                                           "details": defaultdict(Counter)}
        return found

    def as_dict(self) -> dict[str, Any]:
        rules = {}
        for rule_id, row in self.rules.items():
            if row["in_scope"]:
                rules[rule_id] = {"in_scope": row["in_scope"], "judged": row["judged"],
                                  "not_judged": dict(row["not_judged"]),
                                  "details": {k: dict(v) for k, v in row["details"].items() if v}}
        return {"rules": rules, "records": dict(self.records)}


def reference_coverage(found: list[coverage.Plan], batch: UnitBatch, unit: Any) -> dict[str, Any]:
    result = ReferenceCoverage()
    by_type: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for fact in batch.facts:
        by_type[fact["t"]].append(fact)
    judged_ids: dict[str, set[str]] = defaultdict(set)
    ruled_types, owed_types = set(), set()
    for plan in found:
        if plan.record is None:
            owed_types.add(plan.active.rule.match.obligation.record)
            states = [s for s in batch.obligations if s["rule"] == plan.rule_id]
            unjudged = [reason for rule, reason in batch.obligations_unjudged if rule == plan.rule_id]
            if states or unjudged:
                row = result.row(plan.rule_id)
                row["in_scope"] += len(states) + len(unjudged)
                for state in states:
                    if state["state"] in coverage.JUDGED_STATES:
                        row["judged"] += 1
                    else:
                        row["not_judged"]["not_due"] += 1
                for reason in unjudged:
                    row["not_judged"][reason] += 1
            continue
        ruled_types.add(plan.record)
        _reference_records(plan, by_type.get(plan.record, []), batch.outside_counts.get(plan.record, 0), unit,
                           result, judged_ids[plan.record])
    for record_type, facts in by_type.items():
        if record_type in ("obligation_status", "unit_stats", "pattern"):
            continue
        result.records[record_type] = [len(facts), len(judged_ids[record_type]) if record_type in ruled_types else -1,
                                       record_type in owed_types]
    return {**result.as_dict(), "dated_in_period": batch.dated_in_period}


def _reference_records(plan: coverage.Plan, facts: list[dict[str, Any]], outside: int, unit: Any,
                       result: ReferenceCoverage, judged: set[str]) -> None:
    row = result.row(plan.rule_id)
    not_judged, details = row["not_judged"], row["details"]
    if outside:
        row["in_scope"] += outside
        not_judged["outside_period"] += outside
    applies, applies_fields = plan.applies, plan.applies_fields
    if plan.active.skipped is not None:
        for fact in facts:
            if _reference_in_scope(applies, applies_fields, fact, details) is not False:
                row["in_scope"] += 1
                not_judged["rule_off"] += 1
        return
    resolver = Resolver(plan.active.rule, plan.active.standards, unit)
    for fact in facts:
        if applies_fields and None in map(fact.get, applies_fields):
            _reference_in_scope(applies, applies_fields, fact, details)
            row["in_scope"] += 1
            not_judged["missing_field"] += 1
            continue
        if applies and not all(test(fact) for test in applies):
            continue
        row["in_scope"] += 1
        standard = resolver.on(fact.get("day", 0), fact.get("person_party_member",
                                                              True if "person" not in fact else None))
        if isinstance(standard, str):
            not_judged[standard] += 1
            continue
        rows = plan.rows.get(standard)
        if rows is not None and not any(all(test(fact) for test in selector) for selector in rows.selectors):
            details["no_standard"][", ".join(f"{name}={fact.get(name, '—')}" for name in rows.fields)] += 1
            not_judged["no_standard"] += 1
            continue
        needed = plan.needed[standard]
        if needed and None in map(fact.get, needed):
            not_judged["missing_field"] += 1
            details["missing_field"][", ".join(name for name in needed if fact.get(name) is None)] += 1
            continue
        row["judged"] += 1
        judged.add(fact["rid"])


def _reference_in_scope(applies, applies_fields, fact, details):
    missing = [name for name in applies_fields if fact.get(name) is None]
    if missing:
        details["missing_field"][", ".join(sorted(missing))] += 1
        return None
    return all(test(fact) for test in applies)


# --- the data -----------------------------------------------------------------------------------------

def _derived(folder: Path, profile: str, as_of: dt.date, period: str | None):
    """The rules active under the profile, and each unit's derived batch with its registry entry."""
    active, _ = active_rules(Options(None, profile, as_of=as_of))
    with tempfile.TemporaryDirectory(prefix="lianjian-coverage-test-") as spool:
        parts = partition(folder, Path(spool))
        span, _ = audit_period(period, as_of)
        context = context_of(parts, active, span, as_of)
        units = []
        for unit in dict.fromkeys([*context.registry_of, *parts.spool_rows]):
            loaded, _, _ = validate_unit(context, unit, parts.rows_of(unit))
            batch = derive_unit(context, unit, loaded)
            units.append((batch, context.lookups.units.get(batch.unit)))
    return active, units


CASES = [("speech", dt.date(2020, 7, 10), None), ("speech", dt.date(2021, 3, 31), "2016-01-01..2020-12-31"),
         ("central", dt.date(2020, 7, 10), "2019"), ("transport", dt.date(2020, 12, 31), None)]


@pytest.fixture(scope="module")
def demo():
    return {case: _derived(DEMO, *case) for case in CASES}


def _same(found, units):
    """Each unit's coverage, grouped and record by record: equal, in the same order."""
    for batch, unit in units:
        grouped = coverage.unit_coverage(found, batch, unit)
        expected = reference_coverage(found, batch, unit)
        assert grouped == expected, batch.unit
        assert json.dumps(grouped, ensure_ascii=False) == json.dumps(expected, ensure_ascii=False), batch.unit


@pytest.mark.parametrize("case", CASES, ids=lambda case: f"{case[0]}-{case[1]}-{case[2]}")
def test_the_demo_is_covered_as_record_by_record(demo, case):
    active, units = demo[case]
    found = coverage.plans(active)
    _same(found, units)
    _same(found, units)  # again, with what the first pass remembered (outcomes shared by units alike)


def test_some_of_the_plans_and_plans_pickled_are_covered_alike(demo):
    active, units = demo[CASES[0]]
    found = coverage.plans(active)
    _same(found[::2], units)  # not the lists plans() worked out what a type's rules read for
    _same(found, units)
    _same(pickle.loads(pickle.dumps(found)), units)  # a unit retried in a fresh interpreter


# --- random facts -------------------------------------------------------------------------------------

ODD = [None, True, False, 1, 0, 1.0, 0.0, -0.0, float("nan"), "1", "", "x", 10**6, -5]
ABSENT = object()


def _pools(found, units) -> dict[str, dict[str, list[Any]]]:
    """Per record type: each field its rules read, with values the demo gives it and odd ones."""
    seen: dict[str, dict[str, set]] = defaultdict(lambda: defaultdict(set))
    for batch, _ in units:
        for fact in batch.facts:
            for name, value in fact.items():
                if isinstance(value, (str, int, float, bool)) and len(seen[fact["t"]][name]) < 8:
                    seen[fact["t"]][name].add(value)
    pools: dict[str, dict[str, list[Any]]] = {}
    for plan in found:
        if plan.record is None or plan.reads is None:
            continue
        reads = plan.reads
        days = sorted({day + delta for p in reads.plans for day in _changes(p) for delta in (-1, 0, 1)
                       if 0 < day + delta < dt.date.max.toordinal()} | seen[plan.record]["day"])
        fields = {name: sorted(seen[plan.record][name], key=repr) + ODD + [ABSENT]
                  for name in (*reads.values, *reads.present)}
        fields["day"] = days + [ABSENT]
        # not 1 as well as True: the resolver remembers its answers by (day, membership), where 1 == True
        # (a person's party_member is True, False or None: checker/data/models.py)
        fields["person_party_member"] = [True, False, None, ABSENT]
        fields["person"] = ["P1", ABSENT]
        pools[plan.record] = fields
    return pools


def _random_batch(rng: random.Random, name: str, pools: dict[str, dict[str, list[Any]]]) -> UnitBatch:
    batch = UnitBatch(name)
    types = list(pools)
    for number in range(rng.randrange(0, 400)):
        record_type = rng.choice(types)
        fact = {"t": record_type, "rid": f"r{rng.randrange(number + 1)}"}  # ids repeat now and then
        usual = rng.random() < 0.7  # most records of a type look alike: a few values each
        for field_name, pool in pools[record_type].items():
            value = pool[rng.randrange(min(3, len(pool)))] if usual else rng.choice(pool)
            if value is not ABSENT:
                fact[field_name] = value
        batch.facts.append(fact)
    if rng.random() < 0.5:
        batch.facts.sort(key=lambda fact: fact["t"])
    for record_type in rng.sample(types, k=min(3, len(types))):
        batch.outside_counts[record_type] = rng.randrange(3)
    batch.dated_in_period = len(batch.facts)
    return batch


@pytest.mark.parametrize("seed", range(6))
def test_random_facts_are_covered_as_record_by_record(demo, seed):
    rng = random.Random(seed)
    active, units = demo[CASES[seed % 2]]
    found = coverage.plans(active)
    pools = _pools(found, units)
    registries = [unit for _, unit in units] + [None]
    for number in range(25):
        batch = _random_batch(rng, f"U{number}", pools)
        _same(found, [(batch, rng.choice(registries))])


def test_a_standard_applies_alike_between_two_days_a_standard_or_gap_starts_or_ends(demo):
    """What coverage_groups takes of the resolver: its answer changes only on the days _changes says."""
    rng = random.Random(7)
    active, units = demo[CASES[1]]
    registries = [unit for _, unit in units] + [None]
    for plan in coverage.plans(active):
        if plan.record is None or plan.active.skipped is not None:
            continue
        changes = sorted(_changes(plan))
        days = sorted({day + delta for day in changes for delta in (-2, -1, 0, 1)
                       if 0 < day + delta < dt.date.max.toordinal()}
                      | {rng.randrange(dt.date(2000, 1, 1).toordinal(), dt.date(2030, 1, 1).toordinal())
                         for _ in range(50)})
        for registry in registries:
            resolver = Resolver(plan.active.rule, plan.active.standards, registry)
            for member in (True, False, None):
                answers: dict[int, Any] = {}
                for day in days:
                    span = bisect_right(changes, day)
                    assert answers.setdefault(span, resolver.on(day, member)) == resolver.on(day, member), \
                        (plan.rule_id, day, member)


def test_records_alike_but_one_are_covered_as_record_by_record(demo):
    """A type's records alike in every column are one group with no key per record; one record unlike
    the rest in one field (another value, None, absent: first, in the middle or last) breaks that
    column only. The same groups again with other sizes and other records outside the period share
    what the first unit worked out (Reads.judged): the counts must still be the unit's own."""
    rng = random.Random(11)
    active, units = demo[CASES[1]]
    found = coverage.plans(active)
    pools = _pools(found, units)
    registries = [unit for _, unit in units] + [None]
    for record_type, fields in pools.items():
        base = {"t": record_type, "rid": "r0", **{name: pool[0] for name, pool in fields.items() if pool[0] is not ABSENT}}
        for size in (1, 2, 7):
            for odd_at in (None, 0, size // 2, size - 1):
                name = rng.choice(sorted(fields))
                odd = rng.choice([value for value in fields[name] if value is not base.get(name, ABSENT)])
                batch = UnitBatch(f"{record_type}-{size}-{odd_at}-{name}")
                for number in range(size):
                    fact = {**base, "rid": f"r{number % 3}"}  # ids repeat: judged records are distinct ids
                    if number == odd_at:
                        if odd is ABSENT:
                            fact.pop(name, None)
                        else:
                            fact[name] = odd
                    batch.facts.append(fact)
                batch.outside_counts[record_type] = rng.randrange(3)
                batch.dated_in_period = size
                _same(found, [(batch, rng.choice(registries))])
