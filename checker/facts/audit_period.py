"""The audit period: which dates a check judges and which periods owe obligations.

`--period` wins. Without it the period is the calendar year of the as-of date, from 1 January up to
the as-of date: a default that no record can widen (a stray 2013 record used to stretch an audit of
2020 back to 2013 and make every unit owe seven years of meetings). When no record falls in it, the
report says so and suggests a period from the years the data covers.
"""

from __future__ import annotations

import datetime as dt

from checker.data.records import DataSet
from checker.facts.derive import record_date
from checker.facts.periods import Period, parse_period

SPAN_ONLY_IF_ALONE = frozenset({"report"})  # see data_years
DEFAULT_BASIS = "default: the calendar year of --as-of, up to --as-of"


def audit_period(period: str | None, as_of: dt.date) -> tuple[Period, str]:
    """The period judged and how it was chosen."""
    if period:
        return parse_period(period), "--period"
    return Period(dt.date(as_of.year, 1, 1), as_of, str(as_of.year)), DEFAULT_BASIS


def data_years(data: DataSet) -> tuple[int, int] | None:
    """The first and last calendar year of the activity records. Reports count only when there is
    nothing else: they are dated when submitted, after the period they report on."""
    years: dict[bool, list[int]] = {True: [], False: []}
    for loaded in data.records:
        day = record_date(loaded)
        if day is not None:
            years[loaded.type in SPAN_ONLY_IF_ALONE].append(day.year)
    found = years[False] or years[True]
    return (min(found), max(found)) if found else None


def suggested_period(years: tuple[int, int] | None) -> str | None:
    """A --period covering the years the data names."""
    if years is None:
        return None
    first, last = years
    return str(first) if first == last else f"{first}-01-01..{last}-12-31"


def reaches(years: tuple[int, int] | None, span: Period) -> bool:
    """Whether the data's dated records (by year) reach into the period at all."""
    return years is not None and years[0] <= span.end.year and span.start.year <= years[1]


def empty_period_note(span: Period, records_in_period: int, years: tuple[int, int] | None) -> str | None:
    """A note for the report when no activity record is dated in the audit period."""
    if records_in_period:
        return None
    suggestion = suggested_period(years)
    where = f"; the data covers {years[0]}–{years[1]}: try --period {suggestion}" if years else ""
    return f"no record is dated in the audit period {span.start} – {span.end}{where}"
