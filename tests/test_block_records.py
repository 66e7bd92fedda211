"""The records a unit's worker makes from a block's columns are made through writable twins of their
classes (checker.data.plain `build`, checker.data.records `LoadedRecord.many`): what comes out must be
the read-only record, alike in every way to one made the plain way."""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import pickle
import random

import pytest

from checker.data import blocks
from checker.data.plain import RECORD_CLASSES, build, build_one, field_columns, plan_of
from checker.data.records import BlockRecords, LoadedRecord


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


def test_a_record_built_alone_is_the_one_built_with_the_others() -> None:
    given = {"id": ["F0", "F1", "F2"], "unit": ["U"] * 3, "vehicle": ["V1", None, "V2"], "litres": [40.5, 1.0, 2.0]}
    values = field_columns("fuel", given, 3)
    together = build("fuel", values)
    for at in range(3):
        alone = build_one("fuel", values, at)
        assert type(alone) is RECORD_CLASSES["fuel"] and alone == together[at]
        assert list(alone.__dict__) == list(together[at].__dict__)
    block = BlockRecords("fuel", "fuel.jsonl", [4, 5, 6], values)
    assert block.one("F1") == LoadedRecord("fuel", together[1], "fuel.jsonl", 5) and block._loaded is None
    assert block.loaded() == [LoadedRecord("fuel", r, "fuel.jsonl", n) for r, n in zip(together, [4, 5, 6], strict=True)]
    assert block.one("F2") is block.loaded()[2]  # (once made, the records are those)
    with pytest.raises(ValueError, match="row numbers"):
        BlockRecords("fuel", "fuel.jsonl", [4, 5], values)


def test_many_loaded_records_are_those_the_frozen_class_makes() -> None:
    records = _fuel(3)
    made = LoadedRecord.many("fuel", records, "fuel.jsonl", [7, 8, 9])
    assert made == [LoadedRecord("fuel", r, "fuel.jsonl", row) for r, row in zip(records, [7, 8, 9], strict=True)]
    assert all(type(m) is LoadedRecord for m in made)
    with pytest.raises(dataclasses.FrozenInstanceError):
        made[0].row = 1
    with pytest.raises(ValueError, match="row numbers"):
        LoadedRecord.many("fuel", records, "fuel.jsonl", [1])


def _field_columns_by_loop(record_type: str, columns: dict, count: int) -> dict:
    """`field_columns` as it was written before it was written out per record type: the reference."""
    plan = plan_of(record_type)
    assert plan is not None
    values = {}
    for f in plan.fields:
        given = columns.get(f.name)
        if given is None and f.copy_default:
            values[f.name] = [copy.deepcopy(f.default) for _ in range(count)]
        elif given is None:
            values[f.name] = [f.default] * count
        elif f.default is not None and None in given:
            values[f.name] = [f.default if v is None else v for v in given]
        else:
            values[f.name] = given
    return values


@pytest.mark.parametrize("record_type", sorted(t for t in RECORD_CLASSES if plan_of(t) is not None))
def test_field_columns_written_out_fill_in_what_the_loop_over_fields_did(record_type: str) -> None:
    plan = plan_of(record_type)
    assert plan is not None
    rng = random.Random(record_type)
    for _ in range(20):
        columns = {f.name: rng.choice([None, ["a", None, "b"], ["a", "b", "c"]]) for f in plan.fields
                   if rng.random() < 0.6}
        columns["unknown"] = ["x", "y", "z"]  # not a field: left out
        made = field_columns(record_type, columns, 3)
        expected = _field_columns_by_loop(record_type, columns, 3)
        assert list(made) == list(expected) and made == expected
        assert all(type(a) is type(b) for name in made for a, b in zip(made[name], expected[name], strict=True))
        mutable = [name for name, column in made.items() if column and isinstance(column[0], list)]
        assert all(made[name][0] is not made[name][1] for name in mutable)  # each record its own copy
    with pytest.raises(ValueError, match="not 3"):
        field_columns(record_type, {"id": ["a", "b"]}, 3)


def test_text_and_time_columns_of_a_block() -> None:
    assert blocks._texts("") == [None]
    assert blocks._texts("\x00\x00") == [None, None, None]  # no value given: not split
    assert blocks._texts("\x00a\x00") == [None, "a", None]
    assert blocks._texts("a\x00\x00b") == ["a", None, "b"]
    assert blocks._texts("a\x00b") == ["a", "b"]
    at = dt.datetime(2020, 6, 23, 11, 18)
    assert blocks._times("2020-06-23 11:18:00.000000\x00") == [at, None]
    assert blocks._times("2020-06-23 11:18:00.000000") == [at]


def test_a_block_whose_column_has_a_value_too_many_is_refused() -> None:
    columns = {"values:__row": [1, 2], "text:id": "F1\x00F2", "text:vehicle": "V\x00V\x00V"}
    block = blocks.PlainBlock("fuel", 0, "U", 2, columns)
    with pytest.raises(ValueError, match="fuel block of U: vehicle has 3 values, not 2"):
        block.made()
    numbers, values, records = blocks.PlainBlock("fuel", 0, "U", 2, {**columns, "text:vehicle": "V\x00"}).made()
    assert numbers == [1, 2] and values["vehicle"] == ["V", None] and values["unit"] == ["U", "U"]
    assert [r.id for r in records] == ["F1", "F2"] and records[1].fuel_type == "petrol"
