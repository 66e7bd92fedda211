"""Verdicts an inspector can sign: a finding cites the edition in force on the record's date and binding
its unit; what was not judged is counted with its reason; a lead is not a violation; one act, one
finding; `rules lint` refuses an undeclared gap."""

from __future__ import annotations

import datetime as dt
import textwrap

import pytest
from click.testing import CliRunner

from checker.cli import main
from checker.data.files import record_tables
from checker.data.registry_models import Unit
from checker.report import build as report
from checker.ruleset.catalogue import load_rule_file
from checker.ruleset.standards import NOT_BINDING, Resolver, timeline_problems
from checker.run.check import Options, active_rules
from tests.conftest import check

CITY = {"id": "U1", "name": "某市局", "level": "municipal", "org_kind": "party_group", "region": "北京"}
MINISTRY = {"id": "U1", "name": "某部", "level": "central", "org_kind": "party_group"}
STAFF = {"id": "P1", "name": "张三", "unit": "U1", "rank": "staff"}


OWED = ("RP-", "RF-ORG-")  # obligations: a bare unit owes meetings and reports, which these cases leave aside


def run(records, profile="speech", as_of="2020-12-31", period=None, **options):
    """The records judged over 2013 to the as-of date; the findings and leads about acts (not obligations)."""
    records = {"unit": [CITY], "person": [STAFF], **records}
    day = dt.date.fromisoformat(as_of)
    result = check(record_tables(records, "case"), profile=profile, as_of=day,
                   period=period or f"2013-01-01..{as_of}", isolate=False, **options)
    built = report.build(result)
    acts = {key: [f for f in built[key] if not f["rule_id"].startswith(OWED)] for key in ("findings", "leads")}
    return result, {**built, **acts}


def gift(day, kind="gift", handed_in=None, client=False):
    return {"id": "G1", "unit": "U1", "person": "P1", "date": day, "giver": "某公司", "giver_is_client": client,
            "kind": kind, "value": 1000, **({"handed_in": handed_in} if handed_in else {})}


@pytest.mark.parametrize("day, regulation, article, edition", [
    ("2015-06-01", "国务院令第20号", "第二条", "1988"),
    ("2019-06-01", "国务院令第20号", "第二条", "1988"),
    ("2020-06-15", "国务院令第20号", "第二条", "1988"),
    ("2021-06-01", "政务处分法", "第三十四条", "2020"),
])
def test_a_cash_gift_cites_the_edition_in_force_on_its_date(day, regulation, article, edition):
    _, built = run({"gift": [gift(day, "cash")]}, as_of="2021-12-31")
    [finding] = built["findings"]
    citation = finding["citation"]
    assert finding["rule_id"] == "EP-GIFT-CASH" and regulation in citation["regulation"]
    assert article in citation["article"] and citation["edition"] == edition
    start, end = citation["valid_from"], citation["valid_to"]
    assert (start is None or start <= day) and (end is None or day <= end)
    also = {a["regulation"] + a.get("article", "") for a in citation["also"]}
    assert any("纪律处分条例" in text for text in also) or day < "2016-01-01"


def test_one_act_one_finding_cash_from_a_client_kept():
    _, built = run({"gift": [gift("2020-09-01", "cash", client=True)]})
    [finding] = built["findings"]
    assert finding["rule_id"] == "EP-GIFT-CASH"
    assert set(finding["also_breaks"]) == {"EP-GIFT-CLIENT", "EP-GIFT-NOT-HANDED-IN"}


def test_a_gift_handed_in_within_the_month_is_no_finding_and_late_is_only_the_late_hand_in():
    _, on_time = run({"gift": [gift("2020-09-30", "cash", handed_in="2020-10-30", client=True)]})
    assert not on_time["findings"]
    _, late = run({"gift": [gift("2020-09-30", "cash", handed_in="2020-10-31", client=True)]})
    assert [f["rule_id"] for f in late["findings"]] == ["EP-GIFT-LATE-HAND-IN"]


def test_a_central_organs_rule_does_not_judge_a_city_bureau_and_says_so():
    conference = {"id": "C1", "unit": "U1", "start": "2020-05-11", "end": "2020-05-13", "category": 3,
                  "attendees": 50, "cost": 99999}
    _, city = run({"conference": [conference]})
    assert not [f for f in city["findings"] if f["rule_id"] in ("EP-CONF-QUOTA", "EP-CONF-DAYS")]
    rows = {r["rule_id"]: r for r in city["coverage"] if r.get("rule_id")}
    assert rows["EP-CONF-QUOTA"]["not_judged"] == {"not_binding": 1}
    ministry, built = run({"unit": [MINISTRY], "conference": [conference]}, profile="central-organs")
    assert {"EP-CONF-QUOTA", "EP-CONF-DAYS"} <= {f["rule_id"] for f in built["findings"]}


