"""A record's fact is made by a function generated per record type, with what it takes from its
person, unit and vehicle made once per registry entry (checker/facts/derive.py). Pinned here
against the plain reading of the same rules, key by key and in the same order, on random records of
every type and on the demo."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from checker.data.load import dataset_from_records, load_path
from checker.data.records import DataSet, LoadedRecord
from checker.facts import by_type, derive, makers, shares
from checker.facts.by_type import RANK_LEVEL
from tests.conftest import values_of
from tests.randomdata import random_records

AS_OF = dt.date(2021, 3, 31)
DEMO = Path(__file__).resolve().parent.parent / "fixtures" / "demo"


def plain_fact(loaded: LoadedRecord, lookups: derive.Lookups, as_of: dt.date, day: dt.date | None) -> dict[str, Any]:
    """The fact as the field plan and the lookups say, one step at a time (the code before it was
    generated per type)."""
    record, kind = loaded.record, loaded.type
    fields = values_of(record)
    fact: dict[str, Any] = {"t": kind, "rid": record.id, "as_of": as_of.toordinal()}
    for name, key, conversion in makers.field_plan(kind):
        value = fields[name]
        if value is None:
            continue
        if conversion == 1:
            value = value.toordinal()
        elif conversion == 2:
            value = value.toordinal() if type(value) is dt.date else value.date().toordinal()
        fact[key] = value
    if day is not None:
        fact.update(shares.PERIOD_FIELDS[day])
    person = lookups.persons.get(fields.get("person") or "") if kind != "person" else record
    if person is not None:
        fact["person_rank"] = person.rank
        fact["person_name"] = person.name
        fact["person_rank_level"] = RANK_LEVEL[person.rank]
        fact["person_is_secretary"] = "secretary" in person.roles
        fact["person_party_member"] = person.party_member
    unit = lookups.units.get(record.id if kind == "unit" else fields.get("unit", ""))
    if unit is not None:
        fact["unit_level"] = unit.level
        fact["unit_org_kind"] = unit.org_kind
        if unit.region:
            fact["unit_region"] = unit.region
        fact["in_reform"] = (day is not None and unit.reform_start is not None
                             and unit.reform_start <= day <= (unit.reform_end or dt.date.max))
        if kind == "staffing":
            for name in ("staffing_quota", "leadership_quota"):
                if getattr(unit, name) is not None:
                    fact[f"unit_{name}"] = getattr(unit, name)
        if kind != "unit" and day is not None:
            if unit.reform_start is not None:
                fact["days_to_reform_start"] = (unit.reform_start - day).days
            if unit.reform_end is not None:
                fact["days_to_reform_end"] = (unit.reform_end - day).days
    vehicle = lookups.vehicles.get(fields.get("vehicle") or "")
    if vehicle is not None:
        for name in ("tank_l", "fuel", "kind"):
            if getattr(vehicle, name) is not None:
                fact[f"vehicle_{name}"] = getattr(vehicle, name)
    extra = by_type.EXTRA.get(kind)
    if extra is not None:
        extra(record, fact, lookups)
    return fact


def _compare(data: DataSet) -> int:
    lookups = derive.Lookups(data)
    compared = 0
    for loaded in data.records:
        day = derive.record_date(loaded)
        for given in (day, None, AS_OF):  # as unit_batch calls it: the record's day, none, a registry's day
            made = derive.fact_of(loaded, lookups, AS_OF, given)
            expected = plain_fact(loaded, lookups, AS_OF, given if given is not None else day)
            assert list(made.items()) == list(expected.items()), (loaded.type, loaded.id)
            compared += 1
    return compared


@pytest.mark.parametrize("seed", [1, 2])
def test_facts_are_those_of_the_plain_reading_on_random_records(seed):
    data = dataset_from_records(random_records(seed, units=6, per_unit=150), "random")
    types = {loaded.type for loaded in data.records}
    assert len(types) >= 20, types  # every kind of record, so every generated maker is compared
    assert _compare(data) > 2000


def test_facts_are_those_of_the_plain_reading_on_the_demo():
    assert _compare(load_path(DEMO)) > 1000


def test_a_duplicate_person_fact_reads_its_own_values():
    """A person's fact reads the record itself, not the registry's entry of its id (the first one)."""
    records = random_records(3, units=3, per_unit=40)
    first = records["person"][0]
    records["person"].append({**first, "name": "同号另一人", "rank": "bureau", "roles": ["secretary"]})
    data = dataset_from_records(records, "random")
    lookups = derive.Lookups(data)
    second = [r for r in data.records if r.type == "person" and r.id == first["id"]][-1]
    fact = derive.fact_of(second, lookups, AS_OF, AS_OF)
    assert (fact["person_name"], fact["person_rank"], fact["person_is_secretary"]) == ("同号另一人", "bureau", True)
