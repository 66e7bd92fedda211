"""`lianjian check` on data sets of any size: partition by unit, then judge one unit at a time.

    partition (one pass, `checker.run.partition`) → for each unit, in worker processes:
    validate its rows (pydantic, references) → derive its facts and obligations → engine → findings

A worker holds one unit's records at a time, and the parent holds the registries and the findings,
so memory follows the largest unit and the size of the report, not the size of the data set. Every
unit goes through the same functions as the in-memory pipeline (`derive.unit_batch`,
`findings.build_unit`, ...), so the findings are the same (tests/test_stream.py).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from checker.data.records import DataSet, InputError, LoadedRecord
from checker.data.rows import validate_line, validate_parsed
from checker.data.validate import check_record
from checker.engine.durable import Engine
from checker.facts import derive, obligations
from checker.facts.audit_period import span_of_years
from checker.facts.periods import Period, parse_period
from checker.ruleset import matchers as compiler
from checker.ruleset.catalogue import ActiveRule, activate, load_profile, load_rules
from checker.run import processes as parallel
from checker.run.partition import Partitioned, Source, partition
from checker.run.pipeline import CheckResult
from checker.verdict import findings
from checker.verdict.store import FindingStore


@dataclass
class UnitContext:
    """What judging any unit needs: built once, inherited by forked workers or sent to Dask once."""
    sources: dict[int, Source]
    lookups: derive.Lookups
    known: dict[str, set[str]]
    registry_of: dict[str, list[LoadedRecord]]
    rules: list[ActiveRule]
    span: Period
    as_of: dt.date
    by_id: dict[str, ActiveRule] = field(init=False)
    order: dict[str, int] = field(init=False)  # source name -> index: sorting by it is input order

    def __post_init__(self) -> None:
        self.by_id = {r.rule.id: r for r in self.rules}
        self.order = {source.name: index for index, source in self.sources.items()}


@dataclass
class UnitOutcome:
    unit: str
    judged: bool
    records: int = 0
    errors: list[InputError] = field(default_factory=list)
    findings: list[tuple[str, findings.Finding]] = field(default_factory=list)  # (rule id, finding without rule)
    obligations: list[dict[str, Any]] = field(default_factory=list)


def judge_unit(context: UnitContext, engine: Engine | None, unit: str,
               rows: Iterable[tuple[int, int, Any]]) -> UnitOutcome:
    """Validate, derive and (with an engine) judge one unit's spooled rows."""
    batch, errors, activity = prepare_unit(context, unit, rows, derive_facts=engine is not None)
    outcome = UnitOutcome(unit, engine is not None, activity, errors)
    if engine is None or batch is None:
        return outcome
    found = findings.build_unit(engine.judge(batch), batch, context.by_id)
    outcome.findings = [(f.rule.rule.id, dataclasses.replace(f, rule=None)) for f in found]
    outcome.obligations = batch.obligations
    return outcome


def prepare_unit(context: UnitContext, unit: str, rows: Iterable[tuple[int, int, Any]],
                 derive_facts: bool = True) -> tuple[derive.UnitBatch | None, list[InputError], int]:
    """One unit's rows validated (errors located) and, if asked, its facts and obligation states:
    (batch, errors, activity records that passed validation)."""
    errors: list[InputError] = []
    keyed = [((context.order.get(r.source, -1), r.row), r) for r in context.registry_of.get(unit, ())]
    activity = 0
    for index, row_number, row in rows:
        source = context.sources[index]
        validate = validate_line if isinstance(row, str) else validate_parsed  # a JSON line as read, or a parsed row
        record = validate(source.record_type, row, source.name, row_number, errors)
        if record is not None:
            loaded = LoadedRecord(source.record_type, record, source.name, row_number)
            check_record(loaded, context.known, errors)
            keyed.append(((index, row_number), loaded))
            activity += 1
    if not derive_facts:
        return None, errors, activity
    keyed.sort(key=lambda pair: pair[0])  # input order, as the in-memory pipeline sees it
    batch = derive.unit_batch(unit, [r for _, r in keyed], context.lookups, context.as_of, context.span)
    obligations.unit_obligations(batch, context.lookups, context.rules, context.span, context.as_of)
    return batch, errors, activity


