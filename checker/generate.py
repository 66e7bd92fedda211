"""Synthetic data sets of any size, with planted violations and their ground truth (benchmarks, tests).

`generate(units, records, rate, seed)` returns contract rows by record type (field names of
`checker.models`, money in 元, ISO dates) for `units` municipal units — each with its unit record,
persons and vehicles — and about `records` activity records of every type dated in 2020, plus a
manifest of the violations planted: `[{"rule_id", "unit", "record_ids": [...]}, ...]`.

Only the rules in `PLANTED_RULES` are planted, and their semantics are reproduced here exactly:
every record that is not planted is clean for every one of them (official letter present, escorts
within the cap, seats within the rank's class, one person's trips never share a day, refuelling
only on working days). Each eligible record violates each rule independently with probability
`rate` (an overlap is planted as a pair of trips of one person, apart from that person's other trips;
a seat only for ranks the seat table restricts, 正厅 and below). The other record types are generated compliant with the limits the demo
documents (fixtures/demo/PLANTED.md), so that they add load, not findings.

Plain dicts and `random.Random(seed)` only: no pydantic here (a million records in seconds).
"""

from __future__ import annotations

import datetime as dt
import json
import random
from pathlib import Path
from typing import Any

from .calendar import is_statutory_holiday, is_workday

YEAR = 2020
PLANTED_RULES: tuple[str, ...] = (
    "EP-REC-LETTER", "EP-REC-ESCORTS", "EP-REC-LIST", "EP-REC-MEALS", "EP-REC-CIGARETTES", "EP-REC-PREMIUM",
    "EP-REC-VENUE", "EP-REC-CASH", "EP-REC-SIGHTSEEING", "EP-REC-GIFTS", "EP-REC-ALCOHOL", "EP-REC-SAME-CITY",
    "EP-TRV-SEAT", "EP-TRV-OVERLAP", "EP-VEH-FUEL-HOLIDAY",
)

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
HALF_REPORT_OWERS = {"party_committee", "general_branch", "branch"}  # RP-HALF-YEAR-REPORT owed_by (background)
STUDY_OWERS = {"party_group", "party_committee", "general_branch"}  # RP-INTEGRITY-STUDY owed_by (background)
# EP-TRV-SEAT (差旅办法 交通工具等级表): clean seat per mode, and seats banned by rank level
CLEAN_SEAT = {"air": ("economy",), "hsr": ("hsr_second",), "train": ("hard_seat", "hard_sleeper"),
              "ship": ("ship_third",)}
BANNED_SEAT = {  # (mode, level ≤ 5 or 6–7) -> seats over the class
    ("air", 5): ("first", "business"), ("hsr", 5): ("hsr_first", "hsr_business"), ("train", 5): ("soft_sleeper",),
    ("ship", 5): ("ship_first", "ship_second"),
    ("air", 7): ("first", "business"), ("hsr", 7): ("hsr_business",), ("ship", 7): ("ship_first",),
}
RECEPTION_RULES = PLANTED_RULES[:12]
OTHER_MEETING_KINDS = ("party_group_meeting", "theory_group_study", "monthly_study", "branch_general_meeting",
                       "branch_committee", "party_lecture", "theme_party_day", "key_task_hearing",
                       "warning_education", "integrity_lecture", "comprehensive_work_meeting", "other")
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
        half = (dt.date(year, 7, 1) - first).days
        self.work_h = ([i for i in self.work if i < half], [i for i in self.work if i >= half])
        self.last = len(self.days) - 1


def _yuan(value: float) -> float:
    return round(value, 2)


