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


def table(*args, env=None):
    result = CliRunner().invoke(main, ["selfcheck", *map(str, args)], catch_exceptions=False, env=env)
    return result.exit_code, result.output


def test_the_table_shows_severities_in_words_and_a_done_obligation_as_done():
    _, text = table(DEMO, "--unit", "LQ", "--as-of", "2020-07-10", "--profile", "speech")
    assert "[严重]" in text and "[high]" not in text and "[medium]" not in text
    done = [line for line in text.splitlines() if "[已完成]" in line]
    assert any("书记每年讲党课：2次，应1次" in line for line in done), done
    assert not any("未" in line.split("：")[0] for line in done), done  # no done item worded as a failure
    assert "自查：宣州市路桥工程处（LQ）" in text and "2020年7月" in text and "2020-07" not in text
    _, english = table(DEMO, "--unit", "LQ", "--as-of", "2020-07-10", "--lang", "en")
    assert "[done] 2020 Secretary gives a Party lecture each year: 2 of 1" in english


def test_every_obligation_rule_says_its_duty():
    from checker.ruleset.catalogue import load_rules

    missing = [r.id for r in load_rules() if r.match.obligation is not None and r.duty is None]
    assert not missing, f"obligation rules without a duty (positive form for the self-check): {missing}"


def test_a_unit_the_engine_could_not_judge_is_named_and_exits_2(monkeypatch):
    from checker.engine.durable import CRASH_UNIT_VARIABLE

    monkeypatch.setenv(CRASH_UNIT_VARIABLE, "ZF")  # a real SIGSEGV in the worker judging ZF
    code, text = table(DEMO, "--unit", "JTJ", "--tree", "--as-of", "2020-07-10", "--fail-on", "never")
    assert "三、未能检查" in text and "宣州市交通综合执法支队（ZF）未检查：规则引擎崩溃" in text, text
    assert "1 个单位未检查" in text.splitlines()[-1]
    code, report = selfcheck("--unit", "JTJ", "--tree", "--as-of", "2020-07-10", "--fail-on", "never")
    assert [u["unit"] for u in report["units_not_judged"]] == ["ZF"]


def test_input_errors_are_listed_in_the_table():
    from tests.test_cli import BAD

    code, text = table(BAD / "bad_date", "--unit", "JTJ", "--as-of", "2020-07-10", "--fail-on", "never")
    assert "三、未能检查" in text and "输入错误 " in text and "reception.json" in text, text
