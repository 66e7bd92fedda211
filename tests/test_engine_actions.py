"""How the durable adapter sends facts and collects matches, pinned against the plain way: a
single-record rule's matches many to an action (`cap`), facts as orjson text, negated types first."""

from __future__ import annotations

import pytest
from pydantic_core import to_json

from checker.engine import durable
from checker.engine.durable import Engine, durable_ruleset, fact_json, in_assertion_order
from tests.engine_helpers import batch, matchers, rule

SINGLE = rule("T-BIG", {"record": "expense", "where": ["amount > 100"]})
OTHER = rule("T-RECEPTION", {"record": "reception", "where": ["guests > 2"]})
JOIN = rule("T-SAME-PERSON", {"join": [{"as": "a", "record": "travel"},
                                       {"as": "b", "record": "travel", "where": ["person == a.person", "n > a.n"]}]})
UNLESS = rule("T-NO-MEETING", {"record": "expense", "where": ["amount > 500"],
                               "unless": {"as": "x", "record": "meeting", "where": ["id == m.decision"]}})


def _facts() -> list[dict]:
    facts = []
    for i in range(12):
        facts.append({"t": "expense", "rid": f"E{i}", "amount": 50 * i, "decision": f"M{i % 3}"})
        facts.append({"t": "reception", "rid": f"R{i}", "guests": i % 5})
        facts.append({"t": "travel", "rid": f"T{i}", "person": f"P{i % 2}", "n": i % 4})
    return [*facts, {"t": "meeting", "rid": "M1"}]


def _judge(found, units: int = 2) -> list:
    with Engine(found) as engine:
        return [engine.judge(batch(f"U{u}", _facts())) for u in range(units)]


def test_single_record_rules_take_their_matches_many_to_an_action_and_joins_one_by_one():
    definition, _ = durable_ruleset(matchers(SINGLE, JOIN, UNLESS))
    assert definition["T-BIG#0"]["cap"] == durable.MATCHES_PER_ACTION
    assert "cap" not in definition["T-SAME-PERSON#0"] and "cap" not in definition["T-NO-MEETING#0"]


def test_engine_gives_capped_matches_as_a_list_in_the_order_it_fires_them_one_by_one(run_python):
    proc = run_python("""
import json, durable_rules_engine as e
for cap in (0, 2):
    rules = {"r1": {"all": [{"m": {"t": "a"}}]}, "r2": {"all": [{"m": {"$and": [{"t": "a"}, {"$gt": {"x": 1}}]}}]}}
    if cap:
        rules["r1"]["cap"] = rules["r2"]["cap"] = cap
    h = e.create_ruleset(f"cap{cap}", json.dumps(rules))
    facts = [{"sid": "s", "id": str(i), "t": "a", "x": i} for i in range(5)]
    code, state = e.assert_facts(h, json.dumps(facts))
    message, fired = e.start_action_for_state(h, state)[1], []
    while message:
        for name, bound in json.loads(message).items():
            frames = bound if isinstance(bound, list) else [bound]
            fired.append((name, len(frames) if isinstance(bound, list) else 0, [f["m"]["id"] for f in frames]))
        message = e.complete_and_start_action(h, state)
    print(json.dumps(fired))
""")
    plain, capped = (__import__("json").loads(line) for line in proc.stdout.split("\n")[:2])
    assert all(count == 0 for _, count, _ in plain), proc.stderr  # without cap: one match, one dict, an action
    assert [count for _, count, _ in capped] == [2, 2, 1, 2, 1]  # with cap 2: lists of up to 2
    flatten = lambda fired: [(name, i) for name, _, ids in fired for i in ids]  # noqa: E731
    assert flatten(capped) == flatten(plain)


@pytest.mark.parametrize("cap", [1, 3, 1000])
def test_matches_collected_many_to_an_action_equal_those_collected_one_by_one(monkeypatch, cap):
    found = matchers(SINGLE, OTHER, JOIN, UNLESS)
    monkeypatch.setattr(durable, "MATCHES_PER_ACTION", cap)
    capped = _judge(found)
    original = durable.durable_ruleset

    def uncapped(found_):
        definition, names = original(found_)
        return {name: {k: v for k, v in body.items() if k != "cap"} for name, body in definition.items()}, names

    monkeypatch.setattr(durable, "durable_ruleset", uncapped)
    plain = _judge(found)
    assert capped == plain
    assert {m.rule_id for m in plain[0]} == {"T-BIG", "T-RECEPTION", "T-SAME-PERSON", "T-NO-MEETING"}
    assert len(plain[0]) > 3 * cap or cap == 1000


def test_fact_json_writes_what_pydantic_writes_and_falls_back_on_what_orjson_refuses():
    payloads = [{"t": "expense", "rid": "E-1", "amount": 12_345, "ratio": 0.1, "big": 1e16, "tiny": 5e-324,
                 "ok": True, "none": None, "text": 'a"\\\n\t\x7f\u2028/é中', "list": ["x", ("y", 2)]},
                [{"t": "a", "n": -2**63}, {"t": "b", "n": 2**63 - 1}],
                {"t": "x", "huge": 2**70}]  # beyond 64 bits: orjson refuses it, pydantic writes it
    for payload in payloads:
        assert fact_json(payload) == to_json(payload).decode()


def test_negated_types_go_first_and_each_group_keeps_input_order():
    facts = [{"t": "expense", "rid": "E1"}, {"t": "meeting", "rid": "M1"}, {"t": "expense", "rid": "E2"},
             {"t": "meeting", "rid": "M2"}]
    with Engine(matchers(UNLESS)) as engine:
        assert [f["rid"] for f in in_assertion_order(facts, engine.negated)] == ["M1", "M2", "E1", "E2"]
    with Engine(matchers(SINGLE)) as engine:
        ordered = in_assertion_order(facts, engine.negated)
        assert ordered == facts


def test_engine_gives_a_full_action_of_wide_facts_whole(run_python):
    """A thousand matches of wide facts (40 fields of Chinese text, about 1.5 kB each) in one message:
    all of them arrive, in actions of `MATCHES_PER_ACTION`."""
    proc = run_python(f"""
import json, durable_rules_engine as e
h = e.create_ruleset("wide", json.dumps({{"r": {{"all": [{{"m": {{"t": "a"}}}}], "cap": {durable.MATCHES_PER_ACTION}}}}}))
facts = [{{"sid": "s", "id": str(i), "t": "a", **{{f"f{{k}}": "值" * 30 + str(i) for k in range(40)}}}} for i in range(2500)]
for start in range(0, len(facts), 500):
    code, state = e.assert_facts(h, json.dumps(facts[start:start + 500], ensure_ascii=False))
message, sizes = e.start_action_for_state(h, state)[1], []
while message:
    sizes.append(len(json.loads(message)["r"]))
    message = e.complete_and_start_action(h, state)
print(json.dumps(sizes))
""")
    assert proc.stdout.strip() == "[1000, 1000, 500]", proc.stdout + proc.stderr
