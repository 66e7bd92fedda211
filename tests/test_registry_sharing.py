"""The registries (units, persons, vehicles) are held for the whole run: equal short values and equal
lists are held once (checker/run/partition.py `compact`), a record's own id and name are not."""

from __future__ import annotations

from checker.data.files import record_tables
from checker.data.load import dataset_from_records
from checker.run.partition import partition_tables
from tests.randomdata import random_records


def test_registry_records_share_equal_values_and_keep_their_own():
    records = random_records(5, units=4, per_unit=20)
    held = partition_tables(record_tables(records, "random")).registry.records
    persons = [r.record for r in held if r.type == "person"]
    assert len(persons) == 20
    by_value: dict[object, list[int]] = {}
    for person in persons:
        for value in (person.rank, person.unit, person.roles, person.supervises):
            by_value.setdefault(repr(value), []).append(id(value))
    shared = [ids for ids in by_value.values() if len(ids) > 1]
    assert shared, "some values repeat in the random registry"
    assert all(len(set(ids)) == 1 for ids in shared), "an equal value is held once"
    names = [id(p.name) for p in persons]
    assert len(set(names)) == len(names)
    # The same values as the models', field by field.
    models = {(r.type, r.id): r.record for r in dataset_from_records(records, "random").records}
    for loaded in held:
        model = models[(loaded.type, loaded.id)]
        assert {name: getattr(loaded.record, name) for name in model.__dict__} == model.__dict__
