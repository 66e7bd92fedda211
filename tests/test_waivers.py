"""Waivers (active, expired, unused; four eyes) and baselines (new, persisting, resolved)."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from checker.cli import main
from tests.conftest import DEMO, ROOT

WAIVERS = ROOT / "fixtures" / "waivers" / "demo.yaml"
ARGS = ["check", str(DEMO), "--profile", "speech", "--as-of", "2020-07-10", "--format", "json"]


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def test_waived_expired_and_unused_waivers():
    report = json.loads(run(*ARGS, "--waivers", WAIVERS).stdout)
    states = {w["id"]: w["state"] for w in report["waivers"]}
    assert states == {"W-1": "active", "W-2": "expired", "W-3": "unused"}
    waived = [f for f in report["findings"] if (f["waiver"] or {}).get("state") == "active"]
    assert [(f["rule_id"], f["records"][0]["id"]) for f in waived] == [("EP-REC-ESCORTS", "REC-LQ-V2")]
    expired = [f for f in report["findings"] if (f["waiver"] or {}).get("state") == "expired"]
    assert expired and all(f["rule_id"] == "EP-REC-LETTER" and f["unit"] == "JTJ" for f in expired)
    assert report["summary"]["counted"] == report["summary"]["findings"] - 1


def test_a_waived_finding_does_not_count_for_fail_on(tmp_path):
    only = tmp_path / "only.yaml"
    only.write_text(WAIVERS.read_text(encoding="utf-8").split("- id: W-2")[0], encoding="utf-8")
    args = ["check", DEMO, "--profile", "speech", "--as-of", "2020-07-10", "--unit", "LQ", "--format", "json"]
    plain = json.loads(run(*args).stdout)
    escorts = [f for f in plain["findings"] if f["rule_id"] == "EP-REC-ESCORTS"]
    assert escorts
    # Fail only on what the waiver covers: medium escorts finding in LQ, waived → exit 0 at --fail-on high.
    others = {f["severity"] for f in plain["findings"] if f["rule_id"] != "EP-REC-ESCORTS"}
    if "high" not in others:
        assert run(*args, "--waivers", only, "--fail-on", "high").exit_code == 0


def test_waiver_lint_refuses_self_approval_and_unknown_rules(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("- id: W-9\n  rule: NO-SUCH-RULE\n  justification: 自己批准自己\n  requested_by: 张三\n"
                   "  approved_by: 张三\n  approval_document: X\n  expires: 2030-01-01\n", encoding="utf-8")
    result = run("waivers", "lint", bad)
    assert result.exit_code == 3  # an invalid waiver file
    assert "bad.yaml:1" in result.output and "approved_by" in result.output
    assert run("waivers", "lint", WAIVERS, "--as-of", "2020-07-10").exit_code == 0


def test_baseline_marks_new_and_persisting_and_lists_resolved(tmp_path):
    before = tmp_path / "before.json"
    # The earlier inspection saw only LQ and ZF; since then JTJ's findings appeared, and one is invented to resolve.
    earlier = json.loads(run(*ARGS, "--unit", "LQ", "--unit", "ZF").stdout)
    earlier["findings"].append({**earlier["findings"][0], "fingerprint": "gone-since", "rule_id": "EP-OLD"})
    before.write_text(json.dumps(earlier, ensure_ascii=False), encoding="utf-8")
    report = json.loads(run(*ARGS, "--baseline", before).stdout)
    statuses = {f["unit"]: set() for f in report["findings"]}
    for f in report["findings"]:
        statuses[f["unit"]].add(f["status"])
    assert statuses["LQ"] == {"persisting"} and statuses["ZF"] == {"persisting"}
    assert statuses["JTJ"] == {"new"}
    assert [r["fingerprint"] for r in report["baseline"]["resolved"]] == ["gone-since"]
    new_only = json.loads(run(*ARGS, "--baseline", before, "--new-only").stdout)
    assert new_only["findings"] and {f["status"] for f in new_only["findings"]} == {"new"}


WAIVER = """- id: W1
  rule: EP-REC-LETTER
  justification: 经批准的特殊情况说明
  requested_by: 张三
  approved_by: 李四
  approval_document: 宣交〔2020〕1号
  expires: {expires}
"""


@pytest.mark.parametrize("make, message", [
    (lambda p: p.write_text(WAIVER.format(expires="2020-02-30"), encoding="utf-8"), "expires"),  # no such day
    (lambda p: p.write_bytes(WAIVER.format(expires="2030-01-01").encode("utf-8") + "# 注释\n".encode("gb18030")),
     "waivers.yaml:8"),  # a line in another encoding, located
    (lambda p: p.mkdir(), "是文件夹"),
], ids=["impossible-date", "mixed-encoding", "a-folder"])
def test_a_waiver_file_that_cannot_be_used_exits_3_located(tmp_path, make, message):
    path = tmp_path / "waivers.yaml"
    make(path)
    result = run(*ARGS, "--waivers", path)
    assert result.exit_code == 3, result.output
    assert message in result.output and "Traceback" not in result.output


@pytest.mark.parametrize("content, message", [
    ('{"findings": "x"}', "不是 lianjian 的 JSON 报告"),
    ("not json", "不是 lianjian 的 JSON 报告"),
    ('{"meta": {"tool": "lianjian", "version": "9.9", "report_format": 99}, "findings": []}', "报告格式 99"),
], ids=["not-a-report", "not-json", "another-format"])
def test_a_baseline_that_cannot_be_compared_exits_3_saying_why(tmp_path, content, message):
    path = tmp_path / "baseline.json"
    path.write_text(content, encoding="utf-8")
    result = run(*ARGS, "--baseline", path)
    assert result.exit_code == 3 and message in result.output, result.output


def test_waiver_errors_are_chinese_and_explain_the_justification_rule(tmp_path):
    bad = tmp_path / "豁免.yaml"
    bad.write_text("- id: W-1\n  rule: EP-REC-ESCORTS\n  justification: 自批\n  requested_by: 张三\n"
                   "  approved_by: 李四\n  approval_document: X\n  expires: 2030-01-01\n"
                   "- id: W-2\n  rule: EP-REC-ESCORTS\n  justification: 经市纪委同意的联合检查工作餐\n"
                   "  requested_by: 张三\n  approved_by: 张三\n  approval_document: X\n  expires: 2030-01-01\n",
                   encoding="utf-8")
    result = run("waivers", "lint", bad)
    assert result.exit_code == 3  # an invalid waiver file
    assert "豁免.yaml:1：理由（justification）“自批”太短" in result.output and "不少于6个字" in result.output
    assert "豁免.yaml:8：审批人（approved_by）与申请人（requested_by）是同一人" in result.output


def test_a_gb18030_waiver_file_is_read(tmp_path):
    path = tmp_path / "waivers.yaml"
    path.write_bytes(WAIVER.format(expires="2030-01-01").encode("gb18030"))
    result = run(*ARGS, "--waivers", path)
    assert result.exit_code == 1 and json.loads(result.stdout)["waivers"][0]["id"] == "W1"
