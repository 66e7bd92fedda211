"""The cross-record patterns of issue 17 in the synthetic generator: the ledgers they read (car
allowances, maintenance bills, tolls, hospitality accepted), trips made with a unit car, and the
violations planted across records (bench/generate.py calls `patterns` after a unit's other records).

Every plant is laid out so that it breaks its own rule and no other, except where one act breaks two
rules and both are planted: a car fixed to a person who also draws a car allowance (EP-VEH-FIXED too),
a toll of a car not on the register (no dispatch of that car that day either: EP-PAT-TOLL-NO-USE).
Extra expense lines stay small and out of December (EP-FRUG-DEC-RUSH compares December's total).
"""

from __future__ import annotations

from collections import defaultdict

from bench.gen_unit import REGION, YEAR, UnitGen
from checker.facts import festivals

FESTIVAL_WINDOW_DAYS = 15  # profile leads: festival_window_days
FAMILY_GIFT_WINDOW_DAYS = 30  # profile leads: family_event_gift_window_days
AWAY_CITIES = ("婺源县", "千岛湖镇", "武夷山市", "普陀山镇")  # no background record goes there
FOREIGN_PLATES = ("皖A·8K{:03d}", "苏E·{:05d}", "浙A{:05d}")
DECEMBER = 334  # day index of 1 December in 2020: extra expense lines stay before it


class _Unit:
    """The unit's days: activities, vehicle uses and trips by car, looked up by day index."""

    def __init__(self, g: UnitGen):
        self.index = {iso: i for i, iso in enumerate(g.cal.iso)}
        self.event_days: set[int] = set()
        for row in g.rows("reception"):
            self.event_days.add(self.index[row["date"]])
        for kind in ("conference", "training"):
            for row in g.rows(kind):
                self.event_days.update(range(self.index[row["start"]], self.index[row["end"]] + 1))
        self.uses: dict[str, set[int]] = defaultdict(set)
        self.duty: dict[str, set[int]] = defaultdict(set)
        for row in g.rows("vehicle_use"):
            self.uses[row["vehicle"]].add(self.index[row["date"]])
        self.trips: dict[str, set[int]] = defaultdict(set)

    def season(self, day: int, g: UnitGen) -> tuple[str, int] | None:
        return festivals.position(g.cal.days[day])

    def in_window(self, day: int, g: UnitGen) -> bool:
        found = self.season(day, g)
        return found is not None and abs(found[1]) <= FESTIVAL_WINDOW_DAYS


def patterns(g: UnitGen, used_fuel: set[tuple[int, int]]) -> None:
    unit = _Unit(g)
    _trips_by_car(g, unit)
    _car_allowances(g)
    _maintenance(g)
    _tolls(g, unit)
    _hosted(g)
    _expense_lines(g, unit)
    _fuel(g, unit, used_fuel)
    _allowances(g)
    _family_gifts(g)


def _expense(g: UnitGen, key: str, day: int, amount: float, **fields) -> dict:
    row = {"id": f"EXP-{g.uid}-{key}", "unit": g.uid, "date": g.iso(day), "amount": amount,
           "category": "其他", "purpose": "报销", "payee": fields.get("merchant", "某商户"), **fields}
    return g.add("expense", row)


def _trips_by_car(g: UnitGen, unit: _Unit) -> None:
    """Some trips go in a unit car (no car on two trips a day): a toll at the destination (near miss of
    EP-PAT-TRIP-TOLL-OFF-ROUTE), or, planted, one in a city that is neither the destination nor home."""
    rng, n = g.rng, 0
    for trip in g.rows("travel"):
        if rng.random() > 0.1:
            continue
        days = range(unit.index[trip["depart"]], unit.index[trip["return"]] + 1)
        vid = rng.choice(g.vehicles)[0]
        workdays = [d for d in days if d in g.cal.workset]
        if unit.trips[vid] & set(days) or not workdays:
            continue
        unit.trips[vid].update(days)
        trip["vehicle"] = vid
        day = rng.choice(workdays)
        if g.should("EP-PAT-TRIP-TOLL-OFF-ROUTE"):
            toll = _toll(g, f"T{n:04d}", g.plates[vid], day, rng.choice(AWAY_CITIES), "景区收费站")
            g.plant("EP-PAT-TRIP-TOLL-OFF-ROUTE", trip["id"], toll["id"])
        else:
            _toll(g, f"T{n:04d}", g.plates[vid], day, trip["destination"].removesuffix("市"), "目的地收费站")
        n += 1


