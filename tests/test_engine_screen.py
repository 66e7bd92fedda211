"""The screen in front of durable-rules (checker.engine.screen) leaves out only facts the engine would
not bind: the engine finds the same matches, in the same order, with and without it; and where the
engine's semantics differ from Python's (durable-rules-notes: mixed types compare as strings, null is
carried) the screen answers "may"."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from checker.data.files import record_tables
from checker.engine import screen as screen_module
from checker.engine.durable import Engine
from checker.engine.screen import FactScreen
from checker.engine.screen_code import ABSENT, condition_test
from checker.ruleset import conditions as expr
from checker.run.check import Options, active_rules, matchers, unit_batches
from tests.engine_helpers import batch, rule
from tests.engine_helpers import matchers as matchers_of
from tests.randomdata import random_records


@pytest.mark.parametrize("seed", [4, 5])
def test_the_engine_finds_the_same_matches_in_the_same_order_with_and_without_the_screen(seed):
    options = Options(profile="speech", as_of=dt.date(2021, 2, 15), period="2020", isolate=False)
    found = matchers(active_rules(options)[0])
    batches = [b for _, b in unit_batches(record_tables(random_records(seed), "random"), options)]
    with Engine(found) as screened, Engine(found, screen=False) as plain:
        same = [plain.judge(b) == screened.judge(b) for b in batches]
        matched = sum(len(plain.judge(b)) for b in batches)
        left_out = sum(len(b.facts) - len(screened.screen.sent(b.facts)) for b in batches)
    assert all(same)
    facts = sum(len(b.facts) for b in batches)
    # the comparison means something only if many facts matched and many were left out
    assert matched > 500 and left_out > facts / 5, (matched, left_out, facts)


def _may_bind(found, record: dict) -> bool:
    return FactScreen(found).sent([record]) == [record]


GUESTS = rule("T-GUESTS", {"record": "reception", "where": ["guests > 10"]})
VENUE = rule("T-VENUE", {"record": "reception", "where": ["venue in ['club', 'bar']"]})
ALCOHOL = rule("T-ALCOHOL", {"record": "reception", "where": ["alcohol"]})
NO_LETTER = rule("T-LETTER", {"record": "reception", "where": ["official_letter is missing"]})


@pytest.mark.parametrize("active, fact, may", [
    (GUESTS, {"guests": 5}, False),
    (GUESTS, {"guests": 11}, True),
    (GUESTS, {"guests": 10.5}, True),
    (GUESTS, {}, False),  # the presence guard decides it
    (GUESTS, {"guests": None}, True),  # carried as null: left to the engine
    (GUESTS, {"guests": "9"}, True),  # a string against a number: the engine compares strings ("9" > "10")
    (GUESTS, {"guests": True}, True),  # a yes/no against a number
    (VENUE, {"venue": "hall"}, False),
    (VENUE, {"venue": "bar"}, True),
    (VENUE, {"venue": 3}, True),
    (ALCOHOL, {"alcohol": False}, False),
    (ALCOHOL, {"alcohol": True}, True),
    (ALCOHOL, {"alcohol": 1}, True),  # `1 == true` holds in the engine
    (NO_LETTER, {}, True),
    (NO_LETTER, {"official_letter": None}, True),
    (NO_LETTER, {"official_letter": "L1"}, False),
], ids=lambda value: repr(value) if isinstance(value, dict) else None)
def test_a_fact_is_left_out_only_where_the_engine_surely_does_not_bind_it(active, fact, may):
    found = matchers_of(active)
    record = {"t": "reception", "rid": "R1", "day": 737800, **fact}
    assert _may_bind(found, record) is may
    with Engine(found, screen=False) as engine:
        bound = bool(engine.judge(batch("U1", [record])))
    assert bound <= may  # never out when the engine binds it: "may" is the screen's answer then


ESCORTS = rule("T-ESCORTS", {"record": "reception", "where": ["escorts > guests / 3"]})
TANK = rule("T-TANK", {"record": "fuel", "where": ["litres > vehicle_tank_l"]})
REGISTERED = rule("T-REG", {"record": "vehicle", "where": ["registered_to != unit"]})


@pytest.mark.parametrize("active, fact, may", [
    (ESCORTS, {"t": "reception", "escorts": 2, "guests": 9}, False),
    (ESCORTS, {"t": "reception", "escorts": 4, "guests": 9}, True),
    (ESCORTS, {"t": "reception", "escorts": -1, "guests": -4}, False),  # -4 / 3 is -1 there (toward zero), not -2
    (ESCORTS, {"t": "reception", "escorts": 2, "guests": 9.0}, False),  # 9.0 / 3 is 3.0 there too
    (ESCORTS, {"t": "reception", "escorts": 2, "guests": "9"}, True),  # arithmetic on a string: left to the engine
    (ESCORTS, {"t": "reception", "escorts": 2, "guests": 1 << 63}, True),  # beyond the engine's integers
    (TANK, {"t": "fuel", "litres": 50.5, "vehicle_tank_l": 50}, True),
    (TANK, {"t": "fuel", "litres": 40, "vehicle_tank_l": 50}, False),
    (TANK, {"t": "fuel", "litres": "60", "vehicle_tank_l": 50}, True),
    (REGISTERED, {"t": "vehicle", "registered_to": "U1", "unit": "U1"}, False),
    (REGISTERED, {"t": "vehicle", "registered_to": "U2", "unit": "U1"}, True),
    (REGISTERED, {"t": "vehicle", "registered_to": 1, "unit": "U1"}, True),
], ids=lambda value: repr(value) if isinstance(value, dict) else None)
def test_fields_compared_with_each_other_or_through_arithmetic(active, fact, may):
    found = matchers_of(active)
    record = {"rid": "R1", **fact}
    assert _may_bind(found, record) is may
    with Engine(found, screen=False) as engine:
        assert bool(engine.judge(batch("U1", [record]))) <= may


@pytest.mark.parametrize("text", ["fee > 50000 * hours", "fee > hours + 1000", "fee > 70000 - hours",
                                  "fee > hours / 3", "fee > 3 * (hours + extra) - extra / 2"])
def test_the_screens_arithmetic_is_the_engines(text):
    """Integers stay integers (division toward zero), a float makes a double: the engine's results and
    the screen's agree on random values, so a fact the screen leaves out is one the engine would not bind."""
    rng = random.Random(text)
    special = [2.5, 0.1, 19.99, 1999, 100, 1e15, -0.5, -7, 7]

    def value():
        draw = rng.random()
        if draw < 0.4:
            return rng.randint(-200000, 200000)
        if draw < 0.8:
            return round(rng.uniform(-200000, 200000), rng.randint(0, 3))
        return rng.choice(special)

    facts = [{"t": "training", "rid": f"R{i}", "fee": value(), "hours": value(), "extra": value()} for i in range(400)]
    found = matchers_of(rule("T-ARITHMETIC", {"record": "training", "where": [text]}))
    screen = FactScreen(found)
    with Engine(found, screen=False) as engine:
        bound = {match.records[0][2] for match in engine.judge(batch("U1", facts))}
    may = {fact["rid"] for fact in screen.sent(facts)}
    assert bound == may  # numbers only: the screen decides exactly what the engine does
    assert 50 < len(bound) < 350


