"""The cross-record patterns of issue 17: a pattern is a violation only where a confirmed text
establishes it (else a lead), its messages render, and the derived context it reads (festival seasons, plates, cities,
the unit's activities of the day) is what an inspector would compute by hand."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from checker.data.load import dataset_from_records
from checker.facts import derive, festivals
from checker.facts.by_type import city_key, plate_key, same_city
from checker.ruleset.catalogue import load_rules
from checker.run.examples import DEFAULT_REGISTRY, run_example

RULES = Path(__file__).resolve().parent.parent / "rules"
PATTERNS = RULES / "patterns"


def test_a_pattern_is_a_violation_only_where_a_confirmed_text_establishes_it():
    """A pattern that infers is a lead (its `lead:` reason); one without a reason cites a text whose
    wording is confirmed (✅ or ◐) in every edition."""
    for rule in load_rules(PATTERNS):
        if rule.lead is None:
            assert all(c.confidence in ("confirmed", "partial") for c in rule.editions), rule.id


def test_lead_rules_only_read_numbers_from_profiles():
    """A number that is not confirmed law lives in a profile, never as a rule default."""
    for rule in load_rules(PATTERNS):
        for name, parameter in rule.parameters.items():
            assert parameter.default is None, f"{rule.id}.{name}"


@pytest.mark.parametrize("rule", load_rules(PATTERNS), ids=lambda r: r.id)
def test_pattern_messages_render(rule):
    for example in rule.examples.fire:
        found, problem = run_example(rule, example, RULES)
        assert problem is None and found, (rule.id, problem)
        for finding in found:
            for text in finding.message.values():
                assert "message template error" not in text, text
            if rule.lead is not None:
                assert finding.as_dict()["lead"] is True and finding.as_dict()["lead_reason"] == rule.lead


def test_festival_seasons_come_from_the_calendar():
    labels = {label: (first, last) for first, last, label in festivals.seasons()}
    assert labels["2020年中秋国庆"] == (dt.date(2020, 10, 1), dt.date(2020, 10, 8))  # 中秋 fell on 1 October
    assert labels["2020年春节"][0] == dt.date(2020, 1, 24)
    assert "2019年中秋" in labels and "2019年国庆" in labels  # 16 days apart: two seasons
    assert "2017年中秋国庆" in labels  # 中秋 (4 October) inside 国庆
    assert festivals.position(dt.date(2020, 9, 20)) == ("2020年中秋国庆", -11)
    assert festivals.position(dt.date(2020, 10, 5)) == ("2020年中秋国庆", 0)
    assert festivals.position(dt.date(2020, 2, 12)) == ("2020年春节", 10)


def test_plates_and_cities_as_ledgers_write_them():
    assert plate_key("皖P·00001") == plate_key("皖p 00001") == plate_key("皖P00001") == "皖P00001"
    assert city_key("黄山市") == city_key("黄山") == "黄山"
    assert same_city("成都市某培训中心", "成都") and not same_city("都江堰市", "成都市")


def _facts(records: dict[str, list[dict]]) -> dict[tuple[str, str], dict]:
    merged = {**{k: [dict(r) for r in v] for k, v in DEFAULT_REGISTRY.items()}, **records}
    data = dataset_from_records(merged, "test")
    assert not data.errors, data.errors
    batch = derive.unit_batch("U1", [r for r in data.records if derive.unit_of(r) == "U1"],
                              derive.Lookups(data), dt.date(2020, 12, 31), None)
    return {(f["t"], f["rid"]): f for f in batch.facts}


def test_unit_context_of_expenses_and_tolls():
    facts = _facts({
        "conference": [{"id": "C1", "unit": "U1", "start": "2020-06-10", "end": "2020-06-11", "category": 3,
                        "attendees": 20, "cost": 5000, "city": "合肥"}],
        "travel": [{"id": "TR1", "unit": "U1", "person": "P1", "depart": "2020-06-20", "return": "2020-06-22",
                    "destination": "合肥", "mode": "other", "seat_class": "other", "vehicle": "V1"}],
        "expense": [{"id": "E1", "unit": "U1", "date": "2020-06-11", "amount": 100, "invoice_category": "餐饮"},
                    {"id": "E2", "unit": "U1", "date": "2020-06-14", "amount": 100, "invoice_category": "餐饮",
                     "conference": "C1"},
                    {"id": "E3", "unit": "U1", "date": "2020-06-15", "amount": 100, "invoice_category": "餐饮"}],
        "toll": [{"id": "T1", "unit": "U1", "plate": "皖P 00001", "time": "2020-06-21 10:00", "city": "黄山市",
                  "amount": 50},
                 {"id": "T2", "unit": "U1", "plate": "皖P00001", "time": "2020-06-10 10:00", "city": "合肥市",
                  "amount": 20},
                 {"id": "T3", "unit": "U1", "plate": "皖P00001", "time": "2020-06-16 10:00", "city": "芜湖",
                  "amount": 20}],
    })
    assert facts[("expense", "E1")]["event_on_day"] is True
    assert facts[("expense", "E2")]["days_outside_event"] == 3
    assert facts[("expense", "E3")]["event_on_day"] is False
    t1 = facts[("toll", "T1")]
    assert t1["trip"] == "TR1" and t1["off_route"] is True and t1["away_unexplained"] is False
    assert facts[("toll", "T2")]["away_unexplained"] is False  # the conference was in 合肥 that day
    assert facts[("toll", "T3")]["away_unexplained"] is True


def test_places_asked_day_by_day_are_those_filed_by_day():
    """checker.facts.context `_Unit.places_on`: the first days asked are scanned for, later ones read
    from every day filed at once; both say what `places` says, on every day around the activities."""
    from checker.facts import context

    by_kind = {"travel": [{"t": "travel", "rid": f"T{n}", "depart": 100 + 3 * n, "return": 104 + 3 * n,
                           "destination": ["黄山市", "合肥", None][n % 3]} for n in range(20)],
               "conference": [{"t": "conference", "rid": "C1", "start": 110, "end": 112, "city": "芜湖"}],
               "training": [{"t": "training", "rid": "R1", "start": 150, "end": 151, "location": "宣城市某中心"}]}
    asked, filed = context._Unit(by_kind), context._Unit(by_kind)
    days = range(90, 170)
    assert len(days) > context._SCANNED
    assert [asked.places_on(day) for day in days] == [filed.places.get(day, set()) for day in days]
    assert asked._places is not None and any(asked.places_on(day) for day in days)
