"""The command line on the demo and on every bad input: exit codes, located errors, contract shape."""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner

from checker.cli import main
from checker.data.load import load_path
from tests.conftest import DEMO, ROOT

BAD = ROOT / "fixtures" / "bad"


def run(*args: str):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def expected_bad_cases():
    rows = []
    for line in (BAD / "EXPECTED.md").read_text(encoding="utf-8").splitlines():
        cells = [c.strip().strip("`") for c in line.strip().strip("|").split("|")]
        if len(cells) == 5 and (BAD / cells[0]).is_dir() and not cells[0].startswith(".."):
            rows.append(cells)
    return rows


def test_every_bad_folder_is_listed():
    listed = {row[0] for row in expected_bad_cases()}
    assert listed == {p.name for p in BAD.iterdir() if p.is_dir()}


@pytest.mark.parametrize("case, file, row, field, expected", expected_bad_cases(), ids=lambda v: str(v)[:20])
def test_bad_input_gives_its_located_error_and_exit_code(case, file, row, field, expected):
    result = run("check", BAD / case, "--format", "json", "--as-of", "2020-07-10")
    assert "Traceback" not in result.output
    report = json.loads(result.stdout)
    located = [e for e in report["input_errors"] if e["source"].endswith(file)]
    assert located, report["input_errors"]
    if expected.startswith("WARNING"):
        assert result.exit_code != 2
        assert all(e["level"] == "warning" and e["field"] == field for e in located)
        assert sorted(e["row"] for e in located) == [int(r) for r in re.findall(r"\d+", row)]
        return
    assert result.exit_code == 2
    error = next(e for e in located if e["level"] == "error")
    if row.isdigit():
        assert error["row"] == int(row)
    if field not in ("—", ""):
        assert error["field"] == field


def test_strict_reports_nothing_but_the_errors(tmp_path):
    report = tmp_path / "report.json"
    result = run("check", BAD / "bad_date", "--strict", "--format", "json", "-o", str(report))
    assert result.exit_code == 2
    assert "no report (--strict)" in result.stderr and "error:" in result.stderr
    assert not report.exists()


def test_strict_on_clean_data_is_the_usual_report():
    plain = run("check", DEMO, "--profile", "speech", "--as-of", "2020-07-10", "--format", "json")
    strict = run("check", DEMO, "--profile", "speech", "--as-of", "2020-07-10", "--format", "json", "--strict")
    assert strict.exit_code == plain.exit_code == 1
    assert json.loads(strict.stdout)["summary"] == json.loads(plain.stdout)["summary"]


@pytest.mark.parametrize("folder", ["gb18030_csv", "utf8_bom_csv"])
def test_chinese_csv_encodings_load_clean(folder):
    data = load_path(ROOT / "fixtures" / "encodings" / folder)
    assert not data.errors
    assert len(data.of_type("reception")) == 3
    assert {r.record.guest_unit for r in data.of_type("reception")}


def test_demo_audit_exits_1_with_findings_grouped_by_unit():
    result = run("check", DEMO, "--profile", "speech", "--as-of", "2020-07-10")
    assert result.exit_code == 1
    assert "■ 宣州市交通运输局（" in result.output and "依据" in result.output and "责任人" in result.output


def test_json_report_has_the_contract_shape(tmp_path):
    out = tmp_path / "report.json"
    result = run("check", DEMO, "--profile", "speech", "--as-of", "2020-07-10", "--format", "json", "-o", out,
                 "-o", f"sarif:{tmp_path / 'r.sarif'}")
    assert result.exit_code == 1
    report = json.loads(out.read_text(encoding="utf-8"))
    assert set(report) >= {"meta", "summary", "findings", "input_errors"}
    assert set(report["meta"]) >= {"tool", "version", "rules_version", "as_of", "period", "inputs"}
    assert set(report["summary"]) >= {"records", "findings", "by_severity", "by_discipline", "by_unit"}
    finding = report["findings"][0]
    assert set(finding) >= {"fingerprint", "rule_id", "title", "severity", "discipline", "ccdi_category",
                            "citation", "unit", "period", "records", "evidence", "message", "responsible",
                            "waiver"}
    assert set(finding["citation"]) >= {"regulation", "article", "edition"}
    assert all(set(r) >= {"type", "id", "source"} and re.search(r":\d+$", r["source"]) for r in finding["records"])
    assert json.loads((tmp_path / "r.sarif").read_text(encoding="utf-8"))["version"] == "2.1.0"


