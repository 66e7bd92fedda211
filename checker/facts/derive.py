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
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import repeat
from typing import Any

from checker.data.models import DATE_FIELD, REGISTRY_TYPES
from checker.data.records import BlockRecords, DataSet, InputOrder, LoadedRecord
from checker.facts import by_type, context
from checker.facts.by_type import plate_key
from checker.facts.makers import attribute_maker, block_days, block_facts, one_fact
from checker.facts.periods import Period, one_month_after
from checker.facts.shares import PERIOD_FIELDS, Shares, person_fields, unit_base, vehicle_fields
from checker.facts.unit_facts import add_unit_facts


@dataclass
class UnitBatch:
    """Everything judged in one engine session: one unit's facts, and where each came from."""
    unit: str
    facts: list[dict[str, Any]] = field(default_factory=list)
    # the record of each fact of a record, by (type, id): read through `loaded` (a block's records stand
    # as their block, checker.data.records `BlockRecords`, until one of them is asked for; a registry
    # entry, never in a block, is always its record)
    origin: dict[tuple[str, str], LoadedRecord | BlockRecords] = field(default_factory=dict)
    obligations: list[dict[str, Any]] = field(default_factory=list)
    obligations_unjudged: list[tuple[str, str]] = field(default_factory=list)  # (rule, reason) per period
    # Records outside the audited period: not judged, but they can still fulfil an obligation of it
    # (the 2020 annual report is submitted in January 2021).
    outside: list[dict[str, Any]] = field(default_factory=list)
    outside_counts: dict[str, int] = field(default_factory=lambda: defaultdict(int))  # by record type
    dated_in_period: int = 0  # activity records dated inside the period (carry-over items are not)
    # `facts` by record type, each in input order, as `unit_batch` left them (`kinds_of`: how many facts
    # there were then): checker.facts.obligations reads them so when no fact was added since
    kinds: dict[str, list[dict[str, Any]]] = field(default_factory=dict, repr=False, compare=False)
    kinds_of: int = field(default=-1, repr=False, compare=False)

    def loaded(self, key: tuple[str, str] | None) -> LoadedRecord | None:
        """The record of (type, id) judged in this unit, or None (for None too): one of a block's made
        here when it is first asked for (most of a unit's records have no finding: theirs are never made)."""
        found = self.origin.get(key)  # type: ignore[arg-type]
        if found.__class__ is BlockRecords:
            found = self.origin[key] = found.one(key[1])  # type: ignore[index,union-attr]
        return found  # type: ignore[return-value]


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
        # what facts take from a person, unit, vehicle, by id (checker.facts.shares `Shares`)
        self.person_shares, self.unit_shares = Shares(self.persons, person_fields), Shares(self.units, unit_base)
        self.vehicle_shares = Shares(self.vehicles, vehicle_fields)
        # a vehicle's plate as one key (by_type `plate_key`), once per vehicle, not once per use or refuelling:
        # read as `plate_keys[id]`, a subscript, where a method cost a call a record
        self.plate_keys = Shares(self.vehicles, _plate_key_of)
        self.unit_days: dict[Any, Any] = {}  # checker.facts.shares `unit_days`'s
        self.last_unit_days: tuple[Any, Any] | None = None  # and its last answer
        self.tails: dict[str, Any] = {}  # checker.facts.makers `activity_tail`'s, by record type
        self.block_makers: dict[str, Any] = {}  # and `block_facts`'s
        self.persons_of: dict[str, list[Any]] = defaultdict(list)
        for person in self.persons.values():
            self.persons_of[person.unit].append(person)


def _plate_key_of(vehicle: Any) -> str | None:
    return plate_key(vehicle.plate)


