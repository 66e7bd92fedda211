"""The one run every caller goes through (`check`, `selfcheck`, `validate`, `rules test`,
`--engine reference`, the tests): a source × an evaluator × an executor.

    source     files under a PATH (rows spooled by unit on disk) or tables already in memory
    partition  one pass: registries validated, each unit's rows put aside, duplicate ids, years
    period     --period, or the default audit period
    job        per unit: validate its rows → derive facts and obligations → evaluator → findings
    executor   this process, forked workers with crash isolation, or a Dask cluster
    collector  each unit's findings completed (responsibility chain, repeats, waivers) and stored

Findings are always held by a `FindingStore` (on disk for a check of files, in memory otherwise);
the report reads it the same way either way.
"""

from __future__ import annotations

import datetime as dt
import functools
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from checker.data.files import InMemory
from checker.data.records import DataSet
from checker.engine import check_engine_limits, make_evaluator
from checker.facts import derive
from checker.facts.audit_period import DEFAULT_BASIS, audit_period, empty_period_note, reaches
from checker.facts.periods import Period
from checker.ruleset.catalogue import ActiveRule, activate, load_profile, load_rules
from checker.ruleset.matchers import matchers
from checker.ruleset.schema import Profile
from checker.run.executors import get_executor
from checker.run.partition import Partitioned, partition, partition_tables
from checker.run.unit import UnitContext, UnitOutcome, context_of, derive_unit, judge_unit, validate_unit
from checker.verdict import findings
from checker.verdict.store import FindingStore

Mark = Callable[[list[findings.Finding]], list[findings.Finding]]
UnitSelection = set[str] | Callable[[DataSet], set[str]] | None


@dataclass
class Options:
    """What the caller chose. `units`: None for all, a set of unit ids, or a function of the
    validated registries (a self-check's unit and its subordinates); an empty set validates every
    unit and judges none. `mark` sees each unit's final findings (waivers, baseline) before they are
    stored, and may drop some (--new-only)."""
    rules_dir: Path | None = None
    profile: str = "central"
    period: str | None = None
    as_of: dt.date | None = None
    units: UnitSelection = None
    evaluator: str = "durable"
    workers: int = 1
    scheduler: str | None = None
    isolate: bool = True  # judge in worker processes, so an engine crash loses one unit, not the run
    spool_dir: Path | None = None
    mark: Mark | None = None


@dataclass
class CheckResult:
    data: DataSet  # the registries, every input error, the inputs read and the rows read
    rules: list[ActiveRule]
    profiles: list[Profile]
    span: Period
    as_of: dt.date
    findings: FindingStore
    not_judged: dict[str, str] = field(default_factory=dict)
    records: int = 0  # valid records, registries included
    units: list[str] = field(default_factory=list)  # the units judged
    coverage: dict[str, dict[str, Any]] = field(default_factory=dict)  # unit -> verdict.coverage of it
    period_basis: str = "--period"  # how the audit period was chosen
    period_note: str | None = None  # e.g. that no record falls in the (default) period

    @property
    def inputs(self) -> list[Path]:
        return self.data.inputs


@dataclass
class UnitJob:
    """Judging one unit by id: what every executor runs (forked workers inherit it; a cluster is
    sent its context once and each chunk's rows)."""
    context: UnitContext
    parts: Partitioned
    selected: set[str]

    def __call__(self, evaluator: Any, unit: str) -> UnitOutcome:
        return judge_unit(self.context, evaluator if unit in self.selected else None, unit, self.parts.rows_of(unit))


def active_rules(options: Options) -> tuple[list[ActiveRule], list[Profile]]:
    chain = load_profile(options.profile, options.rules_dir)
    return activate(load_rules(options.rules_dir), chain), chain


