"""The shortcuts of checker/verdict/coverage.py and coverage_groups.py take one way or another by what
they find (a batch's facts by type from derive or not; a type's records gone through all alike first
or record by record first): each way must come to what record by record says (the reference of
tests/test_coverage_speed.py), so each is taken here on purpose."""

from __future__ import annotations

import dataclasses
import json
import random
from types import SimpleNamespace

import pytest

from checker.ruleset.schema import Scope
from checker.verdict import coverage, coverage_groups, coverage_scopes
from tests.conftest import DEMO
from tests.test_coverage_speed import CASES, _derived, reference_coverage


@pytest.fixture(scope="module")
def demo():
    return _derived(DEMO, *CASES[1])


def _reads(found):
    return {id(plan.reads): plan.reads for plan in found if plan.reads is not None}.values()


def _as_json(covered):
    return json.dumps(covered, ensure_ascii=False)


def test_facts_by_type_from_derive_and_from_the_facts_alike(demo):
    """derive's facts by type (UnitBatch.kinds) with the facts added after them (obligation states),
    and the same batch gone through fact by fact: the same coverage, the types in the same order."""
    active, units = demo
    found = coverage.plans(active)
    tails = 0
    for batch, unit in units:
        assert 0 <= batch.kinds_of <= len(batch.facts)
        tails += batch.kinds_of < len(batch.facts)
        from_kinds = coverage.unit_coverage(found, batch, unit)
        plain = dataclasses.replace(batch, kinds={}, kinds_of=-1)
        assert _as_json(from_kinds) == _as_json(coverage.unit_coverage(found, plain, unit)), batch.unit
        assert _as_json(from_kinds) == _as_json(reference_coverage(found, batch, unit)), batch.unit
    assert tails  # some units have facts added after derive's by type


@pytest.mark.parametrize("mixed", [True, False])
def test_records_missing_fields_record_by_record_first_or_all_alike_first(demo, mixed):
    """Every type's records taken record by record first (as after a unit whose records were mixed),
    or all alike first: the same coverage either way, units alike or not."""
    active, units = demo
    found = coverage.plans(active)
    for _ in range(2):  # again, with what the first pass remembered
        for batch, unit in units:
            for reads in _reads(found):
                reads.mixed = mixed
            covered = coverage.unit_coverage(found, batch, unit)
            assert _as_json(covered) == _as_json(reference_coverage(found, batch, unit)), batch.unit


@pytest.mark.parametrize("steady", [(), ("f0", "f4", "f5"), ("f0", "f3", "f5")])
@pytest.mark.parametrize("varying", [0, 1, 3])
def test_missing_fields_a_field_at_a_time_as_record_by_record(varying, steady):
    """_missing_by_record reads a field at a time and numbers each pattern of the fields missing in
    some records once: records missing (absent or None) the same fields get the same number, records
    missing others another, whether no field, one or several vary among them; whether the fields the
    last unit's records all gave (reads.steady) are all given again (tested together, f0 f4 f5 when
    fewer than two vary) or not (f3 when it varies: a field at a time), or none is remembered."""
    names = tuple(f"f{i}" for i in range(6))
    rng = random.Random(varying)
    facts = []
    for _ in range(40):
        fact = {"t": "x", "f0": 1, "f2": None}  # f0 given by all, f2 None in all, f1 absent in all
        for name in names[3:3 + varying]:
            choice = rng.randrange(3)  # given, None or absent
            if choice < 2:
                fact[name] = None if choice else "v"
        fact.update({name: 0 for name in names[3 + varying:]})
        facts.append(fact)
    reads = coverage_groups.Reads((), (), frozenset(), names, [], False)
    reads.steady = steady
    found = coverage_groups._missing_by_record(reads, coverage_groups._Fields(facts))
    by_record = [tuple(fact.get(name) is None for name in names) for fact in facts]
    assert len(found) == len(facts)
    assert {(pattern, number) for pattern, number in zip(by_record, found, strict=True)} == \
        {(pattern, reads.missing[pattern]) for pattern in by_record}
    assert len(set(found)) == len(set(by_record)) == (1 if not varying else len(set(by_record)))
    assert reads.steady == tuple(name for name in names if all(fact.get(name) is not None for fact in facts))


def test_scopes_alike_in_whom_among_units_they_bind_are_asked_once():
    """Scopes that differ only in their text or in binding party members only are asked once per
    unit (Scopes.binding): each scope's answer is still its own binds_unit's, whatever the unit."""
    scopes = coverage_scopes.Scopes()
    made = [Scope(), Scope(text="art. 2"), Scope(party_members=True), Scope(levels=["central"]),
            Scope(levels=["central"], text="art. 5", party_members=True), Scope(levels=["county"]),
            Scope(org_kinds=["branch"]), Scope(regions=["合肥市"]), Scope(levels=["central"], systems=["transport"])]
    assert [scopes.add(scope) for scope in made] == list(range(len(made)))
    assert scopes.add(Scope(levels=["county"])) == 5  # equal scopes are one
    assert len(scopes._of_units) == 6
    for level in ("central", "county", "township"):
        for values in ({}, {"org_kind": "branch"}, {"region": "合肥市", "system": "transport"}):
            unit = SimpleNamespace(level=level, **values)
            assert scopes.binding(unit) == [scope.binds_unit(unit) for scope in made]
    assert scopes.binding(None) == [False] * len(made)