def fact_of(loaded: LoadedRecord, lookups: Lookups, as_of: dt.date, day: dt.date | None = None) -> dict[str, Any]:
    """`day` is the record's date (`record_date`), when the caller has it already. What a fact takes
    from its person, unit and vehicle is made once per registry entry (`Lookups.person_shares` and the
    like) and copied in, in the order the rules' documentation lists it. An activity record's fact is made as a block's
    are (checker.facts.makers), as a run of one; a registry entry's here."""
    record = loaded.record
    kind = loaded.type
    if day is None:
        day = record_date(loaded)
    if kind not in REGISTRY_TYPES:
        return _activity_fact(kind, record, as_of.toordinal(), day, lookups)
    fact = attribute_maker(kind)(record, as_of.toordinal())  # (a registry entry: a slotted object or a model)
    if day is not None:
        fact.update(PERIOD_FIELDS[day])
    if kind == "person":  # the record itself, which may not be the registry's entry of its id (a duplicate)
        fact.update(person_fields(record))
    else:
        person_id = getattr(record, "person", None)
        shared = lookups.person_shares[person_id] if person_id else None
        if shared is not None:
            fact.update(shared)
    unit = lookups.units.get(record.id if kind == "unit" else getattr(record, "unit", ""))
    if unit is not None:
        fact.update(lookups.unit_shares[unit.id])
        start, end = unit.reform_start, unit.reform_end
        fact["in_reform"] = day is not None and start is not None and start <= day <= (end or dt.date.max)
        if day is not None and kind != "unit":  # how many days the entry lies before the reform's start, end
            if start is not None:
                fact["days_to_reform_start"] = (start - day).days
            if end is not None:
                fact["days_to_reform_end"] = (end - day).days
    vehicle_id = getattr(record, "vehicle", None)
    shared = lookups.vehicle_shares[vehicle_id] if vehicle_id else None
    if shared is not None:
        fact.update(shared)
    by_type.EXTRA[kind](record, fact, lookups)
    return fact


def _activity_fact(kind: str, record: Any, as_of: int, day: dt.date | None, lookups: Lookups) -> dict[str, Any]:
    """An activity record's fact on its own (not a block's: a row the general path read, or records
    not in input order as their blocks came)."""
    return one_fact(kind, lookups, as_of, record.__dict__, record, day)


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


def unit_batch(unit_id: str, records: InputOrder | list[LoadedRecord], lookups: Lookups, as_of: dt.date,
               span: Period | None, data_in_period: bool = True) -> UnitBatch:
    """One unit's facts, from its records in input order (registry entries included). A registry
    record (the unit, its persons and vehicles) has no date of its own: it is judged as it stands at
    the end of the audit (the period's end, or the as-of date if earlier), and that day decides the
    edition in force. When no record of the data is dated in a period nobody chose (`data_in_period`
    False), nothing is judged in it: no carry-over, and the registry is not judged as of a day the data
    does not reach. The records that blocks gave (checker.data.records `InputOrder`) have their facts
    made a block at a time, from its columns: a block taken whole stands for its records in `origin`
    (`UnitBatch.loaded` makes them if asked), and its columns are held as long as the batch is
    instead of its records."""
    taking = _Taking(UnitBatch(unit_id), lookups, as_of, span, data_in_period)
    for stretch in records.stretches if isinstance(records, InputOrder) else (records,):
        if stretch.__class__ is not BlockRecords:
            taking.one_by_one(stretch)  # type: ignore[arg-type]
            continue
        kind, values = stretch.type, stretch.values  # type: ignore[union-attr]
        days = block_days(kind, values)
        facts = block_facts(kind, values, stretch.records, days, lookups, taking.as_of_day)  # type: ignore[union-attr]
        if not taking.whole_block(stretch, facts, days):  # type: ignore[arg-type]
            taking.one_by_one(stretch.loaded(), facts, days)  # type: ignore[union-attr]
    batch, kinds = taking.batch, taking.kinds
    batch.dated_in_period = taking.dated_in_period
    context.add(batch.facts, kinds)
    stats = unit_stats(batch, as_of, kinds.get("expense", ()))
    batch.facts.extend(stats)
    patterns = add_unit_facts(unit_id, batch.facts, as_of.toordinal(), kinds)
    batch.facts.extend(patterns)
    for fact in (*stats, *patterns):  # (after add_unit_facts: it reads no stats or patterns by type)
        kinds[fact["t"]].append(fact)
    batch.kinds, batch.kinds_of = kinds, len(batch.facts)
    return batch


