"""Judging one unit: its rows validated (errors located), its facts and obligation states derived,
the evaluator run over them, and its findings built. Every executor runs this same job, in this
process, in forked workers or on a Dask cluster."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from checker.data.blocks import PlainBlock
from checker.data.plain import PlainRecord
from checker.data.records import BlockRecords, DataSet, InputError, InputOrder, LoadedRecord, records_of
from checker.data.rows import validate_line, validate_parsed
from checker.data.validate import check_record, columns_pass
from checker.engine import Evaluator
from checker.facts import derive, obligations
from checker.facts.periods import Period
from checker.ruleset.catalogue import ActiveRule
from checker.run.partition import Partitioned, Source
from checker.run.spool import Row, SpooledRows
from checker.verdict import coverage, findings, trip
from checker.verdict.report_lines import Lines


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
    findings: trip.Summaries = field(default_factory=trip.no_summaries)  # the final findings' summaries
    words: bytes = b""  # the final findings themselves, packed (trip.pack)
    obligations: bytes = b""  # the obligation states, packed (trip.pack_obligations)
    obligation_count: int = 0
    coverage: dict[str, Any] = field(default_factory=dict)  # what each rule judged and did not (verdict.coverage)
    lines: Lines | None = None  # where the final findings' JSON report lines were written, if asked (`write_lines`)


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


def judge_unit(context: UnitContext, evaluator: Evaluator | None, unit: str, rows: Iterable[Row],
               write_lines: Callable[[str, list[findings.Finding], list[dict[str, Any]]], Lines] | None = None,
               pack: bool = True) -> UnitOutcome:
    """Validate, derive and (with an evaluator) judge one unit's rows. Without one, the rows are only
    validated: a unit outside the selection, or `lianjian validate`. `write_lines` writes the final
    findings' JSON report lines, after they are packed (checker.verdict.report_lines); without `pack`
    only their summaries go to the store (the caller reads them only as those lines)."""
    batch, errors, activity = prepare_unit(context, unit, rows, derive_facts=evaluator is not None)
    outcome = UnitOutcome(unit, evaluator is not None, activity, errors)
    if evaluator is None or batch is None:
        return outcome
    registry = context.lookups.units.get(unit)
    found = findings.build_unit(evaluator.judge(batch), batch, context.by_id, registry)
    final = findings.finish(found)
    if pack:
        outcome.findings, outcome.words = trip.pack(final)
        outcome.obligations = trip.pack_obligations(batch.obligations)
    else:
        outcome.findings = trip.summaries_of(final)
    outcome.obligation_count = len(batch.obligations)
    if write_lines is not None and (final or batch.obligations):
        outcome.lines = write_lines(unit, final, batch.obligations)
    outcome.coverage = coverage.unit_coverage(context.coverage_plans, batch, registry)
    return outcome


def prepare_unit(context: UnitContext, unit: str, rows: Iterable[Row],
                 derive_facts: bool = True) -> tuple[derive.UnitBatch | None, list[InputError], int]:
    """One unit's rows validated (errors located) and, if asked, its facts and obligation states:
    (batch, errors, activity records that passed validation)."""
    records, errors, activity = validate_unit(context, unit, rows)
    return (derive_unit(context, unit, records) if derive_facts else None), errors, activity


def validate_unit(context: UnitContext, unit: str, rows: Iterable[Row]) -> tuple[InputOrder, list[InputError], int]:
    """The unit's registry entries and its valid rows as records, in input order; the errors of the
    others; how many activity records passed. A spool's block of rows the columnar path took (checker.data
    .blocks) is taken a column at a time, its records made and checked one by one only if a column shows
    a problem (else only if something asks for them: checker.data.records `BlockRecords`)."""
    errors: list[InputError] = []
    runs = _registry_runs(context, unit)
    activity = 0
    for part in rows.parts() if isinstance(rows, SpooledRows) else rows:
        if type(part) is PlainBlock:
            runs.append(_validate_block(context, part, errors))
            activity += part.count
            continue
        index, row_number, row = part
        source = context.sources[index]
        if isinstance(row, PlainRecord):
            record = row  # validated by the columnar path (checker.data.columnar)
        else:  # a JSON line as read, or a parsed row
            validate = validate_line if isinstance(row, str) else validate_parsed
            record = validate(source.record_type, row, source.name, row_number, errors)
        if record is not None:
            loaded = LoadedRecord(source.record_type, record, source.name, row_number)
            check_record(loaded, context.known, errors)
            _add_to_runs(runs, index, row_number, loaded)
            activity += 1
    return _in_input_order(runs), errors, activity


def _registry_runs(context: UnitContext, unit: str) -> list[_Run]:
    """The unit's registry entries as runs: those of a table in row order, one run a table (a run an
    entry cost more, to make and to put in order, than the few blocks of the unit's activity)."""
    order = context.order
    entries = sorted(context.registry_of.get(unit, ()), key=lambda r: (order.get(r.source, -1), r.row))
    runs: list[_Run] = []
    for entry in entries:
        _add_to_runs(runs, order.get(entry.source, -1), entry.row, entry)
    return runs


