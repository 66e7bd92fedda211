"""Stage 3: derive engine facts from validated records.

Each record becomes one flat fact (dates as day numbers, money as fen, enums as their values) with
what the rules need looked up beforehand: the period it falls in, whether its day is a working day
or a statutory holiday, the rank of the person, the level and reform period of the unit, the tank
of the vehicle. Obligations over time become `obligation_status` facts, one per unit, rule and
period that is already due, so the rules themselves stay declarative.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any, get_args, get_origin

from checker.data.models import DATE_FIELD, RECORD_TYPES, REGISTRY_TYPES
from checker.data.records import DataSet, LoadedRecord
from checker.facts import by_type, context
from checker.facts.by_type import RANK_LEVEL, plate_key
from checker.facts.periods import Period, is_statutory_holiday, is_workday, one_month_after
from checker.facts.unit_facts import add_unit_facts


@dataclass
class UnitBatch:
    """Everything judged in one engine session: one unit's facts, and where each came from."""
    unit: str
    facts: list[dict[str, Any]] = field(default_factory=list)
    origin: dict[tuple[str, str], LoadedRecord] = field(default_factory=dict)
    obligations: list[dict[str, Any]] = field(default_factory=list)
    obligations_unjudged: list[tuple[str, str]] = field(default_factory=list)  # (rule, reason) per period
    # Records outside the audited period: not judged, but they can still fulfil an obligation of it
    # (the 2020 annual report is submitted in January 2021).
    outside: list[dict[str, Any]] = field(default_factory=list)
    outside_counts: dict[str, int] = field(default_factory=lambda: defaultdict(int))  # by record type
    dated_in_period: int = 0  # activity records dated inside the period (carry-over items are not)


@cache
def _period_fields(day: dt.date) -> dict[str, Any]:
    """Shared per day (a year has 366 of them); callers copy it into their fact."""
    workday = is_workday(day)
    return {"day": day.toordinal(), "year": day.year, "month": f"{day.year}-{day.month:02d}",
            "quarter": f"{day.year}Q{(day.month - 1) // 3 + 1}", "half": f"{day.year}H{1 if day.month <= 6 else 2}",
            "workday": workday, "holiday": not workday, "statutory_holiday": is_statutory_holiday(day),
            "weekday": day.isoweekday(), "month_of_year": day.month}


def record_date(loaded: LoadedRecord) -> dt.date | None:
    name = DATE_FIELD.get(loaded.type)
    if not name:
        return None
    value = loaded.record.__dict__[name]
    return value.date() if isinstance(value, dt.datetime) else value


class Lookups:
    def __init__(self, data: DataSet):
        self.units = {r.id: r.record for r in data.records if r.type == "unit"}
        self.persons = {r.id: r.record for r in data.records if r.type == "person"}
        self.vehicles = {r.id: r.record for r in data.records if r.type == "vehicle"}
        self.vehicle_count: dict[str, int] = defaultdict(int)
        for vehicle in self.vehicles.values():
            self.vehicle_count[vehicle.unit] += 1
        self._plate_keys: dict[str, str | None] = {}
        self._shared: dict[Callable[[Any], dict[str, Any]], dict[str, dict[str, Any] | None]] = {}
        # what facts take from a person, unit, vehicle, by id (`shared`'s caches, read by fact_of directly)
        self.of_person, self.of_unit = self._cache(_person_fields), self._cache(_unit_base)
        self.of_vehicle = self._cache(_vehicle_fields)
        self.makers: dict[str, Callable[[Any, int, dt.date | None], dict[str, Any]]] = {}  # `activity_maker`'s
        self.persons_of: dict[str, list[Any]] = defaultdict(list)
        for person in self.persons.values():
            self.persons_of[person.unit].append(person)

    def plate_key_of(self, vehicle_id: str) -> str | None:
        if vehicle_id not in self._plate_keys:  # once per vehicle, not once per use or refuelling
            vehicle = self.vehicles.get(vehicle_id)
            self._plate_keys[vehicle_id] = plate_key(vehicle.plate) if vehicle is not None else None
        return self._plate_keys[vehicle_id]

    def shared(self, registry: dict[str, Any], key: str, make: Callable[[Any], dict[str, Any]]) -> dict[str, Any] | None:
        """What every fact naming this registry entry (`registry[key]`) takes from it, made once:
        None if the entry is not known."""
        cache = self._cache(make)
        found = cache.get(key, self)
        if found is self:
            entry = registry.get(key)
            found = cache[key] = make(entry) if entry is not None else None
        return found

    def _cache(self, make: Callable[[Any], dict[str, Any]]) -> dict[str, dict[str, Any] | None]:
        cache = self._shared.get(make)
        if cache is None:
            cache = self._shared[make] = {}
        return cache


