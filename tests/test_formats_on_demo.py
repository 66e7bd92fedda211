"""Every output format produced from the demo, parsed back; record text is escaped in HTML."""

from __future__ import annotations

import csv
import io
import json
import shutil
import xml.etree.ElementTree as ET

import pytest
from click.testing import CliRunner

from checker.cli import main
from tests.conftest import DEMO, ROOT

HOSTILE = "<script>alert(1)</script>"


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("formats")
    data = folder / "demo"
    shutil.copytree(DEMO, data)
    receptions = json.loads((data / "reception.json").read_text(encoding="utf-8"))
    planted = next(r for r in receptions if r["id"].endswith("-V1"))
    planted["guest_unit"] = HOSTILE
    (data / "reception.json").write_text(json.dumps(receptions, ensure_ascii=False), encoding="utf-8")
    files = {fmt: folder / f"report.{fmt}" for fmt in ("json", "jsonl", "sarif", "junit", "csv", "xlsx", "html")}
    args = ["check", str(data), "--profile", "speech", "--as-of", "2020-07-10", "--workers", "1"]
    for fmt, path in files.items():
        args += ["-o", f"{fmt}:{path}"]
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    assert result.exit_code == 1
    return files, json.loads(files["json"].read_text(encoding="utf-8"))


def test_jsonl_has_a_line_per_finding(outputs):
    files, report = outputs
    lines = [json.loads(line) for line in files["jsonl"].read_text(encoding="utf-8").splitlines()]
    assert len(lines) == len(report["findings"]) + 1 and all(line["rule_id"] for line in lines[:-1])
    assert lines[-1]["type"] == "run" and lines[-1]["complete"] and lines[-1]["findings"] == len(report["findings"])


def test_sarif_validates_against_the_schema(outputs):
    jsonschema = pytest.importorskip("jsonschema")
    files, report = outputs
    sarif = json.loads(files["sarif"].read_text(encoding="utf-8"))
    schema = json.loads((ROOT / "tests" / "data" / "sarif-2.1.0-subset.json").read_text(encoding="utf-8"))
    jsonschema.validate(sarif, schema)
    results = sarif["runs"][0]["results"]
    assert len(results) == len(report["findings"]) + len(report["leads"])
    assert sum(r.get("kind") == "review" for r in results) == len(report["leads"])  # leads: for review, not fails


def test_junit_is_xml_with_a_failure_per_rule_and_unit(outputs):
    files, report = outputs
    root = ET.parse(files["junit"]).getroot()
    failures = sum(int(s.get("failures", 0)) for s in root.iter("testsuite"))
    assert failures == len({(f["rule_id"], f["unit"]) for f in report["findings"]})


def test_csv_opens_in_excel_with_chinese_headers(outputs):
    files, report = outputs
    raw = files["csv"].read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][:4] == ["严重程度", "单位", "纪律类别", "问题表述"] and len(rows) == len(report["findings"]) + 1


def test_xlsx_has_the_findings_summary_and_responsibility_sheets(outputs):
    openpyxl = pytest.importorskip("openpyxl")
    files, report = outputs
    book = openpyxl.load_workbook(files["xlsx"])
    assert {"问题清单", "汇总", "责任人"} <= set(book.sheetnames)
    assert book["问题清单"].max_row == len(report["findings"]) + 1


def test_html_escapes_hostile_record_text(outputs):
    files, _ = outputs
    page = files["html"].read_text(encoding="utf-8")
    assert HOSTILE not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
