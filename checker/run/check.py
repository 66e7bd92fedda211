"""The one run every caller goes through (`check`, `selfcheck`, `validate`, `rules test`,
`--engine reference`, the tests): a source × an evaluator × an executor.

    source     files under a PATH (rows spooled by unit on disk) or tables already in memory
    partition  one pass: registries validated, each unit's rows put aside, duplicate ids, years
    period     --period, or the default audit period
    job        per unit: validate its rows → derive facts and obligations → evaluator → findings,
               finished (order, repeats escalated) and packed (verdict.trip.pack)
    executor   this process, forked workers with crash isolation, or a Dask cluster
    collector  each unit's findings given their responsibility chain, marked (waivers, baseline) if
               there is anything to mark, and stored

Findings are always held by a `FindingStore` (on disk for a check of files, in memory otherwise);
the report reads it the same way either way.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import fnmatch
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
from checker.ruleset.catalogue import (
    ActiveRule,
    activate,
    default_rules_dir,
    load_profile,
    load_rules,
    profiles_dir,
)
from checker.ruleset.matchers import matchers
from checker.ruleset.schema import Profile, Rule
from checker.ruleset.validation import validate
from checker.run import heap
from checker.run.digests import InputDigests
from checker.run.executors import get_executor
from checker.run.partition import Partitioned, partition, partition_tables
from checker.run.unit import UnitContext, UnitOutcome, context_of, derive_unit, judge_unit, validate_unit
from checker.verdict import findings, trip
from checker.verdict.coverage_store import CoverageStore
from checker.verdict.report_lines import LineFiles, Lines
from checker.verdict.responsibility import Responsibility
from checker.verdict.store import FindingStore

Mark = Callable[[list[findings.Finding]], list[findings.Finding]]
Progress = Callable[[int, int, int], None]


class SelectionError(ValueError):
    """A selection (--unit) that names nothing in the data: said with the nearest names."""
UnitSelection = set[str] | Callable[[DataSet], set[str]] | None


@dataclass
class Options:
    """What the caller chose. `units`: None for all, a set of unit ids, or a function of the
    validated registries (a self-check's unit and its subordinates); an empty set validates every
    unit and judges none. `mark` sees each unit's final findings (waivers, baseline) before they are
    stored, and may drop some (--new-only); a false `mark` (None, or one with nothing to mark) lets
    each unit's findings be stored as the judging process packed them, unread."""
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
    rules: RuleSelection = field(default_factory=lambda: RuleSelection())
    progress: Progress | None = None  # called after each unit: (units done, units in all, records so far)
    # the language of the JSON report the caller will write: the judging processes then write its
    # findings' lines as they judge (checker.verdict.report_lines); None: the report makes them itself
    report_lines: str | None = None
    # with report_lines: the caller reads the findings only as those lines (a check writing JSON reports
    # alone), so they are not also packed for the store, unless marks must read them
    lines_only: bool = False


@dataclass(frozen=True)
class RuleSelection:
    """`--rule` / `--skip-rule` (glob patterns over rule ids) and `--discipline` (a discipline or a
    family: `eight_point` or `eight_point.reception`). A rule left out does not run, and the report
    says so, as for a rule its profile switches off."""
    only: tuple[str, ...] = ()
    skip: tuple[str, ...] = ()
    disciplines: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.only or self.skip or self.disciplines)

    def why_not(self, rule: Rule) -> str | None:
        """None if the rule is selected; otherwise the reason, for the report."""
        if self.only and not any(fnmatch.fnmatchcase(rule.id, p) for p in self.only):
            return "not selected by --rule / 未被 --rule 选中"
        if any(fnmatch.fnmatchcase(rule.id, p) for p in self.skip):
            return "skipped by --skip-rule / 被 --skip-rule 排除"
        if self.disciplines and not any(rule.discipline == d or rule.discipline.startswith(f"{d}.")
                                        for d in self.disciplines):
            return "outside --discipline / 不属于所选纪律类别"
        return None

    def apply(self, active: list[ActiveRule]) -> list[ActiveRule]:
        """The rules with the unselected ones marked as not running; a selection that leaves no rule
        of the catalogue selected is an error (it would report a clean bill of health)."""
        if not self:
            return active
        for pattern in [*self.only, *self.skip]:
            if not any(fnmatch.fnmatchcase(a.rule.id, pattern) for a in active):
                near = difflib.get_close_matches(pattern, [a.rule.id for a in active], n=3, cutoff=0.4)
                raise RuleSelectionError(f"没有规则匹配 {pattern!r}" + (f"；相近的有：{'、'.join(near)}" if near else "")
                                         + f" / no rule matches {pattern!r}")
        known = {a.rule.discipline for a in active} | {a.rule.discipline.split(".")[0] for a in active}
        for discipline in self.disciplines:
            if discipline not in known:
                near = difflib.get_close_matches(discipline, sorted(known), n=3, cutoff=0.4)
                raise RuleSelectionError(f"没有纪律类别 {discipline!r}" + (f"；相近的有：{'、'.join(near)}" if near else "")
                                         + f" / no discipline {discipline!r}")
        marked = [a if a.skipped or not (why := self.why_not(a.rule)) else dataclasses.replace(a, skipped=why)
                  for a in active]
        if all(a.skipped for a in marked):
            raise RuleSelectionError("所选规则在本配置下都不运行 / no selected rule runs under this profile")
        return marked


