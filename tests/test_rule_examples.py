"""Every example of every rule is its own test, named `RULE-fire-<description>` or `RULE-pass-<n>`
(as sqlfluff reads its std_rule_cases YAML into test ids): `pytest -k EP-REC-ESCORTS` runs one rule's.

The examples of the selected rules are judged once per session, through the one run, in worker
processes with the crash isolation of `lianjian rules test` (an engine crash fails the rule whose
examples crashed it in a fresh interpreter too, by name); each test then checks its own example.
"""

from __future__ import annotations

import pytest

from checker.ruleset.catalogue import load_rules
from checker.ruleset.schema import Rule
from checker.run.examples import judge_example, judge_rules
from checker.run.processes import default_workers

RULES = {rule.id: rule for rule in load_rules()}


def _cases() -> list:
    cases, seen = [], set()
    for rule in RULES.values():
        for kind, examples in (("fire", rule.examples.fire), ("pass", rule.examples.not_fire)):
            if not examples:
                cases.append(pytest.param(rule.id, kind, 0, id=f"{rule.id}-{kind}-missing"))
            for index, example in enumerate(examples, start=1):
                name = f"{rule.id}-{example.name(kind, index)}"
                if name in seen:
                    name = f"{name}-{index}"
                seen.add(name)
                cases.append(pytest.param(rule.id, kind, index, id=name))
    return cases


@pytest.fixture(scope="session")
def judged(request):
    import threading

    # The examples are judged in forked workers: a thread alive here (a Dask client's loop, a reader
    # of a pseudo-terminal) may hold a lock at the fork and hang the child. Say so instead of hanging.
    others = [t.name for t in threading.enumerate() if t is not threading.main_thread()]
    assert not others, f"threads alive before forking the rule-example workers: {others}"
    selected = {item.callspec.params["rule_id"] for item in request.session.items
                if item.originalname == "test_rule_example"}
    outcome = judge_rules([RULES[rule_id] for rule_id in sorted(selected)], None, default_workers())
    return outcome


@pytest.mark.parametrize("rule_id, kind, index", _cases())
def test_rule_example(rule_id: str, kind: str, index: int, judged) -> None:
    assert rule_id not in judged.crashed, "the rule engine crashed on this rule's examples, in a fresh process too"
    result = next(r for r in judged.results[rule_id] if r.kind == kind and r.index == index)
    assert result.ok, result.detail


def _rule_with(fire: dict) -> Rule:
    return Rule.model_validate({
        "id": "T-ESCORTS", "title": {"zh": "陪餐超标", "en": "escorts"}, "severity": "medium",
        "discipline": "eight_point.reception", "citation": {"regulation": "test"},
        "message": {"zh": "陪餐{escorts}人", "en": "{escorts} escorts"},
        "match": {"record": "reception", "where": ["escorts > 3"]},
        "examples": {"fire": [fire], "pass": []}})


RECEPTIONS = {"reception": [
    {"id": "R1", "unit": "U1", "date": "2020-03-02", "guest_unit": "A", "guests": 4, "escorts": 5},
    {"id": "R2", "unit": "U1", "date": "2020-03-03", "guest_unit": "A", "guests": 4, "escorts": 2}]}


@pytest.mark.parametrize("fire, ok", [
    ({"records": RECEPTIONS}, True),
    ({"records": RECEPTIONS, "fires_on": ["R1"]}, True),
    ({"records": RECEPTIONS, "fires_on": ["R2"]}, False),  # names the wrong record
    ({"records": RECEPTIONS, "fires_on": ["R1", "R2"]}, False),  # more than fired
    ({"records": RECEPTIONS, "message_has": "陪餐5人"}, True),
    ({"records": RECEPTIONS, "message_has": "陪餐2人"}, False),
], ids=["fires", "fires-on-R1", "wrong-record", "too-many-records", "message-has", "wrong-message"])
def test_an_example_pins_the_records_and_the_message(fire: dict, ok: bool) -> None:
    rule = _rule_with(fire)
    assert judge_example(rule, rule.examples.fire[0], "fire", 1).ok is ok
