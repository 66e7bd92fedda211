"""The records a unit's worker makes from a block's columns are made through writable twins of their
classes (checker.data.plain `build`, checker.data.records `LoadedRecord.many`): what comes out must be
the read-only record, alike in every way to one made the plain way."""

from __future__ import annotations

import dataclasses
import pickle

import pytest

from checker.data.plain import RECORD_CLASSES, build, field_columns, plan_of
from checker.data.records import LoadedRecord


def _fuel(count: int) -> list:
    given = {"id": [f"F{k}" for k in range(count)], "unit": ["U"] * count, "vehicle": [None if k % 2 else "V1" for k in range(count)],
             "litres": [40.5] * count}
    return build("fuel", field_columns("fuel", given, count))


def test_built_records_are_read_only_and_hold_the_model_s_fields_in_order() -> None:
    records = _fuel(4)
    plan = plan_of("fuel")
    assert plan is not None
    for k, record in enumerate(records):
        assert type(record) is RECORD_CLASSES["fuel"]
        assert list(record.__dict__) == [f.name for f in plan.fields]
        assert record.id == f"F{k}" and record.litres == 40.5 and record.fuel_type == "petrol"
        assert record == RECORD_CLASSES["fuel"](dict(record.__dict__))
        assert pickle.loads(pickle.dumps(record)) == record
        with pytest.raises(TypeError):
            record.id = "X"
    assert records[1].vehicle is None and records[0] != records[1]


def test_many_loaded_records_are_those_the_frozen_class_makes() -> None:
    records = _fuel(3)
    made = LoadedRecord.many("fuel", records, "fuel.jsonl", [7, 8, 9])
    assert made == [LoadedRecord("fuel", r, "fuel.jsonl", row) for r, row in zip(records, [7, 8, 9], strict=True)]
    assert all(type(m) is LoadedRecord for m in made)
    with pytest.raises(dataclasses.FrozenInstanceError):
        made[0].row = 1
    with pytest.raises(ValueError, match="row numbers"):
        LoadedRecord.many("fuel", records, "fuel.jsonl", [1])
