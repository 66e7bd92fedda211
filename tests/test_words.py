"""The Chinese demo report speaks Chinese: in every format, no text a reader reads holds an enum code,
an English word, a period code (2020H1), an ISO date, or an id run into Chinese text
("P-GH-042020年5月25日", "操办wedding事宜", "燃料petrol", "拟任职级：vice_section", "（传达布置类：False）").

What counts as a reader's text: messages, titles, labels, evidence and parameters, citations,
headings, table cells. Ids are allowed where they are labelled as ids: the records, rule-id,
unit-id and fingerprint columns, the records line of a finding, a unit's code in brackets after
its name, a rule's id in brackets after its title. The product's name (lianjian) is allowed.
"""

from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import openpyxl
import pytest
from click.testing import CliRunner

from checker.cli import main
from checker.report.render.common import ID_COLUMNS
from checker.ruleset.catalogue import load_rules
from checker.text.labels import ENUM_LABELS
from tests.conftest import DEMO

FORMATS = ("table", "json", "jsonl", "csv", "xlsx", "html", "sarif", "junit")
ALLOWED_WORDS = {"lianjian"}
ENGLISH = re.compile(r"[A-Za-z]{2,}")
CJK = r"[\u4e00-\u9fff]"
GLUED_ID = re.compile(rf"{CJK}[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+|[A-Z0-9]+(?:-[A-Z0-9]+)+{CJK}")
PERIOD_CODE = re.compile(r"\d{4}[HQ][1-4]")
ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
EXTRA_ID_COLUMNS = {"责任人编号"}
UNITS = {"JTJ": "宣州市交通运输局", "LQ": "宣州市路桥工程处", "GL": "宣州市公路管理处", "YG": "宣州市运输管理处",
         "ZF": "宣州市交通综合执法支队", "GH": "宣州市港航管理处", "ZJ": "宣州市交通质量监督站",
         "JG": "宣州市交通运输局机关党委"}
RULE_IDS = {rule.id for rule in load_rules(None)}
CODES = {value for values in ENUM_LABELS.values() for value in values}


ID = r"[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+"


def problems(text: str) -> list[str]:
    """What is wrong with one piece of Chinese text."""
    if re.fullmatch(rf"{ID}|[0-9a-f]{{12}}|[0-9a-f]{{20}}", text.strip()):
        return []  # an id standing alone, in a labelled cell or after its label (转发：<b>DOC-1</b>)
    glued = [f"id run into text {m!r}" for m in GLUED_ID.findall(text)]
    text = re.sub(rf"(?<=[：:]){ID}", "", text)  # labelled: 决策会议：MTG-JTJ-PG04
    for code, name in UNITS.items():
        text = text.replace(f"{name}（{code}）", name)
    text = re.sub(r"（([A-Z0-9]+(?:-[A-Z0-9]+)+)）", lambda m: "" if m[1] in RULE_IDS else m[0], text)
    found = [f"English word or code {w!r}" for w in ENGLISH.findall(text) if w.lower() not in ALLOWED_WORDS]
    found += [f"enum code {w!r}" for w in re.findall(r"[a-z_]{3,}", text) if w in CODES]
    found += glued
    found += [f"period code {m!r}" for m in PERIOD_CODE.findall(text)]
    found += [f"ISO date {m!r}" for m in ISO_DAY.findall(text)]
    return found


def test_the_checker_itself():
    assert problems("P-GH-042020年5月25日赴上海市出差") and problems("操办wedding事宜")
    assert problems("燃料petrol") and problems("拟任职级：vice_section") and problems("（传达布置类：False）")
    assert problems("2020H1召开党小组会") and problems("于2020-05-25接待")
    assert not problems("宣州市港航管理处（GH）2020年5月25日接待池州市交通运输局4人，陪餐5人")
    assert not problems("公务接待提供高档菜肴（EP-REC-PREMIUM）") and not problems("公务用车皖P·H6031")
    assert not problems("决策会议：MTG-JTJ-PG04") and not problems("MTG-JTJ-PG04") and problems("会议MTG-JTJ-PG04")


def test_every_parameter_has_a_chinese_label():
    """A rule that does not run names the parameters it lacks: in words, never the generic 参数."""
    from checker.text.labels import parameter_label

    unlabelled = sorted({name for rule in load_rules(None) for name in rule.parameters
                         if parameter_label(name, "zh") == "参数"})
    assert unlabelled == []


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("words")
    files = {fmt: folder / f"report.{fmt}" for fmt in FORMATS}
    args = ["check", str(DEMO), "--profile", "speech", "--as-of", "2020-07-10", "--workers", "1", "--lang", "zh"]
    for fmt, path in files.items():
        args += ["-o", f"{fmt}:{path}"]
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    assert result.exit_code == 1
    return files