def values_of(record: Any) -> dict[str, Any]:
    """A validated record's values by field: its pydantic `__dict__` (read directly, avoiding the
    attribute hooks) or, for a registry record kept compact by the partition pass, its slots."""
    try:
        return record.__dict__
    except AttributeError:
        return {name: getattr(record, name) for name in record.__slots__}


@cache
def _field_plan(record_type: str) -> tuple[tuple[str, str, int], ...]:
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


@cache
def _fact_maker(record_type: str) -> Callable[[str, int, dict[str, Any]], dict[str, Any]]:
    """The start of a record's fact (`t`, `rid`, `as_of`, then its own fields as `_field_plan` says),
    as one function made for the record type: a million records then pay no loop over a field plan
    and no test of a conversion code per field. The keys come in the same order as the plan's
    (tests/test_derive.py compares it with the plan read step by step)."""
    lines = ["def make(rid, as_of, fields, date=_dt.date):",
             f"    fact = {{'t': {record_type!r}, 'rid': rid, 'as_of': as_of}}"]
    for index, (name, key, conversion) in enumerate(_field_plan(record_type)):
        value = f"v{index}"
        lines += [f"    {value} = fields[{name!r}]",
                  f"    if {value} is not None:",
                  f"        fact[{key!r}] = {_CONVERSIONS[conversion].format(v=value)}"]
    lines.append("    return fact")
    namespace: dict[str, Any] = {"_dt": dt}
    exec("\n".join(lines), namespace)  # noqa: S102  (code made from the model's own field names)
    return namespace["make"]


def _person_fields(person: Any) -> dict[str, Any]:
    return {"person_rank": person.rank, "person_name": person.name, "person_rank_level": RANK_LEVEL[person.rank],
            "person_is_secretary": "secretary" in person.roles, "person_party_member": person.party_member}


def _unit_base(unit: Any) -> dict[str, Any]:
    base = {"unit_level": unit.level, "unit_org_kind": unit.org_kind}
    if unit.region:
        base["unit_region"] = unit.region
    return base


def _vehicle_fields(vehicle: Any) -> dict[str, Any]:
    return {f"vehicle_{name}": getattr(vehicle, name) for name in ("tank_l", "fuel", "kind")
            if getattr(vehicle, name) is not None}


