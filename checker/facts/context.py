"""What a fact carries about the other records of its unit: the cross-record context of the
patterns (issue 17) that one join cannot express, derived here in one pass over the unit's facts.

- `expense.event_on_day`: a reception, conference or training of the unit on that day (three
  negations; the engine allows one `unless` per rule). `expense.days_outside_event`: for a line
  charged to a conference, training, trip or reception of the unit, how many days it falls before
  or after that activity's days (0: inside).
- `toll.trip` / `toll.off_route`: the trip (travel with this vehicle) the toll falls in, and whether
  its city is neither the trip's destination nor home; the rule joins the toll to that trip by id.
- `toll.away_unexplained`, `fuel.away_unexplained`: the city is not the unit's and no trip, training,
  conference, or use of this vehicle that day went there (places compared as cities: `黄山` is
  `黄山市`, and a venue written with its city is in it).

- `allowance.condolence_year_total`: for a festival condolence payment, what each recipient has
  received in condolences that year up to and including it (a sum over records).

Each pass is linear in the unit's facts: dicts keyed by day or by plate and day, never pairs.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from checker.facts.by_type import city_key, same_city

LINKS = (("conference", "conference"), ("training", "training"), ("travel", "travel"), ("reception", "reception"))


def _span(fact: dict[str, Any]) -> tuple[int, int] | None:
    kind = fact["t"]
    if kind == "travel":
        return fact["depart"], fact["return"]
    if kind in ("conference", "training"):
        return fact["start"], fact["end"]
    return (fact["day"], fact["day"]) if "day" in fact else None


PLACE = {"travel": "destination", "conference": "city", "training": "location"}


class _Unit:
    """The unit's activities indexed by day, by id and by vehicle."""

    def __init__(self, by_kind: dict[str, list[dict[str, Any]]]):
        self.event_days: set[int] = set()
        self.spans: dict[tuple[str, str], tuple[int, int]] = {}
        self.places: dict[int, set[str]] = defaultdict(set)  # day -> city keys where the unit was
        self.trips: dict[tuple[str, int], dict[str, Any]] = {}  # (plate key, day) -> travel by that car
        self.driven: dict[tuple[str, int], set[str]] = defaultdict(set)  # (plate key, day) -> destinations
        for kind in ("reception", "conference", "training", "travel"):
            for fact in by_kind.get(kind, ()):
                span = _span(fact)
                if span is None:
                    continue
                self.spans[(kind, fact["rid"])] = span
                days = range(span[0], span[1] + 1)
                if kind != "travel":
                    self.event_days.update(days)
                place = city_key(fact.get(PLACE[kind])) if kind in PLACE else None
                for day in days:
                    if place:
                        self.places[day].add(place)
                    if kind == "travel" and fact.get("plate_key"):
                        self.trips.setdefault((fact["plate_key"], day), fact)
        for fact in by_kind.get("vehicle_use", ()):
            if fact.get("destination") and fact.get("plate_key"):
                self.driven[(fact["plate_key"], fact["day"])].add(city_key(fact["destination"]) or "")

    def went_there(self, city: str, day: int, plate: str | None) -> bool:
        key = city_key(city) or ""
        places = self.places.get(day, set()) | self.driven.get((plate or "", day), set())
        return any(same_city(key, place) for place in places) or (plate or "", day) in self.trips


def _expenses(unit: _Unit, facts: list[dict[str, Any]]) -> None:
    for fact in facts:
        fact["event_on_day"] = fact["day"] in unit.event_days
        for kind, name in LINKS:
            span = unit.spans.get((kind, fact.get(name) or ""))
            if span is not None:
                day = fact["day"]
                fact["days_outside_event"] = span[0] - day if day < span[0] else max(0, day - span[1])
                break


def _tolls(unit: _Unit, facts: list[dict[str, Any]]) -> None:
    for fact in facts:
        trip = unit.trips.get((fact["plate_key"], fact["day"]))
        city, home = fact.get("city"), fact.get("unit_region")
        if trip is not None:
            fact["trip"] = trip["rid"]
            if city and home:
                fact["off_route"] = not same_city(city, trip["destination"]) and not same_city(city, home)
    _away(unit, facts)


def _away(unit: _Unit, facts: list[dict[str, Any]]) -> None:
    for fact in facts:
        city, home = fact.get("city"), fact.get("unit_region")
        if city and home:
            fact["away_unexplained"] = not same_city(city, home) and not unit.went_there(
                city, fact["day"], fact.get("plate_key"))


def _condolences(facts: list[dict[str, Any]]) -> None:
    total: dict[int, int] = defaultdict(int)
    paid = [f for f in facts if f.get("allowance_kind") == "festival_condolence" and "per_person" in f]
    for fact in sorted(paid, key=lambda f: (f["day"], f["rid"])):
        total[fact["year"]] += fact["per_person"]
        fact["condolence_year_total"] = total[fact["year"]]


def add(facts: list[dict[str, Any]]) -> None:
    """Add the context fields to one unit's facts, in place."""
    by_kind: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for fact in facts:
        by_kind[fact["t"]].append(fact)
    _condolences(by_kind.get("allowance", []))
    if not (by_kind.get("expense") or by_kind.get("toll") or by_kind.get("fuel")):
        return
    unit = _Unit(by_kind)
    _expenses(unit, by_kind.get("expense", []))
    _tolls(unit, by_kind.get("toll", []))
    _away(unit, by_kind.get("fuel", []))
