"""How a record's fact is made, by record type: its own fields as the field plan says (`field_plan`:
dates as day numbers, the id as `rid`, lists left out), then what its day, person, unit and vehicle
add (made once per day or entry: checker.facts.shares), then its type's extra (checker.facts.by_type). checker.facts.derive says which records become
facts; this module only makes them.

A million activity records pass here, so each record type gets functions made once: `fact_maker`
(a record's own fields, read from its values by field) and `activity_tail` (the rest, over a run of
facts: one record's run is one long), and for a block (checker.data.records `InputOrder`) one
function doing both from the block's columns by position (`block_facts`, `_block_maker`), all
written out from the one field plan. The keys of a fact come in one order whichever way it is made
(tests/test_derive.py, tests/test_block_facts.py)."""

from __future__ import annotations

import ast
import datetime as dt
from collections.abc import Callable, Iterable
from functools import cache
from typing import Any, get_args, get_origin

from checker.data.models import DATE_FIELD, RECORD_TYPES
from checker.data.plain import plan_of
from checker.facts import by_type
from checker.facts.shares import PERIOD_FIELDS, PERIOD_KEYS, PERSON_KEYS, UnitDays, unit_days

Tail = Callable[[Iterable[dict[str, Any]], Iterable[Any], Iterable[Any], Iterable[Any], Iterable[Any], Iterable[Any]],
                None]


@cache
def field_plan(record_type: str) -> tuple[tuple[str, str, int], ...]:
    """(field, key in the fact, conversion) for each field a fact carries, in declaration order:
    conversion 0 keeps the value, 1 turns a date into its day number, 2 a date-time into its day's.
    Lists (roles, decisions) and the id (the fact's `rid`) are not carried."""
    plan = []
    for name, info in RECORD_TYPES[record_type].model_fields.items():
        kinds = {info.annotation, *get_args(info.annotation)}
        if name == "id" or list in kinds or any(get_origin(k) is list for k in kinds):
            continue
        conversion = 2 if dt.datetime in kinds else 1 if dt.date in kinds else 0
        plan.append((name, "return" if name == "return_" else name, conversion))
    return tuple(plan)


# (a date-time's `toordinal` is its day's: conversion 2 is written as 1 is, without a `.date()` call a value)
_CONVERSIONS = ("{v}", "{v}.toordinal()", "{v}.toordinal()")


def _made(source: str, name: str) -> Callable[..., Any]:
    namespace: dict[str, Any] = {}
    exec(compile(source, f"<{name}>", "exec"), namespace)  # noqa: S102  (code made from the model's own field names)
    return namespace["make"]


@cache
def fact_maker(record_type: str) -> Callable[[str, int, dict[str, Any]], dict[str, Any]]:
    """The start of a record's fact (`t`, `rid`, `as_of`, then its own fields as `field_plan` says,
    a field without a value left out), as one function made for the record type: a million records
    then pay no loop over a field plan and no test of a conversion code per field."""
    return _made(_start_source(record_type, "rid, as_of, fields", "rid", "fields[{name!r}]"), f"fact of {record_type}")


@cache
def attribute_maker(record_type: str) -> Callable[[Any, int], dict[str, Any]]:
    """`fact_maker` reading the record's attributes: for a registry entry, which the partition pass
    keeps as a slotted object (checker.run.partition `compact`) that has no values by field to read."""
    return _made(_start_source(record_type, "record, as_of", "record.id", "record.{name}"),
                 f"fact of a {record_type} entry")


def _start_source(record_type: str, parameters: str, rid: str, read: str) -> str:
    lines = [f"def make({parameters}):",
             f"    fact = {{'t': {record_type!r}, 'rid': {rid}, 'as_of': as_of}}"]
    for index, (name, key, conversion) in enumerate(field_plan(record_type)):
        value = f"v{index}"
        lines += [f"    {value} = {read.format(name=name)}",
                  f"    if {value} is not None:",
                  f"        fact[{key!r}] = {_CONVERSIONS[conversion].format(v=value)}"]
    lines.append("    return fact")
    return "\n".join(lines)


