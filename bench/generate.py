"""Synthetic data sets of any size, with planted violations and their ground truth (benchmarks, tests).

`generate(units, records, rate, seed)` returns contract rows by record type (field names of
`checker.data.models`, money in 元, ISO dates) for `units` municipal units — each with its unit record,
persons and vehicles — and about `records` activity records of every type dated in 2020, plus a
manifest of the violations planted: `[{"rule_id", "unit", "record_ids": [...]}, ...]`.

Only the rules in `PLANTED_RULES` are planted, and their semantics are reproduced here exactly:
every record that is not planted is clean for every one of them (official letter present, escorts
within the cap, seats within the rank's class, one person's trips never share a day, refuelling
only on working days). Each eligible record violates each rule independently with probability
`rate` (an overlap is planted as a pair of trips of one person, apart from that person's other trips;
a holiday refuel with the day's duty roster naming another vehicle of the unit, so it is judged).

The background yields no other finding under the profiles central, transport, speech and
speech-quarterly-lecture, judged as of any day from 2020-12-31 to 2021-03-31 (tests/test_generate.py):
- Obligations (`MEETING_DUTIES`, `REPORT_DUTIES`): every unit holds the meetings its org kind owes, one
  on a working day of each period (三会一课, theme Party day, 每月一学, integrity studies, the bureau's
  key-task hearings from the speech on, …; attendance over 2/3, so every quorum holds), and submits its
  reports before they are due; every 副处 and above reports personal matters for 2019 in January 2020
  and for 2020 in December. Reports due in 2021 are dated December 2020: a record dated 2021 would
  stretch the audited span (derived from the data) into 2021 and make its months owe meetings too.
  These records come out of the meetings/reports budget, filled up with meetings/reports of the
  unit's own kinds. A unit whose budget is too small for its obligations (below about 1,000 records a
  unit, more so with many 副处+ cadres) takes the rest from its receptions (at the benchmark's 1,000 a
  unit, about 1% of them), or, if that is not enough, gets more records than asked for.
- A warning-education meeting follows every case within 90 days (AC-CASE-NO-WARNING-EDU), and
  December's expenses stay within 3× the monthly average (EP-FRUG-DEC-RUSH).
- The other record types are compliant with the limits the demo documents (fixtures/demo/PLANTED.md).

Plain dicts and `random.Random(seed)` only: no pydantic here (a million records in seconds).
"""

from __future__ import annotations

import datetime as dt
import json
import random
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from pathlib import Path
from typing import Any

from checker.facts.periods import is_statutory_holiday, is_workday

YEAR = 2020
PLANTED_RULES: tuple[str, ...] = (
    "EP-REC-LETTER", "EP-REC-ESCORTS", "EP-REC-LIST", "EP-REC-MEALS", "EP-REC-CIGARETTES", "EP-REC-PREMIUM",
    "EP-REC-VENUE", "EP-REC-CASH", "EP-REC-SIGHTSEEING", "EP-REC-GIFTS", "EP-REC-ALCOHOL",
    "EP-TRV-OVERLAP", "EP-VEH-FUEL-HOLIDAY",
)
# All are violations under profile speech. Not planted: EP-REC-SAME-CITY (a working assumption, off under speech)
# and EP-TRV-SEAT (the 中央和国家机关差旅费管理办法 binds central organs; these units are municipal).

# share of the activity records per type (sums to 1)
WEIGHTS: dict[str, float] = {
    "reception": .14, "travel": .14, "fuel": .12, "vehicle_use": .08, "meeting": .07, "expense": .08,
    "report": .03, "conference": .03, "training": .03, "gift": .03, "allowance": .03, "family_event": .02,
    "office": .02, "personnel_action": .02, "staffing": .02, "asset_disposal": .02, "classified_doc": .03,
    "document": .04, "task": .03, "case": .02,
}
RANKS = (("staff", 40), ("vice_section", 15), ("section", 15), ("vice_division", 12), ("division", 10),
         ("vice_bureau", 5), ("bureau", 3))
