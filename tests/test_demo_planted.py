"""The demo audit finds every planted violation, nothing on the clean twins and nothing on the
background records (fixtures/demo/PLANTED.md against the findings)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import pytest
import yaml

from checker.report import build as report
from tests.conftest import DEMO, ROOT, check

CONCEPT_RULES = yaml.safe_load((ROOT / "tests" / "data" / "concept_rules.yaml").read_text(encoding="utf-8"))
AS_OF = dt.date(2020, 7, 10)
# Planted so that they show only after their due date has passed.
LATER = {"reporting.half_year_late": dt.date(2020, 7, 21), "reporting.half_year_missing": dt.date(2020, 7, 21)}
# Rules that cannot apply to the demo's first half of 2020: other editions, or a December to compare.
NOT_PLANTABLE_IN_2020 = {"EP-CONF-QUOTA-2013", "RF-PERS-PUBLICITY-SHORT-2014", "RF-PERS-PUBLICITY-MISSING-2014",
                         "FM-DOC-TOO-LONG", "FM-COMPREHENSIVE-MEETINGS", "EP-FRUG-DEC-RUSH"}


@dataclass
class Row:
    ids: list[str]
    unit: str | None
    twin: bool
    concept: str

    @property
    def rules(self) -> set[str]:
        return set(CONCEPT_RULES.get(self.concept, [self.concept]))


def planted_rows() -> list[Row]:
    rows = []
    for line in (DEMO / "PLANTED.md").read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 4 or not cells[3].startswith("`"):
            continue
        tokens = [t.strip() for t in cells[0].split(",")]
        unit = next((t[5:] for t in tokens if t.startswith("unit ")), None)
        ids = [t for t in tokens if not t.startswith("unit ")]
        twin = cells[2].startswith("twin") or any(re.search(r"-OK\d+$", i) for i in ids)
        rows.append(Row(ids, unit, twin, cells[3].strip("`")))
    return rows


def findings(as_of: dt.date) -> list[dict]:
    result = check(DEMO, profile="speech", as_of=as_of, workers=1)
    built = report.build(result)
    return [*built["findings"], *built["leads"]]


@pytest.fixture(scope="module")
def demo_findings():
    return {as_of: findings(as_of) for as_of in {AS_OF, *LATER.values()}}


def covers(finding: dict, row: Row) -> bool:
    if finding["rule_id"] not in row.rules:
        return False
    if {r["id"] for r in finding["records"]} & set(row.ids):
        return True
    return row.unit is not None and finding["unit"] == row.unit


def test_every_concept_maps_to_existing_rules():
    from checker.ruleset.catalogue import load_rules

    known = {r.id for r in load_rules()}
    for row in planted_rows():
        assert row.rules <= known, (row.concept, row.rules - known)


@pytest.mark.parametrize("row", [r for r in planted_rows() if not r.twin], ids=lambda r: f"{r.concept}:{r.ids[:1]}")
def test_each_planted_violation_is_found(row, demo_findings):
    found = demo_findings[LATER.get(row.concept, AS_OF)]
    assert any(covers(f, row) for f in found), f"{row.concept} {row.ids} not reported by {row.rules}"


@pytest.mark.parametrize("row", [r for r in planted_rows() if r.twin], ids=lambda r: f"{r.concept}:{r.ids[:1]}")
def test_no_clean_twin_is_reported(row, demo_findings):
    for f in demo_findings[LATER.get(row.concept, AS_OF)]:
        assert not covers(f, row), f"twin {row.ids} of {row.concept} reported: {f['message']}"


def test_nothing_is_reported_on_background_records(demo_findings):
    planted = [r for r in planted_rows() if not r.twin]
    unexplained = [(f["rule_id"], f["unit"], [r["id"] for r in f["records"]]) for f in demo_findings[AS_OF]
                   if not any(covers(f, row) for row in planted)]
    assert unexplained == []


def test_every_eight_point_rule_is_planted(demo_findings):
    from checker.ruleset.catalogue import activate, load_profile, load_rules

    running = {a.rule.id for a in activate(load_rules(), load_profile("speech")) if a.skipped is None}
    fired = {f["rule_id"] for f in demo_findings[AS_OF]}
    missing = sorted(r for r in running - fired - NOT_PLANTABLE_IN_2020 if r.startswith("EP-"))
    assert missing == []
