"""What a fact takes from its day, its person, its unit and its vehicle (checker.facts.makers copies
it into each fact): made once per day (`PERIOD_FIELDS`), per registry entry (`Shares`) and per unit and
day (`UnitDays`, shared by units alike), never once per record."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from checker.facts.by_type import RANK_LEVEL
from checker.facts.periods import is_statutory_holiday, is_workday


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
PERIOD_KEYS = tuple(_period_fields(dt.date(2000, 1, 1)))  # (the same keys, in the same order, every day)


PERSON_KEYS = ("person_rank", "person_name", "person_rank_level", "person_is_secretary", "person_party_member")


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

class Shares(dict):  # type: ignore[type-arg]
    """What every fact naming a registry entry takes from it (`make`'s), by id, made the first time an
    id is asked (None if the registry does not know it): read as `shares[id]`, a subscript, where a
    cached function costs a call a record."""

    def __init__(self, registry: dict[str, Any], make: Callable[[Any], Any]):
        super().__init__()
        self.registry, self.make = registry, make

    def __missing__(self, key: str) -> Any:
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
        self.shapes: dict[tuple[str, str, int], Any] = {}  # checker.facts.makers `fact_shapes`'
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
    oldest is let go past _KEPT_UNIT_DAYS (made again if asked again). The last answer is kept as
    well (`lookups.last_unit_days`): a unit's blocks come one after another, each asking once, and
    making a UnitDays to find its key cost ~20k instructions."""
    asked = (unit_id, with_period, staffing)
    last = lookups.last_unit_days
    if last is not None and last[0] == asked:
        return last[1]  # type: ignore[no-any-return]
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
    lookups.last_unit_days = (asked, found)
    return found
