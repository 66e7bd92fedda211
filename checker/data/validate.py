"""Stage 2b: checks across records — duplicate ids, dangling references, impossible values.

Each problem is a located error; the records stay in the data set (except a duplicate, of which
the first is judged), so a run still judges what it can and says what it could not trust.
"""

from __future__ import annotations

import operator
from collections import defaultdict
from typing import Any

from checker.data.models import REFERENCES, TYPE_LABELS, field_labels
from checker.data.records import DataSet, InputError, LoadedRecord

# (type, earlier field, later field): the later date may not precede the earlier one.
ORDERED_DATES = (("travel", "depart", "return_"), ("conference", "start", "end"), ("training", "start", "end"),
                 ("personnel_action", "publicity_start", "publicity_end"), ("task", "found", "deadline"),
                 ("unit", "reform_start", "reform_end"))
REFERENCES_BY_TYPE: dict[str, list[tuple[str, str]]] = defaultdict(list)
for (_type, _name), _target in REFERENCES.items():
    REFERENCES_BY_TYPE[_type].append((_name, _target))
ORDERED_BY_TYPE: dict[str, list[tuple[str, str]]] = defaultdict(list)
for _type, _earlier, _later in ORDERED_DATES:
    ORDERED_BY_TYPE[_type].append((_earlier, _later))


def check(data: DataSet) -> DataSet:
    known: dict[str, dict[str, LoadedRecord]] = defaultdict(dict)  # the first record of each id
    for loaded in data.records:
        first = known[loaded.type].get(loaded.id)
        if first is not None:
            data.errors.append(InputError(loaded.source, loaded.row, "id", duplicate_message(
                loaded.type, loaded.id, first.location, _unit(first), _unit(loaded)), value=loaded.id))
        else:
            known[loaded.type][loaded.id] = loaded
    for loaded in data.records:
        check_record(loaded, known, data.errors)
    return data


def _unit(loaded: LoadedRecord) -> str | None:
    return loaded.id if loaded.type == "unit" else getattr(loaded.record, "unit", None)


def duplicate_message(kind: str, ident: str, first_at: str, first_unit: str | None, unit: str | None) -> str:
    """Units are judged apart: a repeated id within a unit is skipped, one in another unit is not."""
    label = TYPE_LABELS.get(kind, kind)
    if first_unit == unit:
        return (f"{label}编号“{ident}”重复（首次出现在 {first_at}），只审查第一条 / duplicate {kind} id "
                f"{ident!r} (first at {first_at}); only the first is judged")
    return (f"{label}编号“{ident}”重复（首次出现在 {first_at}，单位 {first_unit}）；同类记录的编号须唯一，"
            f"两条各在本单位审查 / duplicate {kind} id {ident!r} (first at {first_at}, unit {first_unit!r}); "
            "ids must be unique within a record type; each is judged in its own unit")


def check_record(loaded: LoadedRecord, known: dict[str, dict[str, LoadedRecord]] | dict[str, set[str]],
                 errors: list[InputError]) -> None:
    """One record's references (against the ids `known` by type) and date order."""
    for name, target in REFERENCES_BY_TYPE.get(loaded.type, ()):
        value = getattr(loaded.record, name, None)
        if value and value not in known[target]:
            errors.append(InputError(loaded.source, loaded.row, name, f"引用的{TYPE_LABELS[target]}“{value}”不存在 / "
                                     f"unknown {target} {value!r}", value=value))
    for earlier, later in ORDERED_BY_TYPE.get(loaded.type, ()):
        a, b = getattr(loaded.record, earlier), getattr(loaded.record, later)
        if a and b and b < a:
            labels = field_labels(loaded.type)
            first, then = earlier.rstrip("_"), later.rstrip("_")
            errors.append(InputError(
                loaded.source, loaded.row, then,
                f"{labels[then]} {b} 早于{labels[first]} {a}，日期先后颠倒 / {then} {b} is before {first} {a}",
                value=str(b)))
    if loaded.type == "person":
        for unit in loaded.record.supervises:
            if unit not in known["unit"]:
                errors.append(InputError(loaded.source, loaded.row, "supervises",
                                         f"分管单位“{unit}”不存在 / unknown unit {unit!r}", value=unit))


def columns_pass(record_type: str, values: dict[str, list[Any]], known: dict[str, set[str]]) -> bool:
    """Whether `check_record` finds nothing in any of a table's records given by their values by field
    (checker.data.plain `field_columns`): each reference's distinct values looked up once, not each
    record's. False only says that some record may have a problem: `check_record` then says which."""
    if record_type == "person":  # (a registry: its records are checked one by one)
        return False
    for name, target in REFERENCES_BY_TYPE.get(record_type, ()):
        column = values.get(name)
        if column is not None and any(set(column).difference(known[target])):  # (a falsy value refers to nothing)
            return False
    for earlier, later in ORDERED_BY_TYPE.get(record_type, ()):
        firsts, thens = values[earlier], values[later]
        if None in firsts or None in thens:
            if any(a and b and b < a for a, b in zip(firsts, thens, strict=True)):
                return False
        elif any(map(operator.gt, firsts, thens)):  # (dates given are true: `a and b` holds)
            return False
    return True