def _texts_of_finding(finding: dict) -> list[str]:
    texts = [finding["message"], finding["title"], finding["unit_name"]]
    texts += [cell for row in finding["evidence_view"]["zh"] for cell in row]
    texts += [p[key] for p in finding["parameters_view"]["zh"] for key in ("label", "value", "basis", "profile")]
    return texts


def _texts(fmt: str, path) -> list[str]:
    if fmt == "json":
        report = json.loads(path.read_text(encoding="utf-8"))
        return [t for f in report["findings"] for t in _texts_of_finding(f)] + [
            p["title"]["zh"] for p in report["meta"]["profile_titles"]]
    if fmt == "jsonl":
        lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
        assert lines[-1]["type"] == "run"  # the last line is the run's; its words are checked like the others'
        return [t for obj in lines for t in (_texts_of_finding(obj) if "type" not in obj
                                             else [obj.get(k) or "" for k in ("note", "text", "reason")])]
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
        keep = [i for i, h in enumerate(rows[0]) if h not in ID_COLUMNS]
        return rows[0] + [row[i] for row in rows[1:] for i in keep]
    if fmt == "xlsx":
        return _xlsx_texts(path)
    if fmt == "html":
        parser = _Visible()
        parser.feed(path.read_text(encoding="utf-8"))
        return parser.texts
    if fmt == "sarif":
        sarif = json.loads(path.read_text(encoding="utf-8"))
        return [r["message"]["text"] for r in sarif["runs"][0]["results"]]
    if fmt == "junit":
        root = ET.parse(path).getroot()
        return [(failure.text or "").splitlines()[0] for failure in root.iter("failure")]
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line for line in lines if not line.strip().startswith("记录")]


def _xlsx_texts(path) -> list[str]:
    texts = []
    for sheet in openpyxl.load_workbook(path).worksheets:
        rows = list(sheet.iter_rows(values_only=True))
        if not rows:
            continue
        keep = [i for i, h in enumerate(rows[0]) if h not in ID_COLUMNS | EXTRA_ID_COLUMNS]
        texts += [str(h) for h in rows[0] if h]
        texts += [row[i] for row in rows[1:] for i in keep if isinstance(row[i], str)]
    return texts


class _Visible(HTMLParser):
    """The text a reader sees: not in <style>, <script>, <code> or the records line (.src)."""

    SKIP = {"style", "script", "code"}

    def __init__(self):
        super().__init__()
        self.texts: list[str] = []
        self.stack: list[bool] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("br", "meta", "input", "img"):
            return
        hidden = tag in self.SKIP or "src" in (dict(attrs).get("class") or "").split()
        self.stack.append(hidden or (bool(self.stack) and self.stack[-1]))

    def handle_endtag(self, tag):
        if tag not in ("br", "meta", "input", "img") and self.stack:
            self.stack.pop()

    def handle_data(self, data):
        if data.strip() and not (self.stack and self.stack[-1]):
            self.texts.append(data.strip())


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_chinese_demo_report_has_no_codes_english_or_glued_ids(outputs, fmt):
    texts = _texts(fmt, outputs[fmt])
    assert texts
    found = {text: problems(text) for text in texts if isinstance(text, str) and problems(text)}
    assert not found, f"{len(found)} texts in {fmt}, e.g. " + "; ".join(
        f"{t[:80]!r}: {p}" for t, p in list(found.items())[:5])


def test_the_english_report_is_complete(tmp_path):
    out = tmp_path / "en.json"
    args = ["check", str(DEMO), "--profile", "speech", "--as-of", "2020-07-10", "--workers", "1", "--lang", "en",
            "--format", "json", "-o", str(out)]
    assert CliRunner().invoke(main, args, catch_exceptions=False).exit_code == 1
    report = json.loads(out.read_text(encoding="utf-8"))
    for finding in report["findings"]:
        assert finding["message"] == finding["message_i18n"]["en"] and "template error" not in finding["message"]
        assert "—" not in finding["message"] or finding["rule_id"] == "EP-FAM-REPORT"  # a missing date reads —
        assert all(label and value for label, value in finding["evidence_view"]["en"])
        assert all(p["label"] and p["value"] for p in finding["parameters_view"]["en"])
