"""A findings-heavy data set: many small units audited over five years, where findings ≈ records.

    python -m bench.heavy FOLDER [--units 1000] [--records-per-unit 210] [--seed 20200715]

What a multi-year audit of a whole city looks like (issue 18 measured 225k records → 316k findings):
~1,000 small units of every org kind (党组, 党委, 党总支, 党支部, in turn), each with a handful of
persons and vehicles, and activity from 2016 to 2020. Most findings come from two sources:

- obligations over five years: each unit holds only some of the meetings its org kind owes (a
  meeting of an owed kind lands on a random working day, so some months and quarters get two and
  others none) and submits only some of its reports, some of them late; every 副处 and above owes
  a personal-matters report a year. So most of the ~60 meeting and report periods a branch owes
  a year, and fewer of a 党组's, end overdue;
- activity records with violations at a high rate: every reception breaks each of the twelve
  EP-REC-* requirements with probability `rate` (1.8 findings per reception at the default 0.15),
  trips over the rank's seat class and overlapping trips of one person, refuelling on statutory
  holidays (only those after EP-VEH-FUEL-HOLIDAY's 2017-12-05 edition count).

It has no ground truth: what it is for is the cost per finding. Check it with an explicit period
(the default audit period is the calendar year of --as-of):

    lianjian check FOLDER --profile speech --as-of 2021-03-31 --period 2016-01-01..2020-12-31 \\
        --format json -o /dev/null --fail-on never

Plain dicts and `random.Random(seed)`, written as JSON Lines unit by unit, like bench/generate.py.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sys
from collections.abc import Callable
from pathlib import Path

from checker.facts.periods import is_statutory_holiday, is_workday

YEARS = range(2016, 2021)
PERIOD = "2016-01-01..2020-12-31"
ORG_KINDS = ("party_group", "party_committee", "general_branch", "branch")
RANKS = (("staff", 40), ("vice_section", 15), ("section", 15), ("vice_division", 12), ("division", 10),
         ("vice_bureau", 5), ("bureau", 3))
RANK_LEVEL = {"staff": 1, "vice_section": 2, "section": 3, "vice_division": 4, "division": 5,
              "vice_bureau": 6, "bureau": 7}
# The meeting kinds each org kind owes (rules/reporting/*.yaml); a unit holds some of them, at random.
BRANCH_MEETINGS = ("branch_committee", "party_group_small", "theme_party_day", "branch_general_meeting",
                   "party_lecture", "organisational_life", "member_appraisal", "monthly_study",
                   "integrity_special_study")
LEADING_MEETINGS = ("party_lecture", "democratic_life", "integrity_special_study", "monthly_study",
                    "warning_education")
MEETINGS = {"party_group": (*LEADING_MEETINGS, "party_group_meeting", "theory_group_study", "integrity_lecture"),
            "party_committee": LEADING_MEETINGS, "general_branch": BRANCH_MEETINGS, "branch": BRANCH_MEETINGS}
REPORTS = {"party_group": ("annual_main_responsibility", "major_matter"),
           "party_committee": ("half_year_work", "annual_main_responsibility", "major_matter"),
           "general_branch": ("half_year_work",), "branch": ("half_year_work",)}
# share of a unit's activity records per type
SHARES = {"reception": .38, "travel": .24, "fuel": .18, "meeting": .17, "report": .03}
RECEPTION_BREACHES = {  # EP-REC-*: field -> violating value (a function of the rng and the escort cap)
    "official_letter": lambda rng, cap: None, "escorts": lambda rng, cap: cap + rng.randint(1, 2),
    "reception_list": lambda rng, cap: False, "meals": lambda rng, cap: rng.randint(2, 3),
    "cigarettes": lambda rng, cap: True, "premium_dishes": lambda rng, cap: True,
    "venue": lambda rng, cap: rng.choice(("private_club", "entertainment")), "payment": lambda rng, cap: "cash",
    "sightseeing": lambda rng, cap: True, "gifts": lambda rng, cap: True, "alcohol": lambda rng, cap: True,
    "same_city": lambda rng, cap: True,
}
CLEAN_SEAT = {"air": "economy", "hsr": "hsr_second", "train": "hard_seat", "ship": "ship_third"}
OVER_SEAT = {"air": "business", "hsr": "hsr_business", "train": "soft_sleeper", "ship": "ship_first"}
CITIES = ("合肥市", "芜湖市", "池州市", "黄山市", "南京市", "杭州市", "上海市", "北京市")


class FiveYears:
    """The days of 2016–2020: ISO strings, indexes of working days and of statutory holidays."""

    def __init__(self) -> None:
        first, last = dt.date(YEARS[0], 1, 1), dt.date(YEARS[-1], 12, 31)
        days = [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]
        self.iso = [d.isoformat() for d in days]
        self.work = [i for i, d in enumerate(days) if is_workday(d)]
        self.holidays = [i for i, d in enumerate(days) if is_statutory_holiday(d)]
        self.last = len(days) - 1


def unit_rows(u: int, per_unit: int, rate: float, rng: random.Random, cal: FiveYears) -> dict[str, list[dict]]:
    """One unit's registry and activity rows, by record type."""
    uid = f"H{u + 1:04d}"
    org_kind = ORG_KINDS[u % len(ORG_KINDS)]
    out: dict[str, list[dict]] = {"unit": [{
        "id": uid, "name": f"市直机关第{u + 1}单位", "parent": None if u == 0 else "H0001", "level": "municipal",
        "org_kind": org_kind, "region": "宣州市", "staffing_quota": 20, "leadership_quota": 4, "vehicle_quota": 3}]}
    out["person"], persons = _persons(uid, u, rng)
    out["vehicle"] = [{"id": f"V-{uid}-{v}", "unit": uid, "plate": f"皖P{u:04d}{v}", "kind": "enforcement",
                       "price": 180000, "displacement_l": 1.8, "tank_l": 60.0, "fuel": "petrol"} for v in range(2)]
    share = {t: round(per_unit * s) for t, s in SHARES.items()}
    out["reception"] = _receptions(uid, share["reception"], rate, rng, cal)
    out["travel"] = _travel(uid, persons, share["travel"], rate, rng, cal)
    out["fuel"] = [{"id": f"FUL-{uid}-{i:05d}", "unit": uid, "vehicle": f"V-{uid}-{i % 2}",
                    "time": f"{cal.iso[rng.choice(cal.holidays if rng.random() < 3 * rate else cal.work)]} "
                            f"{rng.randint(7, 18):02d}:{rng.randint(0, 59):02d}",
                    "litres": 40.0, "amount": 260.0, "fuel_type": "petrol"} for i in range(share["fuel"])]
    chair = persons[0][0]
    out["meeting"] = [_meeting(f"MTG-{uid}-{i:05d}", uid, rng.choice(MEETINGS[org_kind]), chair, rng, cal)
                      for i in range(share["meeting"])]
    out["report"] = [_report(f"RPT-{uid}-{i:05d}", uid, rng.choice(REPORTS[org_kind]), rng, cal)
                     for i in range(share["report"])]
    return out


