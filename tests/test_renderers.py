"""Renderers: each output is parsed back and checked (SARIF against a SARIF 2.1.0 schema subset)."""

from __future__ import annotations

import base64
import copy
import csv
import datetime as dt
import hashlib
import io
import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

import openpyxl
import pytest

from checker.report.render import csv_report as csv_
from checker.report.render import html_report as html
from checker.report.render import jsonl, junit, sarif, xlsx

HOSTILE = "<script>alert(1)</script>"
SCHEMA = json.loads((Path(__file__).parent / "data" / "sarif-2.1.0-subset.json").read_text("utf-8"))


def _resp(pid, name, role):
    return {"person": pid, "name": name, "role": role}


def make_report() -> dict:
    cite = {"regulation": "党政机关国内公务接待管理规定", "article": "第七条", "edition": "2013",
            "valid_from": "2013-12-08", "valid_to": None, "confidence": "high", "source": "规定原文"}
    leaders = [_resp("P001", "张伟", "first_responsible"), _resp("P002", "李娜", "supervising_leader")]
    return {
        "meta": {"tool": "lianjian", "version": "0.1.0", "rules_version": "2024.1", "as_of": "2024-06-30",
                 "period": {"label": "2024H1", "start": "2024-01-01", "end": "2024-06-30"}, "lang": "zh", "inputs": [{"path": "data", "sha256": "ab" * 32}]},
        "summary": {"records": 120, "findings": 4, "by_severity": {"high": 2, "medium": 1, "low": 1},
                    "by_discipline": {"eight_point.reception": 3, "reporting.major_matter": 1},
                    "by_unit": {"市交通运输局": 3, "市公路事务中心": 1}},
        "rules": [
            {"id": "EP-REC-001", "title": {"zh": "公务接待无公函", "en": "Reception without official letter"},
             "severity": "high", "discipline": "eight_point.reception", "citation": cite,
             "help": {"zh": "无公函的公务活动一律不予接待", "en": "No reception without a letter"}},
            {"id": "EP-REC-006", "title": {"zh": "陪餐人数超标", "en": "Too many escort diners"},
             "severity": "medium", "discipline": "eight_point.reception", "citation": cite,
             "help": {"zh": "接待对象10人以内的，陪餐人数不得超过3人", "en": "At most 3 escorts"}},
            {"id": "RPT-MAJ-001", "title": {"zh": "重大事项未请示报告", "en": "Major matter not reported"},
             "severity": "low", "discipline": "reporting.major_matter",
             "citation": {"regulation": "中国共产党重大事项请示报告条例", "article": "第十条", "edition": "2019"},
             "help": {"zh": "重大事项应当事前请示", "en": "Ask before acting"}},
            {"id": "FRM-MTG-001", "title": {"zh": "以会议落实会议", "en": "Meetings implementing meetings"},
             "severity": "info", "discipline": "formalism.meeting", "citation": {},
             "help": {"zh": "提示", "en": "hint"}},
        ],
        "findings": [
            {"fingerprint": "fp-0001", "rule_id": "EP-REC-001", "title": {"zh": "公务接待无公函", "en": "No letter"},
             "severity": "high", "discipline": "eight_point.reception", "ccdi_category": "违规公款吃喝",
             "citation": cite, "unit": "市交通运输局", "period": "2024-H1", "date": "2024-03-05",
             "records": [{"type": "reception", "id": "R-001", "source": "data/接待.json:3"},
                         {"type": "expense", "id": "E-009", "source": "data/报销.csv:10"}],
             "evidence": {"guest_unit": HOSTILE, "letter": False, "amount_fen": 128000},
             "message": {"zh": f"接待{HOSTILE}无公函", "en": f"reception of {HOSTILE} without letter"},
             "responsible": leaders, "waiver": None, "status": "new"},
            {"fingerprint": "fp-0002", "rule_id": "EP-REC-001", "title": {"zh": "公务接待无公函", "en": "No letter"},
             "severity": "high", "discipline": "eight_point.reception", "ccdi_category": "违规公款吃喝",
             "citation": cite, "unit": "市公路事务中心", "period": "2024-H1", "date": "2024-04-10",
             "records": [{"type": "reception", "id": "R-014", "source": "data/接待.json:15"}],
             "evidence": {"letter": False}, "message": {"zh": "接待无公函（已补函）", "en": "letter added later"},
             "responsible": [_resp("P003", "王芳", "first_responsible")], "status": "persisting",
             "waiver": {"id": "W-1", "justification": "上级来函已补报，经党组会议研究同意",
                        "approved_by": "P001", "expires": "2024-12-31", "state": "active"}},
            # this one has the pipeline's own shape: report-language text plus both languages in *_i18n
            {"fingerprint": "fp-0003", "rule_id": "EP-REC-006", "title": "陪餐人数超标",
             "title_i18n": {"zh": "陪餐人数超标", "en": "Escorts"},
             "severity": "medium", "discipline": "eight_point.reception", "ccdi_category": "违规公款吃喝",
             "citation": cite, "unit": "市交通运输局", "period": "2024-H1", "date": "2024-04-20",
             "records": [{"type": "reception", "id": "R-020", "source": "data/接待.json:21"}],
             "evidence": {"guests": 4, "hosts": 6, "limit": 3},
             "message": "=1+2 陪餐6人，超过3人上限",
             "message_i18n": {"zh": "=1+2 陪餐6人，超过3人上限", "en": "=1+2 six escorts, limit 3"},
             "responsible": leaders, "waiver": None, "status": "new"},
            {"fingerprint": "fp-0004", "rule_id": "RPT-MAJ-001", "title": {"zh": "重大事项未请示报告"},
             "severity": "low", "discipline": "reporting.major_matter", "ccdi_category": None,
             "citation": {"regulation": "中国共产党重大事项请示报告条例", "article": "第十条", "edition": "2019"},
             "unit": "市交通运输局", "period": "2024-05", "date": None,
             "records": [{"type": "report", "id": "M-3", "source": "data/请示报告.json:4"}],
             "evidence": {"matter": "资产出借\u2028未报告"},
             "message": {"zh": "重大事项\x07未请示\u2028报告", "en": "not reported"},
             "responsible": [_resp("P001", "张伟", "first_responsible")], "waiver": None, "status": None},
        ],
        "input_errors": [
            {"source": "data/接待.json", "row": 7, "field": "date", "message": "日期格式错误", "level": "error"},
            {"source": "data/车辆.csv", "row": 2, "field": "plate", "message": "车牌为空", "level": "warning"},
        ],
    }


