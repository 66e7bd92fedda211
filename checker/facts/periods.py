"""Periods (month, quarter, half-year, year) and the Chinese working-day calendar.

Statutory holidays and adjusted working days come from the `chinese-calendar` package; for years
it does not know, weekends are the only days off and `calendar_known()` says so, so that a report
can warn instead of silently judging on a guess.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache

import chinese_calendar

_PERIOD = re.compile(r"^(\d{4})(?:(H)([12])|(Q)([1-4])|-(\d{2}))?$")


@dataclass(frozen=True, order=True)
class Period:
    start: dt.date
    end: dt.date
    label: str

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end

    def overlaps(self, other: Period) -> bool:
        return self.start <= other.end and other.start <= self.end


def parse_period(text: str) -> Period:
    """`2020`, `2020H1`, `2020Q3`, `2020-07`, or `2020-01-01..2020-06-30`."""
    text = text.strip()
    if ".." in text:
        first, last = (dt.date.fromisoformat(p.strip()) for p in text.split("..", 1))
        if last < first:
            raise ValueError(f"period {text!r} ends before it starts")
        return Period(first, last, text)
    match = _PERIOD.match(text)
    if not match:
        raise ValueError(f"not a period: {text!r} (expected 2020, 2020H1, 2020Q3, 2020-07 or A..B)")
    year = int(match.group(1))
    if match.group(2):
        half = int(match.group(3))
        return Period(dt.date(year, 1 if half == 1 else 7, 1), dt.date(year, 6 if half == 1 else 12,
                      30 if half == 1 else 31), text)
    if match.group(4):
        quarter = int(match.group(5))
        return _months(year, 3 * quarter - 2, 3, text)
    if match.group(6):
        month = int(match.group(6))
        if not 1 <= month <= 12:
            raise ValueError(f"not a month: {text!r}")
        return _months(year, month, 1, text)
    return Period(dt.date(year, 1, 1), dt.date(year, 12, 31), text)


def _months(year: int, first_month: int, count: int, label: str) -> Period:
    last_month = first_month + count - 1
    end = (dt.date(year + 1, 1, 1) if last_month == 12 else dt.date(year, last_month + 1, 1)) - dt.timedelta(1)
    return Period(dt.date(year, first_month, 1), end, label)


def period_of(day: dt.date, kind: str) -> Period:
    if kind == "month":
        return parse_period(f"{day.year}-{day.month:02d}")
    if kind == "quarter":
        return parse_period(f"{day.year}Q{(day.month - 1) // 3 + 1}")
    if kind == "half":
        return parse_period(f"{day.year}H{1 if day.month <= 6 else 2}")
    if kind == "year":
        return parse_period(str(day.year))
    raise ValueError(f"unknown period kind {kind!r}")


def periods_between(span: Period, kind: str) -> list[Period]:
    """Every period of `kind` that overlaps `span`, in order."""
    return list(_periods_between(span, kind))


@lru_cache(maxsize=1024)
def _periods_between(span: Period, kind: str) -> tuple[Period, ...]:
    """Made once per span and kind: every unit owes the same periods (periods are immutable)."""
    found: list[Period] = []
    day = span.start
    while day <= span.end:
        period = period_of(day, kind)
        found.append(period)
        day = period.end + dt.timedelta(days=1)
    return tuple(found)


def iso_day(day: int) -> str:
    """A day number (a fact's `day`, `due`: date.toordinal()) as an ISO date: findings and the report
    give hundreds of thousands of them, on a few thousand days, so each day's text is made once."""
    found = _ISO_DAYS.get(day)
    if found is None:
        found = _ISO_DAYS[day] = dt.date.fromordinal(day).isoformat()
    return found


_ISO_DAYS: dict[int, str] = {}


def calendar_known(day: dt.date) -> bool:
    try:
        chinese_calendar.is_workday(day)
        return True
    except NotImplementedError:
        return False


@lru_cache(maxsize=8192)
def day_kind(day: dt.date) -> tuple[bool, bool]:
    """(is_workday, is_statutory_holiday) on the Chinese calendar, adjusted working days included."""
    try:
        off, name = chinese_calendar.get_holiday_detail(day)
    except NotImplementedError:
        return day.weekday() < 5, False
    return (not off), bool(off and name)


def is_workday(day: dt.date) -> bool:
    return day_kind(day)[0]


def is_statutory_holiday(day: dt.date) -> bool:
    return day_kind(day)[1]


def next_workday(day: dt.date) -> dt.date:
    while not is_workday(day):
        day += dt.timedelta(days=1)
    return day


@lru_cache(maxsize=65536)  # a publicity period is a week or two: data sets repeat the same few thousand
def workdays_between(first: dt.date, last: dt.date) -> int:
    """Working days from `first` to `last`, both included."""
    count = 0
    day = first
    while day <= last:
        count += is_workday(day)
        day += dt.timedelta(days=1)
    return count


@lru_cache(maxsize=4096)  # a gift's due day, per gift and again for a carried-over one: data sets repeat their days
def one_month_after(day: dt.date) -> dt.date:
    """The same day of the next calendar month (the last day of that month if it is shorter):
    国务院令第20号 第九条 '一个月内' counts a month, not 30 days."""
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    for last in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")
