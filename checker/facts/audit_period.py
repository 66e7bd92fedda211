"""The audit period: which dates a check judges and which periods owe obligations."""

from __future__ import annotations

import datetime as dt

from checker.data.records import DataSet
from checker.facts.derive import record_date
from checker.facts.periods import Period

SPAN_ONLY_IF_ALONE = frozenset({"report"})  # see data_span


def data_span(data: DataSet, as_of: dt.date) -> Period:
    """Without --period: the calendar years the activity records cover, cut at the as-of date.
    Reports count only when there is nothing else: they are dated when submitted, after the period
    they report on, and the 2020 annual report handed in in January 2021 should not make an audit
    of 2020 owe January 2021's meetings."""
    years: dict[bool, list[int]] = {True: [], False: []}
    for loaded in data.records:
        day = record_date(loaded)
        if day is not None:
            years[loaded.type in SPAN_ONLY_IF_ALONE].append(day.year)
    found = years[False] or years[True]
    return span_of_years((min(found), max(found)) if found else None, as_of)


def span_of_years(years: tuple[int, int] | None, as_of: dt.date) -> Period:
    if years is None:
        return Period(dt.date(as_of.year, 1, 1), as_of, str(as_of.year))
    first = dt.date(years[0], 1, 1)
    last = min(as_of, dt.date(years[1], 12, 31))
    label = str(first.year) if first.year == last.year else f"{first.year}-{last.year}"
    return Period(first, max(first, last), label)
