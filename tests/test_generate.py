"""The synthetic generator's ground truth against the real pipeline: every planted violation is
found (recall 1.0) and nothing else is reported, for any rule (precision 1.0): the background is
compliant, obligations included (every unit holds the meetings and submits the reports it owes)."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

from bench.generate import PLANTED_RULES, generate, manifest_keys, write_dataset, write_plain_csv
from checker.data.load import dataset_from_records
from tests.conftest import check

AS_OF = dt.date(2021, 3, 31)
PERIOD = "2020"  # the generated data is 2020's (the default period would be 2021 up to AS_OF)
REQUIRED = {"EP-REC-LETTER", "EP-REC-ESCORTS", "EP-REC-ALCOHOL", "EP-TRV-OVERLAP", "EP-VEH-FUEL-HOLIDAY"}
# rule id -> why the generated background still fires it; empty: every finding is a planted one
BACKGROUND_ALLOWED: dict[str, str] = {}
OBLIGATIONS_OWED = {  # a sample of the obligations the background must meet, one or more per org kind
    "RP-BRANCH-COMMITTEE", "RP-BRANCH-GENERAL-MEETING", "RP-PARTY-GROUP-SMALL", "RP-THEME-PARTY-DAY",
    "RP-MONTHLY-STUDY", "RP-DEMOCRATIC-LIFE", "RP-KEY-TASK-HEARING-RURAL-ROADS", "RP-H2-WARNING-EDUCATION",
    "RF-ORG-PERSONAL-MATTERS",
}
# owed under speech-assumptions (their numbers are working assumptions: profile speech does not guess them)
ASSUMED_OBLIGATIONS = {"RP-INTEGRITY-STUDY", "RP-THEORY-GROUP-STUDY", "RP-HALF-YEAR-REPORT",
                       "RP-MAIN-RESPONSIBILITY-REPORT", "RF-ORG-MAJOR-MATTER-REPORT"}


@pytest.fixture(scope="module")
def generated():
    return generate(units=8, records=5000, rate=0.03, seed=20200715)


@pytest.fixture(scope="module")
def folder(generated, tmp_path_factory):
    path = tmp_path_factory.mktemp("generated") / "data"
    write_dataset(generated[0], path)
    return path


def _keys(findings) -> set[tuple[str, str, frozenset[str]]]:
    return {(f.rule.rule.id, f.unit, frozenset(r["id"] for r in f.records)) for f in findings}


def test_deterministic_and_sized(generated):
    records, manifest = generated
    again, again_manifest = generate(units=8, records=5000, rate=0.03, seed=20200715)
    assert again == records and again_manifest == manifest
    activity = sum(len(v) for k, v in records.items() if k not in ("unit", "person", "vehicle"))
    assert 4900 <= activity <= 5400  # the patterns' plants add records of their own (extra lines, tolls)
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


def test_pipeline_finds_exactly_the_planted_violations(generated, folder):
    records, manifest = generated
    result = check(folder, profile="speech", as_of=AS_OF, period=PERIOD)
    assert not result.data.errors, result.data.errors[:5]
    running = {r.rule.id for r in result.rules if r.skipped is None}
    assert REQUIRED <= running
    judged = running & set(PLANTED_RULES)
    expected = manifest_keys([m for m in manifest if m["rule_id"] in judged])
    found = _keys(f for f in result.findings if f.rule.rule.id in judged)
    missed, extra = expected - found, found - expected
    assert not missed and not extra, f"missed {sorted(missed)[:5]}, extra {sorted(extra)[:5]}"
    precision = len(found & expected) / len(found)
    recall = len(found & expected) / len(expected)
    assert precision == recall == 1.0


@pytest.mark.parametrize("profile", ["speech", "speech-quarterly-lecture", "speech-assumptions"])
def test_background_yields_no_finding_of_any_rule(generated, folder, profile):
    """All findings, not only the planted rules': the obligations (三会一课, reports, …) are met too."""
    _, manifest = generated
    result = check(folder, profile=profile, as_of=AS_OF, period=PERIOD)
    by_rule = Counter(f.rule.rule.id for f in result.findings)
    assert set(by_rule) <= {m["rule_id"] for m in manifest} | set(BACKGROUND_ALLOWED), by_rule
    judged = [f for f in result.findings if f.rule.rule.id not in BACKGROUND_ALLOWED]
    found, expected = _keys(judged), manifest_keys(manifest)
    assert len(found) == len(judged), "one finding per planted violation"
    precision = len(found & expected) / len(found)
    recall = len(found & expected) / len(expected)
    assert precision == recall == 1.0, f"missed {sorted(expected - found)[:5]}, extra {sorted(found - expected)[:5]}"
    states = [o for _, o in result.findings.obligations()]
    owed = OBLIGATIONS_OWED | (ASSUMED_OBLIGATIONS if profile == "speech-assumptions" else set())
    assert owed <= {o["rule"] for o in states}
    undone = [o["rid"] for o in states if o["state"] != "done"]
    assert not undone, undone[:5]


