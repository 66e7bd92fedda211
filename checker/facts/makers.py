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


class Shares(dict):  # type: ignore[type-arg]
    """What every fact naming a registry entry takes from it (`make`'s), by id, made the first time an
    id is asked (None if the registry does not know it): read as `shares[id]`, a subscript, where a
    cached function costs a call a record."""

    def __init__(self, registry: dict[str, Any], make: Callable[[Any], dict[str, Any]]):
        super().__init__()
        self.registry, self.make = registry, make

    def __missing__(self, key: str) -> dict[str, Any] | None:
        entry = self.registry.get(key)
        made = self[key] = self.make(entry) if entry is not None else None
        return made


class UnitDays(dict):  # type: ignore[type-arg]
    """By a record's day (None if it has none): what its fact takes from its unit (`unit_base`, then
    `in_reform`, a staffing return's quotas, the days to the reform's start and end) and, if
    `with_period`, before that from its day (`PERIOD_FIELDS`): one dict a fact is updated with, made
    once per day. A unit without a reform takes the same from every day: `constant`, and such units
    alike share one UnitDays (`unit_days`); `unit` is None for a unit the registry does not know."""

    def __init__(self, unit: Any, base: dict[str, Any] | None, with_period: bool, staffing: bool):
        super().__init__()
        self.unit, self.base, self.with_period, self.staffing = unit, base, with_period, staffing
        reformed = unit is not None and (unit.reform_start is not None or unit.reform_end is not None)
        self.constant = None if reformed else self._of_unit(None)

    def _of_unit(self, day: dt.date | None) -> dict[str, Any]:
        unit = self.unit
        if unit is None:
            return {}
        made = dict(self.base or ())
        start, end = unit.reform_start, unit.reform_end
        made["in_reform"] = day is not None and start is not None and start <= day <= (end or dt.date.max)
        if self.staffing:  # the approved numbers a staffing return is compared with
            if unit.staffing_quota is not None:
                made["unit_staffing_quota"] = unit.staffing_quota
            if unit.leadership_quota is not None:
                made["unit_leadership_quota"] = unit.leadership_quota
        if day is not None:  # how many days the record lies before the reform's start, end
            if start is not None:
                made["days_to_reform_start"] = (start - day).days
            if end is not None:
                made["days_to_reform_end"] = (end - day).days
        return made

    def __missing__(self, day: dt.date | None) -> dict[str, Any]:
        of_unit = self.constant if self.constant is not None else self._of_unit(day)
        made = self[day] = {**PERIOD_FIELDS[day], **of_unit} if self.with_period and day is not None else of_unit
        return made


_KEPT_UNIT_DAYS = 64  # UnitDays a run keeps (each up to a year's days of dicts): units alike share one


def unit_days(lookups: Any, unit_id: str, with_period: bool, staffing: bool) -> UnitDays:
    """The UnitDays of a unit, kept in `lookups.unit_days`: one for all the units without a reform
    whose facts take the same from them, one for each unit with a reform (its days differ). The
    oldest is let go past _KEPT_UNIT_DAYS (made again if asked again)."""
    unit = lookups.units.get(unit_id)
    base = lookups.unit_shares[unit.id] if unit is not None else None
    made = UnitDays(unit, base, with_period, staffing)
    if unit is None:
        key: Any = (None, with_period)
    elif made.constant is None:
        key = (unit.id, with_period, staffing)
    else:  # (by value and its class: an equal value of another class would not be written alike)
        key = (tuple((name, value.__class__, value) for name, value in made.constant.items()), with_period)
    kept = lookups.unit_days
    found = kept.get(key)
    if found is None:
        if len(kept) >= _KEPT_UNIT_DAYS:
            del kept[next(iter(kept))]
        found = kept[key] = made
    return found


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
