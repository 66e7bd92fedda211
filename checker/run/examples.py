"""`lianjian rules test` and the rule-example tests: every rule's examples through the one run.

Each example is a small data set. Missing registry entries are filled with a default unit `U1`,
person `P1` and vehicle `V1`, so an example only writes what matters to the rule. A firing example
must produce a finding (about exactly the records in `fires_on`, when it names them, with
`message_has` in each message); a passing example must produce none.
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
from checker.data.files import record_tables
from checker.data.load import dataset_from_records
from checker.facts.derive import record_date
from checker.ruleset.catalogue import activate, load_profile, load_rules
from checker.ruleset.schema import Example, Rule
from checker.run.check import Options, run
from checker.verdict.findings import Finding

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
    name: str = ""  # the example's test id (see Example.name)


def _with_registry(records: dict[str, list[dict[str, Any]]]) -> dict[str, list[dict[str, Any]]]:
    merged = {k: list(v) for k, v in records.items()}
    for record_type, defaults in DEFAULT_REGISTRY.items():
        if record_type not in merged:
            merged[record_type] = [dict(d) for d in defaults]
    units = {u["id"] for u in merged["unit"]}
    for record_type in ("person", "vehicle"):
        merged[record_type] = [r for r in merged[record_type] if r.get("unit") in units] or merged[record_type]
    return merged


def _as_of(example: Example, days: list[dt.date]) -> dt.date:
    """The example's as-of date: its own, or 60 days after its last record (31 Dec 2020 if it has none)."""
    return example.as_of or (max(days) + dt.timedelta(days=60) if days else dt.date(2020, 12, 31))


def example_days(rule: Rule, example: Example) -> list[dt.date]:
    """The dates the example's records of the rule's own record type are judged on (a registry
    record, which has no date, on the as-of date), for `rules lint`'s 'an example in every edition'."""
    match = rule.match
    record = match.join[-1].record if match.join else match.record
    every = [d for rows in example.records.values() for r in rows if (d := _raw_date(r)) is not None]
    if record in ("unit", "person", "vehicle"):
        return [_as_of(example, every)]
    if record in ("unit_stats", "pattern"):  # derived from the example's records: dated by them
        return every
    return [d for r in example.records.get(record, []) if (d := _raw_date(r, record)) is not None]


def _raw_date(row: dict[str, Any], record_type: str | None = None) -> dt.date | None:
    from checker.data.models import DATE_FIELD

    names = [DATE_FIELD[record_type]] if record_type in DATE_FIELD else list(dict.fromkeys(DATE_FIELD.values()))
    for name in names:
        value = row.get(name)
        if value is not None:
            if isinstance(value, dt.datetime):
                return value.date()
            if isinstance(value, dt.date):
                return value
            try:
                return dt.date.fromisoformat(str(value)[:10])
            except ValueError:
                continue
    return None


def run_example(rule: Rule, example: Example, rules_dir: Path | None = None) -> tuple[list[Finding], str | None]:
    """The rule's findings on this example, or an explanation why it could not run."""
    records = _with_registry(example.records)
    source = f"{rule.id}-example"
    data = validate.check(dataset_from_records(records, source))
    errors = [str(e) for e in data.errors if e.level == "error"]
    if errors:
        return [], "example data is invalid: " + "; ".join(errors[:3])
    chain = load_profile(example.profile or "central", rules_dir)
    active = activate([rule], chain)
    if active[0].skipped:
        return [], f"rule does not run under profile {example.profile or 'central'}: {active[0].skipped}"
    days = [d for d in (record_date(r) for r in data.records) if d]
    as_of = _as_of(example, days)
    # The audit period: the example's own, or from 1 January of its first record's year to the as-of date
    period = example.period or f"{dt.date(min(days).year if days else as_of.year, 1, 1)}..{as_of}"
    # isolate=False: `rules test` and the example tests already run each rule in a worker of its own
    result = run(record_tables(records, source), Options(as_of=as_of, period=period, isolate=False),
                 rules=(active, chain))
    return list(result.findings), None