class RuleSelectionError(ValueError):
    """A rule selection that matches nothing: a usage error."""


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
    selection: RuleSelection = field(default_factory=lambda: RuleSelection())
    # unit -> verdict.coverage of it, in unit order (a CoverageStore, or a dict in unit order)
    coverage: CoverageStore | dict[str, dict[str, Any]] = field(default_factory=dict)
    period_basis: str = "--period"  # how the audit period was chosen
    period_note: str | None = None  # e.g. that no record falls in the (default) period
    digests: InputDigests = field(default_factory=InputDigests)  # of the input files, for the report

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
    responsibility: Responsibility | None = None
    lines: LineFiles | None = None  # where the unit's report lines go, if the caller wants them
    pack: bool = True  # the findings packed for the store too (not when they are wanted only as lines)

    def __call__(self, evaluator: Any, unit: str) -> UnitOutcome:
        return judge_unit(self.context, evaluator if unit in self.selected else None, unit, self.parts.rows_of(unit),
                          self.write_lines if self.lines is not None else None, self.pack)

    def write_lines(self, unit: str, final: list[findings.Finding], obligations: list[dict[str, Any]]) -> Lines:
        """The unit's final findings (with its responsibility chain) and obligation states as the JSON
        report's lines."""
        assert self.lines is not None and self.responsibility is not None
        chain = self.responsibility.chain(unit)
        for finding in final:
            finding.responsible = chain
        return self.lines.write(final, unit_name(self.context, unit), unit, obligations)


def unit_name(context: UnitContext, unit: str) -> str:
    """The unit's name as the report gives it beside its findings: its id if it has none."""
    return getattr(context.lookups.units.get(unit), "name", None) or unit


def active_rules(options: Options) -> tuple[list[ActiveRule], list[Profile]]:
    """The rules under the profile chain, checked as a whole before any unit is judged (exit 3)."""
    chain = load_profile(options.profile, options.rules_dir)
    rules = load_rules(options.rules_dir)
    validate(rules, chain, profile_paths(options.profile, options.rules_dir, chain),
             Path(options.rules_dir or default_rules_dir()))
    return options.rules.apply(activate(rules, chain)), chain


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


def profile_paths(name: str, rules_dir: Path | None, chain: list[Profile]) -> dict[str, Path]:
    """Each profile's file, for located messages (as checker.ruleset.catalogue.load_profile finds them)."""
    folder = profiles_dir(rules_dir)
    paths = {profile.id: folder / f"{profile.id}.yaml" for profile in chain}
    if name.endswith((".yaml", ".yml")) and chain:
        paths[chain[-1].id] = Path(name)
    return paths


def run(source: Path | InMemory, options: Options,
        rules: tuple[list[ActiveRule], list[Profile]] | None = None) -> CheckResult:
    """The check of `source` (a PATH, or tables in memory). `rules` are the active rules and the
    profile chain, when the caller has them already (rule examples)."""
    active, chain = rules or active_rules(options)
    found = matchers(active)
    check_engine_limits(found)  # what the engine would refuse is a rule error, whichever evaluator runs
    as_of = options.as_of or dt.date.today()
    in_memory = isinstance(source, InMemory)
    with tempfile.TemporaryDirectory(prefix="lianjian-spool-", dir=options.spool_dir) as folder, heap.few_collections():
        processes = options.workers if not options.scheduler else 1  # on this machine (a cluster has its own)
        if isinstance(source, InMemory):
            parts = partition_tables(source)
        else:
            parts = partition(Path(source), Path(folder), processes)
        span, basis = audit_period(options.period, as_of)
        context = context_of(parts, active, span, as_of, basis != DEFAULT_BASIS or reaches(parts.years, span))
        every = list(dict.fromkeys([*context.registry_of, *parts.spool_rows]))
        wanted = options.units(parts.registry) if callable(options.units) else options.units
        if wanted:
            wanted = resolve_units(wanted, parts.registry, every)
        selected = {u for u in every if wanted is None or u in wanted}
        # hashed beside the judging; with no unit judged (`validate`) no report wants them
        digests = InputDigests.begin(parts.registry.inputs, processes if selected else 1)
        sizes = {u: parts.spool_rows.get(u, 0) + len(context.registry_of.get(u, ())) for u in every}
        # (a cluster's workers cannot write to this machine's files: there the report makes the lines)
        lines = LineFiles(options.report_lines, {p.id: p.title.model_dump() for p in chain}, options.spool_dir) \
            if options.report_lines and not in_memory and not options.scheduler else None
        lines_only = lines is not None and options.lines_only and not options.mark
        collector = _Collector(parts, context, options.mark,
                               FindingStore(context.by_id, on_disk=not in_memory, lines=lines, kept=not lines_only),
                               CoverageStore(on_disk=not in_memory), options.progress, len(sizes))
        executor = get_executor(options.workers if len(sizes) > 1 else 1, options.scheduler, options.isolate)
        factory = functools.partial(make_evaluator, options.evaluator, found)
        # findings that marks change get their lines from the collector, after marking: not twice
        job = UnitJob(context, parts, selected, collector.responsibility, None if options.mark else lines,
                      pack=not lines_only)
        heap.set_aside()  # the registries, spool index and context, held to the end: not walked again
        not_judged = executor.run(job, sizes, factory, collector.accept)
    result = collector.result(chain, not_judged, sorted(selected - set(not_judged)))
    result.period_basis = basis
    in_period = collector.coverage.dated_in_period
    result.period_note = empty_period_note(span, in_period, parts.years) if result.units else None
    result.selection = options.rules
    result.digests = digests
    return result


