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
from dataclasses import dataclass, field
from functools import cache
from typing import Any, get_args, get_origin

from . import expr
from .calendar import (
    Period,
    is_statutory_holiday,
    is_workday,
    next_workday,
    periods_between,
    workdays_between,
)
from .load import DataSet, LoadedRecord
from .models import DATE_FIELD, RECORD_TYPES, REGISTRY_TYPES
from .rules import ActiveRule

RANK_LEVEL = {"staff": 1, "vice_section": 2, "section": 3, "vice_division": 4, "division": 5,
              "vice_bureau": 6, "bureau": 7, "vice_minister": 8, "minister": 9}


@dataclass
class UnitBatch:
    """Everything judged in one engine session: one unit's facts, and where each came from."""
    unit: str
    facts: list[dict[str, Any]] = field(default_factory=list)
    origin: dict[tuple[str, str], LoadedRecord] = field(default_factory=dict)
    obligations: list[dict[str, Any]] = field(default_factory=list)
    # Records outside the audited period: not judged, but they can still fulfil an obligation of it
    # (the 2020 annual report is submitted in January 2021).
    outside: list[dict[str, Any]] = field(default_factory=list)


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
        self.persons_of: dict[str, list[Any]] = defaultdict(list)
        for person in self.persons.values():
            self.persons_of[person.unit].append(person)

    def in_reform(self, unit_id: str, day: dt.date | None) -> bool:
        unit = self.units.get(unit_id)
        if unit is None or day is None or unit.reform_start is None:
            return False
        return unit.reform_start <= day <= (unit.reform_end or dt.date.max)


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


def fact_of(loaded: LoadedRecord, lookups: Lookups, as_of: dt.date, day: dt.date | None = None) -> dict[str, Any]:
    """`day` is the record's date (`record_date`), when the caller has it already."""
    record = loaded.record
    kind = loaded.type
    fields = values_of(record)
    fact: dict[str, Any] = {"t": kind, "rid": record.id, "as_of": as_of.toordinal()}
    for name, key, conversion in _field_plan(kind):
        value = fields[name]
        if value is None:
            continue
        if conversion == 1:
            value = value.toordinal()
        elif conversion == 2:
            value = value.toordinal() if type(value) is dt.date else value.date().toordinal()
        fact[key] = value
    if day is None:
        day = record_date(loaded)
    if day is not None:
        fact.update(_period_fields(day))
    if kind == "fuel":
        fact["hour"] = record.time.hour
    if kind in ("travel", "conference", "training"):
        first, last = (record.depart, record.return_) if kind == "travel" else (record.start, record.end)
        fact["days"] = (last - first).days + 1
        if kind == "conference":
            fact["person_days"] = record.attendees * fact["days"]
        if kind == "training":
            fact["person_days"] = record.participants * fact["days"]
            fact["days_over_30"] = max(0, fact["days"] - 30)
            fact["person_days_over_30"] = record.participants * fact["days_over_30"]
    person = lookups.persons.get(fields.get("person") or "") if kind != "person" else record
    if person is not None:
        fact["person_rank"] = person.rank
        fact["person_name"] = person.name
        fact["person_rank_level"] = RANK_LEVEL[person.rank]
        fact["person_is_secretary"] = "secretary" in person.roles
    if kind == "person":
        fact["rank_level"] = RANK_LEVEL[record.rank]
    unit = lookups.units.get(record.id if kind == "unit" else fields.get("unit", ""))
    if unit is not None:
        fact["unit_level"] = unit.level
        fact["unit_org_kind"] = unit.org_kind
        if unit.region:
            fact["unit_region"] = unit.region
        fact["in_reform"] = lookups.in_reform(unit.id, day)
    if kind == "unit":
        fact["vehicle_count"] = lookups.vehicle_count.get(record.id, 0)
    vehicle = lookups.vehicles.get(fields.get("vehicle") or "")
    if vehicle is not None:
        for name in ("tank_l", "fuel", "kind"):
            if getattr(vehicle, name) is not None:
                fact[f"vehicle_{name}"] = getattr(vehicle, name)
    if kind == "personnel_action" and record.publicity_start and record.publicity_end:
        fact["publicity_workdays"] = workdays_between(record.publicity_start, record.publicity_end)
    if kind == "gift" and record.handed_in:
        fact["days_to_hand_in"] = (record.handed_in - record.date).days
    if kind == "task" and record.completed:
        fact["days_late"] = (record.completed - record.deadline).days
    return fact