def block_facts(record_type: str, values: dict[str, list[Any]], records: Callable[[], list[Any]], days: list[Any],
                lookups: Any, as_of: int) -> list[dict[str, Any]]:
    """The facts of a block's activity records (`values`: their values by field, checker.data.plain
    `field_columns`; `days`: their dates), as `fact_maker` and `activity_tail` make each one's: by a
    function made for the record type and for which of its fields that may be missing (`_may_miss`)
    the block gives in none of its records, in all, or in some (`_block_maker`). `records` makes the
    records themselves, asked only if a fact needs them (an extra not written into the function)."""
    count = len(values["id"])
    if None in days:  # (a record without a date: none the columnar path takes, whose rows give it)
        return [one_fact(record_type, lookups, as_of, {name: column[at] for name, column in values.items()},
                         record, days[at]) for at, record in enumerate(records())]
    given = "".join("n" if (missing := values[name].count(None)) == count else "a" if not missing else "s"
                    for name in _may_miss(record_type))
    made = lookups.block_makers.get((record_type, given))
    if made is None:
        made = lookups.block_makers[(record_type, given)] = _block_maker(record_type, given, lookups)
    return made([values["id"], *(values[name] for name, _, _ in field_plan(record_type))], as_of, days, records)


def one_fact(record_type: str, lookups: Any, as_of: int, fields: dict[str, Any], record: Any,
             day: dt.date | None) -> dict[str, Any]:
    """An activity record's fact on its own (`fields`: its values by field): as a run of one."""
    fact = fact_maker(record_type)(fields["id"], as_of, fields)
    activity_tail(record_type, lookups)((fact,), (record,), (day,), (fields.get("person"),), (fields["unit"],),
                                        (fields.get("vehicle"),))
    return fact


@cache
def _may_miss(record_type: str) -> tuple[str, ...]:
    """The fields, in `field_plan`'s order, a block's record may be without. The columnar path takes
    no row without a required field (checker.data.column_checks `checks`), and puts in the model's
    default for an optional one not given (checker.data.plain `field_columns`): only an optional
    field without a default may be missing."""
    taken = plan_of(record_type)
    assert taken is not None  # (a record type the columnar path does not take gives no block)
    optional = {f.name for f in taken.fields if not f.required and f.default is None}
    return tuple(name for name, _, _ in field_plan(record_type) if name in optional)