def _persons(uid: str, u: int, rng: random.Random) -> tuple[list[dict], list[tuple[str, int]]]:
    rows, persons = [], []
    for p in range(8):
        rank = "bureau" if p == 0 else "vice_bureau" if p in (1, 2) else rng.choices(*zip(*RANKS, strict=True))[0]
        roles = ["secretary"] if p == 0 else ["discipline"] if p == 1 else ["deputy"] if p == 2 else []
        pid = f"P-{uid}-{p}"
        rows.append({"id": pid, "name": f"人员{u + 1}-{p}", "unit": uid, "rank": rank, "party_member": True,
                     "roles": roles, "supervises": [uid] if p == 2 else []})
        persons.append((pid, RANK_LEVEL[rank]))
    return rows, persons


def _receptions(uid: str, count: int, rate: float, rng: random.Random, cal: FiveYears) -> list[dict]:
    rows = []
    for i in range(count):
        guests = rng.randint(1, 20)
        cap = 3 if guests <= 10 else guests // 3
        row = {"id": f"REC-{uid}-{i:05d}", "unit": uid, "date": cal.iso[rng.choice(cal.work)],
               "guest_unit": rng.choice(CITIES) + "交通运输局", "guests": guests, "escorts": rng.randint(0, cap),
               "meals": 1, "cost": guests * rng.randint(60, 120), "official_letter": f"交函〔2018〕{i}号",
               "reception_list": True, "alcohol": False, "cigarettes": False, "premium_dishes": False,
               "venue": "canteen", "payment": "official_card", "same_city": False, "gifts": False,
               "sightseeing": False}
        for name, breach in RECEPTION_BREACHES.items():
            if rng.random() < rate:
                row[name] = breach(rng, cap)
        rows.append(row)
    return rows