def in_scope(loaded: LoadedRecord, span: Period | None, day: dt.date | None) -> bool:
    """`day` is the record's date (`record_date`)."""
    return span is None or day is None or loaded.type in REGISTRY_TYPES or span.contains(day)


def unit_of(loaded: LoadedRecord) -> str | None:
    return loaded.id if loaded.type == "unit" else getattr(loaded.record, "unit", None)


def batches(data: DataSet, as_of: dt.date, span: Period | None = None,
            units: set[str] | None = None) -> dict[str, UnitBatch]:
    """Facts partitioned by unit: each unit's records and its registry entries (unit, persons, vehicles)."""
    lookups = Lookups(data)
    records_of: dict[str, list[LoadedRecord]] = {}
    for loaded in data.records:
        unit_id = unit_of(loaded)
        if unit_id is not None and (units is None or unit_id in units):
            records_of.setdefault(unit_id, []).append(loaded)
    return {unit: unit_batch(unit, records, lookups, as_of, span) for unit, records in records_of.items()}


def unit_batch(unit_id: str, records: list[LoadedRecord], lookups: Lookups, as_of: dt.date,
               span: Period | None) -> UnitBatch:
    """One unit's facts, from its records in input order (registry entries included)."""
    batch = UnitBatch(unit_id)
    for loaded in records:
        key = (loaded.type, loaded.id)
        if key in batch.origin:
            continue  # a duplicate id: validation reported it; the first record is the one judged
        batch.origin[key] = loaded
        day = record_date(loaded)
        if in_scope(loaded, span, day):
            batch.facts.append(fact_of(loaded, lookups, as_of, day))
        elif loaded.type in ("report", "meeting"):
            batch.outside.append(fact_of(loaded, lookups, as_of, day))
    batch.facts.extend(unit_stats(batch, as_of))
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


# --- obligations ----------------------------------------------------------------------------------

def due_date(rule: ActiveRule, period: Period) -> dt.date:
    ob = rule.rule.match.obligation
    values = rule.values
    if ob.due_fixed:
        month, day = (int(p) for p in ob.due_fixed.split("-"))
        due = dt.date(period.end.year + 1, month, day)
    else:
        due = period.end + dt.timedelta(days=int(_param(ob.due_days, values)))
    if _param(ob.shift_to_workday, values):
        due = next_workday(due)
    return due


def _param(value: Any, values: dict[str, Any]) -> Any:
    if isinstance(value, str) and value.startswith("$"):
        return values[value[1:]]
    return value


def owes(rule: ActiveRule, unit: Any) -> bool:
    for name, allowed in rule.rule.match.obligation.owed_by.items():
        if str(getattr(unit, name, None)) not in allowed:
            return False
    return True


def facts_by_type(batch: UnitBatch | None) -> dict[str, list[dict[str, Any]]]:
    """The unit's facts, in the period and outside it, by record type (each in input order)."""
    by_type: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for fact in (batch.facts + batch.outside) if batch else ():
        by_type[fact["t"]].append(fact)
    return by_type


def obligation_states(rule: ActiveRule, unit: Any, batch: UnitBatch | None, span: Period,
                      as_of: dt.date, persons: list[Any] | None = None,
                      by_type: dict[str, list[dict[str, Any]]] | None = None) -> list[dict[str, Any]]:
    """For each period of the rule in `span` (and each person owing it, for per-person obligations):
    what was owed, which records count, and the state. `by_type` is `facts_by_type(batch)`, when the
    caller judges several rules on one batch."""
    ob = rule.rule.match.obligation
    owers: list[Any] = [None]
    if ob.per_person is not None:
        owers = [p for p in (persons or []) if all(
            str(getattr(p, name, None)) in allowed for name, allowed in ob.per_person.items())]
    if by_type is None:
        by_type = facts_by_type(batch)
    of_type = by_type.get(ob.record, [])
    states = []
    for row_index, values in enumerate(row_values(rule)):
        where = [expr.bind(expr.parse(c), values) for c in ob.where]
        quorum = [expr.bind(expr.parse(c), values) for c in ob.quorum]
        required = int(_param(ob.min_count, values))
        candidates = [f for f in of_type if all(expr.holds(c, f) for c in where)]
        for person in owers:
            mine = candidates if person is None else [f for f in candidates if f.get("person") == person.id]
            for period in obligation_periods(rule, span):
                if not in_edition(rule, period):
                    continue
                state = _state(rule, unit, person, period, mine, quorum, required, as_of)
                if rule.rule.match.for_each:
                    state["rid"] += f"#{row_index}"
                    state["row"] = row_index
                states.append(state)
    return states