def _block_maker(record_type: str, given: str, lookups: Any) -> Callable[..., list[dict[str, Any]]]:
    """`fact_maker` and `activity_tail` in one function, for blocks of the record type whose records
    all have a day and that give each field that may be missing in none of their records, in all, or
    in some (`given`: n, a, s by field of `_may_miss`). Its records' own fields are read from the
    block's columns (the ids, then those of `field_plan`, in its order) by position. A record has
    the keys of the unit's other records with the same fields and a known person (or none): its fact
    is a copy of their `FactShapes` skeleton with its values written over the copy's, which costs
    less than making the dict and growing it key by key. The skeleton is picked by which of the
    fields given in some records the record has, and whether its person is known. The records
    themselves (`records()`) are asked for only by an extra that is called, not written in."""
    plan = field_plan(record_type)
    state = dict(zip(_may_miss(record_type), given, strict=True))
    has_person = "person" in RECORD_TYPES[record_type].model_fields
    extra = by_type.EXTRA.get(record_type)
    value_of = {name: f"v{index}" for index, (name, _, _) in enumerate(plan)}
    person, vehicle = value_of.get("person"), value_of.get("vehicle")
    shape = [f"({value_of[name]} is None) << {bit}" for bit, name in enumerate(n for n in state if state[n] == "s")]
    if has_person:
        shape.append(f"(person is None) << {len(shape)}")
    written: list[str] = []
    for name, key, conversion in plan:
        made = _CONVERSIONS[conversion].format(v=value_of[name])
        if state.get(name) == "s":
            written += [f"        if {value_of[name]} is not None:", f"            fact[{key!r}] = {made}"]
        elif state.get(name) != "n":
            written.append(f"        fact[{key!r}] = {made}")
    def loop(reading_records: bool) -> str:
        record, records = (", record", ", records()") if reading_records else ("", "")
        return f"    for rid, {', '.join(value_of.values())}, day{record} in zip(*columns, days{records}, strict=True):"

    lines = [
        "def make(columns, as_of, days, records):",
        "    facts = []",
        "    append = facts.append",
        "    current = None  # (a unit id is a str: never None)",
        loop(True),
        f"        if {value_of['unit']} != current:",
        f"            current = {value_of['unit']}",
        f"            of_day = unit_days(lookups, current, False, {record_type == 'staffing'})",
        f"            shapes = fact_shapes(of_day, {record_type!r}, {given!r}, as_of)",
        "            by_day, skeleton = shapes.by_day, shapes[0]",
        *([f"        person = person_shares[{person}] if {person} else None"] if has_person else []),
        f"        fact = shapes[{' | '.join(shape)}].copy()" if shape else "        fact = skeleton.copy()",
        "        fact['rid'] = rid",
        *written,
        "        fact.update(period_fields[day])",
        *(["        if person is not None:", "            fact.update(person)"] if has_person else []),
        "        if by_day:",
        "            fact.update(of_day[day])",
        *([f"        if {vehicle}:", f"            found = vehicle_shares[{vehicle}]",
           "            if found is not None:", "                fact.update(found)"] if vehicle else []),
        "        extra(record, fact, lookups)",
        "        append(fact)",
        "    return facts"]
    # the extra written in (by_type `inlined`), reading the fields' names here, where it can be
    own = {n.id if isinstance(n, ast.Name) else n.arg for n in ast.walk(ast.parse("\n".join(lines)))
           if isinstance(n, ast.Name | ast.arg)}
    inline = by_type.inlined(record_type, value_of, own) if extra else None
    at = lines.index("        extra(record, fact, lookups)")
    lines[at:at + 1] = [f"        {line}" for line in inline] if inline is not None else lines[at:at + 1] if extra else []
    lines[lines.index(loop(True))] = loop(extra is not None and inline is None)  # (records not read: not asked for)
    namespace: dict[str, Any] = {**vars(by_type), "lookups": lookups, "unit_days": unit_days,
                                 "fact_shapes": fact_shapes, "period_fields": PERIOD_FIELDS,
                                 "person_shares": lookups.person_shares, "vehicle_shares": lookups.vehicle_shares,
                                 "extra": extra}
    exec(compile("\n".join(lines), f"<facts of a {record_type} block>", "exec"), namespace)  # noqa: S102  (code made from the model's own field names)
    return namespace["make"]  # type: ignore[no-any-return]


class FactShapes(dict):  # type: ignore[type-arg]
    """The skeletons of the facts of a unit's records of a type that have a day (`_block_maker`), by
    which of the fields given in some of a block's records a record lacks and whether its person is
    unknown (bits, in that order: 0 if it has them all): the keys, in order, of its own fields, its
    day's, its person's and its unit's (with their values if they are the same every day)."""

    def __init__(self, of_day: UnitDays, record_type: str, given: str, as_of: int):
        super().__init__()
        self.record_type, self.as_of = record_type, as_of
        state = dict(zip(_may_miss(record_type), given, strict=True))
        self.keys_of = [(key, state.get(name)) for name, key, _ in field_plan(record_type) if state.get(name) != "n"]
        self.has_person = "person" in RECORD_TYPES[record_type].model_fields
        self.unit_part = of_day.constant if of_day.constant is not None else of_day[dt.date.min]
        # whether a copy is to be updated with the unit's share of its day: a reform's changes by day;
        # and a field named as a key of the unit's share would be written over it: the share written after
        self.by_day = of_day.constant is None or not self.unit_part.keys().isdisjoint(key for key, _ in self.keys_of)

    def __missing__(self, shape: int) -> dict[str, Any]:
        own: dict[str, Any] = {"t": self.record_type, "rid": None, "as_of": self.as_of}
        bit = 1
        for key, given in self.keys_of:
            if given == "s":
                if shape & bit:
                    bit <<= 1
                    continue
                bit <<= 1
            own[key] = None
        person = self.has_person and not shape & bit
        made = self[shape] = {**own, **dict.fromkeys(PERIOD_KEYS), **dict.fromkeys(PERSON_KEYS if person else ()),
                              **self.unit_part}
        return made