def context_of(parts: Partitioned, rules: list[ActiveRule], span: Period, as_of: dt.date) -> UnitContext:
    registry = parts.registry
    known: dict[str, set[str]] = {"unit": set(), "person": set(), "vehicle": set()}
    registry_of: dict[str, list[LoadedRecord]] = {}
    for loaded in registry.records:
        known[loaded.type].add(loaded.id)
        unit = derive.unit_of(loaded)
        if unit is not None:
            registry_of.setdefault(unit, []).append(loaded)
    return UnitContext(parts.sources, derive.Lookups(registry), known, registry_of, rules, span, as_of)


Mark = Callable[[list[findings.Finding]], list[findings.Finding]]


def run(path: Path, rules_dir: Path | None = None, profile: str = "central", period: str | None = None,
        as_of: dt.date | None = None, units: set[str] | None = None, workers: int = 1,
        scheduler: str | None = None, spool_dir: Path | None = None, mark: Mark | None = None) -> CheckResult:
    """The check, streamed. `mark` sees each unit's final findings (waivers, baseline) before they are
    stored, and may drop some (--new-only)."""
    chain = load_profile(profile, rules_dir)
    active = activate(load_rules(rules_dir), chain)
    as_of = as_of or dt.date.today()
    with tempfile.TemporaryDirectory(prefix="lianjian-spool-", dir=spool_dir) as folder:
        parts = partition(Path(path), Path(folder), workers if not scheduler else 1)
        span = parse_period(period) if period else span_of_years(parts.years, as_of)
        context = context_of(parts, active, span, as_of)
        every = list(dict.fromkeys([*context.registry_of, *parts.spools]))
        selected = {u for u in every if units is None or u in units}
        sizes = {u: parts.spool_rows.get(u, 0) + len(context.registry_of.get(u, ())) for u in every}
        collector = _Collector(parts, context, mark)
        found = compiler.matchers(active)
        if scheduler:
            from checker.run.cluster import judge_units
            not_judged = judge_units(context, parts, found, sizes, selected, scheduler, collector.accept)
        else:
            def job(engine: Engine | None, unit: str) -> UnitOutcome:
                return judge_unit(context, engine if unit in selected else None, unit, parts.rows_of(unit))

            if workers > 1 and len(sizes) > 1:
                chunks = parallel.chunks_by_size(sizes, workers, per_worker=16)
                not_judged = parallel.run_units(job, found, chunks, workers, collector.accept)
            else:
                not_judged = {}
                with Engine(found) as engine:
                    for unit in sizes:
                        collector.accept(unit, job(engine, unit))
    return collector.result(chain, not_judged)


class _Collector:
    """Takes each unit's outcome as it arrives: its errors are kept, its findings completed (chain of
    responsibility, order, repeats, marks) and stored on disk."""

    def __init__(self, parts: Partitioned, context: UnitContext, mark: Mark | None):
        self.parts, self.context, self.mark = parts, context, mark
        self.by_id = context.by_id
        self.responsibility = findings.Responsibility(parts.registry)
        self.store = FindingStore(self.by_id)
        self.records = len(parts.registry.records)

    def accept(self, unit: str, outcome: UnitOutcome) -> None:
        self.parts.registry.errors.extend(outcome.errors)
        self.records += outcome.records
        if not outcome.judged:
            return
        chain = self.responsibility.chain(unit)
        found = findings.finish([dataclasses.replace(f, rule=self.by_id[rule_id], responsible=chain)
                                 for rule_id, f in outcome.findings])
        if self.mark is not None:
            found = self.mark(found)
        self.store.add(unit, found, outcome.obligations)

    def result(self, chain: list[Any], not_judged: dict[str, str]) -> CheckResult:
        data: DataSet = self.parts.registry
        context = self.context
        data.errors.sort(key=lambda e: (context.order.get(e.source, -1), e.row or 0))
        result = CheckResult(data, context.rules, chain, context.span, context.as_of, {}, [], data.inputs,
                             not_judged)
        result.findings = self.store  # type: ignore[assignment]  # read like the list, held on disk
        result.record_count = self.records
        return result