class _Taking:
    """`unit_batch`'s records taken in input order: which become facts (judged), which lie outside the
    period, the first of each id (a duplicate id is reported by validation and not judged), and the
    facts by record type as they come (`by_kind`, for the passes that read them so)."""

    def __init__(self, batch: UnitBatch, lookups: Lookups, as_of: dt.date, span: Period | None,
                 data_in_period: bool):
        self.batch, self.lookups, self.as_of, self.span, self.data_in_period = batch, lookups, as_of, span, data_in_period
        self.as_of_day = as_of.toordinal()
        self.registry_day = min(as_of, span.end) if span is not None else as_of
        self.kinds: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self.dated_in_period = 0

    def whole_block(self, block: BlockRecords, facts: list[dict[str, Any]], days: list[Any]) -> bool:
        """Take a block's records at once if each is judged as `one_by_one` would judge it: none's id
        seen before (in the unit or the block), each dated inside the period; the block stands for
        each of them in `origin` (its records are not made). False (nothing taken) if not: then they
        are taken one by one."""
        span, origin, kind = self.span, self.batch.origin, block.type
        try:
            first, last = min(days), max(days)
        except (TypeError, ValueError):  # a record without a day (None does not compare), or none at all
            return False
        if first is None or (span is not None and (first < span.start or last > span.end)):
            return False
        keys = list(zip(repeat(kind), block.ids))
        if not origin.keys().isdisjoint(keys):
            return False
        size = len(origin)
        origin.update(zip(keys, repeat(block)))
        if len(origin) - size != len(keys):  # an id twice in the block: the later one overwrote the first
            for key in keys:  # (all new to `origin`: removing them leaves it as it was)
                origin.pop(key, None)
            return False
        self.batch.facts.extend(facts)
        self.kinds[kind].extend(facts)
        self.dated_in_period += len(facts)
        return True

    def one_by_one(self, records: list[LoadedRecord], made_facts: list[Any] | None = None,
                   made_days: list[Any] | None = None) -> None:
        """Take records one at a time: registry entries, rows the general path read, a block's records
        that `whole_block` did not take (then with their facts and days made already)."""
        batch, lookups, span, kinds = self.batch, self.lookups, self.span, self.kinds
        origin, facts, outside_counts = batch.origin, batch.facts, batch.outside_counts
        start, end = (span.start, span.end) if span is not None else (None, None)
        as_of_day, date_field, data_in_period = self.as_of_day, DATE_FIELD, self.data_in_period
        given = made_facts is not None
        for loaded, fact, day in zip(records, made_facts if given else repeat(None),
                                     made_days if given else repeat(None), strict=given):
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
                fact = fact_of(loaded, lookups, self.as_of, self.registry_day)
                facts.append(fact)
                kinds[kind].append(fact)
                continue
            if fact is None:  # not a block's record: its date, written out (record_date, inlined)
                day = record.__dict__[date_field[kind]]
                if isinstance(day, dt.datetime):
                    day = day.date()
            dated_in = day is not None and (start is None or start <= day <= end)
            if dated_in:
                self.dated_in_period += 1
            if day is None or dated_in or (data_in_period and carries_over(loaded, span, day)):
                # (`_activity_fact`, written out: a call fewer a record the general path reads)
                fact = fact or one_fact(kind, lookups, as_of_day, record.__dict__, record, day)
                facts.append(fact)
                kinds[kind].append(fact)
            else:
                outside_counts[kind] += 1
                if kind in ("report", "meeting"):
                    batch.outside.append(fact or _activity_fact(kind, record, as_of_day, day, lookups))


def unit_stats(batch: UnitBatch, as_of: dt.date, expenses: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """One fact per unit and completed year: spending in December against the January–November
    monthly average (年底突击花钱). Sums over a year are beyond a single record or a join."""
    by_year: dict[int, list[int]] = defaultdict(lambda: [0] * 13)
    december: dict[int, list[str]] = defaultdict(list)
    for fact in expenses:
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