REPEAT = rule("T-REPEAT", {"join": [{"alias": "a", "record": "fuel", "where": []},
                                    {"alias": "b", "record": "fuel",
                                     "where": ["vehicle == a.vehicle", "day == a.day", "id > a.id"]}]})
TICKET = rule("T-TICKET", {"join": [{"alias": "t", "record": "travel", "where": []},
                                    {"alias": "m", "record": "expense", "where": ["scenic_ticket", "travel == t.id"]}]})
# the same key each side but no `id > a.id`: a fill may meet itself (the screen's shortcut for a part
# joined with itself on the same key keeps every fact then)
SAME_DAY = rule("T-SAME-DAY", {"join": [{"alias": "a", "record": "fuel", "where": []},
                                        {"alias": "b", "record": "fuel", "where": ["vehicle == a.vehicle",
                                                                                   "day == a.day"]}]})


def _sent_as_the_engine_judges(active, facts, sent):
    """The screen sends the facts `sent` (by id, in order), and the engine matches the same with and
    without it."""
    found = matchers_of(active)
    records = [{"t": t, "rid": rid, **fields} for t, rid, fields in facts]
    assert [f["rid"] for f in FactScreen(found).sent(records)] == sent
    with Engine(found, screen=False) as plain, Engine(found) as screened:
        assert plain.judge(batch("U1", records)) == screened.judge(batch("U1", records))