@pytest.fixture
def report() -> dict:
    return make_report()


# --- SARIF ------------------------------------------------------------------------------------------

def _schema_errors(instance, schema, root=SCHEMA, path="$") -> list[str]:
    """Minimal draft-04 validator for the keywords the subset schema uses (used without jsonschema)."""
    if "$ref" in schema:
        node = root
        for part in schema["$ref"].lstrip("#/").split("/"):
            node = node[part]
        return _schema_errors(instance, node, root, path)
    errs: list[str] = []
    types = schema.get("type")
    if types:
        kinds = {"object": dict, "array": list, "string": str, "boolean": bool, "null": type(None),
                 "integer": int, "number": (int, float)}
        ok = any(isinstance(instance, kinds[t]) and not (t in ("integer", "number") and isinstance(instance, bool))
                 for t in ([types] if isinstance(types, str) else types))
        if not ok:
            return [f"{path}: not {types}"]
    if "enum" in schema and instance not in schema["enum"]:
        errs.append(f"{path}: {instance!r} not in {schema['enum']}")
    if "minimum" in schema and isinstance(instance, (int, float)) and instance < schema["minimum"]:
        errs.append(f"{path}: below minimum")
    if "pattern" in schema and isinstance(instance, str) and not re.search(schema["pattern"], instance):
        errs.append(f"{path}: does not match pattern")
    if isinstance(instance, dict):
        errs += [f"{path}: missing {k}" for k in schema.get("required", []) if k not in instance]
        props = schema.get("properties", {})
        for key, value in instance.items():
            if key in props:
                errs += _schema_errors(value, props[key], root, f"{path}.{key}")
            elif schema.get("additionalProperties") is False:
                errs.append(f"{path}: unexpected {key}")
            elif isinstance(schema.get("additionalProperties"), dict):
                errs += _schema_errors(value, schema["additionalProperties"], root, f"{path}.{key}")
    if isinstance(instance, list):
        if len(instance) < schema.get("minItems", 0):
            errs.append(f"{path}: too few items")
        seen = [json.dumps(i, sort_keys=True) for i in instance]
        if schema.get("uniqueItems") and len(set(seen)) != len(seen):
            errs.append(f"{path}: items not unique")
        for i, item in enumerate(instance):
            errs += _schema_errors(item, schema.get("items", {}), root, f"{path}[{i}]")
    if "anyOf" in schema and all(_schema_errors(instance, s, root, path) for s in schema["anyOf"]):
        errs.append(f"{path}: matches none of anyOf")
    return errs


