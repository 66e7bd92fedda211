"""The screen in front of durable-rules (checker.engine.screen) leaves out only facts the engine would
not bind: the engine finds the same matches, in the same order, with and without it; and where the
engine's semantics differ from Python's (durable-rules-notes: mixed types compare as strings, null is
carried) the screen answers "may"."""

from __future__ import annotations

import datetime as dt

import pytest

from checker.data.files import record_tables
from checker.engine.durable import Engine
from checker.engine.screen import ABSENT, condition_test, screens
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
        left_out = sum(1 for b in batches for f in b.facts if _screened_out(screened, f))
    assert all(same)
    facts = sum(len(b.facts) for b in batches)
    # the comparison means something only if many facts matched and many were left out
    assert matched > 500 and left_out > facts / 5, (matched, left_out, facts)


def _screened_out(engine: Engine, fact: dict) -> bool:
    sent = engine.fields_of.get(fact["t"])
    return sent is not None and sent[1] is not None and not sent[1](fact)


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
    assert screens(found)["reception"](record) is may
    with Engine(found, screen=False) as engine:
        bound = bool(engine.judge(batch("U1", [record])))
    assert bound <= may  # never out when the engine binds it: "may" is the screen's answer then


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
    made = screens(matchers_of(joined, cancelled, every))
    assert "vehicle" not in made  # a part with no test at all: every fact may bind
    assert "expense" not in made  # negated: its presence alone cancels
    assert "reception" in made
    # a join's part is screened by its own tests only: here the presence of the field the other part reads
    assert made["travel"]({"t": "travel", "person": "P1"}) and not made["travel"]({"t": "travel"})


@pytest.mark.parametrize("text", ["name > 'b'", "guests > escorts", "guests * 2 > 10", "guests + 1 > 10"])
def test_tests_the_screen_cannot_decide_count_as_true(text):
    assert condition_test(expr.parse(text)) is None


def test_absent_is_not_none():
    assert ABSENT is not None and screens(matchers_of(NO_LETTER))["reception"]({"t": "reception"}) is True