def obligation_periods(rule: ActiveRule, span: Period) -> list[Period]:
    """The periods an audit of `span` judges: those overlapping it and, for obligations due on a fixed
    date of the following year, the previous year falling due in it (last year's personal-matters
    report is due on 31 January of the audited year)."""
    ob = rule.rule.match.obligation
    if not ob.due_fixed:
        return periods_between(span, ob.period)
    wider = Period(span.start - dt.timedelta(days=400), span.end, span.label)
    return [p for p in periods_between(wider, ob.period)
            if p.overlaps(span) or span.start <= due_date(rule, p) <= span.end]


def in_edition(rule: ActiveRule, period: Period) -> bool:
    """An obligation is owed for a period only under an edition in force at the period's end."""
    citation = rule.rule.citation
    return not ((citation.valid_from and period.end < citation.valid_from)
                or (citation.valid_to and period.end > citation.valid_to))


def row_values(rule: ActiveRule) -> list[dict[str, Any]]:
    """The rule's parameter values, once per row of its `for_each` table (once if it has none)."""
    table = rule.rule.match.for_each
    if table is None:
        return [rule.values]
    return [{**rule.values, **{f"row.{k}": v for k, v in row.items()}} for row in rule.values.get(table) or []]


def _state(rule: ActiveRule, unit: Any, person: Any, period: Period, candidates: list[dict[str, Any]],
           quorum: list[expr.Cond], required: int, as_of: dt.date) -> dict[str, Any]:
    ob = rule.rule.match.obligation
    due = due_date(rule, period)
    start, end, due_day = period.start.toordinal(), period.end.toordinal(), due.toordinal()
    # A report belongs to the period it names; anything else to the period its date falls in.
    in_period = [f for f in candidates if (f.get("period") == period.label if ob.record == "report"
                                           else start <= f.get("day", 0) <= end)]
    # Only what has happened by the as-of date counts: a meeting planned for next week is not done.
    quorate = [f for f in in_period if f.get("day", 0) <= as_of.toordinal() and all(expr.holds(c, f) for c in quorum)]
    on_time = [f for f in quorate if f.get("day", 0) <= due_day]
    done_by_as_of = quorate
    if len(on_time) >= required:
        state = "done"
    elif as_of <= due:
        state = "due" if as_of >= period.start else "upcoming"
    else:
        state = "late" if len(done_by_as_of) >= required else "overdue"
    owner = f"@{person.id}" if person is not None else ""
    fact = {
        "t": "obligation_status", "rid": f"{rule.rule.id}@{unit.id}{owner}@{period.label}", "rule": rule.rule.id,
        "period": period.label, "period_start": start, "period_end": end, "due": due_day,
        "required": required, "count": len(on_time), "count_all": len(done_by_as_of),
        "inquorate": sum(1 for f in in_period if not all(expr.holds(c, f) for c in quorum)), "state": state, "as_of": as_of.toordinal(),
        "satisfied_by": [f["rid"] for f in on_time] or [f["rid"] for f in done_by_as_of],
    }
    if person is not None:
        fact.update({"person": person.id, "person_name": person.name, "person_rank": person.rank})
    return fact


def add_obligations(batches_by_unit: dict[str, UnitBatch], data: DataSet, rules: list[ActiveRule],
                    span: Period, as_of: dt.date) -> None:
    lookups = Lookups(data)
    for batch in batches_by_unit.values():
        unit_obligations(batch, lookups, rules, span, as_of)


def unit_obligations(batch: UnitBatch, lookups: Lookups, rules: list[ActiveRule], span: Period,
                     as_of: dt.date) -> None:
    """The unit's obligation states, kept for the report and given to the engine as facts."""
    unit = lookups.units.get(batch.unit)
    if unit is None:
        return
    by_type = facts_by_type(batch)
    for rule in rules:
        if rule.skipped is not None or not rule.rule.match.obligation or not owes(rule, unit):
            continue
        for state in obligation_states(rule, unit, batch, span, as_of, lookups.persons_of.get(batch.unit, []),
                                       by_type):
            batch.obligations.append(state)
            batch.facts.append({k: v for k, v in state.items() if k != "satisfied_by"})