def test_a_city_without_a_hotel_cap_is_named_in_coverage():
    trip = {"id": "T1", "unit": "U1", "person": "P1", "depart": "2020-04-01", "return": "2020-04-03",
            "destination": "上海", "mode": "hsr", "seat_class": "hsr_second", "hotel_per_night": 900, "nights": 2}
    _, built = run({"unit": [MINISTRY], "travel": [trip]}, profile="central-organs")
    row = next(r for r in built["coverage"] if r.get("rule_id") == "EP-TRV-HOTEL")
    assert row["not_judged"] == {"no_standard": 1}
    assert "destination=上海" in next(iter(row["details"]["no_standard"]))


def test_an_office_of_a_provincial_body_is_judged():
    office = {"id": "O1", "unit": "U1", "person": "P9", "area_m2": 31, "as_of": "2020-07-01"}
    person = {"id": "P9", "name": "厅长", "unit": "U1", "rank": "bureau"}
    province = {**CITY, "level": "provincial"}
    _, built = run({"unit": [province], "person": [person], "office": [office]})
    assert [f["rule_id"] for f in built["findings"]] == ["EP-OFF-AREA"]


def test_records_dated_in_a_gap_are_not_judged_no_edition():
    reception = {"id": "R1", "unit": "U1", "date": "2013-06-03", "guest_unit": "A", "guests": 4, "escorts": 6}
    _, built = run({"reception": [reception]})
    row = next(r for r in built["coverage"] if r.get("rule_id") == "EP-REC-ESCORTS")
    assert row["not_judged"] == {"no_edition": 1} and not built["findings"]


def test_leads_are_apart_and_fail_only_when_asked(tmp_path):
    expense = {"id": "E1", "unit": "U1", "date": "2020-05-06", "amount": 80000, "purpose": "维修"}
    _, off = run({"expense": [expense]})  # speech fixes no threshold: the rule does not run, and says why
    row = next(r for r in off["coverage"] if r.get("rule_id") == "RF-FIN-COLLECTIVE-NO-DECISION")
    assert row["not_judged"] == {"rule_off": 1} and not off["leads"]
    _, built = run({"expense": [expense]}, profile="speech-assumptions")
    assert not built["findings"] and [f["rule_id"] for f in built["leads"]] == ["RF-FIN-COLLECTIVE-NO-DECISION"]
    assert built["leads"][0]["lead_reason"]
    only_the_lead = {**built, "summary": {**built["summary"], "by_severity": {}}}  # obligations left aside
    assert report.exit_code(only_the_lead, "low") == 0
    assert report.exit_code(only_the_lead, "low", fail_on_leads=True) == 1


def test_the_check_command_takes_fail_on_leads(tmp_path):
    import json

    folder = tmp_path / "data"
    folder.mkdir()
    branch = {**CITY, "org_kind": "general_branch"}  # owes no obligation until the end of January
    for name, rows in {"unit": [branch], "person": [STAFF],
                       "expense": [{"id": "E1", "unit": "U1", "date": "2020-01-06", "amount": 80000}]}.items():
        (folder / f"{name}.json").write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    base = ["check", str(folder), "--profile", "speech-assumptions", "--as-of", "2020-01-20", "--fail-on", "low"]
    assert CliRunner().invoke(main, base).exit_code == 0
    assert CliRunner().invoke(main, [*base, "--fail-on-leads"]).exit_code == 1


def test_rules_lint_finds_an_undeclared_gap(tmp_path):
    path = tmp_path / "rule.yaml"
    path.write_text(textwrap.dedent("""
        - id: T-GAP
          title: {zh: 测试, en: test}
          severity: low
          discipline: eight_point.reception
          editions:
            - {regulation: 甲, edition: "1", valid_to: 2015-12-31}
            - {regulation: 甲, edition: "2", valid_from: 2017-01-01}
          match: {record: reception, where: [alcohol]}
          message: {zh: x, en: x}
        """), encoding="utf-8")
    [rule] = load_rule_file(path)
    assert timeline_problems(rule) == ["undeclared gap 2016-01-01 – 2016-12-31: no edition and no declared gap"]


def test_an_edition_for_party_members_is_cached_by_membership_not_by_equality():
    """A text binding party members only (纪律处分条例 on 操办婚丧喜庆) applies to a member; to anyone
    else it does not bind. Answers are cached by (day, membership), shared by units alike: since
    1 == True (and their hashes agree), a value that is not True must not be handed True's answer."""
    rules, _ = active_rules(Options(None, "speech", as_of=dt.date(2020, 12, 31)))
    active = next(r for r in rules if r.rule.id == "EP-FAM-CLIENTS")
    assert all(s.scope.party_members for s in active.standards)
    unit, day, shared = Unit(**CITY), dt.date(2020, 6, 1).toordinal(), {}
    assert isinstance(Resolver(active.rule, active.standards, unit, shared).on(day, True), int)  # binds a member
    alike = Resolver(active.rule, active.standards, unit, shared)  # a unit alike: the same cache
    for membership in (1, "yes", False):
        assert alike.on(day, membership) == NOT_BINDING, membership
    assert isinstance(alike.on(day, True), int)