def fact_of(loaded: LoadedRecord, lookups: Lookups, as_of: dt.date, day: dt.date | None = None) -> dict[str, Any]:
    """`day` is the record's date (`record_date`), when the caller has it already. What a fact takes
    from its person, unit and vehicle is made once per registry entry (`Lookups.shared`) and copied
    in, in the order the rules' documentation lists it. An activity record's fact is made by its
    type's `activity_maker` (a million records pass there); a registry entry's here."""
    record = loaded.record
    kind = loaded.type
    if day is None:
        day = record_date(loaded)
    if kind not in REGISTRY_TYPES:
        return activity_maker(kind, lookups)(record, as_of.toordinal(), day)
    fields = values_of(record)
    fact = _fact_maker(kind)(record.id, as_of.toordinal(), fields)
    if day is not None:
        fact.update(_period_fields(day))
    if kind == "person":  # the record itself, which may not be the registry's entry of its id (a duplicate)
        fact.update(_person_fields(record))
    else:
        person_id = fields.get("person")
        shared = lookups.shared(lookups.persons, person_id, _person_fields) if person_id else None
        if shared is not None:
            fact.update(shared)
    unit = lookups.units.get(record.id if kind == "unit" else fields.get("unit", ""))
    if unit is not None:
        fact.update(lookups.shared(lookups.units, unit.id, _unit_base))
        start, end = unit.reform_start, unit.reform_end
        fact["in_reform"] = day is not None and start is not None and start <= day <= (end or dt.date.max)
        if day is not None and kind != "unit":  # how many days the entry lies before the reform's start, end
            if start is not None:
                fact["days_to_reform_start"] = (start - day).days
            if end is not None:
                fact["days_to_reform_end"] = (end - day).days
    vehicle_id = fields.get("vehicle")
    shared = lookups.shared(lookups.vehicles, vehicle_id, _vehicle_fields) if vehicle_id else None
    if shared is not None:
        fact.update(shared)
    by_type.EXTRA[kind](record, fact, lookups)
    return fact


def activity_maker(kind: str, lookups: Lookups) -> Callable[[Any, int, dt.date | None], dict[str, Any]]:
    """The fact of an activity record (its `record_date` `day`, or None), as `fact_of` says, made by
    a function made once per record type and lookups: what the type does not have (a person, a
    vehicle, a staffing return's quotas, an extra) is left out of it, not tested for each record,
    and its fields are read by the generated `_fact_maker` once. Each registry entry's share is read
    from its cache without a call (the cache is `shared`'s own, `lookups` its mark of a key not seen),
    and what a record takes of its unit's reform is written out."""
    makers = lookups.makers
    made = makers.get(kind)
    if made is None:
        made = makers[kind] = _activity_maker(kind, lookups)
    return made


def _activity_maker(kind: str, lookups: Lookups) -> Callable[[Any, int, dt.date | None], dict[str, Any]]:
    own = _fact_maker(kind)
    names = RECORD_TYPES[kind].model_fields
    has_person, has_vehicle, staffing = "person" in names, "vehicle" in names, kind == "staffing"
    extra = by_type.EXTRA.get(kind)
    units, of_person, of_unit, of_vehicle = lookups.units, lookups.of_person, lookups.of_unit, lookups.of_vehicle
    shared, persons, vehicles = lookups.shared, lookups.persons, lookups.vehicles
    period_fields, last_day = _period_fields, dt.date.max

    def make(record: Any, as_of: int, day: dt.date | None) -> dict[str, Any]:
        fields = record.__dict__
        fact = own(fields["id"], as_of, fields)
        if day is not None:
            fact.update(period_fields(day))
        if has_person:
            person_id = fields["person"]
            if person_id:
                found = of_person.get(person_id, lookups)
                if found is lookups:
                    found = shared(persons, person_id, _person_fields)
                if found is not None:
                    fact.update(found)
        unit = units.get(fields["unit"])
        if unit is not None:
            found = of_unit.get(unit.id, lookups)
            fact.update(shared(units, unit.id, _unit_base) if found is lookups else found)
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
        if has_vehicle:
            vehicle_id = fields["vehicle"]
            if vehicle_id:
                found = of_vehicle.get(vehicle_id, lookups)
                if found is lookups:
                    found = shared(vehicles, vehicle_id, _vehicle_fields)
                if found is not None:
                    fact.update(found)
        if extra is not None:
            extra(record, fact, lookups)
        return fact

    return make


