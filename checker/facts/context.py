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
- `plate_registered` (toll, maintenance, fuel): the plate is on a vehicle of the unit's register;
  `car_used`, `car_on_duty` (toll): the car was used, or used on duty or emergency call (the use's
  `on_duty`, or the day's duty roster), that day.
  These were engine negations (`unless` a vehicle, a vehicle use); they made `vehicle` and
  `vehicle_use` joined types, asserted one fact at a time, which cost more than this pass
  (docs/rule-format.md, "Cross-record patterns").

- `allowance.condolence_year_total`: for a festival condolence payment, what each recipient has
  received in condolences that year up to and including it (a sum over records).
- `paid_before` (allowance, car_allowance): an earlier payment of the same item for the same month
  (of the same person, for a car allowance); `fixed_vehicle` (car_allowance): the plate of a car of
  the unit fixed to the person; `family_event_days` (gift): the signed days from the nearest family
  event of the recipient. Each fact names the other record in `related`, which the finding cites.
  These four were engine joins; together they made vehicles, allowances, car allowances, gifts and
  family events joined types and the bare engine at 1M 4 s slower (docs/rule-format.md).

Each pass is linear in the unit's facts: dicts keyed by day or by plate and day, never pairs.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from checker.facts.by_type import city_key, same_city

LINKS = (("conference", "conference"), ("training", "training"), ("travel", "travel"), ("reception", "reception"))


PLACE = {"travel": "destination", "conference": "city", "training": "location"}
# The fields that relate a fact to another record (named in its `related`): a finding cites that record
# only when its rule reads one of them (a gift's finding for not being handed in is not about a wedding).
RELATING_FIELDS = frozenset({"paid_before", "paid_before_day", "fixed_vehicle", "family_event_days",
                             "family_event_day", "family_event_kind", "warning_education_day"})
READ = frozenset({"reception", "conference", "training", "travel", "vehicle", "vehicle_use", "duty", "expense", "toll",
                  "fuel", "maintenance", "allowance", "car_allowance", "gift", "family_event"})


class _Unit:
    """The unit's activities indexed by day, by id and by vehicle. Where the unit's people were on
    each day is worked out only when a toll or refuelling away from home asks (most are at home)."""

    def __init__(self, by_kind: dict[str, list[dict[str, Any]]]):
        self.by_kind = by_kind
        # (first day, last day) of each activity, by kind and id: a dict a kind, filled by a comprehension,
        # where one dict keyed by (kind, id) made a tuple a fact (_Unit 29.8 -> ~24 ms over 100 units of 1M)
        receptions = [fact for fact in by_kind.get("reception", ()) if "day" in fact]  # (its day, if it has one)
        self.spans: dict[str, dict[str, tuple[int, int]]] = {
            "reception": {fact["rid"]: (fact["day"], fact["day"]) for fact in receptions}}
        self.event_days: set[int] = {fact["day"] for fact in receptions}
        spans, event_days = self.spans, self.event_days
        for kind in ("conference", "training"):
            of_kind = by_kind.get(kind, ())
            spans[kind] = {fact["rid"]: (fact["start"], fact["end"]) for fact in of_kind}
            for fact in of_kind:
                event_days.update(range(fact["start"], fact["end"] + 1))
        travels = by_kind.get("travel", ())
        spans["travel"] = {fact["rid"]: (fact["depart"], fact["return"]) for fact in travels}
        self.trips: dict[tuple[str, int], dict[str, Any]] = {}  # (plate key, day) -> travel by that car
        for fact in travels:
            if fact.get("plate_key"):
                for day in range(fact["depart"], fact["return"] + 1):
                    self.trips.setdefault((fact["plate_key"], day), fact)
        self.plates = {fact["plate_key"] for fact in by_kind.get("vehicle", ()) if fact.get("plate_key")}
        self.used: set[tuple[str, int]] = set()
        self.on_duty: set[tuple[str, int]] = set()
        self.driven: dict[tuple[str, int], set[str]] = defaultdict(set)  # (plate key, day) -> destinations
        for fact in by_kind.get("vehicle_use", ()):
            key = (fact.get("plate_key") or "", fact["day"])
            self.used.add(key)
            if fact.get("on_duty"):
                self.on_duty.add(key)
            if fact.get("destination"):
                self.driven[key].add(city_key(fact["destination"]) or "")
        for fact in by_kind.get("duty", ()):  # the day's duty roster registers its car too
            self.on_duty.add((fact.get("plate_key") or "", fact["day"]))
        self._places: dict[int, set[str]] | None = None
        self._located: list[tuple[int, int, str]] | None = None
        self._asked: dict[int, set[str]] = {}

    @property
    def places(self) -> dict[int, set[str]]:
        """Day -> city keys where a trip, conference or training of the unit was."""
        if self._places is None:
            self._places = defaultdict(set)
            for first, last, place in self.located:
                for day in range(first, last + 1):
                    self._places[day].add(place)
        return self._places

    @property
    def located(self) -> list[tuple[int, int, str]]:
        """(first day, last day, city key) of each trip, conference and training of the unit with a place."""
        if self._located is None:
            self._located = []
            for kind, name in PLACE.items():
                for fact in self.by_kind.get(kind, ()):
                    place, span = city_key(fact.get(name)), self.spans[kind].get(fact["rid"])
                    if place and span:
                        self._located.append((span[0], span[1], place))
        return self._located

    def places_on(self, day: int) -> set[str]:
        """`places[day]`, for the few days a toll or refuelling away from home asks about (a handful per
        unit): the unit's activities scanned for that day, where every day of every activity would be
        filed. Past _SCANNED days asked, `places` is made for all days at once."""
        if self._places is None and len(self._asked) < _SCANNED:
            found = self._asked.get(day)
            if found is None:
                found = self._asked[day] = {place for first, last, place in self.located if first <= day <= last}
            return found
        return self.places.get(day, set())

    def went_there(self, city: str, day: int, plate: str | None) -> bool:
        if (plate or "", day) in self.trips:
            return True
        key = city_key(city) or ""
        places = self.places_on(day) | self.driven.get((plate or "", day), set())
        return any(same_city(key, place) for place in places)


_SCANNED = 24  # days asked of a unit before its places are filed by day (a scan is one pass over its activities)


def _expenses(unit: _Unit, facts: list[dict[str, Any]]) -> None:
    spans, event_days = unit.spans, unit.event_days
    # a line that names no activity of a kind is looked up as naming "" (no record has that id)
    links = [(name, spans[kind], spans[kind].get("")) for kind, name in LINKS]
    for fact in facts:
        day = fact["day"]
        fact["event_on_day"] = day in event_days
        for name, of_kind, blank in links:
            named = fact.get(name)
            span = of_kind.get(named) if named else blank
            if span is not None:
                fact["days_outside_event"] = span[0] - day if day < span[0] else max(0, day - span[1])
                break


def _registered(unit: _Unit, facts: list[dict[str, Any]]) -> None:
    for fact in facts:
        fact["plate_registered"] = fact.get("plate_key") in unit.plates


def _tolls(unit: _Unit, facts: list[dict[str, Any]]) -> None:
    for fact in facts:
        key = (fact["plate_key"], fact["day"])
        fact["car_used"], fact["car_on_duty"] = key in unit.used, key in unit.on_duty
        trip = unit.trips.get(key)
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


def _repeats(facts: list[dict[str, Any]], key: tuple[str, ...]) -> None:
    """A later payment of what an earlier one already paid names the first."""
    first: dict[tuple[Any, ...], dict[str, Any]] = {}
    for fact in sorted(facts, key=lambda f: (f["day"], f["rid"])):
        k = tuple(fact.get(name) for name in key)
        if None in k:
            continue
        if k in first:
            fact["paid_before"] = first[k]["rid"]
            fact["paid_before_day"] = first[k]["day"]  # the message names the first payment by its day
            fact["related"] = [(fact["t"], first[k]["rid"])]
        else:
            first[k] = fact


def _fixed_cars(by_kind: dict[str, list[dict[str, Any]]]) -> None:
    fixed = {v["fixed_to"]: v for v in by_kind.get("vehicle", ()) if v.get("fixed_to")}
    for fact in by_kind.get("car_allowance", ()):
        vehicle = fixed.get(fact.get("person"))
        if vehicle is not None:
            fact["fixed_vehicle"] = vehicle.get("plate") or vehicle["rid"]
            fact["related"] = [("vehicle", vehicle["rid"])]


def _family_gifts(by_kind: dict[str, list[dict[str, Any]]]) -> None:
    events: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for event in by_kind.get("family_event", ()):
        events[event.get("person")].append(event)
    for gift in by_kind.get("gift", ()):
        near = min(events.get(gift.get("person"), ()), key=lambda e: abs(gift["day"] - e["day"]), default=None)
        if near is not None:
            gift["family_event_days"] = gift["day"] - near["day"]
            gift["family_event_day"], gift["family_event_kind"] = near["day"], near.get("kind")
            gift["related"] = [("family_event", near["rid"])]


def add(facts: list[dict[str, Any]], by_kind: dict[str, list[dict[str, Any]]] | None = None) -> None:
    """Add the context fields to one unit's facts, in place. `by_kind`: the facts by record type (each
    in input order), if the caller has them so already (checker.facts.derive `UnitBatch.kinds`)."""
    if by_kind is None:
        by_kind = defaultdict(list)
        for fact in facts:
            if fact["t"] in READ:
                by_kind[fact["t"]].append(fact)
    _condolences(by_kind.get("allowance", []))
    _repeats(by_kind.get("allowance", []), ("item", "pay_period"))
    _repeats(by_kind.get("car_allowance", []), ("person", "pay_month"))
    _fixed_cars(by_kind)
    _family_gifts(by_kind)
    if not any(by_kind.get(kind) for kind in ("expense", "toll", "fuel", "maintenance")):
        return
    unit = _Unit(by_kind)
    _expenses(unit, by_kind.get("expense", []))
    _tolls(unit, by_kind.get("toll", []))
    _away(unit, by_kind.get("fuel", []))
    for kind in ("toll", "maintenance", "fuel"):
        _registered(unit, by_kind.get(kind, []))
