"""The whole check, stage by stage: load → validate → derive → evaluate → findings."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from checker.data import validate
from checker.data.load import load_path
from checker.data.records import DataSet
from checker.engine import durable as engine
from checker.engine import reference
from checker.facts import derive, obligations
from checker.facts.audit_period import data_span
from checker.facts.periods import Period, parse_period
from checker.ruleset import matchers as compiler
from checker.ruleset.catalogue import ActiveRule, activate, load_profile, load_rules
from checker.ruleset.schema import Profile
from checker.run import processes as parallel
from checker.verdict import findings

DEFAULT_PROFILE = "central"


@dataclass
class CheckResult:
    data: DataSet
    rules: list[ActiveRule]
    profiles: list[Profile]
    span: Period
    as_of: dt.date
    batches: dict[str, derive.UnitBatch]
    findings: list[findings.Finding] = field(default_factory=list)
    inputs: list[Path] = field(default_factory=list)
    not_judged: dict[str, str] = field(default_factory=dict)
    obligations: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # unit -> obligation states
    record_count: int | None = None  # valid records, when they are not all held in `data`

    @property
    def records(self) -> int:
        return len(self.data.records) if self.record_count is None else self.record_count


def prepare(path: Path, rules_dir: Path | None = None, profile: str = DEFAULT_PROFILE,
            period: str | None = None, as_of: dt.date | None = None,
            units: set[str] | None = None) -> CheckResult:
    data = validate.check(load_path(Path(path)))
    chain = load_profile(profile, rules_dir)
    active = activate(load_rules(rules_dir), chain)
    as_of = as_of or dt.date.today()
    span = parse_period(period) if period else data_span(data, as_of)
    unit_batches = derive.batches(data, as_of, span, units)
    obligations.add_obligations(unit_batches, data, active, span, as_of)
    return CheckResult(data, active, chain, span, as_of, unit_batches, inputs=data.inputs)


def run_check(path: Path, rules_dir: Path | None = None, profile: str = DEFAULT_PROFILE,
              period: str | None = None, as_of: dt.date | None = None, units: set[str] | None = None,
              evaluator: str = "durable", workers: int = 1, scheduler: str | None = None) -> CheckResult:
    return judge(prepare(path, rules_dir, profile, period, as_of, units), evaluator, workers, scheduler)


def judge(result: CheckResult, evaluator: str = "durable", workers: int = 1,
          scheduler: str | None = None) -> CheckResult:
    """Evaluate a prepared check and build its findings."""
    found = compiler.matchers(result.rules)
    batches = list(result.batches.values())
    if evaluator == "reference":
        matches = reference.evaluate(found, batches)
    elif scheduler:
        from checker.run import cluster as distributed

        matches, result.not_judged = distributed.evaluate(found, batches, scheduler)
    elif workers > 1 and len(batches) > 1:
        matches, result.not_judged = parallel.evaluate(found, batches, workers)
    else:
        matches = engine.evaluate(found, batches)
    for unit in result.not_judged:
        result.batches.pop(unit, None)
    by_id = {r.rule.id: r for r in result.rules}
    result.findings = findings.build(matches, result.batches, by_id, result.data)
    result.obligations = {unit: batch.obligations for unit, batch in sorted(result.batches.items())}
    return result
