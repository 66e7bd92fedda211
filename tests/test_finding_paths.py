"""A finding of one loaded record, or of an obligation no record met, has its records and fingerprint
made in `build_unit` itself (checker.verdict.findings), a rule without evidence values its evidence
without its evidence function, and its Finding is made positionally: each must be what the general
way gives — the evidence function, `_finding_records`, `fingerprint_of`, Finding's own fingerprint —
in both languages, in the same order, for every rule of the demo that finds something. `finish`
keeps the first finding of a fingerprint and sorts as the report always has."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter
from pathlib import Path

import orjson
import pytest

from checker.data.records import BlockRecords, LoadedRecord
from checker.facts.audit_period import audit_period
from checker.run.check import Options, active_rules, make_evaluator, matchers
from checker.run.partition import partition
from checker.run.unit import context_of, derive_unit, validate_unit
from checker.verdict import findings
from tests.conftest import DEMO
from tests.test_run import as_jsonl

AS_OF = dt.date(2021, 3, 31)


def _judge_units(data: Path, spool: Path) -> list[tuple]:
    """Every unit's engine matches, batch, registry record and the rules by id (period 2016–2020)."""
    active, _ = active_rules(Options(None, profile="speech", as_of=AS_OF))
    parts = partition(data, spool)
    span, _ = audit_period("2016-01-01..2020-12-31", AS_OF)
    context = context_of(parts, active, span, AS_OF, True)
    work = []
    with make_evaluator("durable", matchers(active)) as engine:
        for unit in dict.fromkeys([*context.registry_of, *parts.spool_rows]):
            loaded, _, _ = validate_unit(context, unit, parts.rows_of(unit))
            batch = derive_unit(context, unit, loaded)
            work.append((engine.judge(batch), batch, context.lookups.units.get(unit), context.by_id))
    return work


@pytest.fixture(scope="module")
def judged(tmp_path_factory) -> list[tuple]:
    """Every demo unit's engine matches, batch and registry record (period 2016–2020: obligations met
    late and not at all, receptions, journeys joined in pairs)."""
    return _judge_units(Path(DEMO), tmp_path_factory.mktemp("spool"))


@pytest.fixture(scope="module")
def from_blocks(tmp_path_factory) -> list[tuple]:
    """As `judged`, of the demo as JSON Lines: most of its records come in blocks (checker.data.blocks),
    each unit's batch with each block standing for its records in `origin` (checker.facts.derive
    `UnitBatch.loaded`); and a copy of the batch with every record made first."""
    folder = tmp_path_factory.mktemp("blocks")
    work = _judge_units(as_jsonl(Path(DEMO), folder / "data"), folder / "spool")
    return [(matches, batch, _made_first(batch), unit, by_id) for matches, batch, unit, by_id in work]


def _made_first(batch):
    """A copy of the batch whose `origin` holds every record, each block's made at once (by a copy of
    the block: the batch's own are left as they are)."""
    made: dict[int, dict[str, LoadedRecord]] = {}
    origin = {}
    for key, value in batch.origin.items():
        if type(value) is BlockRecords:
            if id(value) not in made:
                copy = BlockRecords(value.type, value.source, value.numbers, value.values)
                made[id(value)] = {loaded.id: loaded for loaded in copy.loaded()}
            value = made[id(value)][key[1]]
        origin[key] = value
    return dataclasses.replace(batch, origin=origin)


def _waiting(batches) -> int:
    return sum(type(value) is BlockRecords for batch in batches for value in batch.origin.values())


def test_findings_of_records_made_when_asked_are_those_of_records_made_first(from_blocks):
    """A block's records are made only for a finding that names them, one at a time: the findings are
    those of the same batch with all its records made before."""
    batches = [batch for _, batch, _, _, _ in from_blocks]
    waiting = _waiting(batches)
    assert waiting > 200  # (records standing as their blocks)
    lazily = [findings.finish(findings.build_unit(m, b, by_id, unit)) for m, b, _, unit, by_id in from_blocks]
    first = [findings.finish(findings.build_unit(m, made, by_id, unit)) for m, _, made, unit, by_id in from_blocks]
    assert [words(f) for f in lazily] == [words(f) for f in first]
    assert sum(len(f) for f in lazily) > 300
    named = {(r["type"], r["id"]) for unit in lazily for f in unit for r in f.records}
    assert 0 < waiting - _waiting(batches) <= len(named)  # only records findings name were made, each alone:
    assert not any(value._loaded for batch in batches for value in batch.origin.values() if type(value) is BlockRecords)