def _add_to_runs(runs: list[_Run], index: int, number: int, record: LoadedRecord) -> None:
    """The record added to the last run if it is its table's next row (the rows of a table as read:
    one run) and that run no block's, else as a run of its own."""
    last = runs[-1] if runs else None
    if last is not None and last.index == index and last.numbers[-1] < number and type(last.records) is list:
        last.numbers.append(number)
        last.records.append(record)
    else:
        runs.append(_Run(index, [number], [record]))


@dataclass(slots=True)
class _Run:
    """Records of one table, with their row numbers, in the order they came: a list, or a block's
    (whose records, as its row numbers, are the block's own: nothing is added to them)."""
    index: int  # the table's (its order among the sources, for a registry's records)
    numbers: list[int]
    records: list[LoadedRecord] | BlockRecords


def _validate_block(context: UnitContext, block: PlainBlock, errors: list[InputError]) -> _Run:
    source = context.sources[block.index]
    numbers, values = block.made_columns()
    records = BlockRecords(source.record_type, source.name, numbers, values)
    if not columns_pass(source.record_type, values, context.known):
        for each in records.loaded():
            check_record(each, context.known, errors)
    return _Run(block.index, numbers, records)


def _in_input_order(runs: list[_Run]) -> InputOrder:
    """The runs' records sorted by (table index, row number): the runs joined, if each run's row
    numbers rise (`_rising`) and the runs ordered by their first record do not overlap (as a unit's rows mostly
    come, its registry entries' tables apart), the blocks among them kept as blocks; else each record
    sorted, as the rows came (a stable sort), the blocks' records made."""
    runs = [run for run in runs if run.numbers]
    ordered = sorted(runs, key=lambda run: (run.index, run.numbers[0]))
    joined = all(map(_rising, (run.numbers for run in ordered))) and all(
        (before.index, before.numbers[-1]) < (after.index, after.numbers[0])
        for before, after in zip(ordered, ordered[1:], strict=False))
    if joined:
        return InputOrder(run.records for run in ordered)
    keyed = [((run.index, number), record) for run in runs
             for number, record in zip(run.numbers, records_of(run.records), strict=True)]
    keyed.sort(key=lambda pair: pair[0])
    return InputOrder([[record for _, record in keyed]])


def _rising(numbers: list[int]) -> bool:
    """Whether the numbers do not fall: what joining runs needs (equal numbers in a run, which one
    table's rows never give, would come in the run's order joined as they do by the stable sort).
    Compared with their sorted copy at C speed: a pair at a time by operator.lt cost five times as much."""
    return numbers == sorted(numbers)


def derive_unit(context: UnitContext, unit: str, records: InputOrder | list[LoadedRecord]) -> derive.UnitBatch:
    """The unit's facts and obligation states."""
    batch = derive.unit_batch(unit, records, context.lookups, context.as_of, context.span, context.data_in_period)
    obligations.unit_obligations(batch, context.lookups, context.rules, context.span, context.as_of,
                                 context.data_in_period)
    return batch