RANK_LEVEL = {"staff": 1, "vice_section": 2, "section": 3, "vice_division": 4, "division": 5,
              "vice_bureau": 6, "bureau": 7, "vice_minister": 8, "minister": 9}
ORG_KINDS = ("party_group", "party_committee", "general_branch", "branch")
# --- what the obligations of profile `speech` ask of a unit in 2020, by org kind (rules/reporting/*.yaml,
# rules/reform/organisational.yaml; counts, due days and editions as resolved under speech → transport → central)
GROUP, LEADING, BRANCHES = {"party_group"}, {"party_group", "party_committee"}, {"branch", "general_branch"}
ALL = {*LEADING, *BRANCHES}
KEY_TASKS = ("rural_roads", "pollution", "anti_gang", "six_stabilities")
MEETING_DUTIES = (  # (kind, topic, org kinds owing it, windows: one meeting on a working day of each)
    ("branch_committee", None, BRANCHES, "month"),  # RP-BRANCH-COMMITTEE, quorate (more than half present)
    ("party_group_small", None, BRANCHES, "month"),  # RP-PARTY-GROUP-SMALL
    ("theme_party_day", None, BRANCHES, "month"),  # RP-THEME-PARTY-DAY
    ("branch_general_meeting", None, BRANCHES, "quarter"),  # RP-BRANCH-GENERAL-MEETING, quorate
    ("party_lecture", None, BRANCHES, "quarter"),  # RP-PARTY-LECTURE (+ the local RP-PARTY-LECTURE-QUARTERLY)
    ("party_lecture", None, LEADING, "year"),  # RP-PARTY-LECTURE
    ("organisational_life", None, BRANCHES, "q4"),  # RP-ORGANISATIONAL-LIFE (一般安排在第四季度)
    ("member_appraisal", None, BRANCHES, "q4"),  # RP-MEMBER-APPRAISAL
    ("democratic_life", None, LEADING, "q4"),  # RP-DEMOCRATIC-LIFE, quorate (at least 2/3 present)
    ("integrity_special_study", None, ALL, "half"),  # RP-INTEGRITY-STUDY
    ("monthly_study", None, ALL, "month"),  # RP-MONTHLY-STUDY (judged from 2020-07, held all year)
    ("theory_group_study", None, GROUP, "quarter"),  # RP-THEORY-GROUP-STUDY
    ("party_group_meeting", None, GROUP, "month"),  # RP-PARTY-GROUP-MEETING (2015 edition: not judged in 2020)
    ("integrity_lecture", None, GROUP, "h2"),  # RP-H2-INTEGRITY-LECTURE
    ("warning_education", None, LEADING, "h2"),  # RP-H2-WARNING-EDUCATION
    *(("key_task_hearing", topic, GROUP, "from_speech") for topic in KEY_TASKS),  # RP-KEY-TASK-HEARING-*
)
REPORT_DUTIES = (  # (kind, org kinds owing it, period label after the year, submission window)
    ("half_year_work", {"party_committee", *BRANCHES}, "H1", "july"),  # RP-HALF-YEAR-REPORT: due 07-10
    ("half_year_work", {"party_committee", *BRANCHES}, "H2", "december"),  # due 2021-01-11
    ("annual_main_responsibility", LEADING, "", "december"),  # RP-MAIN-RESPONSIBILITY-REPORT: due 2021-02-01
    ("major_matter", LEADING, "", "december"),  # RF-ORG-MAJOR-MATTER-REPORT: due 2021-01-31
)
# RF-ORG-PERSONAL-MATTERS, owed by every 副处 and above: last year's report (due 01-31) and this year's (due
# 2021-01-31, judged as the audited year's): (year after YEAR, submission window)
PERSONAL_MATTERS = ((-1, "january"), (0, "december"))
PERSONAL_MATTERS_LEVEL = RANK_LEVEL["vice_division"]
WARNING_EDUCATION_DAYS = 90  # AC-CASE-NO-WARNING-EDU: a warning_education meeting within 90 days of a case opened
FILLER_KINDS = {org: (*dict.fromkeys(k for k, topic, owers, _ in MEETING_DUTIES if org in owers and topic is None),
                      "warning_education", "comprehensive_work_meeting", "other") for org in ORG_KINDS}
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
CITIES = ("合肥市", "芜湖市", "池州市", "黄山市", "南京市", "杭州市", "上海市", "北京市")
OFFICE_CAP = {"staff": 9, "vice_section": 9, "section": 9, "vice_division": 18, "division": 24,
              "vice_bureau": 30, "bureau": 30}


