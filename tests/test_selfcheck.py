"""The secretary's self-check on the demo: done, due and overdue, and the exit code."""

from __future__ import annotations

import json

from click.testing import CliRunner

from checker.cli import main
from tests.conftest import DEMO


def selfcheck(*args, profile="speech"):
    result = CliRunner().invoke(main, ["selfcheck", str(DEMO), "--profile", profile, "--format", "json", *args],
                                catch_exceptions=False)
    return result.exit_code, json.loads(result.stdout)


def states(report, rule_id):
    return {o["period"]: o["state"] for o in report["obligations"] if o["rule_id"] == rule_id}


def test_as_of_july_10_the_unit_sees_done_due_and_overdue():
    code, report = selfcheck("--unit", "GL", "--as-of", "2020-07-10", "--before", "2020-07-15")
    assert states(report, "RP-THEME-PARTY-DAY")["2020-02"] == "overdue"         # none held in February
    assert not states(report, "RP-INTEGRITY-STUDY")  # speech fixes no per-half number: not owed, not guessed
    assert states(report, "RP-THEME-PARTY-DAY")["2020-07"] == "due"             # July has begun
    done = [o for o in report["obligations"] if o["rule_id"] == "RP-BRANCH-COMMITTEE" and o["period"] == "2020-03"]
    assert done and done[0]["state"] == "done" and done[0]["records"] == ["MTG-GL-BC03"]
    assert code == 1  # a branch meeting is overdue (a violation, not only leads)
    assert any(row.get("rule_id") == "RP-THEME-PARTY-DAY" for row in report["coverage"])


def test_overdue_leads_alone_do_not_fail_the_self_check():
    import datetime as dt

    from checker.report.selfcheck import SelfCheck

    _, report = selfcheck("--unit", "JTJ", "--as-of", "2020-07-10", profile="speech-assumptions")
    overdue = [o for o in report["obligations"] if o["state"] == "overdue"]
    assert overdue and all(o["lead"] for o in overdue)  # theory-group study: a working assumption
    leads_only = SelfCheck(["JTJ"], dt.date(2020, 7, 10), None, overdue,
                           [f for f in report["findings"] if f["lead"]], [])
    assert leads_only.exit_code("low") == 0


def test_tree_includes_subordinate_units_and_an_unknown_unit_is_a_usage_error():
    _, report = selfcheck("--unit", "JTJ", "--as-of", "2020-07-10", "--tree")
    assert set(report["units"]) >= {"JTJ", "LQ", "GL", "ZF"}
    result = CliRunner().invoke(main, ["selfcheck", str(DEMO), "--unit", "NOPE"])
    assert result.exit_code == 2


def test_the_terminal_checklist_is_chinese():
    result = CliRunner().invoke(main, ["selfcheck", str(DEMO), "--unit", "GL", "--as-of", "2020-07-10",
                                       "--profile", "speech"])
    assert "自查" in result.output and "已逾期" in result.output and "已完成" in result.output
