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


def test_compact_shares_each_value_as_the_rule_says():
    """compact is written out per model (a speed-up): each field's value is shared as the rule says (a
    str up to 24 characters, a list of nothing but str), whatever its type, and a record's own values
    never are."""
    import datetime as dt
    import enum
    from types import SimpleNamespace

    from checker.data.registry_models import Person
    from checker.run.partition import _OWN, compact

    class Kind(enum.StrEnum):  # a str of another class: held as it is
        A = "a"

    values = ["short", "x" * 24, "y" * 25, ["a", "b"], [], ["a", 1], None, True, 3, dt.date(2020, 1, 2),
              Kind.A, ("a",), [["a"]]]
    names = list(Person.model_fields)
    for value in values:
        first = SimpleNamespace(**{name: copy_of(value) for name in names})
        second = SimpleNamespace(**{name: copy_of(value) for name in names})
        shared: dict[object, object] = {}
        made = [compact(record, shared, Person) for record in (first, second)]
        for name in names:
            held = [getattr(m, name) for m in made]
            given = [getattr(r, name) for r in (first, second)]
            assert held == given and type(held[0]) is type(value)
            shareable = (type(value) is str and len(value) <= 24) or \
                (type(value) is list and all(type(item) is str for item in value))
            expected_shared = name not in _OWN and shareable
            assert (held[0] is held[1]) == (expected_shared or given[0] is given[1]), (name, value)


def copy_of(value: object) -> object:
    """An equal value that is not the same object (where Python lets one make such a copy)."""
    if type(value) is str:
        return "".join(list(value)) if value else value
    if type(value) is list:
        return [copy_of(item) for item in value]
    return value
