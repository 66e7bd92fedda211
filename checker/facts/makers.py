"""How a record's fact is made, by record type: its own fields as the field plan says (`field_plan`:
dates as day numbers, the id as `rid`, lists left out), then what its day, person, unit and vehicle
add, then its type's extra (checker.facts.by_type). checker.facts.derive says which records become
facts; this module only makes them.

A million activity records pass here, so each record type gets functions made once: `fact_maker`
(a record's own fields, read from its values by field) and `column_maker` (a block's, read from the
block's columns by position: checker.data.records `InputOrder`), both written out from the one
field plan, and `activity_tail` (the rest, over a run of facts: one record's run is one long). The
keys of a fact come in one order whichever way it is made (tests/test_derive.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from functools import cache
from itertools import repeat
from typing import Any, get_args, get_origin

from checker.data.models import DATE_FIELD, RECORD_TYPES
from checker.data.plain import plan_of
from checker.facts import by_type
from checker.facts.by_type import RANK_LEVEL
from checker.facts.periods import is_statutory_holiday, is_workday

Tail = Callable[[Iterable[dict[str, Any]], Iterable[Any], Iterable[Any], Iterable[Any], Iterable[Any], Iterable[Any]],
                None]


class _Days(dict):
    """What a fact takes from its day, made once per day (a year has 366 of them): callers copy it
    into their fact. Read as `PERIOD_FIELDS[day]`: a subscript, where a cached function costs a call
    a record."""

    def __missing__(self, day: dt.date) -> dict[str, Any]:
        made = self[day] = _period_fields(day)
        return made


def _period_fields(day: dt.date) -> dict[str, Any]:
    workday = is_workday(day)
    return {"day": day.toordinal(), "year": day.year, "month": f"{day.year}-{day.month:02d}",
            "quarter": f"{day.year}Q{(day.month - 1) // 3 + 1}", "half": f"{day.year}H{1 if day.month <= 6 else 2}",
            "workday": workday, "holiday": not workday, "statutory_holiday": is_statutory_holiday(day),
            "weekday": day.isoweekday(), "month_of_year": day.month}


PERIOD_FIELDS = _Days()


def person_fields(person: Any) -> dict[str, Any]:
    return {"person_rank": person.rank, "person_name": person.name, "person_rank_level": RANK_LEVEL[person.rank],
            "person_is_secretary": "secretary" in person.roles, "person_party_member": person.party_member}


def unit_base(unit: Any) -> dict[str, Any]:
    base = {"unit_level": unit.level, "unit_org_kind": unit.org_kind}
    if unit.region:
        base["unit_region"] = unit.region
    return base


def vehicle_fields(vehicle: Any) -> dict[str, Any]:
    return {f"vehicle_{name}": getattr(vehicle, name) for name in ("tank_l", "fuel", "kind")
            if getattr(vehicle, name) is not None}


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


_CONVERSIONS = ("{v}", "{v}.toordinal()", "({v}.toordinal() if {v}.__class__ is date else {v}.date().toordinal())")


def _made(source: str, name: str) -> Callable[..., Any]:
    namespace: dict[str, Any] = {"_dt": dt}
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
    lines = [f"def make({parameters}, date=_dt.date):",
             f"    fact = {{'t': {record_type!r}, 'rid': {rid}, 'as_of': as_of}}"]
    for index, (name, key, conversion) in enumerate(field_plan(record_type)):
        value = f"v{index}"
        lines += [f"    {value} = {read.format(name=name)}",
                  f"    if {value} is not None:",
                  f"        fact[{key!r}] = {_CONVERSIONS[conversion].format(v=value)}"]
    lines.append("    return fact")
    return "\n".join(lines)


@cache
def column_maker(record_type: str) -> Callable[[list[list[Any]], int], list[dict[str, Any]]]:
    """`fact_maker` for a block: the start of each of its records' facts from its columns (the ids,
    then those of `field_plan`, in its order), read by position. The columnar path takes no row
    without a required field (checker.data.column_checks `checks`), and puts in the model's default for an
    optional one not given (checker.data.plain `field_columns`): only an optional field without a
    default may be missing from a block's records. The fields before the first such one are written
    in the fact's display, the rest one by one, tested only if the field may be missing."""
    plan, taken = field_plan(record_type), plan_of(record_type)
    assert taken is not None  # (a record type the columnar path does not take gives no block)
    may_miss = {f.name for f in taken.fields if not f.required and f.default is None}
    names = [f"v{index}" for index in range(len(plan))]
    shown = [f"'t': {record_type!r}", "'rid': rid", "'as_of': as_of"]
    after: list[str] = []
    for value, (name, key, conversion) in zip(names, plan, strict=True):
        made = _CONVERSIONS[conversion].format(v=value)
        if name in may_miss:
            after += [f"        if {value} is not None:", f"            fact[{key!r}] = {made}"]
        elif after:
            after.append(f"        fact[{key!r}] = {made}")
        else:
            shown.append(f"{key!r}: {made}")
    lines = ["def make(columns, as_of, date=_dt.date):", "    facts = []", "    append = facts.append",
             f"    for rid, {', '.join(names)}{',' if len(names) == 1 else ''} in zip(*columns):",
             f"        fact = {{{', '.join(shown)}}}", *after, "        append(fact)", "    return facts"]
    return _made("\n".join(lines), f"facts of a {record_type} block")