def schema_errors(doc: dict) -> list[str]:
    try:
        import jsonschema
    except ImportError:
        return _schema_errors(doc, SCHEMA)
    validator = jsonschema.Draft4Validator(SCHEMA, format_checker=jsonschema.FormatChecker())
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(doc)]


def test_sarif_validates_against_schema(report):
    doc = json.loads(sarif.render(report))
    assert schema_errors(doc) == []
    assert doc["version"] == "2.1.0"


def test_sarif_schema_check_can_fail(report):
    doc = json.loads(sarif.render(report))
    bad = copy.deepcopy(doc)
    bad["runs"][0]["results"][0]["level"] = "fatal"
    bad["runs"][0]["results"][1]["suppressions"][0]["kind"] = "waiver"
    del bad["runs"][0]["tool"]["driver"]["name"]
    bad["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] = 0
    assert len(schema_errors(bad)) >= 4


def test_sarif_content(report):
    run = json.loads(sarif.render(report))["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "lianjian" and driver["version"] == "0.1.0"
    assert "informationUri" not in driver
    rule_ids = [r["id"] for r in driver["rules"]]
    assert rule_ids == ["EP-REC-001", "EP-REC-006", "RPT-MAJ-001", "FRM-MTG-001"]
    assert driver["rules"][0]["shortDescription"]["text"] == "公务接待无公函"
    assert driver["rules"][0]["defaultConfiguration"]["level"] == "error"
    assert driver["rules"][0]["properties"]["citation"]["article"] == "第七条"
    results = run["results"]
    assert [r["level"] for r in results] == ["error", "error", "warning", "note"]
    for res in results:
        assert rule_ids[res["ruleIndex"]] == res["ruleId"]
    first = results[0]
    loc = first["locations"][0]
    assert unquote(loc["physicalLocation"]["artifactLocation"]["uri"]) == "data/接待.json"
    assert loc["physicalLocation"]["region"]["startLine"] == 3
    assert loc["logicalLocations"] == [{"name": "市交通运输局", "kind": "module"}]
    assert first["partialFingerprints"] == {"lianjian/v1": "fp-0001"}
    assert first["message"]["text"] == f"接待{HOSTILE}无公函"
    assert first["properties"]["evidence"]["guest_unit"] == HOSTILE
    assert first["properties"]["responsible"][0]["name"] == "张伟"
    assert first["properties"]["period"] == "2024-H1"
    assert "suppressions" not in first
    assert results[1]["suppressions"] == [{"kind": "external", "status": "accepted",
                                           "justification": "上级来函已补报，经党组会议研究同意",
                                           "properties": {"id": "W-1", "approved_by": "P001",
                                                          "expires": "2024-12-31", "state": "active"}}]
    assert [r.get("baselineState") for r in results] == ["new", "unchanged", "new", None]
    notes = run["invocations"][0]["toolExecutionNotifications"]
    assert [n["level"] for n in notes] == ["error", "warning"]
    assert notes[0]["locations"][0]["physicalLocation"]["region"]["startLine"] == 7


def test_sarif_uris():
    assert sarif.to_uri("data/接待 2024.json") == "data/%E6%8E%A5%E5%BE%85%202024.json"
    assert sarif.to_uri("book.xlsx#公务接待") == "book.xlsx#%E5%85%AC%E5%8A%A1%E6%8E%A5%E5%BE%85"
    assert sarif.to_uri("C:\\data\\a.csv") == "file:///C:/data/a.csv"
    assert sarif.physical_location("book.xlsx#公务接待:5")["region"] == {"startLine": 5}
    assert "region" not in sarif.physical_location("data/unit.json")


def test_sarif_english_and_expired_waiver(report):
    report["findings"][1]["waiver"]["state"] = "expired"
    run = json.loads(sarif.render(report, lang="en"))["runs"][0]
    assert run["results"][0]["message"]["text"] == f"reception of {HOSTILE} without letter"
    assert run["tool"]["driver"]["rules"][1]["name"] == "Too many escort diners"
    assert run["results"][1]["suppressions"][0]["status"] == "rejected"
    assert run["results"][2]["message"]["text"] == "=1+2 six escorts, limit 3"  # message_i18n
    # an expired waiver no longer holds: the JUnit pair fails instead of being skipped
    root = ET.fromstring(junit.render(report))
    assert root.get("skipped") == "0" and root.get("failures") == "4"
    assert schema_errors(json.loads(sarif.render(report, lang="en"))) == []


# --- JUnit ------------------------------------------------------------------------------------------

def test_junit_structure_and_counts(report):
    text = junit.render(report)
    root = ET.fromstring(text.encode("utf-8"))
    assert root.tag == "testsuites"
    assert (root.get("tests"), root.get("failures"), root.get("errors"), root.get("skipped")) == ("7", "3", "1", "1")
    suites = {s.get("name"): s for s in root.findall("testsuite")}
    assert set(suites) == {"eight_point.reception", "reporting.major_matter", "formalism.meeting", "input"}
    rec = suites["eight_point.reception"]
    assert (rec.get("tests"), rec.get("failures"), rec.get("skipped")) == ("3", "2", "1")
    cases = {c.get("name"): c for c in rec.findall("testcase")}
    assert set(cases) == {"EP-REC-001 市交通运输局", "EP-REC-001 市公路事务中心", "EP-REC-006 市交通运输局"}
    assert all(c.get("classname") == "eight_point.reception" for c in cases.values())
    failure = cases["EP-REC-001 市交通运输局"].find("failure")
    assert failure.get("type") == "high" and "公务接待无公函" in failure.get("message")
    assert HOSTILE in failure.text and "fp-0001" in failure.text and "张伟" in failure.text
    skipped = cases["EP-REC-001 市公路事务中心"].find("skipped")
    assert skipped is not None and "上级来函已补报" in skipped.get("message")
    passing = suites["formalism.meeting"].findall("testcase")
    assert [c.get("name") for c in passing] == ["FRM-MTG-001"] and len(passing[0]) == 0
    # the BEL control character in a message must not make the XML unparseable
    assert "\x07" not in text
    assert suites["input"].get("errors") == "1"


def test_junit_pair_with_waived_and_active_is_failure(report):
    extra = copy.deepcopy(report["findings"][1])
    extra.update(fingerprint="fp-0005", waiver=None, unit="市公路事务中心")
    report["findings"].append(extra)
    root = ET.fromstring(junit.render(report, lang="en"))
    case = next(c for c in root.iter("testcase") if c.get("name") == "EP-REC-001 市公路事务中心")
    assert case.find("skipped") is None
    assert "1 waived" in case.find("failure").get("message")


# --- CSV --------------------------------------------------------------------------------------------

BRIEF_ZH = ["严重程度", "单位", "纪律类别", "问题表述", "规则名称", "日期", "金额（元）", "期间", "证据", "依据", "责任人",
            "记录", "规则编号"]


def test_csv_chinese(report):
    text = csv_.render(report)
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert rows[0][:13] == BRIEF_ZH and rows[0][-1] == "说明"
    assert len(rows) == 7 and all(len(r) == len(rows[0]) for r in rows)  # 4 findings, then the 2 input errors
    assert [r[-1] for r in rows[1:]] == ["", "", "", "", "输入错误，该记录未检查", "输入警告"]
    first = dict(zip(rows[0], rows[1], strict=True))
    assert first["规则编号"] == "EP-REC-001" and first["单位"] == "市交通运输局" and first["严重程度"] == "严重"
    assert first["问题表述"] == f"接待{HOSTILE}无公函"
    assert f"guest_unit：{HOSTILE}" in first["证据"]
    assert "接待.json 第3行" in first["记录"] and "第七条" in first["依据"]
    assert "张伟" in first["责任人"] and first["指纹"] == "fp-0001"
    assert "上级来函已补报" in rows[2][rows[0].index("豁免")]
    # a cell that would start a spreadsheet formula is neutralised
    assert rows[3][rows[0].index("问题表述")].startswith("'=1+2")


def test_csv_english(report):
    text = csv_.render(report, lang="en")
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    assert text.startswith("\ufeff")
    assert rows[0][:4] == ["severity", "unit", "discipline", "problem"]
    assert rows[1][rows[0].index("problem")] == f"reception of {HOSTILE} without letter"
    assert rows[1][rows[0].index("severity")] == "high"
    assert rows[3][rows[0].index("rule_title")] == "Escorts"  # from title_i18n
    assert rows[3][rows[0].index("problem")] == "'=1+2 six escorts, limit 3"


# --- XLSX -------------------------------------------------------------------------------------------

def test_xlsx_chinese(report):
    data = xlsx.render(report)
    assert isinstance(data, bytes)
    wb = openpyxl.load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["问题清单", "汇总", "责任人", "输入错误"]
    ws = wb["问题清单"]
    header = [c.value for c in ws[1]]
    assert header[:13] == BRIEF_ZH
    assert ws.max_row == 5 and ws.freeze_panes == "A2" and ws["A1"].font.bold
    assert ws.column_dimensions["I"].width > 8
    msg_col = header.index("问题表述") + 1
    formula_cell = ws.cell(row=4, column=msg_col)
    assert formula_cell.data_type == "s" and formula_cell.value.startswith("=1+2")
    assert ws.cell(row=2, column=msg_col).value == f"接待{HOSTILE}无公函"
    people = wb["责任人"]
    assert [c.value for c in people[1]][:4] == ["责任人编号", "姓名（职务）", "角色", "问题数"]
    by_person = {(r[0], r[2]): r for r in people.iter_rows(min_row=2, values_only=True)}
    assert by_person[("P001", "第一责任人")][3] == 3
    assert "RPT-MAJ-001" in by_person[("P001", "第一责任人")][6]
    assert by_person[("P003", "第一责任人")][4] == 1  # waived count
    summary = {(r[0], r[1]): r[2] for r in wb["汇总"].iter_rows(min_row=2, values_only=True)}
    assert summary[("严重程度", "严重")] == 2 and summary[("纪律类别", "八项规定·公务接待")] == 3
    # a real date cell shown as 2024年3月5日, the severity cell coloured
    date_cell = ws.cell(row=2, column=header.index("日期") + 1)
    assert isinstance(date_cell.value, dt.datetime) and "年" in date_cell.number_format
    assert ws.cell(row=2, column=1).fill.fgColor.rgb.endswith("F4CCCC")
    assert summary[("单位", "市交通运输局")] == 3
    errors = list(wb["输入错误"].iter_rows(values_only=True))
    assert len(errors) == 3 and errors[1][:3] == ("data/接待.json", 7, "date")


def test_xlsx_english(report):
    wb = openpyxl.load_workbook(io.BytesIO(xlsx.render(report, lang="en")))
    assert wb.sheetnames == ["findings", "summary", "responsibility", "input_errors"]
    assert wb["findings"]["A1"].value == "severity"
    assert [c.value for c in wb["input_errors"][1]] == ["source", "row", "field", "level", "message"]


# --- HTML -------------------------------------------------------------------------------------------

class _Collector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts.append(data)


def test_html_escapes_hostile_text(report):
    page = html.render(report)
    assert HOSTILE not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert page.lower().count("<script") == 1


def test_html_structure(report):
    report["findings"][3]["unit"] = HOSTILE + "办公室"  # hostile unit name: headings, filters, bars
    page = html.render(report)
    assert HOSTILE not in page
    parser = _Collector()
    parser.feed(page)
    tags = [t for t, _ in parser.tags]
    assert tags.count("script") == 1
    articles = [a for t, a in parser.tags if t == "article"]
    assert sorted(a["data-sev"] for a in articles) == ["high", "high", "low", "medium"]
    assert any("waived" in a["class"] for a in articles)
    # grouped by unit, then by discipline; filters by unit, severity, discipline and responsible person
    assert len([a for t, a in parser.tags if t == "section" and "unit" in a.get("class", "").split()]) == 3
    assert {a.get("id") for t, a in parser.tags if t == "select"} == {"f-unit", "f-sev", "f-disc", "f-person"}
    # self-contained: nothing loads from elsewhere, and the CSP pins the one inline script
    assert not [a for t, a in parser.tags if {"src", "href"} & set(a)]
    csp = next(a["content"] for t, a in parser.tags if a.get("http-equiv") == "Content-Security-Policy")
    digest = base64.b64encode(hashlib.sha256(parser.scripts[0].encode()).digest()).decode()
    assert f"'sha256-{digest}'" in csp and "default-src 'none'" in csp
    for label in ("问题", "按纪律类别", "按单位", "责任人汇总", "输入错误", "全部", "@page", "counter(page)"):
        assert label in page
    assert "上级来函已补报" in page and "第七条" in page and "接待.json 第3行" in page
    assert "日期格式错误" in page and "警告" in page


def test_html_handover_has_a_deadline_column_and_no_script(report):
    page = html.render(report, handover=True)
    assert "整改时限" in page and "<script" not in page and HOSTILE not in page


def test_html_english(report):
    page = html.render(report, lang="en")
    assert '<html lang="en">' in page and "Responsibility by person" in page
    assert "reception of &lt;script&gt;" in page and HOSTILE not in page


# --- JSONL ------------------------------------------------------------------------------------------

def test_jsonl(report):
    text = jsonl.render(report)
    lines = text.splitlines()
    assert len(lines) == 4 + 2 + 1 and text.endswith("\n")  # findings, the input error and warning, the run
    objs = [json.loads(line) for line in lines]
    assert [o["fingerprint"] for o in objs[:4]] == ["fp-0001", "fp-0002", "fp-0003", "fp-0004"]
    assert [o.get("type") for o in objs] == [None] * 4 + ["input_error", "input_error", "run"]
    assert objs[-1]["complete"] is False and objs[-1]["input_errors"] == 1 and objs[-1]["input_warnings"] == 1
    assert "市交通运输局" in lines[0]  # ensure_ascii=False
    assert objs[3]["message"]["zh"] == "重大事项\x07未请示\u2028报告"
    assert objs[0]["evidence"]["guest_unit"] == HOSTILE


def test_empty_report_renders_everywhere():
    empty = {"meta": {"version": "0.1.0"}, "summary": {}, "findings": [], "input_errors": [], "rules": []}
    assert schema_errors(json.loads(sarif.render(empty))) == []
    assert ET.fromstring(junit.render(empty)).get("tests") == "0"
    assert csv_.render(empty).count("\n") == 1
    assert openpyxl.load_workbook(io.BytesIO(xlsx.render(empty))).sheetnames[0] == "问题清单"
    assert "f-unit" in html.render(empty)
    assert [json.loads(line)["type"] for line in jsonl.render(empty).splitlines()] == ["run"]
