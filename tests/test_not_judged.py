"""Every format says what was not judged (issue 14 item 11): a unit the engine crashed on (the
adapter's fault injection, LIANJIAN_TEST_CRASH_UNIT=ZF) and an input error appear in SARIF, JUnit,
HTML, XLSX, CSV, JSON Lines and the table; the self-check's are in tests/test_selfcheck.py."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET

import openpyxl
import pytest
from click.testing import CliRunner

from checker.cli import main
from checker.engine.durable import CRASH_UNIT_VARIABLE
from tests.conftest import DEMO
from tests.test_cli import BAD
from tests.test_renderers import schema_errors

FILES = {"sarif": "r.sarif", "junit": "r.xml", "html": "r.html", "xlsx": "r.xlsx", "csv": "r.csv", "jsonl": "r.jsonl",
         "table": "r.txt"}
ZF = "宣州市交通综合执法支队（ZF）"


def _outputs(folder, data, env):
    args = ["check", str(data), "--profile", "speech", "--as-of", "2020-07-10"]
    for fmt, name in FILES.items():
        args += ["-o", f"{fmt}:{folder / name}"]
    result = CliRunner().invoke(main, args, env=env, catch_exceptions=False)
    assert result.exit_code == 2, result.output
    return {fmt: folder / name for fmt, name in FILES.items()}


@pytest.fixture(scope="module")
def crashed(tmp_path_factory):
    """The demo with unit ZF crashing the engine in its worker (a real SIGSEGV)."""
    return _outputs(tmp_path_factory.mktemp("crashed"), DEMO, {CRASH_UNIT_VARIABLE: "ZF"})


@pytest.fixture(scope="module")
def bad_input(tmp_path_factory):
    """A data set with a row whose date cannot be read (fixtures/bad/bad_date)."""
    return _outputs(tmp_path_factory.mktemp("bad"), BAD / "bad_date", {})


def _sarif(path):
    log = json.loads(path.read_text(encoding="utf-8"))
    assert schema_errors(log) == []
    return log["runs"][0]["invocations"][0]


def test_sarif_says_the_run_did_not_succeed(crashed, bad_input):
    invocation = _sarif(crashed["sarif"])
    assert invocation["executionSuccessful"] is False
    note = next(n for n in invocation["toolExecutionNotifications"]
                if n["descriptor"]["id"] == "lianjian/unit-not-judged")
    assert note["level"] == "error" and ZF in note["message"]["text"] and "规则引擎崩溃" in note["message"]["text"]
    assert note["locations"][0]["logicalLocations"][0]["name"] == "ZF"
    invocation = _sarif(bad_input["sarif"])
    assert invocation["executionSuccessful"] is False
    ids = [n["descriptor"]["id"] for n in invocation["toolExecutionNotifications"]]
    assert [i for i in ids if i.startswith("lianjian/")] == ["lianjian/input-error"]  # and coverage notes


def test_junit_has_an_error_per_unit_not_judged(crashed, bad_input):
    root = ET.parse(crashed["junit"]).getroot()
    suite = next(s for s in root if s.get("name") == "not_judged")
    case = suite.find("testcase")
    assert case.get("name") == "ZF" and ZF in case.find("error").get("message")
    assert int(root.get("errors")) >= 1
    root = ET.parse(bad_input["junit"]).getroot()
    errors = next(s for s in root if s.get("name") == "input").findall("testcase/error")
    assert errors and "reception.json" in next(s for s in root if s.get("name") == "input").find("testcase").get("name")


def test_html_says_the_report_is_incomplete(crashed, bad_input):
    page = crashed["html"].read_text(encoding="utf-8")
    assert "本报告不完整：1个单位未检查" in page and 'id="not-judged"' in page and ZF in page
    page = bad_input["html"].read_text(encoding="utf-8")
    assert "本报告不完整：1条输入错误" in page and "reception.json" in page


def test_xlsx_has_a_sheet_of_units_not_judged(crashed, bad_input):
    book = openpyxl.load_workbook(crashed["xlsx"])
    sheet = book["未检查的单位"]
    assert [c.value for c in sheet[2]][:2] == ["ZF", ZF] and sheet.sheet_properties.tabColor.rgb.endswith("C00000")
    assert book["汇总"]["C2"].value.startswith("本报告不完整")
    book = openpyxl.load_workbook(bad_input["xlsx"])
    assert "未检查的单位" not in book.sheetnames
    assert book["输入错误"]["A2"].value.endswith("reception.json") and book["汇总"]["C2"].value.startswith("本报告不完整")


def _csv(path):
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    return [r for r in rows if r["说明"]], [r for r in rows if not r["说明"]]


def test_csv_rows_after_the_findings_say_what_was_not_judged(crashed, bad_input):
    notes, findings = _csv(crashed["csv"])
    assert findings and all(r["规则编号"] for r in findings)
    assert [(r["说明"], r["单位编号"], r["规则编号"], r["严重程度"]) for r in notes] == [("未检查的单位", "ZF", "", "未检查")]
    notes, _ = _csv(bad_input["csv"])
    assert [r["说明"] for r in notes] == ["输入错误，该记录未检查"] and "reception.json 第2行 [date]" in notes[0]["记录"]


def test_jsonl_ends_with_the_run(crashed, bad_input):
    lines = [json.loads(line) for line in crashed["jsonl"].read_text(encoding="utf-8").splitlines()]
    assert [line["unit"] for line in lines if line.get("type") == "unit_not_judged"] == ["ZF"]
    assert lines[-1]["type"] == "run" and lines[-1]["complete"] is False and lines[-1]["units_not_judged"] == 1
    lines = [json.loads(line) for line in bad_input["jsonl"].read_text(encoding="utf-8").splitlines()]
    assert [line["source"].endswith("reception.json") for line in lines if line.get("type") == "input_error"] == [True]
    assert lines[-1]["input_errors"] == 1 and lines[-1]["complete"] is False


def test_the_table_names_them(crashed, bad_input):
    text = crashed["table"].read_text(encoding="utf-8")
    assert f"!! {ZF}未检查：规则引擎崩溃" in text and "!! 本报告不完整" in text
    assert "reception.json:2 [date]" in bad_input["table"].read_text(encoding="utf-8")
