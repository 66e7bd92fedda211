"""The condition language of rule files, table by table: what parses (and into what), what is
refused with which message, how missing values and arithmetic behave in the reference semantics,
and which forms the durable-rules compiler accepts or refuses (and what it emits)."""

from __future__ import annotations

import datetime as dt

import pytest

from checker.engine.durable import to_durable
from checker.ruleset import conditions as expr
from checker.ruleset.conditions import BinOp, Cond, Const, ExprError, Field, Param

PARSED = [
    ("escorts > 3", Cond("cmp", Field("escorts"), ">", Const(3))),
    ("escorts > guests / 3", Cond("cmp", Field("escorts"), ">", BinOp("/", Field("guests"), Const(3)))),
    ("a + b * 2 >= 10", Cond("cmp", BinOp("+", Field("a"), BinOp("*", Field("b"), Const(2))), ">=", Const(10))),
    ("(a + b) * 2 >= 10", Cond("cmp", BinOp("*", BinOp("+", Field("a"), Field("b")), Const(2)), ">=", Const(10))),
    ("venue in ['private_club', 'entertainment']",
     Cond("in", Field("venue"), "in", [Const("private_club"), Const("entertainment")])),
    ("kind in $kinds", Cond("in", Field("kind"), "in", Param("kinds"))),
    ("decision is missing", Cond("missing", Field("decision"))),
    ("decision is present", Cond("present", Field("decision"))),
    ("decision is not missing", Cond("present", Field("decision"))),
    ("alcohol", Cond("truthy", Field("alcohol"))),
    ("not approved", Cond("falsy", Field("approved"))),
    ("person == a.person", Cond("cmp", Field("person"), "==", Field("person", "a"))),
    ("day >= 2017-09-01", Cond("cmp", Field("day"), ">=", Const(dt.date(2017, 9, 1).toordinal()))),
    ("hotel_per_night > $cap", Cond("cmp", Field("hotel_per_night"), ">", Param("cap"))),
    ("cost > $row.cap", Cond("cmp", Field("cost"), ">", Param("row.cap"))),
    ("ratio < 0.5", Cond("cmp", Field("ratio"), "<", Const(0.5))),
    ("kind == 'wedding'", Cond("cmp", Field("kind"), "==", Const("wedding"))),
    ("flag == true", Cond("cmp", Field("flag"), "==", Const(True))),
]


@pytest.mark.parametrize("text, tree", PARSED, ids=[t for t, _ in PARSED])
def test_parses(text, tree):
    assert expr.parse(text) == tree


REFUSED = [
    ("escorts >", "expected more"),
    ("escorts > 3 4", "unexpected '4'"),
    ("escorts ~ 3", "cannot read"),
    ("x is maybe", "expected 'is missing' or 'is present'"),
    ("venue in ['a', 'b'", "expected ]"),
    ("(a + b > 3", "expected )"),
    ("in > 3", "unexpected 'in'"),
]


@pytest.mark.parametrize("text, message", REFUSED, ids=[t for t, _ in REFUSED])
def test_refuses_with_a_message(text, message):
    with pytest.raises(ExprError, match=message.replace("(", r"\(").replace(")", r"\)").replace("]", r"\]")):
        expr.parse(text)


FACT = {"escorts": 5, "guests": 12, "venue": "hotel", "approved": False, "alcohol": True, "zero": 0,
        "person": "P1", "note": None}
HOLDS = [
    ("escorts > guests / 3", True),  # 12 / 3 = 4
    ("escorts > 13 / 3", True),  # integer division truncates: 4
    ("escorts > 16 / 3", False),  # 5
    ("-7 / 2 == -3", None),  # a constant on the left is not a field: see ENGINE_REFUSES
    ("venue in ['hotel', 'restaurant']", True),
    ("venue in ['canteen']", False),
    ("not approved", True),
    ("alcohol", True),
    ("missing_field > 3", False),  # any comparison with a missing value is false ...
    ("missing_field != 3", False),  # ... including !=
    ("missing_field is missing", True),
    ("note is missing", True),  # null is missing
    ("note == 'x'", False),
    ("missing_field + 1 > 0", False),  # arithmetic with a missing value is missing
    ("not missing_field", False),  # a yes/no test of a missing field is neither
    ("missing_field", False),
    ("venue > 3", False),  # mixed types compare false, not a crash
    ("person == a.person", True),
    ("person == b.person", False),  # an alias that is not joined is missing
]


@pytest.mark.parametrize("text, result", [h for h in HOLDS if h[1] is not None], ids=[h[0] for h in HOLDS if h[1] is not None])
def test_reference_semantics(text, result):
    assert expr.holds(expr.parse(text), FACT, {"a": {"person": "P1"}}) is result


def test_binding_folds_constants_and_checks_parameters():
    bound = expr.bind(expr.parse("cost > $quota * 116"), {"quota": 550})
    assert bound == Cond("cmp", Field("cost"), ">", Const(63800)), "the engine cannot multiply two constants"
    assert expr.bind(expr.parse("day >= $from"), {"from": "2017-09-01"}).right == Const(736573)
    with pytest.raises(ExprError, match="unknown parameter"):
        expr.bind(expr.parse("cost > $nope"), {})
    with pytest.raises(ExprError, match="must be a list"):
        expr.bind(expr.parse("kind in $kinds"), {"kinds": "wedding"})
    with pytest.raises(ExprError, match="division by zero"):
        expr.bind(expr.parse("cost > 100 / $zero"), {"zero": 0})


ENGINE_FORMS = [
    ("escorts > 3", {"$gt": {"escorts": 3}}),
    ("escorts == 3", {"escorts": 3}),
    ("3 < escorts", {"$gt": {"escorts": 3}}),  # flipped so the record's own field is on the left
    ("escorts > guests / 3", {"$gt": {"escorts": {"$div": {"$l": {"$m": "guests"}, "$r": 3}}}}),
    ("venue in ['a', 'b']", {"$or": [{"venue": "a"}, {"venue": "b"}]}),
    ("venue in ['a']", {"venue": "a"}),
    ("decision is missing", {"$nex": {"decision": 1}}),
    ("alcohol", {"alcohol": True}),
    ("not approved", {"approved": False}),
    ("person == a.person", {"person": {"a": "person"}}),
]


@pytest.mark.parametrize("text, form", ENGINE_FORMS, ids=[t for t, _ in ENGINE_FORMS])
def test_durable_form(text, form):
    assert to_durable(expr.parse(text), "m") == form


ENGINE_REFUSES = [
    ("escorts > guests / days", "divide only by a non-zero constant"),  # SIGFPE on a zero divisor
    ("a.x > 3", "one side of a comparison must be a plain field of this record"),
    ("a.kind in ['x']", "'in' applies to a field of this record"),
    ("a.note is missing", "'is missing' applies to a field of this record"),
    ("-7 / 2 == -3", "one side of a comparison must be a plain field"),
]


@pytest.mark.parametrize("text, message", ENGINE_REFUSES, ids=[t for t, _ in ENGINE_REFUSES])
def test_durable_refuses_what_the_engine_cannot_do_safely(text, message):
    with pytest.raises(ExprError, match=message):
        to_durable(expr.parse(text), "m")