def unit_batches(source: Path | InMemory, options: Options) -> Iterator[tuple[UnitContext, derive.UnitBatch]]:
    """Each unit's derived facts, in this process, without judging (benchmarks and their peers)."""
    active, _ = active_rules(options)
    as_of = options.as_of or dt.date.today()
    with tempfile.TemporaryDirectory(prefix="lianjian-spool-", dir=options.spool_dir) as folder:
        parts = partition_tables(source) if isinstance(source, InMemory) else partition(Path(source), Path(folder))
        span, _ = audit_period(options.period, as_of)
        context = context_of(parts, active, span, as_of)
        for unit in dict.fromkeys([*context.registry_of, *parts.spool_rows]):
            records, _, _ = validate_unit(context, unit, parts.rows_of(unit))
            yield context, derive_unit(context, unit, records)


def run(source: Path | InMemory, options: Options,
        rules: tuple[list[ActiveRule], list[Profile]] | None = None) -> CheckResult:
    """The check of `source` (a PATH, or tables in memory). `rules` are the active rules and the
    profile chain, when the caller has them already (rule examples)."""
    active, chain = rules or active_rules(options)
    found = matchers(active)
    check_engine_limits(found)  # what the engine would refuse is a rule error, whichever evaluator runs
    as_of = options.as_of or dt.date.today()
    in_memory = isinstance(source, InMemory)
    with tempfile.TemporaryDirectory(prefix="lianjian-spool-", dir=options.spool_dir) as folder:
        if isinstance(source, InMemory):
            parts = partition_tables(source)
        else:
            parts = partition(Path(source), Path(folder), options.workers if not options.scheduler else 1)
        span, basis = audit_period(options.period, as_of)
        context = context_of(parts, active, span, as_of, basis != DEFAULT_BASIS or reaches(parts.years, span))
        every = list(dict.fromkeys([*context.registry_of, *parts.spool_rows]))
        wanted = options.units(parts.registry) if callable(options.units) else options.units
        selected = {u for u in every if wanted is None or u in wanted}
        sizes = {u: parts.spool_rows.get(u, 0) + len(context.registry_of.get(u, ())) for u in every}
        collector = _Collector(parts, context, options.mark, FindingStore(context.by_id, on_disk=not in_memory))
        executor = get_executor(options.workers if len(sizes) > 1 else 1, options.scheduler, options.isolate)
        factory = functools.partial(make_evaluator, options.evaluator, found)
        not_judged = executor.run(UnitJob(context, parts, selected), sizes, factory, collector.accept)
    result = collector.result(chain, not_judged, sorted(selected - set(not_judged)))
    result.period_basis = basis
    in_period = sum(unit.get("dated_in_period", 0) for unit in result.coverage.values())
    result.period_note = empty_period_note(span, in_period, parts.years) if result.units else None
    return result


class _Collector:
    """Takes each unit's outcome as it arrives: its errors are kept, its findings completed (chain of
    responsibility, order, repeats, marks) and stored."""

    def __init__(self, parts: Partitioned, context: UnitContext, mark: Mark | None, store: FindingStore):
        self.parts, self.context, self.mark, self.store = parts, context, mark, store
        self.by_id = context.by_id
        self.responsibility = findings.Responsibility(parts.registry)
        self.records = len(parts.registry.records)
        self.coverage: dict[str, dict[str, Any]] = {}

    def accept(self, unit: str, outcome: UnitOutcome) -> None:
        self.parts.registry.errors.extend(outcome.errors)
        self.records += outcome.records
        if not outcome.judged:
            return
        self.coverage[unit] = outcome.coverage
        chain = self.responsibility.chain(unit)
        found = findings.finish([f.with_rule(self.by_id[rule_id], chain) for rule_id, f in outcome.findings])
        if self.mark is not None:
            found = self.mark(found)
        self.store.add(unit, found, outcome.obligations)

    def result(self, chain: list[Profile], not_judged: dict[str, str], units: list[str]) -> CheckResult:
        data: DataSet = self.parts.registry
        order = self.context.order
        data.errors.sort(key=lambda e: (order.get(e.source, -1), e.row or 0))
        return CheckResult(data, self.context.rules, chain, self.context.span, self.context.as_of, self.store,
                           not_judged, self.records, units, dict(sorted(self.coverage.items())))
