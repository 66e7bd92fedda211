"""A block's facts (checker.facts.makers `block_facts`: a function made per record type and per which
of the fields that may be missing the block gives in none, all or some of its records, each fact a
copy of a skeleton its unit's records share) are those of the same records made one at a time
(derive `fact_of`), key by key and in order: for blocks of one unit and of many, with fields given in none,
all or some records, known and unknown persons, vehicles and units, units with a reform and without,
and a block with a record that has no day. And what units alike share (checker.facts.shares
`unit_days`) is shared only by units whose facts take the same from them."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from checker.data.load import dataset_from_records
from checker.data.models import REGISTRY_TYPES
from checker.data.plain import plan_of
from checker.data.records import LoadedRecord
from checker.facts import by_type, derive, makers, shares
from checker.facts.makers import field_plan
from tests.conftest import values_of
from tests.randomdata import random_records

AS_OF = dt.date(2021, 3, 31)


def _planted(records: list[LoadedRecord]) -> list[LoadedRecord]:
    """Every third record names a person no registry knows, every fifth a unit none knows."""
    planted = []
    for index, loaded in enumerate(records):
        fields = type(loaded.record).model_fields
        change: dict[str, Any] = {}
        if index % 3 == 0 and "person" in fields:
            change["person"] = "P-NOBODY"
        if index % 5 == 0:
            change["unit"] = "U-NOBODY"
        record = loaded.record.model_copy(update=change) if change else loaded.record
        planted.append(LoadedRecord(loaded.type, record, loaded.source, loaded.row))
    return planted


def _blocks(kind: str, records: list[LoadedRecord]) -> list[list[LoadedRecord]]:
    """The records of a type as one block (many units), by unit, and for each field that may be
    missing split by whether they give it (a block giving it in none, or in all, of its records)."""
    by_unit: dict[str, list[LoadedRecord]] = defaultdict(list)
    for loaded in records:
        by_unit[loaded.record.unit].append(loaded)
    blocks = [records, *by_unit.values()]
    for name in makers._may_miss(kind):
        blocks += [[r for r in records if getattr(r.record, name) is None],
                   [r for r in records if getattr(r.record, name) is not None]]
    return [block for block in blocks if block]


ASKED: list[str] = []  # the record types of the blocks whose records `block_facts` asked for


def _compare(block: list[LoadedRecord], lookups: derive.Lookups, days: list[Any] | None = None) -> int:
    kind = block[0].type
    values = {name: [values_of(r.record)[name] for r in block] for name in ("id", *(n for n, _, _ in field_plan(kind)))}
    days = makers.block_days(kind, values) if days is None else days

    def records() -> list[Any]:
        ASKED.append(kind)
        return [r.record for r in block]

    made = makers.block_facts(kind, values, records, days, lookups, AS_OF.toordinal())
    for loaded, fact, day in zip(block, made, days, strict=True):
        alone = derive._activity_fact(kind, loaded.record, AS_OF.toordinal(), day, lookups)  # as fact_of's
        assert list(fact.items()) == list(alone.items()), (kind, loaded.id)
    return len(made)


def test_block_facts_are_those_of_records_made_one_at_a_time():
    data = dataset_from_records(random_records(11, units=8, per_unit=200), "random")
    units = [r.record for r in data.records if r.type == "unit"]
    assert {u.reform_start is None for u in units} == {True, False}  # units with a reform and without
    lookups = derive.Lookups(data)
    by_type: dict[str, list[LoadedRecord]] = defaultdict(list)
    for loaded in data.records:
        if loaded.type not in REGISTRY_TYPES and plan_of(loaded.type) is not None:
            by_type[loaded.type].append(loaded)
    compared = 0
    ASKED.clear()
    for kind, records in by_type.items():
        for block in _blocks(kind, _planted(records)):
            compared += _compare(block, lookups)
    assert len(by_type) >= 20 and compared > 5000
    assert not ASKED  # each extra written in: no block's records were asked for (made)
    # each way a block may give a field was made a function of, and a fact was copied from a skeleton
    # with each field left out and with each person unknown
    assert {state for _, given in lookups.block_makers for state in given} == {"n", "a", "s"}
    shapes = [shape for of_day in lookups.unit_days.values() for found in of_day.shapes.values() for shape in found]
    assert max(shapes) >= 4


def test_a_block_with_a_record_without_a_day_has_each_fact_made_alone():
    data = dataset_from_records(random_records(12, units=2, per_unit=60), "random")
    lookups = derive.Lookups(data)
    block = [r for r in data.records if r.type == "meeting"]
    days = [derive.record_date(r) for r in block]
    days[1] = None
    ASKED.clear()
    assert _compare(block, lookups, days) == len(block)
    assert not lookups.block_makers and ASKED == ["meeting"]  # (no function was made for the block: its records were)


def test_units_share_what_they_give_a_fact_only_if_it_is_the_same():
    records = random_records(13, units=4, per_unit=10)
    for unit in records["unit"]:
        unit.update(level="municipal", org_kind="branch", region="北京", reform_start=None, reform_end=None)
    records["unit"][1]["region"] = "上海"
    records["unit"][2]["staffing_quota"] = 99
    records["unit"][3]["reform_start"] = "2020-03-01"
    lookups = derive.Lookups(dataset_from_records(records, "random"))
    day = dt.date(2020, 5, 1)
    plain = [shares.unit_days(lookups, f"U{i}", True, False) for i in range(4)]
    staffing = [shares.unit_days(lookups, f"U{i}", True, True) for i in range(4)]
    assert plain[0] is shares.unit_days(lookups, "U0", True, False)  # kept
    assert plain[0] is plain[2] and plain[0] is not plain[1] and plain[0] is not plain[3]
    assert staffing[0] is not staffing[2]  # a staffing return reads the quotas
    assert plain[3][day]["in_reform"] is True and "days_to_reform_start" in plain[3][day]
    assert plain[0][day]["unit_region"] == "北京" and plain[1][day]["unit_region"] == "上海"
    assert shares.unit_days(lookups, "U-NOBODY", True, False)[day] == shares.PERIOD_FIELDS[day]
    # the last answer, given again when the same is asked twice in a row (a unit's blocks), and only then
    assert shares.unit_days(lookups, "U3", True, False) is plain[3]
    assert shares.unit_days(lookups, "U3", True, False) is plain[3]  # (the last answer's)
    assert shares.unit_days(lookups, "U3", True, True) is staffing[3] and staffing[3] is not plain[3]
    assert shares.unit_days(lookups, "U3", False, True) is not staffing[3]  # (no day's fields in it)
    assert shares.unit_days(lookups, "U1", False, True) is not shares.unit_days(lookups, "U3", False, True)


def test_extras_are_written_into_block_functions_or_else_called():
    """by_type `inlined` writes an extra's body into a block's function, reading the block's names for
    the record's fields; an extra it cannot write in (one reading the record otherwise, returning, or
    assigning a name the function has) is called, and its facts are the same."""
    names = {"depart": "v2", "return_": "v3", "hotel_city": "v14", "destination": "v4", "vehicle": "v15"}
    written = by_type.inlined("travel", names, {"fact", "found"})
    assert written is not None and "record" not in "\n".join(written) and "v14" in "\n".join(written)
    assert by_type.inlined("travel", names, {"fact", "same_city"}) is not None  # (read, not assigned)
    assert by_type.inlined("travel", {k: v for k, v in names.items() if k != "vehicle"}, set()) is None  # reads record.vehicle
    assert by_type.inlined("training", {n: n for n, _, _ in field_plan("training")}, {"faculty"}) is None  # assigns it
    assert by_type.inlined("meeting", {}, set()) is None  # (no extra)

    def returning(record: Any, fact: dict[str, Any], lookups: Any) -> None:
        if record.depart:
            return
        fact["days"] = 0

    original = by_type.EXTRA["travel"]
    try:
        by_type.EXTRA["travel"] = returning
        assert by_type.inlined("travel", names, set()) is None
    finally:
        by_type.EXTRA["travel"] = original


def test_block_facts_with_every_extra_called_are_those_made_one_at_a_time(monkeypatch):
    monkeypatch.setattr(by_type, "inlined", lambda *args: None)
    data = dataset_from_records(random_records(14, units=6, per_unit=300), "random")
    lookups = derive.Lookups(data)
    compared = 0
    ASKED.clear()
    kinds = ("travel", "expense", "training", "vehicle_use", "fuel", "reception")
    for kind in kinds:
        compared += _compare([r for r in data.records if r.type == kind], lookups)
    assert compared > 100 and ASKED == list(kinds)  # (each block's records asked for, once)
    sources = [make.__code__.co_names for make in lookups.block_makers.values()]
    assert sources and all("extra" in names for names in sources)  # (each called its extra)