def judge_example(rule: Rule, example: Example, kind: str, index: int, rules_dir: Path | None = None) -> ExampleResult:
    name = example.name(kind, index)
    found, problem = run_example(rule, example, rules_dir)
    if problem:
        return ExampleResult(rule.id, kind, index, False, problem, name)
    detail = "; ".join(f.message["en"] for f in found) if found else "no finding"
    if kind == "pass":
        return ExampleResult(rule.id, kind, index, not found, detail, name)
    if not found:
        return ExampleResult(rule.id, kind, index, False, "no finding", name)
    named = sorted({r["id"] for f in found for r in f.records})
    if example.fires_on is not None and named != sorted(example.fires_on):
        return ExampleResult(rule.id, kind, index, False,
                             f"fired on {named}, expected {sorted(example.fires_on)}: {detail}", name)
    if example.message_has and not all(example.message_has in f.message["zh"] or example.message_has in f.message["en"]
                                       for f in found):
        return ExampleResult(rule.id, kind, index, False, f"no message says {example.message_has!r}: {detail}", name)
    if example.cites:
        cited = [" ".join(str(f.citation.get(k) or "") for k in ("regulation", "article", "edition")) for f in found]
        if not all(example.cites in text for text in cited):
            return ExampleResult(rule.id, kind, index, False, f"cites {cited}, expected {example.cites!r}", name)
    return ExampleResult(rule.id, kind, index, True, detail, name)


def judge_rule(rule: Rule, rules_dir: Path | None = None) -> list[ExampleResult]:
    results = []
    if not rule.examples.fire:
        results.append(ExampleResult(rule.id, "fire", 0, False, "no example that must fire", "fire-missing"))
    if not rule.examples.not_fire:
        results.append(ExampleResult(rule.id, "pass", 0, False, "no example that must not fire", "pass-missing"))
    for kind, examples in (("fire", rule.examples.fire), ("pass", rule.examples.not_fire)):
        for index, example in enumerate(examples, start=1):
            results.append(judge_example(rule, example, kind, index, rules_dir))
    return results


def judge_rule_by_id(rule_id: str, rules_dir: Path | None = None) -> list[ExampleResult]:
    """`judge_rule` for a fresh interpreter (a spawned process), which has only the rule's id."""
    return judge_rule(next(rule for rule in load_rules(rules_dir) if rule.id == rule_id), rules_dir)


@dataclass
class RulesRun:
    results: dict[str, list[ExampleResult]] = field(default_factory=dict)
    retried: set[str] = field(default_factory=set)  # crashed the engine in a worker, ran in a fresh interpreter
    crashed: set[str] = field(default_factory=set)  # crashed it there too


def judge_rules(rules: list[Rule], rules_dir: Path | None, workers: int) -> RulesRun:
    """Every rule's examples, in `workers` forked processes with the check's crash isolation. The
    workers hold no engine of their own (each example makes its own): an idle ruleset alive beside
    them made the engine crash more often. The engine's crashes follow memory layout, not a rule
    (bench/RESULTS.md), so a rule that crashed it in a worker, alone too, is run once more in a
    fresh interpreter, where a crash that follows the rule comes back."""
    from checker.run.processes import run_units

    by_id = {rule.id: rule for rule in rules}
    outcome = RulesRun()
    crashed = run_units(lambda _evaluator, rule_id: judge_rule(by_id[rule_id], rules_dir), None,
                        [[rule.id] for rule in rules], workers, outcome.results.__setitem__)
    for rule_id in crashed:
        with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as fresh:
            try:
                outcome.results[rule_id] = fresh.submit(judge_rule_by_id, rule_id, rules_dir).result()
                outcome.retried.add(rule_id)
            except BrokenProcessPool:
                outcome.crashed.add(rule_id)
    return outcome