def words(found: list[findings.Finding]) -> list[bytes]:
    return [orjson.dumps([f.as_dict("zh"), f.as_dict("en"), f.key, list(f.__dict__)]) for f in found]


SHAPE = findings._shape


def general_shape(*args):
    """`_shape` with its findings' evidence made by the rule's evidence function, records by
    `_finding_records` and fingerprints by `fingerprint_of`."""
    plan, statement, _, *rest = SHAPE(*args)
    return (plan, statement, plan.evidence, *rest[:-1], None)


def test_records_and_fingerprints_made_in_place_are_the_general_ones(judged, monkeypatch):
    fast = [findings.finish(findings.build_unit(m, b, by_id, unit)) for m, b, unit, by_id in judged]
    monkeypatch.setattr(findings, "_shape", general_shape)
    slow = [findings.finish(findings.build_unit(m, b, by_id, unit)) for m, b, unit, by_id in judged]
    assert [words(f) for f in fast] == [words(f) for f in slow]
    every = [f for unit in fast for f in unit]
    # each way a finding's records are found, on several rules
    ways = Counter("unmet" if f.subject and not f.records else "one" if len(f.records) == 1 and f.records[0]["as"] == "m"
                   else "other" for f in every)
    assert min(ways["unmet"], ways["one"], ways["other"]) > 0, ways
    assert len({f.rule.rule.id for f in every if f.subject and not f.records}) > 2
    assert len({f.rule.rule.id for f in every if not f.subject and len(f.records) == 1}) > 2
    for f in every:  # the fingerprint made in place is the one Finding makes for itself
        fields = {field.name: getattr(f, field.name) for field in dataclasses.fields(f) if field.name != "key"}
        assert findings.Finding(**fields) == f
        assert f.key == findings.fingerprint_of(f.rule.rule.id, f.unit, f.period, f.subject, f.records)


def reference_finish(found: list[findings.Finding]) -> list[findings.Finding]:
    """`finish` as it was written first (before repeats are escalated)."""
    unique: dict[str, findings.Finding] = {}
    for finding in found:
        unique.setdefault(finding.fingerprint, finding)
    return sorted(unique.values(), key=lambda f: (f.unit, f.rule.rule.id, f.date or "", f.fingerprint))


def test_finish_keeps_the_first_finding_of_a_fingerprint_in_report_order(judged):
    built = [f for m, b, unit, by_id in judged for f in findings.build_unit(m, b, by_id, unit)]
    again = [dataclasses.replace(f, status="again") for f in built]  # same fingerprints, made later
    mixed = [f for pair in zip(built[::-1], again, strict=True) for f in pair]
    wanted = reference_finish(mixed)
    got = findings.finish(mixed)
    assert [id(f) for f in got] == [id(f) for f in wanted]
    assert len(got) == len(built) and any(f.status == "again" for f in got)


def test_units_whose_rules_specialise_none_skip_the_fold_that_would_change_nothing(judged, monkeypatch):
    """build_unit folds general findings into specialised ones (`merge_superseded`) only when one of
    the unit's rules specialises another: the findings of a unit it skips are those the fold gives,
    and the demo has units of both kinds."""
    real, folded = findings.merge_superseded, []
    monkeypatch.setattr(findings, "merge_superseded", lambda found: folded.append(found) or real(found))
    kinds = Counter()
    for m, b, unit, by_id in judged:
        calls = len(folded)
        built = findings.build_unit(m, b, by_id, unit)
        skipped = len(folded) == calls
        kinds["skipped" if skipped else "folded"] += 1
        if skipped and built:
            before = [(f.key, list(f.also)) for f in built]
            assert [(f.key, list(f.also)) for f in real(list(built))] == before
    assert kinds["skipped"] and kinds["folded"], kinds