def _travel(uid: str, persons: list[tuple[str, int]], count: int, rate: float, rng: random.Random,
            cal: FiveYears) -> list[dict]:
    """Each person's trips one after another over the five years, a free day or more apart; with
    probability `rate` a trip starts on the last day of the person's previous one (EP-TRV-OVERLAP),
    and with 3 × `rate` it is over the rank's seat class."""
    cursor = [rng.randint(0, 30) for _ in persons]
    last_day: list[int | None] = [None] * len(persons)  # each person's previous trip's return
    rows = []
    for i in range(count):
        p = i % len(persons)
        length = rng.randint(1, 4)
        previous = last_day[p]
        depart = previous if previous is not None and rng.random() < rate else cursor[p]
        depart = min(depart, cal.last - 4)
        back = min(depart + length - 1, cal.last)
        last_day[p], cursor[p] = back, back + rng.randint(2, 60)
        mode = rng.choice(tuple(CLEAN_SEAT))
        seat = OVER_SEAT[mode] if persons[p][1] <= 5 and rng.random() < 3 * rate else CLEAN_SEAT[mode]
        rows.append({"id": f"TRV-{uid}-{i:05d}", "unit": uid, "person": persons[p][0], "depart": cal.iso[depart],
                     "return": cal.iso[back], "destination": rng.choice(CITIES), "mode": mode, "seat_class": seat,
                     "hotel_per_night": 300, "nights": back - depart, "meal_allowance": 100 * (back - depart + 1),
                     "local_transport_allowance": 80 * (back - depart + 1), "approved": True, "purpose": "公务"})
    return rows


def _meeting(mid: str, uid: str, kind: str, chair: str, rng: random.Random, cal: FiveYears) -> dict:
    expected = rng.randint(3, 7) if kind == "branch_committee" else rng.randint(8, 40)
    present = expected - rng.randint(0, expected // 2)  # some fall short of a quorum
    return {"id": mid, "unit": uid, "date": cal.iso[rng.choice(cal.work)], "kind": kind, "topic": "学习贯彻",
            "expected": expected, "present": present, "chair": chair, "tasks": rng.randint(1, 4)}


def _report(rid: str, uid: str, kind: str, rng: random.Random, cal: FiveYears) -> dict:
    year = rng.choice(YEARS)
    label = f"{year}H{rng.randint(1, 2)}" if kind == "half_year_work" else str(year)
    submitted = min(cal.last, (dt.date(year + 1, 1, 1) - dt.date(YEARS[0], 1, 1)).days + rng.randint(-20, 60))
    return {"id": rid, "unit": uid, "to": None if uid == "H0001" else "H0001", "kind": kind, "period": label,
            "submitted": cal.iso[submitted], "person": None}


def write_heavy(folder: Path | str, units: int = 1000, per_unit: int = 210, rate: float = 0.15,
                seed: int = 20200715, progress: Callable[[int], None] | None = None) -> dict[str, int]:
    """Write the data set as TYPE.jsonl files, unit by unit (any size in flat memory): rows by type."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.jsonl"):
        old.unlink()
    rng, cal = random.Random(seed), FiveYears()
    encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    counts: dict[str, int] = {}
    handles = {}
    try:
        for u in range(units):
            for record_type, rows in unit_rows(u, per_unit, rate, rng, cal).items():
                if record_type not in handles:
                    handles[record_type] = (folder / f"{record_type}.jsonl").open("w", encoding="utf-8")
                handles[record_type].writelines(encode({k: v for k, v in row.items() if v is not None}) + "\n"
                                                for row in rows)
                counts[record_type] = counts.get(record_type, 0) + len(rows)
            if progress and (u + 1) % 100 == 0:
                progress(u + 1)
    finally:
        for handle in handles.values():
            handle.close()
    return counts


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.heavy")
    parser.add_argument("folder", type=Path)
    parser.add_argument("--units", type=int, default=1000)
    parser.add_argument("--records-per-unit", type=int, default=210, help="activity records per unit")
    parser.add_argument("--rate", type=float, default=0.15)
    parser.add_argument("--seed", type=int, default=20200715)
    args = parser.parse_args(argv)
    counts = write_heavy(args.folder, args.units, args.records_per_unit, args.rate, args.seed)
    json.dump({"rows": sum(counts.values()), "by_type": counts, "period": PERIOD}, sys.stdout)
    print()


if __name__ == "__main__":
    main()