def test_obligations_met_when_the_budget_is_small(tmp_path):
    """Units too small for their obligations still meet them (records beyond the budget if need be)."""
    records, manifest = generate(units=4, records=400, rate=0.03, seed=7)
    write_dataset(records, tmp_path / "data")
    result = check(tmp_path / "data", profile="speech", as_of=AS_OF, period=PERIOD)
    assert {f.rule.rule.id for f in result.findings} <= {m["rule_id"] for m in manifest}
    assert _keys(result.findings) == manifest_keys(manifest)
    assert all(o["state"] == "done" for _, o in result.findings.obligations())


def test_written_unit_by_unit_is_the_same_data(generated, tmp_path):
    from bench.generate import write_generated

    records, manifest = generated
    rows, streamed_manifest = write_generated(tmp_path / "streamed", units=8, records=5000, rate=0.03, seed=20200715)
    write_dataset(records, tmp_path / "whole")
    assert streamed_manifest == manifest and rows == sum(len(v) for v in records.values())
    for file in (tmp_path / "whole").iterdir():
        assert (tmp_path / "streamed" / file.name).read_text(encoding="utf-8") == file.read_text(encoding="utf-8")


def test_every_planted_rule_is_planted_with_the_profiles_numbers(generated):
    """A small set holds every pattern, and the generator's windows and caps are the profiles'."""
    from bench import gen_patterns, gen_records
    from checker.ruleset.catalogue import load_profile

    _, manifest = generated
    assert set(PLANTED_RULES) <= {m["rule_id"] for m in manifest}
    values = {name: p.value for profile in load_profile("speech-assumptions") for name, p in profile.parameters.items()}
    assert values["festival_window_days"] == gen_patterns.FESTIVAL_WINDOW_DAYS
    assert values["family_event_gift_window_days"] == gen_patterns.FAMILY_GIFT_WINDOW_DAYS
    assert values["reception_meal_cap_fen"] == gen_records.MEAL_CAP_YUAN * 100


def test_the_plain_csv_copy_holds_the_same_records(folder, tmp_path):
    """bench.generate.write_plain_csv (the benchmark's CSV form): every record as the JSON Lines give it,
    with no input error, so both forms' reports can be compared."""
    from checker.data.load import load_path

    write_plain_csv(folder, tmp_path / "csv")
    as_jsonl, as_csv = load_path(folder), load_path(tmp_path / "csv")
    assert not as_jsonl.errors and not as_csv.errors, [str(e) for e in as_csv.errors[:3]]

    def records(data, header_rows=0):  # a CSV's row 1 is its header
        return sorted((r.type, r.id, r.row - header_rows, repr(r.record.model_dump())) for r in data.records)

    assert len(as_csv.records) == len(as_jsonl.records) > 5000
    assert records(as_csv, header_rows=1) == records(as_jsonl)