def generate(units: int, records: int, rate: float, seed: int) -> tuple[dict[str, list[dict]], list[dict]]:
    """Rows by record type, and the planted violations `[{"rule_id", "unit", "record_ids"}]`."""
    if units < 1:
        raise ValueError("units must be at least 1")
    rng = random.Random(seed)
    rand, randint, choice = rng.random, rng.randint, rng.choice
    cal = _Calendar(YEAR)
    iso, work = cal.iso, cal.work
    out: dict[str, list[dict]] = {t: [] for t in ("unit", "person", "vehicle", *WEIGHTS)}
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
            "level": "municipal", "org_kind": org_kind, "region": "宣州市",
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
            for rule in RECEPTION_RULES:
                if rand() >= rate:
                    continue
                plant(rule, uid, rid)
                if rule == "EP-REC-LETTER":
                    del row["official_letter"]
                elif rule == "EP-REC-ESCORTS":
                    row["escorts"] = cap + randint(1, 2)
                elif rule == "EP-REC-LIST":
                    row["reception_list"] = False
                elif rule == "EP-REC-MEALS":
                    row["meals"] = randint(2, 3)
                elif rule == "EP-REC-CIGARETTES":
                    row["cigarettes"] = True
                elif rule == "EP-REC-PREMIUM":
                    row["premium_dishes"] = True
                elif rule == "EP-REC-VENUE":
                    row["venue"] = choice(("private_club", "entertainment"))
                elif rule == "EP-REC-CASH":
                    row["payment"] = "cash"
                elif rule == "EP-REC-SIGHTSEEING":
                    row["sightseeing"] = True
                elif rule == "EP-REC-GIFTS":
                    row["gifts"] = True
                elif rule == "EP-REC-ALCOHOL":
                    row["alcohol"] = True
                elif rule == "EP-REC-SAME-CITY":
                    row["same_city"] = True
            rows.append(row)

        # --- travel: EP-TRV-SEAT, EP-TRV-OVERLAP ---------------------------------------------------
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
                level = persons[p][1]
                if level <= 7 and rand() < rate:
                    if (mode, 7 if level > 5 else 5) not in BANNED_SEAT:
                        mode = "hsr"
                    seat = choice(BANNED_SEAT[(mode, 7 if level > 5 else 5)])
                    plant("EP-TRV-SEAT", uid, rid)
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
            for _ in range(50):
                v, day = randint(0, len(vehicles) - 1), choice(pool)
                if (v, day) not in used:
                    break
            used.add((v, day))
            vid, tank, fuel = vehicles[v]
            litres = float(randint(15, int(tank)))
            rows.append({"id": rid, "unit": uid, "vehicle": vid, "time": f"{iso[day]} {randint(7, 18):02d}:{randint(0, 59):02d}",
                         "litres": litres, "amount": _yuan(litres * 6.5), "fuel_type": fuel})
            if holiday:
                plant("EP-VEH-FUEL-HOLIDAY", uid, rid)

        # --- reports and meetings: the half-year reports and integrity studies the obligations ask for
        # (RP-* obligations are not planted: their periods and counting are still changing in derive.py)
        rows = out["report"]
        n = 0
        for half in (0, 1):
            label = f"{YEAR}H{half + 1}"
            if org_kind in HALF_REPORT_OWERS:
                rows.append({"id": f"RPT-{uid}-{n:05d}", "unit": uid, "to": "U0001", "kind": "half_year_work",
                             "period": label, "submitted": iso[choice(cal.work_h[half][-40:])]})
                n += 1
            if org_kind in STUDY_OWERS:
                out["meeting"].append({"id": f"MTG-{uid}-S{half}", "unit": uid, "date": iso[choice(cal.work_h[half])],
                                       "kind": "integrity_special_study", "topic": "专题研究党风廉政建设",
                                       "expected": 9, "present": 9, "chair": pid_of[0], "tasks": 2})
        for _ in range(max(0, share["report"] - n)):
            kind = choice(("personal_matters", "major_matter", "rectification_progress", "annual_main_responsibility"))
            rows.append({"id": f"RPT-{uid}-{n:05d}", "unit": uid, "to": "U0001", "kind": kind,
                         "period": str(YEAR), "submitted": iso[choice(work)],
                         "person": choice(pid_of) if kind == "personal_matters" else None})
            n += 1
        rows = out["meeting"]
        for i in range(share["meeting"]):
            rows.append({"id": f"MTG-{uid}-{i:05d}", "unit": uid, "date": iso[choice(work)],
                         "kind": choice(OTHER_MEETING_KINDS), "topic": "学习贯彻", "expected": 12,
                         "present": randint(10, 12), "chair": pid_of[0], "tasks": randint(1, 4)})

        # --- the other types: compliant with the demo's documented limits --------------------------
        for i in range(share["vehicle_use"]):
            out["vehicle_use"].append({"id": f"VU-{uid}-{i:05d}", "unit": uid, "vehicle": choice(vehicles)[0],
                                       "date": iso[choice(work)], "person": choice(pid_of), "purpose": "official",
                                       "approved": True, "on_duty": False, "km": float(randint(5, 200))})
        for i in range(share["expense"]):
            out["expense"].append({"id": f"EXP-{uid}-{i:05d}", "unit": uid, "date": iso[choice(work)],
                                   "amount": _yuan(randint(100, 4999900) / 100), "category": "办公费",
                                   "purpose": "日常办公", "payee": "某供应商"})
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
                                "value": randint(50, 800), "handed_in": iso[day + randint(1, 30)]})
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
        for i in range(share["case"]):
            opened = choice(work[:-60])
            out["case"].append({"id": f"CASE-{uid}-{i:05d}", "unit": uid, "person": choice(pid_of),
                                "opened": iso[opened], "category": "违反中央八项规定精神",
                                "accountability_review": iso[opened + randint(10, 60)]})
    return out, manifest


def write_dataset(records: dict[str, list[dict]], folder: Path | str, fmt: str = "jsonl") -> list[Path]:
    """Write one TYPE.jsonl (or TYPE.json) file per record type into `folder`; returns the files."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for record_type, rows in records.items():
        if not rows:
            continue
        path = folder / f"{record_type}.{fmt}"
        with path.open("w", encoding="utf-8") as handle:
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