@pytest.mark.parametrize("active, facts, sent", [
    # another fill of the same vehicle on the same day: F1 and F3; F2 shares the vehicle only; F4 is alone
    (REPEAT, [("fuel", "F1", {"vehicle": "V1", "day": 1}), ("fuel", "F2", {"vehicle": "V1", "day": 2}),
              ("fuel", "F3", {"vehicle": "V1", "day": 1}), ("fuel", "F4", {"vehicle": "V2", "day": 1})], ["F1", "F3"]),
    (REPEAT, [("fuel", "F1", {"vehicle": "V1", "day": 1})], []),  # itself is no other fill
    (REPEAT, [("fuel", "F1", {"vehicle": "V1", "day": 1}), ("fuel", "F2", {"vehicle": "V1", "day": "1"})],
     ["F1", "F2"]),  # 1 and "1" are equal to the engine: a key of mixed kinds is left to it
    (TICKET, [("travel", "T1", {}), ("travel", "T2", {}), ("expense", "E1", {"scenic_ticket": True, "travel": "T2"}),
              ("expense", "E2", {"scenic_ticket": False, "travel": "T1"})], ["T2", "E1"]),
    (TICKET, [("travel", "T1", {}), ("expense", "E2", {"scenic_ticket": False, "travel": "T1"})], []),
    # a fill without its day cannot be bound (its presence guard, one comparison of its keys); null keys
    # are left to the engine
    (REPEAT, [("fuel", "F1", {"vehicle": "V1", "day": 1}), ("fuel", "F2", {"vehicle": "V1"}),
              ("fuel", "F3", {"vehicle": "V1", "day": 1})], ["F1", "F3"]),
    (REPEAT, [("fuel", "F1", {"vehicle": None, "day": 1}), ("fuel", "F2", {"vehicle": None, "day": 1}),
              ("fuel", "F3", {"vehicle": "V2", "day": None})], ["F1", "F2", "F3"]),
    (SAME_DAY, [("fuel", "F1", {"vehicle": "V1", "day": 1}), ("fuel", "F2", {"vehicle": "V2", "day": 1}),
                ("fuel", "F3", {"day": 1})], ["F1", "F2"]),
])
def test_a_join_is_sent_only_facts_that_can_meet_a_partner(active, facts, sent):
    _sent_as_the_engine_judges(active, facts, sent)


def test_a_part_joined_with_itself_has_its_candidates_made_once():
    """The shortcut `_Join.bindable` takes for REPEAT and SAME_DAY: both parts have one screen, so one
    list of candidates (TICKET's two types do not)."""
    for active, itself in ((REPEAT, True), (SAME_DAY, True), (TICKET, False)):
        (join,) = FactScreen(matchers_of(active)).joins
        assert (join.parts[0][1] is join.parts[1][1]) is itself


def test_the_mixed_types_the_screen_lets_through_are_those_the_engine_binds():
    """Pins the engine pitfall the screen steps around: "9" > 10 holds there (strings compared)."""
    record = {"t": "reception", "rid": "R1", "guests": "9"}
    with Engine(matchers_of(GUESTS), screen=False) as engine:
        assert engine.judge(batch("U1", [record]))


def test_types_the_screen_cannot_narrow_are_sent_whole():
    joined = rule("T-JOIN", {"join": [{"alias": "a", "record": "travel", "where": []},
                                      {"alias": "b", "record": "travel", "where": ["person == a.person"]}]})
    cancelled = rule("T-UNLESS", {"record": "reception", "where": ["guests > 10"],
                                  "unless": {"record": "expense", "where": ["amount > 0"]}})
    every = rule("T-EVERY", {"record": "vehicle", "where": []})
    screen = FactScreen(matchers_of(joined, cancelled, every))
    assert screen.open == {"vehicle", "expense"}  # a part with no test at all; a negated type
    assert set(screen.alone) == {"reception"}


@pytest.mark.parametrize("text", ["name > 'b'", "guests * 2 > 10", "guests > escorts + 'x'", "guests > true"])
def test_tests_the_screen_cannot_decide_count_as_true(text):
    assert condition_test(expr.parse(text)) is None


def test_absent_is_not_none():
    assert ABSENT is not None and _may_bind(matchers_of(NO_LETTER), {"t": "reception"})


OVERLAP = rule("T-OVERLAP", {"join": [{"alias": "a", "record": "travel", "where": []},
                                      {"alias": "b", "record": "travel",
                                       "where": ["person == a.person", "id > a.id", "depart <= a.return",
                                                 "return >= a.depart"]}]})
LATER = rule("T-LATER", {"join": [{"alias": "a", "record": "travel", "where": []},  # no equality: one group
                                  {"alias": "b", "record": "travel", "where": ["depart > a.return"]}]})


AFTER = rule("T-AFTER", {"join": [{"alias": "t", "record": "travel", "where": []},
                                  {"alias": "e", "record": "expense", "where": ["travel == t.id", "day > t.return"]}]})


def _trip(rid: str, person: str, depart: object, back: object) -> tuple[str, str, dict[str, object]]:
    return "travel", rid, {"person": person, "depart": depart, "return": back}