class _Calendar:
    def __init__(self, year: int):
        first = dt.date(year, 1, 1)
        self.days = [first + dt.timedelta(days=i) for i in range((dt.date(year + 1, 1, 1) - first).days)]
        self.iso = [d.isoformat() for d in self.days]
        self.work = [i for i, d in enumerate(self.days) if is_workday(d)]
        self.holidays = [i for i, d in enumerate(self.days) if is_statutory_holiday(d)]
        self.last = len(self.days) - 1
        months = [[i for i in self.work if self.days[i].month == m] for m in range(1, 13)]
        q = [sum(months[m:m + 3], []) for m in (0, 3, 6, 9)]
        speech = (dt.date(year, 7, 15) - first).days  # the speech: key-task hearings from then on
        self.windows = {  # working days of each period an obligation counts in (or a report is submitted in)
            "month": months, "quarter": q, "half": [q[0] + q[1], q[2] + q[3]], "year": [self.work], "q4": [q[3]],
            "h2": [q[2] + q[3]], "from_speech": [[i for i in q[2] if i >= speech], q[3]],
            "january": [months[0]], "july": [[i for i in months[6] if self.days[i].day <= 10]],
            "december": [months[11]]}


def _warning_education(opened: list[int], work: list[int], last: int, randint) -> list[int]:
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


def _yuan(value: float) -> float:
    return round(value, 2)


