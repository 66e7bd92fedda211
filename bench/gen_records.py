"""One function per record type for the synthetic generator (bench/generate.py): the background, which
every rule leaves alone, and the violations planted on the records themselves.

The background's limits are the rules' (docs in bench/generate.py); the lines marked "near miss" sit
just inside a pattern's limit and must stay clean.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right

from bench.gen_unit import RANK_LEVEL, REGION, YEAR, UnitGen

RANKS = (("staff", 40), ("vice_section", 15), ("section", 15), ("vice_division", 12), ("division", 10),
         ("vice_bureau", 5), ("bureau", 3))
CITIES = ("合肥市", "芜湖市", "池州市", "黄山市", "南京市", "杭州市", "上海市", "北京市")
# clean seats per mode (a seat within every rank's class: 差旅办法 交通工具等级表)
CLEAN_SEAT = {"air": ("economy",), "hsr": ("hsr_second",), "train": ("hard_seat", "hard_sleeper"),
              "ship": ("ship_third",)}
RECEPTION_PLANTS = {  # EP-REC-*: rule -> (field, violating value, or a function of the rng and the escort cap)
    "EP-REC-LETTER": ("official_letter", None), "EP-REC-ESCORTS": ("escorts", lambda rng, cap: cap + rng.randint(1, 2)),
    "EP-REC-LIST": ("reception_list", False), "EP-REC-MEALS": ("meals", lambda rng, cap: rng.randint(2, 3)),
    "EP-REC-CIGARETTES": ("cigarettes", True), "EP-REC-PREMIUM": ("premium_dishes", True),
    "EP-REC-VENUE": ("venue", lambda rng, cap: rng.choice(("private_club", "entertainment"))),
    "EP-REC-CASH": ("payment", "cash"), "EP-REC-SIGHTSEEING": ("sightseeing", True), "EP-REC-GIFTS": ("gifts", True),
    "EP-REC-ALCOHOL": ("alcohol", True),
}
MEAL_CAP_YUAN = 90  # EP-PAT-REC-PER-HEAD under profile speech: per diner and meal
OFFICE_CAP = {"staff": 9, "vice_section": 9, "section": 9, "vice_division": 18, "division": 24,
              "vice_bureau": 30, "bureau": 30}
WARNING_EDUCATION_DAYS = 90  # AC-CASE-NO-WARNING-EDU: a warning_education meeting within 90 days of a case opened


def _yuan(value: float) -> float:
    return round(value, 2)


def registry(g: UnitGen, per_unit: int) -> None:
    """The unit, its persons and its vehicles (enforcement sedans at the cap: a near miss of
    EP-PAT-VEH-ENFORCEMENT-CAP, 18万 and 1.8 L)."""
    rng, uid, u = g.rng, g.uid, g.u
    n_persons = max(8, min(400, per_unit // 20))
    n_vehicles = max(3, min(40, per_unit // 150))
    g.add("unit", {"id": uid, "name": f"市交通运输系统第{u + 1}单位", "parent": None if u == 0 else "U0001",
                   "level": "municipal", "org_kind": g.org_kind, "region": REGION, "system": "transport",
                   "staffing_quota": n_persons + 10,
                   "leadership_quota": 8, "vehicle_quota": n_vehicles + 2})
    names, weights = [r for r, _ in RANKS], [w for _, w in RANKS]
    for p in range(n_persons):
        rank = "bureau" if p == 0 else "vice_bureau" if p in (1, 2) else rng.choices(names, weights)[0]
        roles = ["secretary"] if p == 0 else ["discipline"] if p == 1 else ["deputy"] if p == 2 else []
        pid = f"P-{uid}-{p:03d}"
        g.add("person", {"id": pid, "name": f"人员{u + 1}-{p}", "unit": uid, "rank": rank, "party_member": True,
                         "roles": roles, "supervises": [uid] if p == 2 else []})
        g.persons.append((pid, RANK_LEVEL[rank]))
    g.n_persons = n_persons
    for v in range(n_vehicles):
        vid = f"V-{uid}-{v:02d}"
        tank, fuel = float(rng.choice((50, 55, 60, 70))), rng.choice(("petrol", "petrol", "diesel"))
        row = g.add("vehicle", {"id": vid, "unit": uid, "plate": f"皖P{u:04d}{v:02d}", "kind": "enforcement",
                                "body": "sedan", "price": 180000, "displacement_l": 1.8, "tank_l": tank, "fuel": fuel})
        g.vehicles.append((vid, tank, fuel))
        g.plates[vid] = row["plate"]
        if v == 0 and g.should("EP-PAT-VEH-ENFORCEMENT-CAP"):
            row["displacement_l"] = 2.0  # the 2.0 L enforcement sedan the issue found passing
            g.plant("EP-PAT-VEH-ENFORCEMENT-CAP", vid)
        elif v == 1 and g.should("EP-PAT-VEH-EMERGENCY-CAP"):
            row.update(kind="emergency", price=260000, displacement_l=2.0)
            g.plant("EP-PAT-VEH-EMERGENCY-CAP", vid)
        elif v == 2:  # an emergency small bus within the 3.0 L, 25万 reference: near miss
            row.update(kind="emergency", body="small_bus", price=250000, displacement_l=3.0)


def receptions(g: UnitGen) -> None:
    rng, uid = g.rng, g.uid
    for i in range(g.share["reception"]):
        rid = f"REC-{uid}-{i:05d}"
        guests = rng.randint(1, 20)
        cap = 3 if guests <= 10 else guests // 3
        row = g.add("reception", {
            "id": rid, "unit": uid, "date": g.iso(rng.choice(g.cal.work)), "guest_unit": rng.choice(CITIES) + "交通运输局",
            "guests": guests, "escorts": rng.randint(0, cap), "meals": 1,
            "cost": _yuan(guests * rng.randint(40, 85)),  # ≤ 85 元 a diner: within the local cap of 90
            "official_letter": f"交函〔{YEAR}〕{i}号", "reception_list": True, "alcohol": False,
            "cigarettes": False, "premium_dishes": False, "venue": rng.choice(("canteen", "canteen", "hotel")),
            "payment": rng.choice(("official_card", "transfer")), "same_city": False, "gifts": False,
            "sightseeing": False})
        for rule, (name, bad) in RECEPTION_PLANTS.items():
            if rng.random() < g.rate:
                g.plant(rule, rid)
                row[name] = bad(rng, cap) if callable(bad) else bad
        _reception_patterns(g, row)


def _reception_patterns(g: UnitGen, row: dict) -> None:
    """EP-PAT-REC-PER-HEAD and EP-PAT-REC-LODGING on the reception itself; lodging near misses."""
    rng, diners = g.rng, row["guests"] + row["escorts"]
    if g.should("EP-PAT-REC-PER-HEAD"):
        row["cost"] = _yuan(diners * row["meals"] * (MEAL_CAP_YUAN + rng.randint(20, 300)))
        g.plant("EP-PAT-REC-PER-HEAD", row["id"])
    if g.should("EP-PAT-REC-LODGING"):
        row.update(room_type=rng.choice(("suite", "deluxe_suite")), guest_rank="bureau",
                   lodging_cost=_yuan(800 * row["guests"]), meal_cost=row["cost"])
        row["cost"] = _yuan(row["meal_cost"] + row["lodging_cost"])
        g.plant("EP-PAT-REC-LODGING", row["id"])
    elif rng.random() < 0.05:  # near miss: a suite for a vice-minister, meals split from lodging
        row.update(room_type="suite", guest_rank="vice_minister", meal_cost=row["cost"],
                   lodging_cost=_yuan(600 * row["guests"]))
        row["cost"] = _yuan(row["meal_cost"] + row["lodging_cost"])


def travel(g: UnitGen) -> None:
    """EP-TRV-OVERLAP, EP-PAT-TRV-HOTEL-ELSEWHERE. Each person's trips are laid out one after
    another with at least one free day between them, so no two trips share a day unless an overlap is
    planted (a pair, apart from the rest)."""
    rng, uid, cal = g.rng, g.uid, g.cal
    cursor = [rng.randint(0, 20) for _ in g.persons]
    count = 0
    while count < g.share["travel"]:
        pair = rng.random() < g.rate and g.share["travel"] - count >= 2
        length = rng.randint(1, 4)
        span = length + (4 if pair else 0)
        p = rng.randint(0, len(g.persons) - 1)
        tries = 0
        while cursor[p] + span > cal.last and tries < 8:
            p, tries = rng.randint(0, len(g.persons) - 1), tries + 1
        if cursor[p] + span > cal.last:  # everyone's year is full: a new person takes the trip
            p = len(g.persons)
            pid = f"P-{uid}-{p:03d}"
            g.add("person", {"id": pid, "name": f"人员{g.u + 1}-{p}", "unit": uid, "rank": "staff",
                             "party_member": True, "roles": [], "supervises": []})
            g.persons.append((pid, 1))
            cursor.append(0)
        start = cursor[p]
        trips = [(start, start + length - 1)]
        if pair:
            second = start + rng.randint(0, length - 1)
            trips.append((second, second + rng.randint(1, 4) - 1))
        cursor[p] = max(end for _, end in trips) + rng.randint(2, 12)
        ids = []
        for depart, back in trips:
            ids.append(_trip(g, count, p, depart, back))
            count += 1
        if pair:
            g.plant("EP-TRV-OVERLAP", *ids)


def _trip(g: UnitGen, count: int, p: int, depart: int, back: int) -> str:
    rng, rid = g.rng, f"TRV-{g.uid}-{count:05d}"
    days = back - depart + 1
    mode = rng.choice(("air", "hsr", "hsr", "train", "ship"))
    seat = rng.choice(CLEAN_SEAT[mode])
    destination = rng.choice(CITIES)
    hotel_city = destination.removesuffix("市") if rng.random() < 0.5 else destination  # near miss: 黄山 = 黄山市
    if g.should("EP-PAT-TRV-HOTEL-ELSEWHERE"):
        hotel_city = "婺源县" if destination != "婺源县" else "黄山市"
        g.plant("EP-PAT-TRV-HOTEL-ELSEWHERE", rid)
    g.add("travel", {"id": rid, "unit": g.uid, "person": g.persons[p][0], "depart": g.iso(depart),
                     "return": g.iso(back), "destination": destination, "mode": mode, "seat_class": seat,
                     "hotel_per_night": 300, "nights": days - 1, "meal_allowance": 100 * days,
                     "local_transport_allowance": 80 * days, "approved": True, "purpose": "公务",
                     "hotel_city": hotel_city})
    return rid


def fuel(g: UnitGen, used: set[tuple[int, int]]) -> None:
    """EP-VEH-FUEL-HOLIDAY: one refuelling per vehicle and day, within the tank, in the unit's city (some
    name their own plate, written another way: a near miss of EP-PAT-FUEL-OTHER-PLATE)."""
    rng, uid, cal = g.rng, g.uid, g.cal
    for i in range(g.share["fuel"]):
        rid = f"FUL-{uid}-{i:05d}"
        holiday = rng.random() < g.rate
        pool = cal.holidays if holiday else cal.work
        for _ in range(50):  # vehicle 0 is the duty vehicle of every holiday roster: never refuelled then
            v, day = rng.randint(1 if holiday else 0, len(g.vehicles) - 1), rng.choice(pool)
            if (v, day) not in used:
                break
        used.add((v, day))
        vid, tank, kind = g.vehicles[v]
        litres = float(rng.randint(15, int(tank)))
        row = g.add("fuel", {"id": rid, "unit": uid, "vehicle": vid,
                             "time": f"{g.iso(day)} {rng.randint(7, 18):02d}:{rng.randint(0, 59):02d}",
                             "litres": litres, "amount": _yuan(litres * 6.5), "fuel_type": kind, "city": REGION})
        if rng.random() < 0.1:
            row["plate"] = g.plates[vid][:3] + "·" + g.plates[vid][3:]
        if holiday:  # judged against the day's roster, which names the unit's duty vehicle, not this one
            g.add("duty", {"id": f"DUTY-{uid}-{i:05d}", "unit": uid, "date": g.iso(day), "vehicle": g.vehicles[0][0]})
            g.plant("EP-VEH-FUEL-HOLIDAY", rid)


def vehicle_use(g: UnitGen) -> None:
    """Working-day uses inside working hours; EP-PAT-VEH-WEEKEND and EP-PAT-VEH-AFTER-HOURS planted on
    the use itself; near misses: an on-duty weekend use, a return at 20:50."""
    rng, uid, cal = g.rng, g.uid, g.cal
    for i in range(g.share["vehicle_use"]):
        rid = f"VU-{uid}-{i:05d}"
        day = rng.choice(cal.work)
        row = g.add("vehicle_use", {"id": rid, "unit": uid, "vehicle": rng.choice(g.vehicles)[0],
                                    "date": g.iso(day), "person": rng.choice(g.pid_of), "purpose": "official",
                                    "approved": True, "on_duty": False, "km": float(rng.randint(5, 200)),
                                    "start": f"{g.iso(day)} {rng.randint(8, 10):02d}:{rng.randint(0, 59):02d}",
                                    "end": f"{g.iso(day)} {rng.randint(11, 17):02d}:{rng.randint(0, 59):02d}"})
        if rng.random() < 0.3:
            row["destination"] = REGION
        if g.should("EP-PAT-VEH-WEEKEND"):
            weekend = rng.choice(cal.weekends)
            row.update(date=g.iso(weekend), start=f"{g.iso(weekend)} 09:00", end=f"{g.iso(weekend)} 16:30")
            g.plant("EP-PAT-VEH-WEEKEND", rid)
        elif g.should("EP-PAT-VEH-AFTER-HOURS"):
            row["end"] = f"{g.iso(day)} 22:{rng.randint(10, 59):02d}"
            g.plant("EP-PAT-VEH-AFTER-HOURS", rid)
        elif rng.random() < 0.02:
            weekend = rng.choice(cal.weekends)
            row.update(date=g.iso(weekend), on_duty=True, start=f"{g.iso(weekend)} 09:00",
                       end=f"{g.iso(weekend)} 12:00")
        elif rng.random() < 0.02:
            row["end"] = f"{g.iso(day)} 20:50"


def expenses(g: UnitGen) -> None:
    """Month by month, December's total within 3× the monthly average (EP-FRUG-DEC-RUSH). A line in a
    month with receptions is a catering line charged to one of them, on its day (a near miss of
    EP-PAT-MEAL-NO-EVENT), at a merchant of its own (EP-PAT-FESTIVAL-MEALS needs two at one)."""
    rng, uid = g.rng, g.uid
    fen = [rng.randint(100, 4999900) for _ in range(g.share["expense"])]
    december = fen[11::12]
    if december:
        cap = 3 * ((sum(fen) - sum(december)) // 11) // len(december)
        fen[11::12] = [min(a, cap) for a in december]
    by_month: dict[int, list[dict]] = {}
    for rec in g.rows("reception"):
        by_month.setdefault(int(rec["date"][5:7]), []).append(rec)
    for i, amount in enumerate(fen):
        month = i % 12 + 1
        row = {"id": f"EXP-{uid}-{i:05d}", "unit": uid, "date": g.iso(rng.choice(g.cal.windows["month"][i % 12])),
               "amount": amount / 100, "category": "办公费", "purpose": "日常办公", "payee": "某供应商",
               "invoice_category": "office", "merchant": "某供应商"}
        if i % 3 == 0 and by_month.get(month):
            reception = rng.choice(by_month[month])
            row.update(date=reception["date"], category="公务接待费", purpose="接待用餐", invoice_category="catering",
                       merchant=f"某餐厅{uid}-{i}", merchant_kind="restaurant", reception=reception["id"],
                       payee=f"某餐厅{uid}-{i}")
        g.add("expense", row)


def conferences(g: UnitGen) -> None:
    rng, uid, work = g.rng, g.uid, g.cal.work
    for i in range(g.share["conference"]):
        start = rng.choice(work[:-3])
        days = rng.randint(1, 2)
        attendees = rng.randint(20, 150)
        g.add("conference", {"id": f"CNF-{uid}-{i:05d}", "unit": uid, "start": g.iso(start),
                             "end": g.iso(start + days - 1), "category": 3, "attendees": attendees, "staff": 5,
                             "cost": attendees * days * rng.randint(200, 380), "city": REGION})


def trainings(g: UnitGen) -> None:
    rng, uid, work = g.rng, g.uid, g.cal.work
    for i in range(g.share["training"]):
        start = rng.choice(work[:-5])
        days = rng.randint(1, 3)
        people = rng.randint(10, 80)
        rid = f"TRN-{uid}-{i:05d}"
        row = g.add("training", {"id": rid, "unit": uid, "start": g.iso(start), "end": g.iso(start + days - 1),
                                 "category": 3, "participants": people, "staff": 3,
                                 "cost": people * days * rng.randint(150, 380), "location": f"{REGION}党校",
                                 "lecture_hours": 4.0, "lecture_fee": 1600, "lecturer_title": "associate",
                                 "hotel_city": "宣州"})
        if g.should("EP-PAT-TRN-HOTEL-ELSEWHERE"):
            row["hotel_city"] = "黄山市"
            g.plant("EP-PAT-TRN-HOTEL-ELSEWHERE", rid)


def gifts(g: UnitGen) -> None:
    rng, uid, work = g.rng, g.uid, g.cal.work
    for i in range(g.share["gift"]):
        day = rng.choice(work[:-30])
        g.add("gift", {"id": f"GFT-{uid}-{i:05d}", "unit": uid, "person": rng.choice(g.pid_of), "date": g.iso(day),
                       "giver": "兄弟单位", "giver_is_client": False, "kind": rng.choice(("gift", "specialty")),
                       # handed in within 28 days: within one calendar month (国务院令第20号 第九条 一个月内) whatever the month
                       "value": rng.randint(50, 800), "handed_in": g.iso(day + rng.randint(1, 28))})


def allowances(g: UnitGen) -> None:
    """Each item at most once a month (EP-PAT-ALW-TWICE); one spring-festival condolence of 500 元 a head
    (EP-PAT-ALW-CONDOLENCE-CAP counts a year's condolences against 1,500)."""
    rng, uid, months = g.rng, g.uid, g.cal.months
    for i in range(g.share["allowance"]):
        item, month = f"专项补贴{i // 11}" if i else "春节慰问金", i % 11
        row = {"id": f"ALW-{uid}-{i:05d}", "unit": uid, "date": g.iso(rng.choice(months[month])), "item": item,
               "amount": rng.randint(1000, 50000), "recipients": rng.randint(5, 50), "basis": "宣人社〔2018〕35号",
               "kind": "subsidy"}
        if i == 0:
            row.update(kind="festival_condolence", date=g.iso(months[0][10]))
            row["amount"] = 500 * row["recipients"]
        g.add("allowance", row)


def family_events(g: UnitGen) -> None:
    rng, uid, work = g.rng, g.uid, g.cal.work
    for i in range(g.share["family_event"]):
        day = rng.choice(work[14:])
        rid = f"FAM-{uid}-{i:05d}"
        row = g.add("family_event", {"id": rid, "unit": uid, "person": rng.choice(g.pid_of), "date": g.iso(day),
                                     "kind": rng.choice(("wedding", "funeral")), "tables": rng.randint(3, 10),
                                     "guests": rng.randint(30, 100), "reported": g.iso(day - 7),
                                     "clients_invited": False, "public_vehicles": False})
        leaders = [p for p, level in g.persons if level >= 4]  # the local rule binds 副处 and above
        if leaders and g.should("EP-PAT-FAM-PROHIBITED-KIND"):
            row.update(kind=rng.choice(("graduation", "housewarming", "birthday")), person=rng.choice(leaders))
            g.plant("EP-PAT-FAM-PROHIBITED-KIND", rid)


def offices(g: UnitGen) -> None:
    rng, uid = g.rng, g.uid
    for i in range(g.share["office"]):
        pid, level = rng.choice(g.persons)
        rank = next(r for r, lv in RANK_LEVEL.items() if lv == level)
        g.add("office", {"id": f"OFF-{uid}-{i:05d}", "unit": uid, "person": pid,
                         "area_m2": float(rng.randint(6, OFFICE_CAP.get(rank, 9))), "bathroom_m2": 0.0,
                         "as_of": g.iso(rng.choice(g.cal.work))})


def administration(g: UnitGen, opened: list[int]) -> None:
    """Personnel actions, staffing, disposals, classified documents, documents, tasks and cases."""
    rng, uid, work = g.rng, g.uid, g.cal.work
    for i in range(g.share["personnel_action"]):
        start = rng.choice(work[:-10])
        end = work[work.index(start) + 6]  # publicity over 7 working days (≥ 5 required)
        g.add("personnel_action", {"id": f"PA-{uid}-{i:05d}", "unit": uid, "person": rng.choice(g.pid_of),
                                   "date": g.iso(start), "kind": "promotion", "to_rank": "section",
                                   "publicity_start": g.iso(start), "publicity_end": g.iso(end),
                                   "superior_approval": True})
    for i in range(g.share["staffing"]):
        g.add("staffing", {"id": f"STF-{uid}-{i:05d}", "unit": uid, "date": g.iso(rng.choice(work)),
                           "headcount": g.n_persons, "leadership_posts": 3, "internal_bodies": 5,
                           "approved_internal_bodies": 6})
    for i in range(g.share["asset_disposal"]):
        g.add("asset_disposal", {"id": f"AST-{uid}-{i:05d}", "unit": uid, "date": g.iso(rng.choice(work)),
                                 "asset": f"资产{i}", "value": rng.randint(1000, 90000), "kind": "write_off",
                                 "approved": True})
    for i in range(g.share["classified_doc"]):
        g.add("classified_doc", {"id": f"CLS-{uid}-{i:05d}", "unit": uid, "date": g.iso(rng.choice(work)),
                                 "level": "secret", "channel": "secure", "registered": True})
    for i in range(g.share["document"]):
        g.add("document", {"id": f"DOC-{uid}-{i:05d}", "unit": uid, "date": g.iso(rng.choice(work)),
                           "title": f"关于做好第{i}项工作的通知", "measures": rng.randint(1, 6),
                           "chars": rng.randint(800, 5000)})
    for i in range(g.share["task"]):
        found = rng.choice(work[:-60])
        deadline = found + rng.randint(30, 59)
        g.add("task", {"id": f"TSK-{uid}-{i:05d}", "unit": uid, "kind": "work_plan", "issue": f"任务{i}",
                       "found": g.iso(found), "deadline": g.iso(deadline),
                       "completed": g.iso(deadline - rng.randint(0, 20)), "owner": rng.choice(g.pid_of)})
    for i, day in enumerate(opened):
        g.add("case", {"id": f"CASE-{uid}-{i:05d}", "unit": uid, "person": rng.choice(g.pid_of),
                       "opened": g.iso(day), "category": "违反中央八项规定精神",
                       "accountability_review": g.iso(day + rng.randint(10, 60))})


def warning_education(opened: list[int], work: list[int], last: int, randint) -> list[int]:
    """Days of warning-education meetings such that every case opened has one within WARNING_EDUCATION_DAYS
    (from the opening day on, inside the year): greedily, for the earliest case not yet covered, one in the
    last 30 days of its window, which also covers the cases opened after it and before that day."""
    days: list[int] = []
    for day in sorted(opened):
        if days and days[-1] >= day:  # held after this case was opened, and within its window (sorted)
            continue
        end = min(day + WARNING_EDUCATION_DAYS, last)
        days.append(work[randint(bisect_left(work, max(day, end - 30)), bisect_right(work, end) - 1)])
    return days