def fact_shapes(of_day: UnitDays, record_type: str, given: str, as_of: int) -> FactShapes:
    """The FactShapes of a unit's records of a type in blocks that give the same fields, kept on its
    UnitDays (`of_day`)."""
    found = of_day.shapes.get((record_type, given, as_of))
    if found is None:
        found = of_day.shapes[(record_type, given, as_of)] = FactShapes(of_day, record_type, given, as_of)
    return found


def block_days(record_type: str, values: dict[str, list[Any]]) -> list[Any]:
    """The dates of a block's records (checker.facts.derive `record_date` of each)."""
    name = DATE_FIELD[record_type]
    column = values[name]
    if (name, name, 2) in field_plan(record_type):  # a date-time (conversion 2): its day
        return [day.date() if isinstance(day, dt.datetime) else day for day in column]
    return column


def activity_tail(record_type: str, lookups: Any) -> Tail:
    """What follows an activity record's own fields in its fact, made once per record type and lookups
    (`lookups.tails`): a function over runs of (facts, records, days, person, unit, vehicle ids)."""
    tails = lookups.tails
    made = tails.get(record_type)
    if made is None:
        made = tails[record_type] = _activity_tail(record_type, lookups)
    return made


def _activity_tail(kind: str, lookups: Any) -> Tail:
    """Written out for the record type: what it does not have (a person, a vehicle, an extra) is left
    out of the function, not tested for each record. A record's unit and day give one dict to copy
    (`UnitDays`, asked again only when the unit changes: a block is one unit's), with its day's
    fields in it too when no person's come between them (the record type has no person)."""
    names = RECORD_TYPES[kind].model_fields
    has_person, has_vehicle, extra = "person" in names, "vehicle" in names, by_type.EXTRA.get(kind)
    columns = ["fact", "day", "unit_id", *(["record"] if extra else []), *(["person_id"] if has_person else []),
               *(["vehicle_id"] if has_vehicle else [])]
    given = {"fact": "facts", "day": "days", "unit_id": "unit_ids", "record": "records", "person_id": "person_ids",
             "vehicle_id": "vehicle_ids"}
    lines = ["def tail(facts, records, days, person_ids, unit_ids, vehicle_ids):",
             "    current = of_day = None  # (a unit id is a str: never None)",
             f"    for {', '.join(columns)} in zip({', '.join(given[c] for c in columns)}, strict=True):",
             "        if unit_id != current:",
             f"            current, of_day = unit_id, unit_days(lookups, unit_id, {not has_person}, {kind == 'staffing'})"]
    if has_person:
        lines += ["        if day is not None:", "            fact.update(period_fields[day])",
                  "        if person_id:", "            found = person_shares[person_id]",
                  "            if found is not None:", "                fact.update(found)"]
    lines.append("        fact.update(of_day[day])")
    if has_vehicle:
        lines += ["        if vehicle_id:", "            found = vehicle_shares[vehicle_id]",
                  "            if found is not None:", "                fact.update(found)"]
    if extra:
        lines.append("        extra(record, fact, lookups)")
    namespace: dict[str, Any] = {"lookups": lookups, "unit_days": unit_days, "period_fields": PERIOD_FIELDS,
                                 "person_shares": lookups.person_shares, "vehicle_shares": lookups.vehicle_shares,
                                 "extra": extra}
    exec(compile("\n".join(lines), f"<tail of {kind}>", "exec"), namespace)  # noqa: S102  (code made from the model's own field names)
    return namespace["tail"]  # type: ignore[no-any-return]
