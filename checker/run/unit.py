"""Judging one unit: its rows validated (errors located), its facts and obligation states derived,
the evaluator run over them, and its findings built. Every executor runs this same job, in this
process, in forked workers or on a Dask cluster."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from checker.data.plain import PlainRecord
from checker.data.records import DataSet, InputError, LoadedRecord
from checker.data.rows import validate_line, validate_parsed
from checker.data.validate import check_record
from checker.engine import Evaluator
from checker.facts import derive, obligations
from checker.facts.periods import Period
from checker.ruleset.catalogue import ActiveRule
from checker.run.partition import Partitioned, Source
from checker.run.spool import Row
from checker.verdict import coverage, findings, trip


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
    # False when the period was not chosen (--period) and no record of the data is dated in it: then
    # nothing is owed or carried over in it — missing data is not a missed meeting
    data_in_period: bool = True
    by_id: dict[str, ActiveRule] = field(init=False)
    order: dict[str, int] = field(init=False)  # source name -> index: sorting by it is input order
    coverage_plans: list[coverage.Plan] = field(init=False)

    def __post_init__(self) -> None:
        self.by_id = {r.rule.id: r for r in self.rules}
        self.order = {source.name: index for index, source in self.sources.items()}
        self.coverage_plans = coverage.plans(self.rules)


@dataclass
class UnitOutcome:
    unit: str
    judged: bool
    records: int = 0
    errors: list[InputError] = field(default_factory=list)
    findings: list[trip.Summary] = field(default_factory=list)  # the final findings' summaries
    words: bytes = b""  # the final findings themselves, packed (trip.pack)
    obligations: bytes = b""  # the obligation states, packed (trip.pack_obligations)
    obligation_count: int = 0
    coverage: dict[str, Any] = field(default_factory=dict)  # what each rule judged and did not (verdict.coverage)


def context_of(parts: Partitioned, rules: list[ActiveRule], span: Period, as_of: dt.date,
               data_in_period: bool = True) -> UnitContext:
    registry: DataSet = parts.registry
    known: dict[str, set[str]] = {"unit": set(), "person": set(), "vehicle": set()}
    registry_of: dict[str, list[LoadedRecord]] = {}
    for loaded in registry.records:
        known[loaded.type].add(loaded.id)
        unit = derive.unit_of(loaded)
        if unit is not None:
            registry_of.setdefault(unit, []).append(loaded)
    return UnitContext(parts.sources, derive.Lookups(registry), known, registry_of, rules, span, as_of, data_in_period)


def judge_unit(context: UnitContext, evaluator: Evaluator | None, unit: str, rows: Iterable[Row]) -> UnitOutcome:
    """Validate, derive and (with an evaluator) judge one unit's rows. Without one, the rows are only
    validated: a unit outside the selection, or `lianjian validate`."""
    batch, errors, activity = prepare_unit(context, unit, rows, derive_facts=evaluator is not None)
    outcome = UnitOutcome(unit, evaluator is not None, activity, errors)
    if evaluator is None or batch is None:
        return outcome
    registry = context.lookups.units.get(unit)
    found = findings.build_unit(evaluator.judge(batch), batch, context.by_id, registry)
    outcome.findings, outcome.words = trip.pack(findings.finish(found))
    outcome.obligations, outcome.obligation_count = trip.pack_obligations(batch.obligations), len(batch.obligations)
    outcome.coverage = coverage.unit_coverage(context.coverage_plans, batch, registry)
    return outcome


def prepare_unit(context: UnitContext, unit: str, rows: Iterable[Row],
                 derive_facts: bool = True) -> tuple[derive.UnitBatch | None, list[InputError], int]:
    """One unit's rows validated (errors located) and, if asked, its facts and obligation states:
    (batch, errors, activity records that passed validation)."""
    records, errors, activity = validate_unit(context, unit, rows)
    return (derive_unit(context, unit, records) if derive_facts else None), errors, activity


def validate_unit(context: UnitContext, unit: str, rows: Iterable[Row]) -> tuple[list[LoadedRecord],
                                                                                list[InputError], int]:
    """The unit's registry entries and its valid rows as records, in input order; the errors of the
    others; how many activity records passed."""
    errors: list[InputError] = []
    keyed = [((context.order.get(r.source, -1), r.row), r) for r in context.registry_of.get(unit, ())]
    activity = 0
    for index, row_number, row in rows:
        source = context.sources[index]
        if isinstance(row, PlainRecord):
            record = row  # validated by the columnar path (checker.data.columnar)
        else:  # a JSON line as read, or a parsed row
            validate = validate_line if isinstance(row, str) else validate_parsed
            record = validate(source.record_type, row, source.name, row_number, errors)
        if record is not None:
            loaded = LoadedRecord(source.record_type, record, source.name, row_number)
            check_record(loaded, context.known, errors)
            keyed.append(((index, row_number), loaded))
            activity += 1
    keyed.sort(key=lambda pair: pair[0])  # input order
    return [r for _, r in keyed], errors, activity


def derive_unit(context: UnitContext, unit: str, records: list[LoadedRecord]) -> derive.UnitBatch:
    """The unit's facts and obligation states."""
    batch = derive.unit_batch(unit, records, context.lookups, context.as_of, context.span, context.data_in_period)
    obligations.unit_obligations(batch, context.lookups, context.rules, context.span, context.as_of,
                                 context.data_in_period)
    return batch
