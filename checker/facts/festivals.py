"""Gift seasons from the Chinese calendar: the statutory holidays of 春节, 中秋 and 国庆.

The festival days come from the `chinese-calendar` package the project already uses for working
days (no date is written here). A season is the festival's statutory holiday; 中秋 and 国庆 less
than `MERGE_GAP_DAYS` apart are one season (中秋国庆), as the CCDI's holiday notices treat them, and
as 2020 needs: its 中秋 fell on 1 October, inside the 国庆 holiday, and the package names those days
National Day only (中秋 has been a statutory holiday every year since 2008, so a year with none of
its own had it inside 国庆). A day's position is its signed distance to the nearest season: negative before
it, 0 inside it, positive after it. Years the package does not know have no seasons, so a rule
asking for a festival never fires there (the report already warns that the calendar is unknown).
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left
from collections import defaultdict
from functools import cache

import chinese_calendar

SEASON_NAMES = {"Spring Festival": "春节", "Mid-autumn Festival": "中秋", "National Day": "国庆"}
MERGE_GAP_DAYS = 10


@cache
def seasons() -> tuple[tuple[dt.date, dt.date, str], ...]:
    """(first day, last day, label such as 2020年中秋国庆), in date order."""
    days: dict[tuple[int, str], list[dt.date]] = defaultdict(list)
    for day, name in chinese_calendar.holidays.items():
        if name in SEASON_NAMES:
            days[(day.year, SEASON_NAMES[name])].append(day)
    for year in {year for year, _ in days}:
        if (year, "国庆") in days and (year, "中秋") not in days:  # 中秋 fell inside the 国庆 holiday (2020)
            days[(year, "中秋国庆")] = days.pop((year, "国庆"))
    spans = sorted((min(found), max(found), name) for (_, name), found in days.items())
    merged: list[tuple[dt.date, dt.date, str]] = []
    for first, last, name in spans:
        if merged and {name, merged[-1][2][-2:]} == {"中秋", "国庆"} and (first - merged[-1][1]).days < MERGE_GAP_DAYS:
            merged[-1] = (merged[-1][0], max(last, merged[-1][1]), "中秋国庆")
        else:
            merged.append((first, last, name))
    return tuple((first, last, f"{first.year}年{name}") for first, last, name in merged)


@cache
def _starts() -> list[dt.date]:
    return [first for first, _, _ in seasons()]


@cache
def position(day: dt.date) -> tuple[str, int] | None:
    """The nearest gift season and the day's signed distance to it, or None if the calendar has none
    within a year of the day."""
    found = seasons()
    index = bisect_left(_starts(), day)
    best: tuple[int, str, int] | None = None
    for first, last, label in found[max(0, index - 1):index + 1]:
        offset = (day - last).days if day > last else (day - first).days if day < first else 0
        if abs(offset) <= 366 and (best is None or abs(offset) < best[0]):
            best = (abs(offset), label, offset)
    return None if best is None else (best[1], best[2])