def test_fingerprints_are_stable_across_runs():
    first = json.loads(run("check", DEMO, "--profile", "speech", "--as-of", "2020-07-10", "--format", "json").stdout)
    again = json.loads(run("check", DEMO, "--profile", "speech", "--as-of", "2020-07-10", "--format", "json").stdout)
    assert [f["fingerprint"] for f in first["findings"]] == [f["fingerprint"] for f in again["findings"]]
    assert len({f["fingerprint"] for f in first["findings"]}) == len(first["findings"])


def test_reference_evaluator_gives_the_same_report_on_the_demo():
    args = ["check", DEMO, "--profile", "speech", "--as-of", "2020-07-20", "--format", "json"]
    durable = json.loads(run(*args).stdout)
    reference = json.loads(run(*args, "--engine", "reference").stdout)
    assert durable["findings"] == reference["findings"]


def test_rules_test_passes_and_list_is_json():
    assert run("rules", "test").exit_code == 0
    listed = json.loads(run("rules", "list", "--format", "json").stdout)
    assert all(r["citation"]["regulation"] and r["examples"]["fire"] and r["examples"]["pass"] for r in listed)



def test_rules_test_names_a_rule_whose_examples_crash_the_engine(monkeypatch):
    from checker.engine.durable import CRASH_UNIT_VARIABLE

    monkeypatch.setenv(CRASH_UNIT_VARIABLE, "U0")  # a unit only RP-HALF-YEAR-REPORT's examples use
    result = run("rules", "test", "-k", "RP-")
    assert result.exit_code == 1
    assert "FAIL RP-HALF-YEAR-REPORT: the rule engine crashed" in result.output
    assert [line for line in result.output.splitlines() if line.startswith("FAIL")] == [
        "FAIL RP-HALF-YEAR-REPORT: the rule engine crashed running its examples, in a fresh process too / 规则引擎崩溃"]
    assert int(result.output.split()[-4]) > 50  # every other RP rule's examples passed


def test_rules_test_runs_again_in_a_fresh_process_what_crashed_in_a_worker(monkeypatch):
    import os
    import signal

    from checker.run import examples as ruletest

    real = ruletest.judge_rule

    def crash_in_this_process_tree(rule, rules_dir=None):  # forked workers inherit it, a spawned one not
        if rule.id == "RP-HALF-YEAR-REPORT":
            os.kill(os.getpid(), signal.SIGSEGV)
        return real(rule, rules_dir)

    monkeypatch.setattr(ruletest, "judge_rule", crash_in_this_process_tree)
    result = run("rules", "test", "-k", "RP-HALF-YEAR")
    assert result.exit_code == 0, result.output
    assert "note RP-HALF-YEAR-REPORT: the rule engine crashed on its examples in a worker" in result.output
    assert result.output.splitlines()[-1].endswith("passed, 0 failed")

def test_an_invalid_rule_file_exits_3_with_its_location(tmp_path):
    (tmp_path / "profiles").mkdir()
    (tmp_path / "profiles" / "central.yaml").write_text("id: central\ntitle: {zh: 中, en: c}\n", encoding="utf-8")
    (tmp_path / "bad.yaml").write_text("- id: X-1\n  title: {zh: a, en: b}\n  severity: urgent\n", encoding="utf-8")
    result = run("check", DEMO, "--rules", tmp_path)
    assert result.exit_code == 3
    assert "bad.yaml:1" in result.stderr and "severity" in result.stderr


def test_template_round_trips_through_validate(tmp_path):
    book = tmp_path / "录入模板.xlsx"
    assert run("template", "-o", book).exit_code == 0
    assert run("validate", book).exit_code == 0


def test_the_command_reference_is_up_to_date():
    import runpy

    docgen = runpy.run_path(str(ROOT / "docs" / "docgen.py"), run_name="docgen")
    current = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    assert current == docgen["render"](), "run: python docs/docgen.py > docs/cli.md"


def _every_command():
    import click

    def walk(group, prefix):
        for name, command in sorted(group.commands.items()):
            yield [*prefix, name]
            if isinstance(command, click.Group):
                yield from walk(command, [*prefix, name])
    return [[], *walk(main, [])]


@pytest.mark.parametrize("path", _every_command(), ids=lambda p: " ".join(p) or "lianjian")
def test_help_is_chinese_first_and_fits_80_columns(path):
    from rich.cells import cell_len

    result = CliRunner().invoke(main, [*path, "--help"], terminal_width=80, catch_exceptions=False)
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert max(cell_len(line) for line in lines) <= 80, [line for line in lines if cell_len(line) > 80]
    description = next(line for line in lines[1:] if line.strip())
    assert re.search(r"[\u4e00-\u9fff]", description), description  # the description starts in Chinese
    assert "选项 Options:" in result.output and "显示本帮助并退出" in result.output
    assert "..." not in result.output.partition("\n")[2]  # no command's short help cut off (the usage line has ARGS...)