@pytest.mark.parametrize("active, facts, sent", [
    # T1 and T3 overlap; T2 (same person, later) and T4 (another person, same days) meet no partner
    (OVERLAP, [_trip("T1", "P1", 10, 14), _trip("T2", "P1", 20, 22), _trip("T3", "P1", 13, 15),
               _trip("T4", "P2", 10, 14)], ["T1", "T3"]),
    (OVERLAP, [_trip("T1", "P1", 10, 14)], []),  # a trip overlaps itself, but is no other trip
    (OVERLAP, [_trip("T1", "P1", 10, 14), _trip("T2", "P1", 12.5, 22)], ["T1", "T2"]),  # numbers of both kinds
    # a day as a string: the engine compares strings ("9" <= 14 is false there, "20" <= 14 true): left to it
    (OVERLAP, [_trip("T1", "P1", 10, 14), _trip("T2", "P1", "20", 22)], ["T1", "T2"]),
    (LATER, [_trip("T1", "P1", 10, 14), _trip("T2", "P2", 20, 22), _trip("T3", "P3", 12, 13)], ["T1", "T2", "T3"]),
    (LATER, [_trip("T1", "P1", 10, 14), _trip("T3", "P3", 12, 13)], []),
    # two types (their pairs are tested by key, the trip's expenses): E1 is after T1's return, E2 not,
    # E3 on T2's day of return; E4's trip is another
    (AFTER, [_trip("T1", "P1", 10, 14), _trip("T2", "P1", 18, 20),
             ("expense", "E1", {"travel": "T1", "day": 15}), ("expense", "E2", {"travel": "T1", "day": 12}),
             ("expense", "E3", {"travel": "T2", "day": 20}), ("expense", "E4", {"travel": "T9", "day": 30})],
     ["T1", "E1"]),
])
def test_a_join_is_sent_only_facts_that_pass_its_other_tests_with_a_partner(active, facts, sent):
    """Beyond the key: the comparisons between the two parts' fields, tested for each pair sharing it."""
    _sent_as_the_engine_judges(active, facts, sent)


def test_a_fact_with_more_partners_than_are_paired_takes_them_all(monkeypatch):
    """The pairs' cost is bounded: past PAIRS_PER_FACT partners sharing a key, a fact and they are sent untested."""
    records = [{"t": t, "rid": rid, **fields} for t, rid, fields in
               [_trip("T1", "P1", 10, 14), _trip("T2", "P1", 20, 22), _trip("T3", "P1", 30, 32),
                _trip("T4", "P2", 10, 14), _trip("T5", "P2", 13, 15)]]
    found = matchers_of(OVERLAP)
    assert [f["rid"] for f in FactScreen(found).sent(records)] == ["T4", "T5"]
    monkeypatch.setattr(screen_module, "PAIRS_PER_FACT", 2)  # P1's three trips: more than 2 each
    assert [f["rid"] for f in FactScreen(found).sent(records)] == ["T1", "T2", "T3", "T4", "T5"]
    with Engine(found, screen=False) as plain, Engine(found) as screened:
        assert plain.judge(batch("U1", records)) == screened.judge(batch("U1", records))


def test_merged_bounds_and_shared_prefixes_decide_what_the_engine_does():
    """A field's bounds and `!=` strings are one test, parts beginning alike share their first tests
    (checker.engine.screen_code): on values of every kind the screen still lets through all the engine binds."""
    rules = [rule("T-RANGE-A", {"record": "travel", "where": ["person_rank_level >= 1", "person_rank_level <= 5",
                                                              "seat_class in ['first', 'business']"]}),
             rule("T-RANGE-B", {"record": "travel", "where": ["person_rank_level >= 1", "person_rank_level <= 5",
                                                              "destination != 'X'", "destination != 'Y'"]}),
             rule("T-RANGE-C", {"record": "travel", "where": ["person_rank_level > 6", "person_rank_level != 8"]})]
    found = matchers_of(*rules)
    source = FactScreen(found).alone["travel"].source
    assert source.count("person_rank_level >= 1") == 1 and "not in {'X', 'Y'}" in source
    rng = random.Random(7)
    values = [0, 1, 3, 5, 6, 7, 8, 9, 5.5, "3", True, "X", "Y", "Z", "first", "coach"]
    facts = [{"t": "travel", "rid": f"R{i}", "person_rank_level": rng.choice(values),
              "seat_class": rng.choice(values), "destination": rng.choice(values)} for i in range(400)]
    with Engine(found, screen=False) as engine:
        bound = {match.records[0][2] for match in engine.judge(batch("U1", facts))}
    may = {fact["rid"] for fact in FactScreen(found).sent(facts)}
    assert bound <= may and len(bound) > 50 and len(may) < 400
