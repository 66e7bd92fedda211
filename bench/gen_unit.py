"""What generating one unit's records needs: its registry, the calendar, the random source, where its
rows go and how a violation is planted (bench/generate.py drives it, one unit at a time)."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Any

from checker.facts.periods import is_statutory_holiday, is_workday

YEAR = 2020
RANK_LEVEL = {"staff": 1, "vice_section": 2, "section": 3, "vice_division": 4, "division": 5,
              "vice_bureau": 6, "bureau": 7, "vice_minister": 8, "minister": 9}
REGION = "宣州市"
# Patterns whose number is another place's local standard (profile speech-assumptions): off under profile
# speech, which the benchmark judges by, so never planted; the background keeps to their limits all the same.
NOT_PLANTED = frozenset({"EP-PAT-REC-PER-HEAD", "EP-PAT-ALW-CONDOLENCE-CAP", "EP-PAT-FAM-PROHIBITED-KIND"})


class Calendar:
    def __init__(self, year: int):
        first = dt.date(year, 1, 1)
        self.days = [first + dt.timedelta(days=i) for i in range((dt.date(year + 1, 1, 1) - first).days)]
        self.iso = [d.isoformat() for d in self.days]
        self.work = [i for i, d in enumerate(self.days) if is_workday(d)]
        self.workset = set(self.work)
        self.holidays = [i for i, d in enumerate(self.days) if is_statutory_holiday(d)]
        self.weekends = [i for i, d in enumerate(self.days) if not is_workday(d) and not is_statutory_holiday(d)]
        self.last = len(self.days) - 1
        months = [[i for i in self.work if self.days[i].month == m] for m in range(1, 13)]
        self.months = months
        q = [sum(months[m:m + 3], []) for m in (0, 3, 6, 9)]
        speech = (dt.date(year, 7, 15) - first).days  # the speech: key-task hearings from then on
        self.windows = {  # working days of each period an obligation counts in (or a report is submitted in)
            "month": months, "quarter": q, "half": [q[0] + q[1], q[2] + q[3]], "year": [self.work], "q4": [q[3]],
            "h2": [q[2] + q[3]], "from_speech": [[i for i in q[2] if i >= speech], q[3]],
            "january": [months[0]], "july": [[i for i in months[6] if self.days[i].day <= 10]],
            "december": [months[11]]}


@dataclass
class UnitGen:
    """One unit being generated. `rows(t)` is this unit's rows of type t (the shared lists are flushed
    unit by unit, or keep every unit's rows when there is no flush)."""
    u: int
    uid: str
    rng: random.Random
    cal: Calendar
    rate: float
    share: dict[str, int]
    out: dict[str, list[dict]]
    manifest: list[dict]
    org_kind: str
    forced: set[str]  # rules this unit plants at least once, so a small data set holds every pattern
    persons: list[tuple[str, int]] = field(default_factory=list)  # (id, rank level)
    vehicles: list[tuple[str, float, str]] = field(default_factory=list)  # (id, tank, fuel)
    plates: dict[str, str] = field(default_factory=dict)  # vehicle id -> plate
    start: dict[str, int] = field(default_factory=dict)
    n_persons: int = 0  # the registry's, before travel adds a person when everyone's year is full

    def __post_init__(self) -> None:
        self.start = {t: len(rows) for t, rows in self.out.items()}

    def rows(self, record_type: str) -> list[dict]:
        return self.out[record_type][self.start[record_type]:]

    def add(self, record_type: str, row: dict[str, Any]) -> dict[str, Any]:
        self.out[record_type].append(row)
        return row

    def plant(self, rule_id: str, *ids: str) -> None:
        self.manifest.append({"rule_id": rule_id, "unit": self.uid, "record_ids": list(ids)})

    def should(self, rule_id: str) -> bool:
        """Whether to plant this rule on the record at hand: with probability `rate`, or because the
        unit owes one plant of it and has not planted it yet. Never a rule off under profile speech."""
        if rule_id in NOT_PLANTED:
            return False
        if self.rng.random() < self.rate:
            self.forced.discard(rule_id)
            return True
        if rule_id in self.forced:
            self.forced.discard(rule_id)
            return True
        return False

    def count(self, rule_id: str, trials: int) -> int:
        """How many extra records plant this rule: `trials` chances at `rate`, at least one if forced."""
        found = sum(self.rng.random() < self.rate for _ in range(trials))
        if rule_id in self.forced:
            self.forced.discard(rule_id)
            found = max(found, 1)
        return found

    @property
    def pid_of(self) -> list[str]:
        return [p for p, _ in self.persons]

    def iso(self, day: int) -> str:
        return self.cal.iso[day]