def generate(units: int, records: int, rate: float, seed: int,
             flush: Callable[[dict[str, list[dict]]], None] | None = None) -> tuple[dict[str, list[dict]], list[dict]]:
    """Rows by record type, and the planted violations `[{"rule_id", "unit", "record_ids"}]`. With `flush`,
    each unit's rows are handed to it and dropped (the same data, without holding ten million rows)."""
    if units < 1:
        raise ValueError("units must be at least 1")
    rng = random.Random(seed)
    rand, randint, choice = rng.random, rng.randint, rng.choice
    cal = _Calendar(YEAR)
    iso, work = cal.iso, cal.work
    out: dict[str, list[dict]] = {t: [] for t in ("unit", "person", "vehicle", *WEIGHTS, "duty")}
    manifest: list[dict] = []
    totals = {t: round(records * w) for t, w in WEIGHTS.items()}
    rank_names = [r for r, _ in RANKS]
    rank_weights = [w for _, w in RANKS]

    def plant(rule_id: str, unit: str, *ids: str) -> None:
        manifest.append({"rule_id": rule_id, "unit": unit, "record_ids": list(ids)})

    for u in range(units):
        uid = f"U{u + 1:04d}"
        share = {t: n // units + (1 if u < n % units else 0) for t, n in totals.items()}
        per_unit = sum(share.values())
        org_kind = ORG_KINDS[u % len(ORG_KINDS)]  # U0001 is the bureau (党组); then a mix
        n_persons = max(8, min(400, per_unit // 20))
        n_vehicles = max(3, min(40, per_unit // 150))
        out["unit"].append({
            "id": uid, "name": f"市交通运输系统第{u + 1}单位", "parent": None if u == 0 else "U0001",
            "level": "municipal", "org_kind": org_kind, "region": "宣州市", "system": "transport",
            "staffing_quota": n_persons + 10, "leadership_quota": 8, "vehicle_quota": n_vehicles + 2})
        persons: list[tuple[str, int]] = []  # (id, rank level)
        for p in range(n_persons):
            rank = "bureau" if p == 0 else "vice_bureau" if p in (1, 2) else rng.choices(rank_names, rank_weights)[0]
            roles = ["secretary"] if p == 0 else ["discipline"] if p == 1 else ["deputy"] if p == 2 else []
            pid = f"P-{uid}-{p:03d}"
            out["person"].append({"id": pid, "name": f"人员{u + 1}-{p}", "unit": uid, "rank": rank,
                                  "party_member": True, "roles": roles, "supervises": [uid] if p == 2 else []})
            persons.append((pid, RANK_LEVEL[rank]))
        vehicles: list[tuple[str, float, str]] = []  # (id, tank, fuel)
        for v in range(n_vehicles):
            vid = f"V-{uid}-{v:02d}"
            tank, fuel = float(choice((50, 55, 60, 70))), choice(("petrol", "petrol", "diesel"))
            out["vehicle"].append({"id": vid, "unit": uid, "plate": f"皖P{u:04d}{v:02d}", "kind": "enforcement",
                                   "price": 180000, "displacement_l": 1.8, "tank_l": tank, "fuel": fuel})
            vehicles.append((vid, tank, fuel))
        pid_of = [p for p, _ in persons]

        # --- the meetings and reports the unit owes (obligations), out of the meetings/reports budget
        opened = [choice(work[:-60]) for _ in range(share["case"])]  # the cases' opening days
        windows = cal.windows
        meetings = [(kind, topic, choice(window)) for kind, topic, owers, period in MEETING_DUTIES
                    if org_kind in owers for window in windows[period]]
        meetings += [("warning_education", None, day) for day in _warning_education(opened, work, cal.last, randint)]
        reports = [(kind, f"{YEAR}{suffix}", choice(windows[when][0]), None)
                   for kind, owers, suffix, when in REPORT_DUTIES if org_kind in owers]
        reports += [("personal_matters", str(YEAR + shift), choice(windows[when][0]), pid)
                    for pid, level in persons if level >= PERSONAL_MATTERS_LEVEL for shift, when in PERSONAL_MATTERS]
        # filler up to the budget; what the obligations need beyond it comes out of the other one, then receptions
        fill = [share["meeting"] - len(meetings), share["report"] - len(reports)]
        over = -sum(min(0, f) for f in fill)
        fill = [max(0, f) for f in fill]
        for k in (0, 1):
            take = min(over, fill[k])
            fill[k], over = fill[k] - take, over - take
        share["reception"] = max(0, share["reception"] - over)

        # --- reception: EP-REC-* -------------------------------------------------------------------
        rows = out["reception"]
        for i in range(share["reception"]):
            rid = f"REC-{uid}-{i:05d}"
            guests = randint(1, 20)
            cap = 3 if guests <= 10 else guests // 3
            row = {"id": rid, "unit": uid, "date": iso[choice(work)], "guest_unit": choice(CITIES) + "交通运输局",
                   "guests": guests, "escorts": randint(0, cap), "meals": 1, "cost": _yuan(guests * randint(60, 120)),
                   "official_letter": f"交函〔{YEAR}〕{i}号", "reception_list": True, "alcohol": False,
                   "cigarettes": False, "premium_dishes": False, "venue": choice(("canteen", "canteen", "hotel")),
                   "payment": choice(("official_card", "transfer")), "same_city": False, "gifts": False,
                   "sightseeing": False}
            for rule, (name, bad) in RECEPTION_PLANTS.items():
                if rand() < rate:
                    plant(rule, uid, rid)
                    row[name] = bad(rng, cap) if callable(bad) else bad
            rows.append(row)

        # --- travel: EP-TRV-OVERLAP -----------------------------------------------------------------
        # each person's trips are laid out one after another with at least one free day between them,
        # so no two trips share a day unless an overlap is planted (a pair, apart from the rest)
        cursor = [randint(0, 20) for _ in persons]
        rows = out["travel"]
        count = 0
        while count < share["travel"]:
            pair = rand() < rate and share["travel"] - count >= 2
            length = randint(1, 4)
            span = length + (4 if pair else 0)
            p = randint(0, len(persons) - 1)
            tries = 0
            while cursor[p] + span > cal.last and tries < 8:
                p, tries = randint(0, len(persons) - 1), tries + 1
            if cursor[p] + span > cal.last:  # everyone's year is full: a new person takes the trip
                p = len(persons)
                pid = f"P-{uid}-{p:03d}"
                out["person"].append({"id": pid, "name": f"人员{u + 1}-{p}", "unit": uid, "rank": "staff",
                                      "party_member": True, "roles": [], "supervises": []})
                persons.append((pid, 1))
                pid_of.append(pid)
                cursor.append(0)
            start = cursor[p]
            trips = [(start, start + length - 1)]
            if pair:
                second = start + randint(0, length - 1)
                trips.append((second, second + randint(1, 4) - 1))
            cursor[p] = max(end for _, end in trips) + randint(2, 12)
            ids = []
            for depart, back in trips:
                rid = f"TRV-{uid}-{count:05d}"
                days = back - depart + 1
                mode = choice(("air", "hsr", "hsr", "train", "ship"))
                seat = choice(CLEAN_SEAT[mode])
                rows.append({"id": rid, "unit": uid, "person": persons[p][0], "depart": iso[depart],
                             "return": iso[back], "destination": choice(CITIES), "mode": mode, "seat_class": seat,
                             "hotel_per_night": 300, "nights": days - 1, "meal_allowance": 100 * days,
                             "local_transport_allowance": 80 * days, "approved": True, "purpose": "公务"})
                ids.append(rid)
                count += 1
            if pair:
                plant("EP-TRV-OVERLAP", uid, *ids)

        # --- fuel: EP-VEH-FUEL-HOLIDAY (one refuelling per vehicle and day, within the tank) --------
        used: set[tuple[int, int]] = set()
        rows = out["fuel"]
        for i in range(share["fuel"]):
            rid = f"FUL-{uid}-{i:05d}"
            holiday = rand() < rate
            pool = cal.holidays if holiday else work
            for _ in range(50):  # vehicle 0 is the duty vehicle of every holiday roster: never refuelled then
                v, day = randint(1 if holiday else 0, len(vehicles) - 1), choice(pool)
                if (v, day) not in used:
                    break
            used.add((v, day))
            vid, tank, fuel = vehicles[v]
            litres = float(randint(15, int(tank)))
            rows.append({"id": rid, "unit": uid, "vehicle": vid, "time": f"{iso[day]} {randint(7, 18):02d}:{randint(0, 59):02d}",
                         "litres": litres, "amount": _yuan(litres * 6.5), "fuel_type": fuel})
            if holiday:  # judged against the day's roster, which names the unit's duty vehicle, not this one
                out["duty"].append({"id": f"DUTY-{uid}-{i:05d}", "unit": uid, "date": iso[day],
                                    "vehicle": vehicles[0][0]})
                plant("EP-VEH-FUEL-HOLIDAY", uid, rid)

        # --- reports and meetings: the obligations', then filler of the same kinds
        to = None if u == 0 else "U0001"
        rows = out["report"]
        reports += [(choice(("rectification_progress", "major_matter")), str(YEAR), choice(work), None)
                    for _ in range(fill[1])]
        for i, (kind, period, day, pid) in enumerate(reports):
            rows.append({"id": f"RPT-{uid}-{i:05d}", "unit": uid, "to": to, "kind": kind, "period": period,
                         "submitted": iso[day], "person": pid})
        rows = out["meeting"]
        meetings += [(choice(FILLER_KINDS[org_kind]), None, choice(work)) for _ in range(fill[0])]
        for i, (kind, topic, day) in enumerate(meetings):
            expected = randint(3, 7) if kind == "branch_committee" else randint(8, 40)  # present: over 2/3
            rows.append({"id": f"MTG-{uid}-{i:05d}", "unit": uid, "date": iso[day], "kind": kind,
                         "topic": topic or "学习贯彻", "expected": expected,
                         "present": expected - randint(0, (expected - 1) // 3), "chair": pid_of[0],
                         "tasks": randint(1, 4)})

        # --- the other types: compliant with the demo's documented limits --------------------------
        for i in range(share["vehicle_use"]):
            out["vehicle_use"].append({"id": f"VU-{uid}-{i:05d}", "unit": uid, "vehicle": choice(vehicles)[0],
                                       "date": iso[choice(work)], "person": choice(pid_of), "purpose": "official",
                                       "approved": True, "on_duty": False, "km": float(randint(5, 200))})
        # expenses month by month, December's total within 3× the monthly average (EP-FRUG-DEC-RUSH)
        fen = [randint(100, 4999900) for _ in range(share["expense"])]
        december = fen[11::12]
        if december:
            cap = 3 * ((sum(fen) - sum(december)) // 11) // len(december)
            fen[11::12] = [min(a, cap) for a in december]
        for i, amount in enumerate(fen):
            day = choice(windows["month"][i % 12])
            out["expense"].append({"id": f"EXP-{uid}-{i:05d}", "unit": uid, "date": iso[day], "amount": amount / 100, "category": "办公费", "purpose": "日常办公",
                                   "payee": "某供应商"})
        for i in range(share["conference"]):
            start = choice(work[:-3])
            days = randint(1, 2)
            attendees = randint(20, 150)
            out["conference"].append({"id": f"CNF-{uid}-{i:05d}", "unit": uid, "start": iso[start],
                                      "end": iso[start + days - 1], "category": 3, "attendees": attendees, "staff": 5,
                                      "cost": attendees * days * randint(200, 380), "city": "宣州市"})
        for i in range(share["training"]):
            start = choice(work[:-5])
            days = randint(1, 3)
            people = randint(10, 80)
            out["training"].append({"id": f"TRN-{uid}-{i:05d}", "unit": uid, "start": iso[start],
                                    "end": iso[start + days - 1], "category": 3, "participants": people, "staff": 3,
                                    "cost": people * days * randint(150, 380), "location": "宣州市",
                                    "lecture_hours": 4.0, "lecture_fee": 1600, "lecturer_title": "associate"})
        for i in range(share["gift"]):
            day = choice(work[:-30])
            out["gift"].append({"id": f"GFT-{uid}-{i:05d}", "unit": uid, "person": choice(pid_of), "date": iso[day],
                                "giver": "兄弟单位", "giver_is_client": False, "kind": choice(("gift", "specialty")),
                                # handed in within 28 days: within one calendar month (国务院令第20号 第九条 一个月内) whatever the month
                                "value": randint(50, 800), "handed_in": iso[day + randint(1, 28)]})
        for i in range(share["allowance"]):
            out["allowance"].append({"id": f"ALW-{uid}-{i:05d}", "unit": uid, "date": iso[choice(work)],
                                     "item": "交通补贴", "amount": randint(1000, 50000), "recipients": randint(5, 50),
                                     "basis": "宣人社〔2018〕35号"})
        for i in range(share["family_event"]):
            day = choice(work[14:])
            out["family_event"].append({"id": f"FAM-{uid}-{i:05d}", "unit": uid, "person": choice(pid_of),
                                        "date": iso[day], "kind": choice(("wedding", "funeral")),
                                        "tables": randint(3, 10), "guests": randint(30, 100),
                                        "reported": iso[day - 7], "clients_invited": False,
                                        "public_vehicles": False})
        for i in range(share["office"]):
            pid, level = choice(persons)
            rank = next(r for r, lv in RANK_LEVEL.items() if lv == level)
            out["office"].append({"id": f"OFF-{uid}-{i:05d}", "unit": uid, "person": pid,
                                  "area_m2": float(randint(6, OFFICE_CAP.get(rank, 9))), "bathroom_m2": 0.0,
                                  "as_of": iso[choice(work)]})
        for i in range(share["personnel_action"]):
            start = choice(work[:-10])
            end = work[work.index(start) + 6]  # publicity over 7 working days (≥ 5 required)
            out["personnel_action"].append({"id": f"PA-{uid}-{i:05d}", "unit": uid, "person": choice(pid_of),
                                            "date": iso[start], "kind": "promotion", "to_rank": "section",
                                            "publicity_start": iso[start], "publicity_end": iso[end],
                                            "superior_approval": True})
        for i in range(share["staffing"]):
            out["staffing"].append({"id": f"STF-{uid}-{i:05d}", "unit": uid, "date": iso[choice(work)],
                                    "headcount": n_persons, "leadership_posts": 3, "internal_bodies": 5,
                                    "approved_internal_bodies": 6})
        for i in range(share["asset_disposal"]):
            out["asset_disposal"].append({"id": f"AST-{uid}-{i:05d}", "unit": uid, "date": iso[choice(work)],
                                          "asset": f"资产{i}", "value": randint(1000, 90000), "kind": "write_off",
                                          "approved": True})
        for i in range(share["classified_doc"]):
            out["classified_doc"].append({"id": f"CLS-{uid}-{i:05d}", "unit": uid, "date": iso[choice(work)],
                                          "level": "secret", "channel": "secure", "registered": True})
        for i in range(share["document"]):
            out["document"].append({"id": f"DOC-{uid}-{i:05d}", "unit": uid, "date": iso[choice(work)],
                                    "title": f"关于做好第{i}项工作的通知", "measures": randint(1, 6),
                                    "chars": randint(800, 5000)})
        for i in range(share["task"]):
            found = choice(work[:-60])
            deadline = found + randint(30, 59)
            out["task"].append({"id": f"TSK-{uid}-{i:05d}", "unit": uid, "kind": "work_plan", "issue": f"任务{i}",
                                "found": iso[found], "deadline": iso[deadline],
                                "completed": iso[deadline - randint(0, 20)], "owner": choice(pid_of)})
        for i, day in enumerate(opened):
            out["case"].append({"id": f"CASE-{uid}-{i:05d}", "unit": uid, "person": choice(pid_of),
                                "opened": iso[day], "category": "违反中央八项规定精神",
                                "accountability_review": iso[day + randint(10, 60)]})
        if flush is not None:
            flush(out)
            for rows in out.values():
                rows.clear()
    return out, manifest


def write_generated(folder: Path | str, units: int, records: int, rate: float, seed: int) -> tuple[int, list[dict]]:
    """`generate` straight into TYPE.jsonl files, unit by unit: (rows written, manifest)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.jsonl"):
        old.unlink()
    written = 0

    def flush(out: dict[str, list[dict]]) -> None:
        nonlocal written
        written += sum(len(rows) for rows in out.values())
        write_dataset(out, folder, append=True)

    _, manifest = generate(units, records, rate, seed, flush)
    return written, manifest


def write_dataset(records: dict[str, list[dict]], folder: Path | str, fmt: str = "jsonl",
                  append: bool = False) -> list[Path]:
    """Write one TYPE.jsonl (or TYPE.json) file per record type into `folder`; returns the files."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for record_type, rows in records.items():
        if not rows:
            continue
        path = folder / f"{record_type}.{fmt}"
        with path.open("a" if append and fmt == "jsonl" else "w", encoding="utf-8") as handle:
            if fmt == "jsonl":
                dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
                handle.writelines(dumps({k: v for k, v in row.items() if v is not None}) + "\n" for row in rows)
            elif fmt == "json":
                json.dump([{k: v for k, v in row.items() if v is not None} for row in rows], handle,
                          ensure_ascii=False)
            else:
                raise ValueError(f"unknown format {fmt!r} (jsonl or json)")
        written.append(path)
    return written


def manifest_keys(manifest: list[dict[str, Any]]) -> set[tuple[str, str, frozenset[str]]]:
    """The manifest as comparable keys: (rule id, unit, record ids)."""
    return {(m["rule_id"], m["unit"], frozenset(m["record_ids"])) for m in manifest}