def block_facts(record_type: str, values: dict[str, list[Any]], records: list[Any], days: list[Any],
                lookups: Any, as_of: int) -> list[dict[str, Any]]:
    """The facts of a block's activity records (`values`: their values by field, checker.data.plain
    `field_columns`; `days`: their dates), as `fact_maker` and `activity_tail` make each one's."""
    columns = [values["id"], *(values[name] for name, _, _ in field_plan(record_type))]
    facts = column_maker(record_type)(columns, as_of)
    count = len(records)
    activity_tail(record_type, lookups)(facts, records, days, values.get("person") or repeat(None, count),
                                        values["unit"], values.get("vehicle") or repeat(None, count))
    return facts


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
    """What the record type does not have (a person, a vehicle, a staffing return's quotas, an extra)
    is left out of the function, not tested for each record. Each registry entry's share is read from
    its cache without a call (the cache is `shared`'s own, `lookups` its mark of a key not seen), and
    what a record takes of its unit's reform is written out."""
    names = RECORD_TYPES[kind].model_fields
    has_person, has_vehicle, staffing = "person" in names, "vehicle" in names, kind == "staffing"
    extra = by_type.EXTRA.get(kind)
    units, of_person, of_unit, of_vehicle = lookups.units, lookups.of_person, lookups.of_unit, lookups.of_vehicle
    shared, persons, vehicles = lookups.shared, lookups.persons, lookups.vehicles
    last_day, period_fields = dt.date.max, PERIOD_FIELDS

    def tail(facts, records, days, person_ids, unit_ids, vehicle_ids) -> None:  # type: ignore[no-untyped-def]
        # (one loop of several steps, as fact_of's were: a function a step would cost a call each)
        for fact, record, day, person_id, unit_id, vehicle_id in zip(facts, records, days, person_ids, unit_ids,
                                                                     vehicle_ids, strict=True):
            if day is not None:
                fact.update(period_fields[day])
            if has_person and person_id:
                found = of_person.get(person_id, lookups)
                if found is lookups:
                    found = shared(persons, person_id, person_fields)
                if found is not None:
                    fact.update(found)
            unit = units.get(unit_id)
            if unit is not None:
                found = of_unit.get(unit.id, lookups)
                fact.update(shared(units, unit.id, unit_base) if found is lookups else found)
                start, end = unit.reform_start, unit.reform_end
                fact["in_reform"] = day is not None and start is not None and start <= day <= (end or last_day)
                if staffing:  # the approved numbers a staffing return is compared with
                    if unit.staffing_quota is not None:
                        fact["unit_staffing_quota"] = unit.staffing_quota
                    if unit.leadership_quota is not None:
                        fact["unit_leadership_quota"] = unit.leadership_quota
                if day is not None:  # how many days the record lies before the reform's start, end
                    if start is not None:
                        fact["days_to_reform_start"] = (start - day).days
                    if end is not None:
                        fact["days_to_reform_end"] = (end - day).days
            if has_vehicle and vehicle_id:
                found = of_vehicle.get(vehicle_id, lookups)
                if found is lookups:
                    found = shared(vehicles, vehicle_id, vehicle_fields)
                if found is not None:
                    fact.update(found)
            if extra is not None:
                extra(record, fact, lookups)

    return tail
