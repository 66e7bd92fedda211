"""A fact's day numbers: a date-time field's is its day's (the generated makers write `.toordinal()`
for dates and date-times alike), and a gift's month to hand it in is the same from the cache as
worked out afresh."""

from __future__ import annotations

import datetime as dt

from checker.facts.makers import field_plan, one_fact
from checker.facts.periods import one_month_after


def test_a_date_time_field_is_its_days_number_late_and_early_in_the_day():
    assert ("start", "start", 2) in field_plan("vehicle_use")  # (a date-time field: the case written here)
    for moment in (dt.datetime(2020, 2, 29, 23, 59, 59), dt.datetime(2020, 3, 1, 0, 0)):
        assert moment.toordinal() == moment.date().toordinal()


def test_one_month_after_from_the_cache_is_what_it_works_out():
    day = dt.date(2019, 1, 1)
    while day < dt.date(2021, 1, 1):
        assert one_month_after(day) == one_month_after.__wrapped__(day)  # type: ignore[attr-defined]
        assert one_month_after(day) == one_month_after.__wrapped__(day)  # (a hit, then)
        day += dt.timedelta(days=1)
    assert one_month_after(dt.date(2020, 1, 31)) == dt.date(2020, 2, 29)
    assert one_month_after(dt.date(2020, 12, 15)) == dt.date(2021, 1, 15)


def test_a_vehicle_use_fact_takes_the_days_of_its_date_times():
    """The fact of a use made on its own (fact_maker and its tail) numbers its start and end by their days."""
    class _Lookups:  # (no unit, person or vehicle known: only the record's own fields and day)
        units: dict = {}
        person_shares: dict = {}
        vehicle_shares: dict = {"V1": None}
        plate_keys: dict = {"V1": "皖P00001"}
        unit_days: dict = {}
        last_unit_days = None
        tails: dict = {}
    start, end = dt.datetime(2020, 5, 1, 23, 30), dt.datetime(2020, 5, 2, 1, 15)
    fields = {"id": "U1", "unit": "X", "vehicle": "V1", "date": dt.date(2020, 5, 1), "person": None,
              "purpose": "p", "approved": True, "on_duty": False, "km": 10, "start": start, "end": end,
              "destination": None}

    class _Record:
        vehicle, plate = "V1", None
    _Record.start, _Record.end = start, end  # type: ignore[attr-defined]
    fact = one_fact("vehicle_use", _Lookups(), 0, fields, _Record(), fields["date"])
    assert (fact["start"], fact["end"]) == (start.date().toordinal(), end.date().toordinal())
    assert fact["overnight"] is True and fact["start_clock"] == "23:30"