def carries_over(loaded: LoadedRecord, span: Period, day: dt.date) -> bool:
    """Items dated before the period that are still open in it are judged with it: a rectification or
    work task not completed by the period's start, a gift whose month to hand it in ends inside it."""
    if day >= span.start:
        return False
    record = loaded.record
    if loaded.type == "task":
        return record.completed is None or record.completed >= span.start
    if loaded.type == "gift":
        return one_month_after(record.date) >= span.start
    return False


def unit_of(loaded: LoadedRecord) -> str | None:
    return loaded.id if loaded.type == "unit" else getattr(loaded.record, "unit", None)


def unit_batch(unit_id: str, records: list[LoadedRecord], lookups: Lookups, as_of: dt.date,
               span: Period | None, data_in_period: bool = True) -> UnitBatch:
    """One unit's facts, from its records in input order (registry entries included). A registry
    record (the unit, its persons and vehicles) has no date of its own: it is judged as it stands at
    the end of the audit (the period's end, or the as-of date if earlier), and that day decides the
    edition in force. When no record of the data is dated in a period nobody chose (`data_in_period`
    False), nothing is judged in it: no carry-over, and the registry is not judged as of a day the data
    does not reach."""
    batch = UnitBatch(unit_id)
    registry_day = min(as_of, span.end) if span is not None else as_of
    origin, facts, outside_counts = batch.origin, batch.facts, batch.outside_counts
    start, end = (span.start, span.end) if span is not None else (None, None)
    dated_in_period = 0
    as_of_day, makers, date_field = as_of.toordinal(), lookups.makers, DATE_FIELD
    for loaded in records:
        kind = loaded.type
        record = loaded.record
        key = (kind, record.id)
        if key in origin:
            continue  # a duplicate id: validation reported it; the first record is the one judged
        origin[key] = loaded
        if kind in REGISTRY_TYPES:  # (no date of its own)
            if not data_in_period:
                outside_counts[kind] += 1
                continue
            facts.append(fact_of(loaded, lookups, as_of, registry_day))
            continue
        day = record.__dict__[date_field[kind]]  # (record_date, written out: a million records pass here)
        if isinstance(day, dt.datetime):
            day = day.date()
        dated_in = day is not None and (start is None or start <= day <= end)
        if dated_in:
            dated_in_period += 1
        make = makers.get(kind) or activity_maker(kind, lookups)
        if day is None or dated_in or (data_in_period and carries_over(loaded, span, day)):
            facts.append(make(record, as_of_day, day))
        else:
            outside_counts[kind] += 1
            if kind in ("report", "meeting"):
                batch.outside.append(make(record, as_of_day, day))
    batch.dated_in_period = dated_in_period
    context.add(batch.facts)
    batch.facts.extend(unit_stats(batch, as_of))
    batch.facts.extend(add_unit_facts(unit_id, batch.facts, as_of.toordinal()))
    return batch


def unit_stats(batch: UnitBatch, as_of: dt.date) -> list[dict[str, Any]]:
    """One fact per unit and completed year: spending in December against the January–November
    monthly average (年底突击花钱). Sums over a year are beyond a single record or a join."""
    by_year: dict[int, list[int]] = defaultdict(lambda: [0] * 13)
    december: dict[int, list[str]] = defaultdict(list)
    for fact in batch.facts:
        if fact["t"] == "expense":
            by_year[fact["year"]][fact["month_of_year"]] += fact["amount"]
            if fact["month_of_year"] == 12:
                december[fact["year"]].append(fact["rid"])
    stats = []
    for year, months in sorted(by_year.items()):
        if as_of < dt.date(year, 12, 31):
            continue  # December is not over: nothing to compare yet
        stats.append({"t": "unit_stats", "rid": f"{batch.unit}@{year}", "unit": batch.unit, "year": year,
                      "day": dt.date(year, 12, 31).toordinal(), "expense_december": months[12],
                      "expense_monthly_average": sum(months[1:12]) // 11, "as_of": as_of.toordinal(),
                      "records": december[year]})
    return stats
