"""The demo as JSON, as one XLSX workbook and as GB18030 CSV with Chinese headers, Chinese dates,
yuan with separators, 是/否 and Chinese enum labels: identical records and identical findings."""

from __future__ import annotations

import datetime as dt

import pytest

from checker.data import export, validate
from checker.data.load import load_path
from tests.conftest import DEMO, check

AS_OF = dt.date(2020, 7, 10)


SHIPPED = DEMO.parent / "demo-forms"


@pytest.fixture(scope="module", params=["shipped", "fresh"])
def forms(request, tmp_path_factory):
    """The forms shipped in fixtures/demo-forms (written by make_demo.py), and freshly exported ones."""
    if request.param == "shipped":
        return {"json": DEMO, "xlsx": SHIPPED / "宣州市交通运输局2020上半年.xlsx", "csv": SHIPPED / "csv-gb18030"}
    folder = tmp_path_factory.mktemp("forms")
    data = validate.check(load_path(DEMO))
    export.write_xlsx(data, folder / "demo.xlsx")
    export.write_csv(data, folder / "csv-gb18030", "gb18030")
    return {"json": DEMO, "xlsx": folder / "demo.xlsx", "csv": folder / "csv-gb18030"}


def comparable(result):
    return sorted((f.fingerprint, f.rule.rule.id, f.unit, f.message["zh"], tuple(r["id"] for r in f.records))
                  for f in result.findings)


def test_the_gb18030_csv_really_is_gb18030_with_chinese_headers(forms):
    raw = (forms["csv"] / "reception.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    text = raw.decode("gb18030")
    assert text.startswith("编号,单位,日期,来宾单位") and "年" in text and "是" in text


def test_every_form_loads_the_same_records(forms):
    loaded = {name: load_path(path) for name, path in forms.items()}
    for data in loaded.values():
        assert [e for e in data.errors if e.level == "error"] == []
    reference = sorted((r.type, r.record.model_dump_json()) for r in loaded["json"].records)
    for name in ("xlsx", "csv"):
        assert sorted((r.type, r.record.model_dump_json()) for r in loaded[name].records) == reference, name


def test_every_form_gives_identical_findings(forms):
    results = {name: comparable(check(path, profile="speech", as_of=AS_OF, workers=1))
               for name, path in forms.items()}
    assert results["json"]
    assert results["xlsx"] == results["json"]
    assert results["csv"] == results["json"]
