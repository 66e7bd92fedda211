"""`lianjian rules test`: every rule's examples through the real engine.

Each example is a small data set. Missing registry entries are filled with a default unit `U1`,
person `P1` and vehicle `V1`, so an example only writes what matters to the rule.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from checker.data import validate
from checker.data.load import dataset_from_records
from checker.engine import durable as engine
from checker.facts import derive, obligations
from checker.facts.audit_period import data_span
from checker.ruleset import matchers as compiler
from checker.ruleset.catalogue import activate, load_profile, load_rules
from checker.ruleset.schema import Example, Rule
from checker.verdict import findings

DEFAULT_REGISTRY: dict[str, list[dict[str, Any]]] = {
    "unit": [{"id": "U1", "name": "示例单位", "level": "municipal", "org_kind": "party_group", "region": "北京",
              "staffing_quota": 20, "leadership_quota": 4, "vehicle_quota": 3}],
    "person": [{"id": "P1", "name": "示例人员", "unit": "U1", "rank": "staff"}],
    "vehicle": [{"id": "V1", "unit": "U1", "plate": "皖P·00001", "kind": "other", "tank_l": 60, "fuel": "petrol",
                 "registered_to": "U1", "price": 150000, "displacement_l": 1.6}],
}


@dataclass
class ExampleResult:
    rule: str
    kind: str  # "fire" | "pass"
    index: int
    ok: bool
    detail: str


def _with_registry(records: dict[str, list[dict[str, Any]]]) -> dict[str, list[dict[str, Any]]]:
    merged = {k: list(v) for k, v in records.items()}
    for record_type, defaults in DEFAULT_REGISTRY.items():
        if record_type not in merged:
            merged[record_type] = [dict(d) for d in defaults]
    units = {u["id"] for u in merged["unit"]}
    for record_type in ("person", "vehicle"):
        merged[record_type] = [r for r in merged[record_type] if r.get("unit") in units] or merged[record_type]
    return merged


def run_example(rule: Rule, example: Example, rules_dir: Path | None = None) -> tuple[list[str], str | None]:
    """Fingerprints of the rule's findings on this example, or an explanation why it could not run."""
    data = validate.check(dataset_from_records(_with_registry(example.records), f"{rule.id}-example"))
    errors = [str(e) for e in data.errors if e.level == "error"]
    if errors:
        return [], "example data is invalid: " + "; ".join(errors[:3])
    active = activate([rule], load_profile(example.profile or "central", rules_dir))[0]
    if active.skipped:
        return [], f"rule does not run under profile {example.profile or 'central'}: {active.skipped}"
    days = [d for d in (derive.record_date(r) for r in data.records) if d]
    as_of = example.as_of or (max(days) + dt.timedelta(days=60) if days else dt.date(2020, 12, 31))
    span = data_span(data, as_of)
    batches = derive.batches(data, as_of, span)
    obligations.add_obligations(batches, data, [active], span, as_of)
    found = compiler.matchers([active])
    matches = engine.evaluate(found, list(batches.values()))
    result = findings.build(matches, batches, {rule.id: active}, data)
    return [f.message["en"] for f in result], None


def test_rule(rule: Rule, rules_dir: Path | None = None) -> list[ExampleResult]:
    results = []
    if not rule.examples.fire:
        results.append(ExampleResult(rule.id, "fire", 0, False, "no example that must fire"))
    if not rule.examples.not_fire:
        results.append(ExampleResult(rule.id, "pass", 0, False, "no example that must not fire"))
    for kind, examples in (("fire", rule.examples.fire), ("pass", rule.examples.not_fire)):
        for index, example in enumerate(examples, start=1):
            messages, problem = run_example(rule, example, rules_dir)
            if problem:
                results.append(ExampleResult(rule.id, kind, index, False, problem))
                continue
            ok = bool(messages) if kind == "fire" else not messages
            detail = "; ".join(messages) if messages else "no finding"
            results.append(ExampleResult(rule.id, kind, index, ok, detail))
    return results


def test_rule_by_id(rule_id: str, rules_dir: Path | None = None) -> list[ExampleResult]:
    """`test_rule` for a fresh interpreter (a spawned process), which has only the rule's id."""
    return test_rule(next(rule for rule in load_rules(rules_dir) if rule.id == rule_id), rules_dir)


@dataclass
class RulesRun:
    results: dict[str, list[ExampleResult]] = field(default_factory=dict)
    retried: set[str] = field(default_factory=set)  # crashed the engine in a worker, ran in a fresh interpreter
    crashed: set[str] = field(default_factory=set)  # crashed it there too


def test_rules(rules: list[Rule], rules_dir: Path | None, workers: int) -> RulesRun:
    """Every rule's examples, in `workers` forked processes with the check's crash isolation. The
    workers hold no engine of their own (each example makes its own): an idle ruleset alive beside
    them made the engine crash more often. The engine's crashes follow memory layout, not a rule
    (bench/RESULTS.md), so a rule that crashed it in a worker, alone too, is run once more in a
    fresh interpreter, where a crash that follows the rule comes back."""
    from checker.run.processes import run_units

    by_id = {rule.id: rule for rule in rules}
    run = RulesRun()
    crashed = run_units(lambda _engine, rule_id: test_rule(by_id[rule_id], rules_dir), None,
                        [[rule.id] for rule in rules], workers, run.results.__setitem__)
    for rule_id in crashed:
        with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as fresh:
            try:
                run.results[rule_id] = fresh.submit(test_rule_by_id, rule_id, rules_dir).result()
                run.retried.add(rule_id)
            except BrokenProcessPool:
                run.crashed.add(rule_id)
    return run
