"""The demo audit finds every planted violation, reports each planted lead as a lead (线索) and not as a
violation, says nothing about facts no binding text judges, nothing on the clean twins and nothing on
the background records (fixtures/demo/PLANTED.md against the findings and the leads)."""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass

import pytest
import yaml

from checker.facts.periods import one_month_after
from checker.report import build as report
from tests.conftest import DEMO, ROOT, check

CONCEPT_RULES = yaml.safe_load((ROOT / "tests" / "data" / "concept_rules.yaml").read_text(encoding="utf-8"))
AS_OF = dt.date(2020, 7, 10)
# Rules that cannot apply to the demo's first half of 2020: other editions, or a December to compare.
NOT_PLANTABLE_IN_2020 = {"FM-DOC-TOO-LONG", "FM-COMPREHENSIVE-MEETINGS", "EP-FRUG-DEC-RUSH"}
# The 中央和国家机关 会议费/培训费/差旅费 办法 bind central organs: the demo's municipal bureau is not bound.
NOT_BINDING_THE_BUREAU = {"EP-CONF-QUOTA", "EP-CONF-DAYS", "EP-CONF-SIZE", "EP-TRN-QUOTA-CAT1", "EP-TRN-QUOTA-CAT2",
                          "EP-TRN-QUOTA-CAT3", "EP-TRN-LECTURE-FEE", "EP-TRV-SEAT", "EP-TRV-HOTEL", "EP-TRV-MEAL",
                          "EP-TRV-LOCAL-TRANSPORT"}


@dataclass
class Row:
    ids: list[str]
    unit: str | None
    twin: bool
    concept: str
    outcome: str  # "violation", "lead" or "not judged (why)"

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
        outcome = "lead" if cells[2].startswith("lead:") else cells[2].split(":")[0] \
            if cells[2].startswith("not judged") else "violation"
        rows.append(Row(ids, unit, twin, cells[3].strip("`"), outcome))
    return rows


@pytest.fixture(scope="module")
def demo_report():
    return report.build(check(DEMO, profile="speech", as_of=AS_OF, workers=1))


@pytest.fixture(scope="module")
def demo_findings(demo_report):
    return {"violation": list(demo_report["findings"]), "lead": list(demo_report["leads"])}


def covers(finding: dict, row: Row) -> bool:
    """The finding is about the row's records (or unit), by one of its rules or one it folded in."""
    if not ({finding["rule_id"], *finding.get("also_breaks", [])} & row.rules):
        return False
    if {r["id"] for r in finding["records"]} & set(row.ids):
        return True
    return row.unit is not None and finding["unit"] == row.unit


def test_every_concept_maps_to_existing_rules():
    from checker.ruleset.catalogue import load_rules

    known = {r.id for r in load_rules()}
    for row in planted_rows():
        assert row.rules <= known, (row.concept, row.rules - known)


@pytest.mark.parametrize("row", [r for r in planted_rows() if not r.twin and r.outcome in ("violation", "lead")],
                         ids=lambda r: f"{r.concept}:{r.ids[:1]}")
def test_each_planted_violation_or_lead_is_found_as_such(row, demo_findings):
    assert any(covers(f, row) for f in demo_findings[row.outcome]), f"{row.concept} {row.ids}: no {row.outcome}"
    other = "lead" if row.outcome == "violation" else "violation"
    assert not any(covers(f, row) for f in demo_findings[other]), f"{row.concept} {row.ids} reported as a {other}"


@pytest.mark.parametrize("row", [r for r in planted_rows() if r.twin or r.outcome.startswith("not judged")],
                         ids=lambda r: f"{r.concept}:{r.ids[:1]}")
def test_no_twin_and_no_fact_without_a_binding_text_is_reported(row, demo_findings):
    for f in [*demo_findings["violation"], *demo_findings["lead"]]:
        assert not covers(f, row), f"{row.ids} of {row.concept} reported: {f['message']}"


def test_nothing_is_reported_on_background_records(demo_findings):
    planted = [r for r in planted_rows() if not r.twin and r.outcome in ("violation", "lead")]
    unexplained = [(f["rule_id"], f["unit"], [r["id"] for r in f["records"]])
                   for f in [*demo_findings["violation"], *demo_findings["lead"]]
                   if not any(covers(f, row) for row in planted)]
    assert unexplained == []


def test_no_finding_cites_a_text_that_does_not_bind_the_unit():
    """Each finding's edition (or local text) binds its unit and was in force on the record's date;
    none cites a 中央和国家机关 办法 or the Ministry's notice."""
    result = check(DEMO, profile="speech", as_of=AS_OF, workers=1)
    units = {r.id: r.record for r in result.data.records if r.type == "unit"}
    for finding in result.findings:
        standard = finding.rule.standards[finding.standard]
        assert standard.scope.binds_unit(units[finding.unit]), (finding.rule.rule.id, standard.citation)
        assert standard.covers(dt.date.fromisoformat(finding.date).toordinal()), (finding.rule.rule.id, finding.date)
        assert "中央和国家机关" not in standard.citation.regulation
        assert not standard.citation.regulation.startswith("交通运输部")


def test_every_gift_finding_is_about_an_item_not_handed_in_on_time(demo_report):
    gifts = {g["id"]: g for g in json.loads((DEMO / "gift.json").read_text(encoding="utf-8"))}
    for f in demo_report["findings"]:
        if f["rule_id"].startswith("EP-GIFT"):
            for record in f["records"]:
                gift = gifts[record["id"]]
                due = one_month_after(dt.date.fromisoformat(gift["date"]))
                assert not gift["handed_in"] or dt.date.fromisoformat(gift["handed_in"]) > due, gift


def test_the_report_has_coverage_and_leads_apart(demo_report):
    assert demo_report["coverage"] and demo_report["coverage_summary"]["records_in_period"] > 800
    assert demo_report["summary"]["leads"] == len(demo_report["leads"]) > 0
    assert not any(f["lead"] for f in demo_report["findings"]) and all(f["lead"] for f in demo_report["leads"])
    assert sum(demo_report["summary"]["by_severity"].values()) == len(demo_report["findings"])


def test_every_eight_point_rule_binding_the_bureau_is_planted(demo_findings):
    from checker.ruleset.catalogue import activate, load_profile, load_rules

    running = {a.rule.id for a in activate(load_rules(), load_profile("speech")) if a.skipped is None}
    fired = {rule for f in [*demo_findings["violation"], *demo_findings["lead"]]
             for rule in (f["rule_id"], *f["also_breaks"])}
    missing = sorted(r for r in running - fired - NOT_PLANTABLE_IN_2020 - NOT_BINDING_THE_BUREAU if r.startswith("EP-"))
    assert missing == []


def test_the_working_assumptions_give_leads_never_violations():
    """Under speech-assumptions the rows speech leaves unjudged for want of a number are leads."""
    built = report.build(check(DEMO, profile="speech-assumptions", as_of=AS_OF, workers=1))
    assumed = [r for r in planted_rows() if not r.twin and "speech-assumptions" in r.outcome]
    assert assumed
    leads, violations = list(built["leads"]), list(built["findings"])
    for row in assumed:
        assert any(covers(f, row) for f in leads), row
        assert not any(covers(f, row) for f in violations), row