def _toll(g: UnitGen, key: str, plate: str, day: int, city: str, place: str, kind: str = "toll") -> dict:
    return g.add("toll", {"id": f"TOL-{g.uid}-{key}", "unit": g.uid, "plate": plate,
                          "time": f"{g.iso(day)} {g.rng.randint(8, 17):02d}:{g.rng.randint(0, 59):02d}",
                          "kind": kind, "place": place, "city": city, "amount": float(g.rng.randint(5, 120))})


def _car_allowances(g: UnitGen) -> None:
    """One a month to each of the first persons, no car fixed to any of them; planted: a second one for
    a month (EP-PAT-CARALW-TWICE), and a car fixed to a person who draws one (EP-PAT-CARALW-FIXED-CAR,
    which EP-VEH-FIXED reports too)."""
    rng, months = g.rng, g.cal.months
    paid: list[dict] = []
    budget = min(g.share["car_allowance"], 12 * (len(g.persons) - 1))
    for k in range(budget):
        person, month = g.persons[k // 12][0], k % 12
        paid.append(g.add("car_allowance", {"id": f"CAR-{g.uid}-{k:05d}", "unit": g.uid, "person": person,
                                            "date": g.iso(months[month][-1]), "for_month": f"{YEAR}-{month + 1:02d}",
                                            "amount": float(rng.choice((500, 800, 1300)))}))
    for n in range(g.count("EP-PAT-CARALW-TWICE", g.share["car_allowance"]) if paid else 0):
        first = paid.pop(rng.randrange(len(paid)))
        second = g.add("car_allowance", {**first, "id": f"CAR-{g.uid}-D{n:04d}", "date": first["date"]})
        g.plant("EP-PAT-CARALW-TWICE", first["id"], second["id"])
    person = g.persons[-1][0]  # after everyone paid above: draws no other allowance
    if budget < 12 * (len(g.persons) - 1) and g.should("EP-PAT-CARALW-FIXED-CAR"):
        vid = g.vehicles[-1][0]
        vehicle = next(v for v in g.rows("vehicle") if v["id"] == vid)
        vehicle["fixed_to"] = person
        paid_row = g.add("car_allowance", {"id": f"CAR-{g.uid}-F0000", "unit": g.uid, "person": person,
                                           "date": g.iso(g.cal.months[5][-1]), "for_month": f"{YEAR}-06",
                                           "amount": 1300.0})
        g.plant("EP-VEH-FIXED", vid)
        g.plant("EP-PAT-CARALW-FIXED-CAR", vid, paid_row["id"])


def _maintenance(g: UnitGen) -> None:
    """The unit's own cars, their plates written as garages write them (near miss of the register
    check); planted: a car not on the register (EP-PAT-MAINT-UNREGISTERED)."""
    rng = g.rng
    for i in range(g.share["maintenance"]):
        vid = rng.choice(g.vehicles)[0]
        plate = g.plates[vid]
        g.add("maintenance", {"id": f"MNT-{g.uid}-{i:05d}", "unit": g.uid, "plate": rng.choice(
            (plate, plate[:3] + " " + plate[3:], plate[:3] + "·" + plate[3:])), "vehicle": vid,
            "time": g.iso(rng.choice(g.cal.work)), "kind": rng.choice(("repair", "service", "tyre")),
            "shop": "某汽修厂", "city": REGION, "amount": float(rng.randint(200, 6000))})
    for n in range(g.count("EP-PAT-MAINT-UNREGISTERED", g.share["maintenance"])):
        row = g.add("maintenance", {"id": f"MNT-{g.uid}-X{n:04d}", "unit": g.uid,
                                    "plate": rng.choice(FOREIGN_PLATES).format(rng.randint(0, 999)),
                                    "time": g.iso(rng.choice(g.cal.work)), "kind": "service", "shop": "某汽修厂",
                                    "city": REGION, "amount": float(rng.randint(800, 6000))})
        g.plant("EP-PAT-MAINT-UNREGISTERED", row["id"])


def _tolls(g: UnitGen, unit: _Unit) -> None:
    """Tolls of a car on a working day it was dispatched (in the unit's city, or at the dispatch's
    destination: near misses of EP-PAT-TOLL-AWAY); planted: on a day off, with no dispatch, in a city
    nobody went to, and of a car not on the register."""
    rng = g.rng
    uses = [u for u in g.rows("vehicle_use") if not u["on_duty"] and unit.index[u["date"]] in g.cal.workset
            and unit.index[u["date"]] not in unit.trips[u["vehicle"]]]  # a car on a trip: its tolls are the trip's
    for i in range(g.share["toll"] if uses else 0):
        use = rng.choice(uses)
        city = use.get("destination") or REGION
        if city == REGION and rng.random() < 0.2:  # a dispatch to another city, its toll there
            city = use["destination"] = rng.choice(("合肥市", "芜湖市", "南京市"))
        city = city.removesuffix("市") if city != REGION else city
        kind = rng.choice(("toll", "etc", "parking"))
        _toll(g, f"{i:05d}", g.plates[use["vehicle"]], unit.index[use["date"]], city, "某收费站", kind)
    free_days = [d for d in g.cal.weekends + g.cal.holidays if d < DECEMBER]
    # the holiday duty roster (gen_records.fuel) clears a toll of its car that day (car_on_duty)
    on_duty = {(d["vehicle"], d["date"]) for d in g.rows("duty")}
    for n in range(g.count("EP-PAT-TOLL-OFF-DAY", g.share["toll"])):
        vid, day = rng.choice(g.vehicles)[0], rng.choice(free_days)
        if day in unit.uses[vid] or day in unit.trips[vid] or (vid, g.iso(day)) in on_duty:
            continue  # the on-duty weekend uses are near misses: not here
        row = _toll(g, f"W{n:04d}", g.plates[vid], day, REGION, "某商场停车场", "parking")
        g.plant("EP-PAT-TOLL-OFF-DAY", row["id"])
    for n in range(g.count("EP-PAT-TOLL-NO-USE", g.share["toll"])):
        vid, day = rng.choice(g.vehicles)[0], rng.choice(g.cal.work)
        if day in unit.uses[vid] or day in unit.trips[vid]:
            continue
        row = _toll(g, f"N{n:04d}", g.plates[vid], day, REGION, "某停车场", "parking")
        g.plant("EP-PAT-TOLL-NO-USE", row["id"])
    for n in range(g.count("EP-PAT-TOLL-AWAY", g.share["toll"]) if uses else 0):
        use = rng.choice(uses)
        day = unit.index[use["date"]]
        if day in unit.trips[use["vehicle"]]:
            continue
        row = _toll(g, f"A{n:04d}", g.plates[use["vehicle"]], day, rng.choice(AWAY_CITIES), "景区收费站")
        g.plant("EP-PAT-TOLL-AWAY", row["id"])
    for n in range(g.count("EP-PAT-TOLL-UNREGISTERED", g.share["toll"])):
        plate = rng.choice(FOREIGN_PLATES).format(rng.randint(0, 999))
        row = _toll(g, f"X{n:04d}", plate, rng.choice(g.cal.work), REGION, "某收费站", "etc")
        g.plant("EP-PAT-TOLL-UNREGISTERED", row["id"])
        g.plant("EP-PAT-TOLL-NO-USE", row["id"])


def _hosted(g: UnitGen) -> None:
    """Hospitality accepted: from firms that are not clients, or paid for (near misses); planted: a
    client's banquet or trip not paid for, from 2020-07-01 (the 政务处分法 in force)."""
    rng, work = g.rng, g.cal.work
    for i in range(g.share["hosted"]):
        client = rng.random() < 0.3
        g.add("hosted", {"id": f"HST-{g.uid}-{i:05d}", "unit": g.uid, "person": rng.choice(g.pid_of),
                         "date": g.iso(rng.choice(work)), "host": "某企业" if not client else "某客运公司",
                         "host_kind": "client" if client else rng.choice(("enterprise", "individual")),
                         "kind": "banquet", "value": float(rng.randint(100, 600)), "paid_own_share": client})
    july = [d for d in work if g.cal.days[d].month >= 7]
    for n in range(g.count("EP-PAT-HOSTED-BY-CLIENT", g.share["hosted"])):
        row = g.add("hosted", {"id": f"HST-{g.uid}-X{n:04d}", "unit": g.uid, "person": rng.choice(g.pid_of),
                               "date": g.iso(rng.choice(july)), "host": "某客运公司", "host_kind": "client",
                               "kind": rng.choice(("banquet", "tourism")), "value": float(rng.randint(800, 5000)),
                               "place": "某会所"})
        g.plant("EP-PAT-HOSTED-BY-CLIENT", row["id"])


def _expense_lines(g: UnitGen, unit: _Unit) -> None:
    """Extra lines, each planting one pattern of 公款吃喝, 公款送礼 or 借差旅旅游."""
    rng, trials = g.rng, g.share["expense"]
    early = list(range(DECEMBER))
    quiet = [d for d in early if d not in unit.event_days]
    outside = [d for d in quiet if not unit.in_window(d, g)]
    seasons = [d for d in early if unit.in_window(d, g)]
    receptions = [r for r in g.rows("reception") if unit.index[r["date"]] < DECEMBER
                  and not unit.in_window(unit.index[r["date"]], g)]
    for n in range(g.count("EP-PAT-MEAL-NO-EVENT", trials)):
        row = _expense(g, f"M{n:04d}", rng.choice(quiet), float(rng.randint(300, 3000)),
                       invoice_category="catering", merchant=f"某酒楼{g.uid}-M{n}", merchant_kind="restaurant")
        g.plant("EP-PAT-MEAL-NO-EVENT", row["id"])
    for n in range(g.count("EP-PAT-MEAL-DISGUISED", trials)):
        row = _expense(g, f"D{n:04d}", rng.choice(early), float(rng.randint(300, 3000)), invoice_category="office",
                       merchant=f"某会所{g.uid}-D{n}", merchant_kind="private_club")
        g.plant("EP-PAT-MEAL-DISGUISED", row["id"])
    conferences = [c for c in g.rows("conference") if unit.index[c["end"]] + 2 < DECEMBER]
    for n in range(g.count("EP-PAT-CONF-MEAL-OUTSIDE", trials) if conferences else 0):
        conference = rng.choice(conferences)
        row = _expense(g, f"C{n:04d}", unit.index[conference["end"]] + 2, float(rng.randint(500, 4000)),
                       invoice_category="catering", merchant=f"某酒店{g.uid}-C{n}", conference=conference["id"])
        g.plant("EP-PAT-CONF-MEAL-OUTSIDE", conference["id"], row["id"])
    for n in range(g.count("EP-PAT-FESTIVAL-MEALS", trials) if len(seasons) > 1 else 0):
        first, second = sorted(rng.sample(seasons, 2))
        if unit.season(first, g)[0] != unit.season(second, g)[0]:
            continue
        ids = [_expense(g, f"F{n:04d}{k}", day, float(rng.randint(800, 3000)), invoice_category="catering",
                        merchant=f"某饭店{g.uid}-F{n}", reception=rng.choice(g.rows("reception"))["id"])["id"]
               for k, day in enumerate((first, second))]
        g.plant("EP-PAT-FESTIVAL-MEALS", *ids)
    for n in range(g.count("EP-PAT-FESTIVAL-GIFTS", trials) if seasons else 0):
        row = _expense(g, f"G{n:04d}", rng.choice(seasons), float(rng.randint(2000, 20000)),
                       invoice_category=rng.choice(("shopping_card", "gift", "specialty")), merchant="某商场",
                       merchant_kind="department_store", item="节日礼品")
        g.plant("EP-PAT-FESTIVAL-GIFTS", row["id"])
    for n in range(g.count("EP-PAT-GIFT-PURCHASE", trials) if outside else 0):
        row = _expense(g, f"P{n:04d}", rng.choice(outside), float(rng.randint(500, 6000)),
                       invoice_category=rng.choice(("gift", "specialty")), merchant="某特产店",
                       merchant_kind="specialty_shop", item="茶叶")
        g.plant("EP-PAT-GIFT-PURCHASE", row["id"])
    for n in range(g.count("EP-PAT-PREMIUM-LIQUOR", trials) if receptions else 0):
        reception = rng.choice(receptions)
        row = _expense(g, f"L{n:04d}", unit.index[reception["date"]], 17940.0, invoice_category="tobacco_liquor",
                       merchant="某烟酒商行", merchant_kind="liquor_shop", item="贵州茅台酒", brand="茅台",
                       quantity=6.0, unit_price=2990.0, reception=reception["id"])
        g.plant("EP-PAT-PREMIUM-LIQUOR", row["id"])
    if receptions and rng.random() < 0.3:  # near miss: ordinary liquor for a reception, 300 元 a bottle
        reception = rng.choice(receptions)
        _expense(g, "L-OK", unit.index[reception["date"]], 1800.0, invoice_category="tobacco_liquor",
                 merchant="某烟酒商行", item="白酒", brand="某品牌", quantity=6.0, unit_price=300.0,
                 reception=reception["id"])
    trips = [t for t in g.rows("travel") if unit.index[t["return"]] < DECEMBER]
    for n in range(g.count("EP-PAT-TRIP-SCENIC-TICKET", trials) if trips else 0):
        trip = rng.choice(trips)
        row = _expense(g, f"S{n:04d}", unit.index[trip["depart"]], float(rng.randint(100, 600)),
                       invoice_category="ticket", merchant="某风景区", merchant_kind="scenic_spot", travel=trip["id"])
        g.plant("EP-PAT-TRIP-SCENIC-TICKET", trip["id"], row["id"])


def _fuel(g: UnitGen, unit: _Unit, used: set[tuple[int, int]]) -> None:
    """Planted: a refuelling far away on a working day with no trip (EP-PAT-FUEL-AWAY), and one for
    another car (EP-PAT-FUEL-OTHER-PLATE)."""
    rng = g.rng
    for rule, key in (("EP-PAT-FUEL-AWAY", "A"), ("EP-PAT-FUEL-OTHER-PLATE", "X")):
        for n in range(g.count(rule, g.share["fuel"])):
            v, day = rng.randint(0, len(g.vehicles) - 1), rng.choice(g.cal.work)
            vid, tank, kind = g.vehicles[v]
            if (v, day) in used or day in unit.trips[vid]:
                continue
            used.add((v, day))
            litres = float(rng.randint(15, int(tank)))
            row = g.add("fuel", {"id": f"FUL-{g.uid}-{key}{n:04d}", "unit": g.uid, "vehicle": vid,
                                 "time": f"{g.iso(day)} 10:{rng.randint(0, 59):02d}", "litres": litres,
                                 "amount": round(litres * 6.5, 2), "fuel_type": kind,
                                 "city": rng.choice(AWAY_CITIES) if key == "A" else REGION})
            if key == "X":
                row["plate"] = rng.choice(FOREIGN_PLATES).format(rng.randint(0, 999))
            g.plant(rule, row["id"])


def _allowances(g: UnitGen) -> None:
    """Planted: an item paid a second time for a month (EP-PAT-ALW-TWICE), a mid-autumn condolence that
    takes the year over 1,500 元 a head (EP-PAT-ALW-CONDOLENCE-CAP); near miss: one that stays under."""
    rng = g.rng
    subsidies = [a for a in g.rows("allowance") if a["kind"] == "subsidy"]
    for n in range(g.count("EP-PAT-ALW-TWICE", g.share["allowance"]) if subsidies else 0):
        first = subsidies.pop(rng.randrange(len(subsidies)))
        row = g.add("allowance", {**first, "id": f"ALW-{g.uid}-T{n:04d}", "for_month": first["date"][:7]})
        g.plant("EP-PAT-ALW-TWICE", first["id"], row["id"])
        if not subsidies:
            break
    spring = next((a for a in g.rows("allowance") if a["kind"] == "festival_condolence"), None)
    if spring is None:
        return
    september = g.cal.months[8][-5]
    if g.should("EP-PAT-ALW-CONDOLENCE-CAP"):
        row = g.add("allowance", {"id": f"ALW-{g.uid}-MA", "unit": g.uid, "date": g.iso(september),
                                  "item": "中秋国庆慰问金", "kind": "festival_condolence", "amount": 22000.0,
                                  "recipients": 20, "basis": "某工会〔2020〕5号"})
        g.plant("EP-PAT-ALW-CONDOLENCE-CAP", row["id"])
    elif rng.random() < 0.3:
        g.add("allowance", {"id": f"ALW-{g.uid}-MA", "unit": g.uid, "date": g.iso(september),
                            "item": "中秋国庆慰问金", "kind": "festival_condolence", "amount": 18000.0,
                            "recipients": 20, "basis": "某工会〔2020〕5号"})


def _family_gifts(g: UnitGen) -> None:
    """Planted: a gift from a subordinate a week after a family event of the person (no other event of
    theirs within two windows, so the gift matches one event)."""
    events = g.rows("family_event")
    by_person: dict[str, list[int]] = defaultdict(list)
    index = {iso: i for i, iso in enumerate(g.cal.iso)}
    for e in events:
        by_person[e["person"]].append(index[e["date"]])
    lonely = [e for e in events if all(abs(d - index[e["date"]]) > 2 * FAMILY_GIFT_WINDOW_DAYS + 1
                                       for d in by_person[e["person"]] if d != index[e["date"]])]
    for n in range(g.count("EP-PAT-FAM-REGULATED-GIFTS", g.share["family_event"]) if lonely else 0):
        event = lonely.pop(g.rng.randrange(len(lonely)))
        day = min(index[event["date"]] + 7, g.cal.last - 30)
        row = g.add("gift", {"id": f"GFT-{g.uid}-E{n:04d}", "unit": g.uid, "person": event["person"],
                             "date": g.iso(day), "giver": "下属某科长", "giver_is_client": False,
                             "giver_is_subordinate": True, "kind": "gift", "value": 1000.0,
                             "handed_in": g.iso(day + 10)})
        g.plant("EP-PAT-FAM-REGULATED-GIFTS", event["id"], row["id"])
        if not lonely:
            break
