"""The synthetic generator's ground truth against the real pipeline: every planted violation is
found (recall 1.0) and nothing else is reported for the planted rules (precision 1.0)."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

from checker.generate import PLANTED_RULES, generate, manifest_keys, write_dataset
from checker.load import dataset_from_records
from checker.pipeline import run_check

AS_OF = dt.date(2021, 3, 31)
REQUIRED = {"EP-REC-LETTER", "EP-REC-ESCORTS", "EP-TRV-SEAT", "EP-TRV-OVERLAP", "EP-VEH-FUEL-HOLIDAY"}


@pytest.fixture(scope="module")
def generated():
    return generate(units=8, records=5000, rate=0.03, seed=20200715)


def test_deterministic_and_sized(generated):
    records, manifest = generated
    again, again_manifest = generate(units=8, records=5000, rate=0.03, seed=20200715)
    assert again == records and again_manifest == manifest
    activity = sum(len(v) for k, v in records.items() if k not in ("unit", "person", "vehicle"))
    assert 4900 <= activity <= 5200
    assert len(records["unit"]) == 8
    assert {"party_group", "branch"} <= {u["org_kind"] for u in records["unit"]}
    assert all(rows for rows in records.values()), "every record type is generated"
    planted = Counter(m["rule_id"] for m in manifest)
    assert REQUIRED <= set(planted), planted
    assert set(planted) <= set(PLANTED_RULES)


def test_rows_are_valid_contract_records(generated):
    records, _ = generated
    data = dataset_from_records(records, "generated")
    assert not data.errors, data.errors[:5]
    assert len(data.records) == sum(len(v) for v in records.values())


def test_pipeline_finds_exactly_the_planted_violations(generated, tmp_path):
    records, manifest = generated
    write_dataset(records, tmp_path / "data")
    result = run_check(tmp_path / "data", profile="speech", as_of=AS_OF)
    assert not result.data.errors, result.data.errors[:5]
    running = {r.rule.id for r in result.rules if r.skipped is None}
    assert REQUIRED <= running
    judged = running & set(PLANTED_RULES)
    expected = manifest_keys([m for m in manifest if m["rule_id"] in judged])
    found = {(f.rule.rule.id, f.unit, frozenset(r["id"] for r in f.records))
             for f in result.findings if f.rule.rule.id in judged}
    missed, extra = expected - found, found - expected
    assert not missed and not extra, f"missed {sorted(missed)[:5]}, extra {sorted(extra)[:5]}"
    precision = len(found & expected) / len(found)
    recall = len(found & expected) / len(expected)
    assert precision == recall == 1.0
