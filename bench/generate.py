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
- The cross-record patterns (`PATTERN_RULES`, rules/patterns/): the background keeps to their
  limits too (catering lines charged to a reception of that day, each at a merchant of its own;
  receptions ≤ 85 元 a diner; trips and trainings lodged at their venue; a car's tolls on days it was
  dispatched; allowances once a month per item; no car fixed to anyone), with near misses just inside
  them, and each pattern is planted on its own records (bench/gen_patterns.py says how). Each unit
  is given some patterns it plants at least once (`forced`), so that a small data set holds them all.

One function per record type: bench/gen_records.py (the contract's types), bench/gen_patterns.py
(the patterns' ledgers and plants); bench/gen_unit.py holds what they share. Plain dicts and `random.Random(seed)` only: no pydantic here (a million records in seconds).
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench import gen_patterns, gen_records
from bench.gen_records import warning_education
from bench.gen_unit import RANK_LEVEL, YEAR, Calendar, UnitGen

# the patterns of issue 17 (rules/patterns/), planted by bench/gen_records.py and bench/gen_patterns.py
PATTERN_RULES: tuple[str, ...] = (
    "EP-PAT-MEAL-NO-EVENT", "EP-PAT-MEAL-DISGUISED", "EP-PAT-CONF-MEAL-OUTSIDE", "EP-PAT-FESTIVAL-MEALS",
    "EP-PAT-REC-LODGING", "EP-PAT-PREMIUM-LIQUOR", "EP-PAT-FESTIVAL-GIFTS",
    "EP-PAT-GIFT-PURCHASE", "EP-PAT-FAM-REGULATED-GIFTS", "EP-PAT-HOSTED-BY-CLIENT",
    "EP-PAT-CARALW-FIXED-CAR", "EP-PAT-CARALW-TWICE", "EP-PAT-ALW-TWICE",
    "EP-PAT-VEH-WEEKEND", "EP-PAT-VEH-AFTER-HOURS", "EP-PAT-TOLL-OFF-DAY", "EP-PAT-TOLL-NO-USE", "EP-PAT-TOLL-AWAY",
    "EP-PAT-FUEL-AWAY", "EP-PAT-MAINT-UNREGISTERED", "EP-PAT-TOLL-UNREGISTERED", "EP-PAT-FUEL-OTHER-PLATE",
    "EP-PAT-VEH-ENFORCEMENT-CAP", "EP-PAT-VEH-EMERGENCY-CAP", "EP-PAT-TRV-HOTEL-ELSEWHERE",
    "EP-PAT-TRN-HOTEL-ELSEWHERE", "EP-PAT-TRIP-SCENIC-TICKET", "EP-PAT-TRIP-TOLL-OFF-ROUTE",
)
PLANTED_RULES: tuple[str, ...] = (
    "EP-REC-LETTER", "EP-REC-ESCORTS", "EP-REC-LIST", "EP-REC-MEALS", "EP-REC-CIGARETTES", "EP-REC-PREMIUM",
    "EP-REC-VENUE", "EP-REC-CASH", "EP-REC-SIGHTSEEING", "EP-REC-GIFTS", "EP-REC-ALCOHOL",
    "EP-TRV-OVERLAP", "EP-VEH-FUEL-HOLIDAY", "EP-VEH-FIXED", *PATTERN_RULES,
)
# Not planted: EP-REC-SAME-CITY and the patterns in gen_unit.NOT_PLANTED (working assumptions, off under
# speech) and EP-TRV-SEAT (the 中央和国家机关差旅费管理办法 binds central organs; these units are municipal).

# share of the activity records per type (sums to 1)
WEIGHTS: dict[str, float] = {
    "reception": .12, "travel": .13, "fuel": .11, "vehicle_use": .08, "meeting": .07, "expense": .08,
    "report": .03, "conference": .03, "training": .03, "gift": .03, "allowance": .03, "family_event": .02,
    "office": .02, "personnel_action": .02, "staffing": .02, "asset_disposal": .02, "classified_doc": .03,
    "document": .03, "task": .03, "case": .02, "car_allowance": .015, "maintenance": .01, "toll": .02,
    "hosted": .005,
}
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
FILLER_KINDS = {org: (*dict.fromkeys(k for k, topic, owers, _ in MEETING_DUTIES if org in owers and topic is None),
                      "warning_education", "comprehensive_work_meeting", "other") for org in ORG_KINDS}


def generate(units: int, records: int, rate: float, seed: int,
             flush: Callable[[dict[str, list[dict]]], None] | None = None) -> tuple[dict[str, list[dict]], list[dict]]:
    """Rows by record type, and the planted violations `[{"rule_id", "unit", "record_ids"}]`. With `flush`,
    each unit's rows are handed to it and dropped (the same data, without holding ten million rows)."""
    if units < 1:
        raise ValueError("units must be at least 1")
    rng = random.Random(seed)
    cal = Calendar(YEAR)
    out: dict[str, list[dict]] = {t: [] for t in ("unit", "person", "vehicle", *WEIGHTS, "duty")}
    manifest: list[dict] = []
    totals = {t: round(records * w) for t, w in WEIGHTS.items()}
    for u in range(units):
        share = {t: n // units + (1 if u < n % units else 0) for t, n in totals.items()}
        forced = {rule for i, rule in enumerate(PATTERN_RULES) if i % units == u}
        g = UnitGen(u, f"U{u + 1:04d}", rng, cal, rate, share, out, manifest, ORG_KINDS[u % len(ORG_KINDS)], forced)
        _unit(g, sum(share.values()))
        if flush is not None:
            flush(out)
            for rows in out.values():
                rows.clear()
    return out, manifest


def _unit(g: UnitGen, per_unit: int) -> None:
    """One unit: U0001 is the bureau (党组); then a mix of org kinds."""
    gen_records.registry(g, per_unit)
    opened = [g.rng.choice(g.cal.work[:-60]) for _ in range(g.share["case"])]  # the cases' opening days
    meetings, reports = _obligations(g, opened)
    gen_records.receptions(g)
    gen_records.travel(g)
    used_fuel: set[tuple[int, int]] = set()
    gen_records.fuel(g, used_fuel)
    _reports_and_meetings(g, meetings, reports)
    gen_records.vehicle_use(g)
    gen_records.expenses(g)
    gen_records.conferences(g)
    gen_records.trainings(g)
    gen_records.gifts(g)
    gen_records.allowances(g)
    gen_records.family_events(g)
    gen_records.offices(g)
    gen_records.administration(g, opened)
    gen_patterns.patterns(g, used_fuel)


def _obligations(g: UnitGen, opened: list[int]) -> tuple[list, list]:
    """The meetings and reports the unit owes, out of the meetings/reports budget; what the obligations
    need beyond it comes out of the other one, then out of the receptions."""
    rng, cal, windows = g.rng, g.cal, g.cal.windows
    meetings = [(kind, topic, rng.choice(window)) for kind, topic, owers, period in MEETING_DUTIES
                if g.org_kind in owers for window in windows[period]]
    meetings += [("warning_education", None, day) for day in warning_education(opened, cal.work, cal.last, rng.randint)]
    reports = [(kind, f"{YEAR}{suffix}", rng.choice(windows[when][0]), None)
               for kind, owers, suffix, when in REPORT_DUTIES if g.org_kind in owers]
    reports += [("personal_matters", str(YEAR + shift), rng.choice(windows[when][0]), pid)
                for pid, level in g.persons if level >= PERSONAL_MATTERS_LEVEL for shift, when in PERSONAL_MATTERS]
    fill = [g.share["meeting"] - len(meetings), g.share["report"] - len(reports)]
    over = -sum(min(0, f) for f in fill)
    fill = [max(0, f) for f in fill]
    for k in (0, 1):
        take = min(over, fill[k])
        fill[k], over = fill[k] - take, over - take
    g.share["reception"] = max(0, g.share["reception"] - over)
    g.share["meeting_fill"], g.share["report_fill"] = fill
    return meetings, reports


def _reports_and_meetings(g: UnitGen, meetings: list, reports: list) -> None:
    """The obligations' reports and meetings, then filler of the same kinds."""
    rng, work = g.rng, g.cal.work
    to = None if g.u == 0 else "U0001"
    reports += [(rng.choice(("rectification_progress", "major_matter")), str(YEAR), rng.choice(work), None)
                for _ in range(g.share["report_fill"])]
    for i, (kind, period, day, pid) in enumerate(reports):
        g.add("report", {"id": f"RPT-{g.uid}-{i:05d}", "unit": g.uid, "to": to, "kind": kind, "period": period,
                         "submitted": g.iso(day), "person": pid})
    meetings += [(rng.choice(FILLER_KINDS[g.org_kind]), None, rng.choice(work)) for _ in range(g.share["meeting_fill"])]
    for i, (kind, topic, day) in enumerate(meetings):
        expected = rng.randint(3, 7) if kind == "branch_committee" else rng.randint(8, 40)  # present: over 2/3
        g.add("meeting", {"id": f"MTG-{g.uid}-{i:05d}", "unit": g.uid, "date": g.iso(day), "kind": kind,
                          "topic": topic or "学习贯彻", "expected": expected,
                          "present": expected - rng.randint(0, (expected - 1) // 3), "chair": g.pid_of[0],
                          "tasks": rng.randint(1, 4)})


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


def write_plain_csv(source: Path | str, folder: Path | str) -> list[Path]:
    """Each TYPE.jsonl of `source` as TYPE.csv in the contract's plain form (what the columnar path
    reads, checker/data/columnar_csv.py): UTF-8, the English field names as the header in the model's
    order, true/false, a list's items joined by commas, an absent value an empty cell. The same
    records as the JSON Lines, so the two forms' reports find the same."""
    import csv

    from checker.data.models import field_labels

    source, folder = Path(source), Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for path in sorted(source.glob("*.jsonl")):
        names = list(field_labels(path.stem))
        target = folder / f"{path.stem}.csv"
        with path.open(encoding="utf-8") as rows, target.open("w", encoding="utf-8", newline="") as handle:
            out = csv.writer(handle, lineterminator="\n")
            out.writerow(names)
            for line in rows:
                row = json.loads(line)
                unknown = set(row) - set(names)
                if unknown:
                    raise ValueError(f"{path}: fields the contract does not know: {sorted(unknown)}")
                out.writerow([_plain_cell(row.get(name)) for name in names])
        written.append(target)
    return written


def _plain_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join(str(item) for item in value)
    return str(value)


def manifest_keys(manifest: list[dict[str, Any]]) -> set[tuple[str, str, frozenset[str]]]:
    """The manifest as comparable keys: (rule id, unit, record ids)."""
    return {(m["rule_id"], m["unit"], frozenset(m["record_ids"])) for m in manifest}