def resolve_units(requested: set[str], registry: DataSet, present: list[str]) -> set[str]:
    """Unit ids for what the user wrote: an id in any letter case, or a unit's name. Anything else
    is an error naming the nearest ids and names, not an empty (and so clean) report."""
    names = {r.id: getattr(r.record, "name", "") for r in registry.records if r.type == "unit"}
    ids = list(dict.fromkeys([*names, *present]))
    by_key = {**{name: unit for unit, name in names.items() if name}, **{unit.casefold(): unit for unit in ids},
              **{unit: unit for unit in ids}}
    found, unknown = set(), []
    for token in sorted(requested):
        unit = by_key.get(token) or by_key.get(token.strip().casefold()) or by_key.get(token.strip())
        if unit is None:
            unknown.append(token)
        else:
            found.add(unit)
    if unknown:
        choices = [*ids, *(n for n in names.values() if n)]
        near = sorted({m for token in unknown for m in difflib.get_close_matches(token, choices, n=3, cutoff=0.4)})
        hint = f"；相近的有：{'、'.join(near)} / nearest: {', '.join(near)}" if near else ""
        raise SelectionError(f"数据中没有单位 {'、'.join(unknown)}{hint} / no unit {', '.join(unknown)} in the data")
    return found


class _Collector:
    """Takes each unit's outcome as it arrives: its errors are kept, its findings (finished by the job)
    given the unit's chain of responsibility, marked if there are marks, and stored."""

    def __init__(self, parts: Partitioned, context: UnitContext, mark: Mark | None, store: FindingStore,
                 coverage: CoverageStore, progress: Progress | None = None, total: int = 0):
        self.parts, self.context, self.mark, self.store = parts, context, mark, store
        self.progress, self.total, self.done = progress, total, 0
        self.by_id = context.by_id
        self.responsibility = Responsibility(parts.registry)
        self.records = len(parts.registry.records)
        self.coverage = coverage

    def accept(self, unit: str, outcome: UnitOutcome) -> None:
        self.parts.registry.errors.extend(outcome.errors)
        self.records += outcome.records
        self.done += 1
        if self.progress is not None:
            self.progress(self.done, self.total, self.records)
        if not outcome.judged:
            return
        self.coverage.add(unit, outcome.coverage)
        chain = self.responsibility.chain(unit)
        summaries, words, lines = outcome.findings, outcome.words, outcome.lines
        if self.mark:  # marked, then packed again; otherwise stored as the judging process packed them (trip.pack)
            marked = self.mark(trip.unpack(words, self.by_id, chain))
            summaries, words = trip.pack(marked)
            if self.store.lines is not None and (marked or outcome.obligation_count):  # their report lines, as marked
                lines = self.store.lines.write(marked, unit_name(self.context, unit), unit,
                                               trip.unpack_obligations(outcome.obligations))
        self.store.add_packed(unit, summaries, words, outcome.obligations, outcome.obligation_count, chain, lines)

    def result(self, chain: list[Profile], not_judged: dict[str, str], units: list[str]) -> CheckResult:
        data: DataSet = self.parts.registry
        order = self.context.order
        data.errors.sort(key=lambda e: (order.get(e.source, -1), e.row or 0))
        return CheckResult(data, self.context.rules, chain, self.context.span, self.context.as_of, self.store,
                           not_judged, self.records, units, coverage=self.coverage)
