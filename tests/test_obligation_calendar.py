"""Walk one unit through 2020 day by day: every obligation changes state on exactly the right date,
on the Chinese calendar (a due date on a holiday moves to the next working day when asked)."""

from __future__ import annotations

import datetime as dt

from checker.data.load import dataset_from_records
from checker.facts import derive, obligations
from checker.facts.periods import Period
from checker.ruleset.catalogue import ActiveRule, activate
from checker.ruleset.schema import Rule

YEAR = Period(dt.date(2020, 1, 1), dt.date(2020, 12, 31), "2020")


def obligation(rule_id: str, period: str, record: str, where: list[str], shift: bool, due_days: int = 0,
               min_count: int = 1) -> ActiveRule:
    rule = Rule.model_validate({
        "id": rule_id, "title": {"zh": "测试", "en": "test"}, "severity": "low",
        "discipline": "reporting.test", "citation": {"regulation": "test"}, "message": {"zh": "x", "en": "x"},
        "match": {"obligation": {"record": record, "where": where, "period": period, "min_count": min_count,
                                 "due_days": due_days, "shift_to_workday": shift}}})
    return activate([rule], [])[0]


def states_by_day(rule: ActiveRule, records: dict, first: dt.date, last: dt.date) -> dict[str, list]:
    data = dataset_from_records({"unit": [{"id": "U1", "name": "支部", "org_kind": "branch"}], **records})
    unit = data.of_type("unit")[0].record
    timeline: dict[str, list[tuple[dt.date, str]]] = {}
    day = first
    while day <= last:
        batch = derive.unit_batch("U1", data.records, derive.Lookups(data), day, YEAR)
        for state in obligations.obligation_states(rule, unit, batch, YEAR, day):
            history = timeline.setdefault(state["period"], [])
            if not history or history[-1][1] != state["state"]:
                history.append((day, state["state"]))
        day += dt.timedelta(days=1)
    return timeline


def test_monthly_meeting_due_at_month_end_moves_past_the_spring_festival():
    rule = obligation("T-MONTHLY", "month", "meeting", ["kind == 'branch_committee'"], shift=True)
    meetings = [{"id": f"M{m}", "unit": "U1", "date": f"2020-{m:02d}-10", "kind": "branch_committee"}
                for m in (3, 4, 5)]
    timeline = states_by_day(rule, {"meeting": meetings}, dt.date(2020, 1, 1), dt.date(2020, 7, 2))
    # January: due on the 31st, a holiday of the extended Spring Festival → Monday 3 February.
    assert timeline["2020-01"] == [(dt.date(2020, 1, 1), "due"), (dt.date(2020, 2, 4), "overdue")]
    # February: due on Saturday the 29th → Monday 2 March.
    assert timeline["2020-02"][-1] == (dt.date(2020, 3, 3), "overdue")
    # March: held on the 10th; "upcoming" is never shown for a period that has started.
    assert timeline["2020-03"] == [(dt.date(2020, 1, 1), "upcoming"), (dt.date(2020, 3, 1), "due"),
                                   (dt.date(2020, 3, 10), "done")]
    # June: due Tuesday 30 June, a working day: overdue from 1 July.
    assert timeline["2020-06"][-1] == (dt.date(2020, 7, 1), "overdue")


def test_half_year_report_due_ten_days_after_the_half_without_and_with_the_shift():
    report = {"report": [{"id": "R1", "unit": "U1", "kind": "half_year_work", "period": "2020H1",
                          "submitted": "2020-07-14"}]}
    plain = obligation("T-HALF", "half", "report", ["kind == 'half_year_work'"], shift=False, due_days=10)
    timeline = states_by_day(plain, report, dt.date(2020, 6, 25), dt.date(2020, 7, 20))
    # Due Friday 10 July; overdue on the 11th; submitted late on the 14th.
    assert timeline["2020H1"] == [(dt.date(2020, 6, 25), "due"), (dt.date(2020, 7, 11), "overdue"),
                                  (dt.date(2020, 7, 14), "late")]


def test_a_due_date_in_the_national_day_holiday_moves_to_the_first_working_day():
    quarterly = obligation("T-Q", "quarter", "meeting", ["kind == 'branch_general_meeting'"], shift=True,
                           due_days=1)
    timeline = states_by_day(quarterly, {}, dt.date(2020, 9, 25), dt.date(2020, 10, 12))
    # Q3 ends 30 September; +1 day = 1 October, in the holiday to 8 October → due Friday 9 October.
    assert timeline["2020Q3"] == [(dt.date(2020, 9, 25), "due"), (dt.date(2020, 10, 10), "overdue")]
    unshifted = obligation("T-Q2", "quarter", "meeting", ["kind == 'branch_general_meeting'"], shift=False,
                           due_days=1)
    assert states_by_day(unshifted, {}, dt.date(2020, 9, 25), dt.date(2020, 10, 12))["2020Q3"][-1] == \
        (dt.date(2020, 10, 2), "overdue")


def test_nothing_is_a_violation_before_its_period_is_due():
    rule = obligation("T-YEAR", "year", "meeting", ["kind == 'organisational_life'"], shift=False)
    timeline = states_by_day(rule, {}, dt.date(2020, 1, 1), dt.date(2020, 12, 31))
    assert timeline["2020"] == [(dt.date(2020, 1, 1), "due")]
