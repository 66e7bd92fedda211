"""Stage 1 (load) and the XLSX entry template: formats, located errors, value forms, properties."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import tempfile
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from checker.data.load import load_path
from checker.data.models import ENUMS, RECORD_TYPES, TYPE_LABELS, field_labels
from checker.data.records import DataSet, InputError
from checker.data.template import build_template, json_schema
from checker.data.values import parse_bool, parse_date, parse_fen
from checker.data.xlsx import SHEET_ALIASES, load_workbook_rows, sheet_name_for

# --- shared sample data ---------------------------------------------------------------------------

UNITS = [
    {"id": "u1", "name": "某市财政局", "level": "municipal", "org_kind": "party_group", "region": "杭州",
     "staffing_quota": 40},
    {"id": "u2", "name": "某县财政局", "parent": "u1", "level": "county", "org_kind": "branch"},
]
PERSONS = [
    {"id": "p1", "name": "张三", "unit": "u1", "rank": "bureau", "party_member": True,
     "roles": ["secretary", "deputy"], "supervises": ["u2"]},
    {"id": "p2", "name": "李四", "unit": "u2", "rank": "staff", "party_member": False},
]
RECEPTIONS = [
    {"id": "r1", "unit": "u1", "date": "2020-07-15", "guest_unit": "省财政厅", "guests": 3, "escorts": 2,
     "meals": 1, "cost": "1280.50", "official_letter": "浙财函〔2020〕5号", "reception_list": True,
     "alcohol": False, "venue": "canteen", "payment": "official_card"},
    {"id": "r2", "unit": "u2", "date": "2020-08-01", "guest_unit": "市审计局", "guests": 5, "escorts": 4,
     "meals": 2, "cost": "3600", "alcohol": True, "venue": "private_club", "payment": "cash"},
]
DATA = {"unit": UNITS, "person": PERSONS, "reception": RECEPTIONS}


def _labelled(record_type: str, row: dict) -> dict:
    """The same row as a user would type it in a Chinese-headed sheet."""
    labels = field_labels(record_type)
    out = {}
    for key, value in row.items():
        enum_labels = next((v for v in ENUMS.values() if isinstance(value, str) and value in v), None)
        if isinstance(value, bool):
            value = "是" if value else "否"
        elif isinstance(value, list):
            value = "、".join(next((v[x] for v in ENUMS.values() if x in v), x) for x in value)
        elif key in ("date",):
            day = dt.date.fromisoformat(value)
            value = f"{day.year}年{day.month}月{day.day}日"
        elif key == "cost":
            value = f"{parse_fen(value) / 100:,.2f}"
        elif enum_labels is not None and key not in ("id", "unit", "name", "parent"):
            value = enum_labels[value]
        out[labels[key]] = value
    return out


def _write_csv(path: Path, record_type: str, rows: list[dict], encoding: str, chinese: bool) -> None:
    rows = [_labelled(record_type, r) if chinese else r for r in rows]
    header: list[str] = []
    for row in rows:
        header += [k for k in row if k not in header]
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=header)
    writer.writeheader()
    for row in rows:
        writer.writerow({k: ("; ".join(v) if isinstance(v, list) else v) for k, v in row.items()})
    path.write_bytes(buffer.getvalue().encode(encoding))


def _write(folder: Path, form: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for record_type, rows in DATA.items():
        if form == "json":
            (folder / f"{record_type}.json").write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
        elif form == "jsonl":
            (folder / f"{record_type}.jsonl").write_text(
                "\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
        elif form == "yaml":
            (folder / f"{record_type}.yaml").write_text(yaml.safe_dump(rows, allow_unicode=True),
                                                        encoding="utf-8")
        else:
            encoding = {"csv-utf8": "utf-8", "csv-bom": "utf-8-sig", "csv-gb18030": "gb18030"}[form]
            name = TYPE_LABELS[record_type] if form == "csv-gb18030" else record_type
            _write_csv(folder / f"{name}.csv", record_type, rows, encoding, chinese=form != "csv-utf8")
    return folder


def _records(data: DataSet) -> list[tuple[str, object]]:
    return sorted(((r.type, r.record) for r in data.records), key=lambda item: (item[0], item[1].id))


# --- (a) the same data in every format gives the same records ---------------------------------

@pytest.mark.parametrize("form", ["jsonl", "yaml", "csv-utf8", "csv-bom", "csv-gb18030"])
def test_every_format_gives_identical_records(tmp_path: Path, form: str) -> None:
    reference = load_path(_write(tmp_path / "json", "json"))
    assert reference.errors == []
    assert len(reference.records) == 6
    other = load_path(_write(tmp_path / form, form))
    assert other.errors == [], [str(e) for e in other.errors]
    assert _records(other) == _records(reference)
    assert other.rows_read == reference.rows_read == 6


def test_gb18030_file_is_not_utf8(tmp_path: Path) -> None:
    folder = _write(tmp_path, "csv-gb18030")
    raw = (folder / "公务接待.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    reception = load_path(folder).of_type("reception")
    assert [r.record.cost for r in reception] == [128050, 360000]
    assert reception[1].record.venue == "private_club"


def test_record_sources_and_rows(tmp_path: Path) -> None:
    data = load_path(_write(tmp_path, "csv-utf8"))
    rows = {(Path(r.source).name, r.row, r.id) for r in data.records}
    assert ("reception.csv", 2, "r1") in rows and ("reception.csv", 3, "r2") in rows
    data = load_path(_write(tmp_path / "j", "json"))
    assert {(Path(r.source).name, r.row) for r in data.of_type("unit")} == {("unit.json", 1), ("unit.json", 2)}


# --- (b) located errors ---------------------------------------------------------------------------

RECEPTION_HEADER = "id,unit,date,guest_unit,guests,cost,venue\n"


def _one_error(tmp_path: Path, name: str, text: str, level: str = "error") -> tuple[DataSet, InputError]:
    (tmp_path / name).write_text(text, encoding="utf-8")
    data = load_path(tmp_path)
    found = [e for e in data.errors if e.level == level]
    assert len(found) == 1, [str(e) for e in data.errors]
    return data, found[0]


def test_bad_date_is_located(tmp_path: Path) -> None:
    data, error = _one_error(tmp_path, "reception.csv",
                             RECEPTION_HEADER + "r1,u1,2020-07-15,x,1,10,canteen\nr2,u1,2020-13-45,x,1,10,canteen\n")
    assert (Path(error.source).name, error.row, error.field) == ("reception.csv", 3, "date")
    assert error.value == "2020-13-45"
    assert [r.id for r in data.records] == ["r1"]


def test_bad_money_is_located(tmp_path: Path) -> None:
    _, error = _one_error(tmp_path, "reception.csv", RECEPTION_HEADER + "r1,u1,2020-07-15,x,1,十元,canteen\n")
    assert (Path(error.source).name, error.row, error.field) == ("reception.csv", 2, "cost")
    assert "十元" in (error.value or "")


def test_fraction_of_a_fen_is_an_error(tmp_path: Path) -> None:
    _, error = _one_error(tmp_path, "reception.csv", RECEPTION_HEADER + "r1,u1,2020-07-15,x,1,1.005,canteen\n")
    assert (error.row, error.field) == (2, "cost")


def test_bad_enum_is_located(tmp_path: Path) -> None:
    _, error = _one_error(tmp_path, "reception.json", json.dumps(
        [RECEPTIONS[0], {**RECEPTIONS[1], "venue": "五星酒店"}], ensure_ascii=False))
    assert (Path(error.source).name, error.row, error.field) == ("reception.json", 2, "venue")


def test_missing_required_field_is_located(tmp_path: Path) -> None:
    row = {k: v for k, v in RECEPTIONS[0].items() if k != "guest_unit"}
    _, error = _one_error(tmp_path, "reception.yaml", yaml.safe_dump([RECEPTIONS[1], row], allow_unicode=True))
    assert (Path(error.source).name, error.row, error.field) == ("reception.yaml", 2, "guest_unit")
    assert "missing" in error.message


def test_unknown_column_is_a_warning(tmp_path: Path) -> None:
    data, warning = _one_error(tmp_path, "unit.csv", "id,name,颜色\nu1,局,红\n", level="warning")
    assert (Path(warning.source).name, warning.row, warning.field) == ("unit.csv", 2, "颜色")
    assert not data.has_errors
    assert [r.id for r in data.records] == ["u1"]


def test_malformed_json_is_located(tmp_path: Path) -> None:
    _, error = _one_error(tmp_path, "unit.json", '[\n {"id": "u1", "name": "a"},\n {"id": "u2" "name": "b"}\n]\n')
    assert Path(error.source).name == "unit.json"
    assert error.row == 3
    assert "cannot read" in error.message


def test_unknown_type_is_reported(tmp_path: Path) -> None:
    _, error = _one_error(tmp_path, "banquet.json", "[]")
    assert (Path(error.source).name, error.row, error.field) == ("banquet.json", None, None)
    assert "unknown record type" in error.message


def test_non_mapping_row_is_located(tmp_path: Path) -> None:
    _, error = _one_error(tmp_path, "unit.json", json.dumps([{"id": "u1", "name": "a"}, ["u2", "b"]]))
    assert (error.row, error.field) == (2, None)


def test_malformed_jsonl_line_is_located(tmp_path: Path) -> None:
    (tmp_path / "unit.jsonl").write_text('{"id":"u1","name":"a"}\n{"id":"u2","name":"b"}\n{bad\n')
    data = load_path(tmp_path)
    assert [(e.row, e.level) for e in data.errors] == [(3, "error")]
    assert [r.id for r in data.records] == ["u1", "u2"]


def test_csv_row_numbers_survive_blank_lines(tmp_path: Path) -> None:
    (tmp_path / "person.csv").write_text("id,name,unit\np1,A,u1\n\np2,B,u1\n")
    data = load_path(tmp_path)
    assert [(r.id, r.row) for r in data.records] == [("p1", 2), ("p2", 4)]


def test_short_csv_row_means_fields_not_given(tmp_path: Path) -> None:
    (tmp_path / "reception.csv").write_text("id,unit,date,guest_unit,guests,escorts\nr1,u1,2020-07-15,x,2\n")
    data = load_path(tmp_path)
    assert data.errors == []
    assert data.records[0].record.escorts == 0


# --- (c) value forms ------------------------------------------------------------------------------

@pytest.mark.parametrize("raw", ["2020年7月15日", "2020/7/15", "2020-07-15", "44027", 44027, 44027.0,
                                 dt.datetime(2020, 7, 15, 9, 30)])
def test_date_forms(raw: object) -> None:
    assert parse_date(raw) == dt.date(2020, 7, 15)


@pytest.mark.parametrize("raw", ["1,280.50", "1280.5元", "¥1280.5", "1280.50", 1280.5])
def test_money_forms(raw: object) -> None:
    assert parse_fen(raw) == 128050


@pytest.mark.parametrize(("raw", "expected"), [("是", True), ("否", False), ("true", True), ("0", False)])
def test_boolean_forms(raw: str, expected: bool) -> None:
    assert parse_bool(raw) is expected


def test_value_forms_through_the_loader(tmp_path: Path) -> None:
    (tmp_path / "公务接待.csv").write_text(
        "编号,单位,日期,来宾单位,接待对象人数,费用,饮酒,接待清单\n"
        'r1,u1,2020年7月15日,x,1,"1,280.50",是,否\n'
        "r2,u1,2020/7/15,x,1,1280.5元,否,是\n"
        "r3,u1,44027,x,1,1280.50,1,0\n", encoding="utf-8")
    (tmp_path / "allowance.json").write_text(json.dumps(
        [{"id": "a1", "unit": "u1", "date": 44027, "item": "补贴", "amount": "1,280.50"}], ensure_ascii=False))
    data = load_path(tmp_path)
    assert data.errors == []
    records = {r.id: r.record for r in data.records}
    assert {r.date for r in records.values()} == {dt.date(2020, 7, 15)}
    assert [records[i].cost for i in ("r1", "r2", "r3")] == [128050] * 3
    assert records["a1"].amount == 128050
    assert (records["r1"].alcohol, records["r1"].reception_list) == (True, False)
    assert (records["r2"].alcohol, records["r2"].reception_list) == (False, True)


# --- (d) XLSX loader -------------------------------------------------------------------------------

TRAVEL = [
    {"id": "t1", "unit": "u1", "person": "p1", "depart": "2020-07-15", "return": "2020-07-17",
     "destination": "北京", "mode": "hsr", "seat_class": "hsr_second", "hotel_per_night": "450",
     "nights": 2, "meal_allowance": "100", "approved": True, "purpose": "调研"},
]


def _xlsx_workbook(path: Path) -> None:
    workbook = Workbook()
    notes = workbook.active
    notes.title = "说明"
    notes["A1"] = "这张表不是记录"
    sheet = workbook.create_sheet("公务接待")
    labels = field_labels("reception")
    columns = ["id", "unit", "date", "guest_unit", "guests", "escorts", "meals", "cost", "official_letter",
               "reception_list", "alcohol", "venue", "payment"]
    sheet.append([f"  {labels[c]} " for c in columns])
    for number, row in enumerate(RECEPTIONS):
        values = []
        for column in columns:
            value = row.get(column)
            if column == "date":
                value = dt.datetime.fromisoformat(value)
            elif column == "cost":
                value = float(value)
            elif isinstance(value, bool):
                value = "是" if value else "否"
            elif column in ("venue", "payment"):
                value = ENUMS[column][value]
            values.append(value)
        if number == 1:
            sheet.append([None] * len(columns))  # an empty row: skipped, but counted
        sheet.append(values)
    travel = workbook.create_sheet("travel")
    travel.append(list(TRAVEL[0]))
    travel.append([44027 if k == "depart" else v for k, v in TRAVEL[0].items()])
    workbook.save(path)


def test_xlsx_gives_the_same_records_as_json(tmp_path: Path) -> None:
    book = tmp_path / "data.xlsx"
    _xlsx_workbook(book)
    from_xlsx = load_path(book)
    assert from_xlsx.errors == [], [str(e) for e in from_xlsx.errors]
    folder = tmp_path / "json"
    folder.mkdir()
    (folder / "reception.json").write_text(json.dumps(RECEPTIONS, ensure_ascii=False), encoding="utf-8")
    (folder / "travel.json").write_text(json.dumps(TRAVEL, ensure_ascii=False), encoding="utf-8")
    from_json = load_path(folder)
    assert from_json.errors == []
    assert _records(from_xlsx) == _records(from_json)
    where = {(r.source, r.row) for r in from_xlsx.records}
    assert where == {("data.xlsx#公务接待", 2), ("data.xlsx#公务接待", 4), ("data.xlsx#travel", 2)}
    assert from_xlsx.inputs == [book]


def test_xlsx_rows_and_sources(tmp_path: Path) -> None:
    book = tmp_path / "data.xlsx"
    _xlsx_workbook(book)
    errors: list[InputError] = []
    sheets = load_workbook_rows(book, errors)
    assert errors == []
    assert [(stem, source) for stem, source, _ in sheets] == [("公务接待", "data.xlsx#公务接待"),
                                                              ("travel", "data.xlsx#travel")]
    rows = sheets[0][2]
    assert [number for number, _ in rows] == [2, 4]
    assert isinstance(rows[0][1]["日期"], dt.datetime)
    assert rows[0][1]["费用"] == 1280.5


def test_xlsx_errors_name_sheet_and_row(tmp_path: Path) -> None:
    book = tmp_path / "bad.xlsx"
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "单位"
    sheet.append(["编号", "名称", "层级"])
    sheet.append(["u1", "局", "市级"])
    sheet.append(["u2", "局", "火星级"])
    workbook.create_sheet("饭局").append(["编号"])
    workbook.save(book)
    data = load_path(book)
    assert {(e.source, e.row, e.field) for e in data.errors} == {("bad.xlsx#单位", 3, "level"),
                                                                 ("bad.xlsx#饭局", None, None)}


def test_xlsx_sheet_names_and_header_oddities(tmp_path: Path) -> None:
    book = tmp_path / "odd.xlsx"
    workbook = Workbook()
    workbook.active.title = "README"
    workbook.create_sheet("notes").append(["随便写"])
    sheet = workbook.create_sheet("Unit")
    sheet.append(["id", "name", "name", None])
    sheet.append(["u1", "甲", "乙", "孤儿值"])
    sheet.append([None, "   ", None])
    sheet.append(["u2", None, "丙"])
    workbook.create_sheet(sheet_name_for("task")).append(["编号"])
    workbook.save(book)
    errors: list[InputError] = []
    sheets = load_workbook_rows(book, errors)
    from checker.data.models import TYPE_BY_LABEL

    assert [(TYPE_BY_LABEL.get(stem, stem), source) for stem, source, _ in sheets] == [
        ("unit", "odd.xlsx#Unit"), ("task", f"odd.xlsx#{sheet_name_for('task')}")]
    assert [(e.row, e.field, e.level) for e in errors] == [(1, "name", "warning")]
    assert sheets[0][2] == [(2, {"id": "u1", "name": "乙", "(列 D 无列名)": "孤儿值"}), (4, {"id": "u2", "name": "丙"})]


def test_corrupt_xlsx_is_an_input_error(tmp_path: Path) -> None:
    book = tmp_path / "broken.xlsx"
    book.write_bytes(b"PK\x03\x04 definitely not a workbook")
    data = load_path(book)
    assert data.records == []
    assert len(data.errors) == 1
    assert data.errors[0].source == str(book)
    assert data.errors[0].message.startswith("无法读取工作簿 / cannot read workbook")
    errors: list[InputError] = []
    assert load_workbook_rows(tmp_path / "missing.xlsx", errors) == []
    assert errors[0].message.startswith("无法读取工作簿 / cannot read workbook")


# --- (e) entry template ---------------------------------------------------------------------------

def _fill(path: Path, record_type: str, row: dict) -> None:
    workbook = load_workbook(path)
    sheet = workbook[sheet_name_for(record_type)]
    header = [cell.value for cell in sheet[1]]
    for key, value in _labelled(record_type, row).items():
        sheet.cell(row=2, column=header.index(key) + 1, value=value)
    workbook.save(path)


def test_template_structure(tmp_path: Path) -> None:
    path = build_template(tmp_path / "模板.xlsx")
    workbook = load_workbook(path)
    assert workbook.sheetnames[0] == "说明"
    assert workbook.sheetnames[1:] == [sheet_name_for(t) for t in RECORD_TYPES]
    assert sheet_name_for("task") == "整改工作任务" and SHEET_ALIASES == {"整改工作任务": "task"}
    assert all(len(name) <= 31 and not set(name) & set("/\\?*:[]") for name in workbook.sheetnames)
    instructions = " ".join(str(c.value) for row in workbook["说明"].iter_rows() for c in row if c.value)
    for text in ("2020-07-15", "2020/7/15", "2020年7月15日", "1,280.50", "是", "否"):
        assert text in instructions
    sheet = workbook["公务接待"]
    assert [c.value for c in sheet[1]] == list(field_labels("reception").values())
    assert sheet.freeze_panes == "A2"
    venue = sheet.cell(row=1, column=list(field_labels("reception")).index("venue") + 1)
    assert "venue" in venue.comment.text and "私人会所" in venue.comment.text
    formulas = [v.formula1 for v in sheet.data_validations.dataValidation]
    assert '"' + ",".join(ENUMS["venue"].values()) + '"' in formulas
    assert '"是,否"' in formulas
    date_column = list(field_labels("reception")).index("date") + 1
    from openpyxl.utils import get_column_letter
    assert sheet.column_dimensions[get_column_letter(date_column)].number_format == "yyyy-mm-dd"


def test_blank_template_loads_without_errors(tmp_path: Path) -> None:
    data = load_path(build_template(tmp_path / "t.xlsx"))
    assert data.errors == [] and data.records == [] and data.rows_read == 0


def test_template_round_trip(tmp_path: Path) -> None:
    path = build_template(tmp_path / "t.xlsx")
    task = {"id": "k1", "unit": "u1", "kind": "inspection_rectification", "issue": "接待超标",
            "found": "2020-07-01", "deadline": "2020-09-30"}
    for record_type, row in [("unit", UNITS[0]), ("person", PERSONS[0]), ("reception", RECEPTIONS[0]),
                             ("task", task)]:
        _fill(path, record_type, row)
    data = load_path(path)
    assert data.errors == [], [str(e) for e in data.errors]
    expected = {t: RECORD_TYPES[t].model_validate(r) for t, r in
                [("unit", UNITS[0]), ("person", PERSONS[0]), ("reception", RECEPTIONS[0]), ("task", task)]}
    assert {r.type: r.record for r in data.records} == expected
    assert {(r.type, r.source, r.row) for r in data.records} == {
        (t, f"t.xlsx#{sheet_name_for(t)}", 2) for t in expected}
    assert data.of_type("person")[0].record.roles == ["secretary", "deputy"]


def test_json_schema() -> None:
    schema = json_schema("reception")
    assert schema["properties"]["cost"]["type"] == "integer"
    assert "guest_unit" in schema["required"]
    assert set(schema["properties"]["venue"]["enum"]) == set(ENUMS["venue"])
    everything = json_schema()
    assert set(everything) == set(RECORD_TYPES)
    assert "return" in everything["travel"]["properties"]
    with pytest.raises(KeyError):
        json_schema("banquet")


# --- (f) properties ---------------------------------------------------------------------------------

def _file_errors(data: DataSet) -> set[str]:
    return {e.source for e in data.errors
            if e.message.startswith(("无法读取", "未知的记录类型", "路径不存在", "文件夹中没有", "未读取"))}


def _check_accounting(data: DataSet) -> None:
    """Each row read is a record or has an error at its row; unreadable files give no rows."""
    broken = _file_errors(data)
    assert not any(r.source in broken for r in data.records)
    rows = {(r.source, r.row) for r in data.records}
    rows |= {(e.source, e.row) for e in data.errors if e.source not in broken and e.row is not None}
    assert all(isinstance(row, int) and row >= 1 for _, row in rows)
    assert data.rows_read == len(rows)


PROPERTY = settings(max_examples=150, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(raw=st.binary(max_size=400), suffix=st.sampled_from([".csv", ".json", ".jsonl", ".yaml"]),
       stem=st.sampled_from(["reception", "unit", "人员"]))
def test_arbitrary_bytes_never_crash(raw: bytes, suffix: str, stem: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / f"{stem}{suffix}").write_bytes(raw)
        data = load_path(Path(folder))
    _check_accounting(data)


_KEYS = st.sampled_from(sorted(set(field_labels("reception")) | set(field_labels("reception").values())
                               | {"id", "unit", "颜色", "", " date "}))
_VALUES = st.one_of(st.text(max_size=12), st.integers(min_value=-10**6, max_value=10**12),
                    st.sampled_from(["2020-07-15", "2020年7月15日", "1,280.50", "是", "否", "公务卡", ""]))
_ROWS = st.lists(st.dictionaries(st.one_of(_KEYS, st.text(max_size=6)), _VALUES, max_size=10), max_size=6)


def _dump(rows: list[dict], suffix: str) -> str:
    if suffix == ".json":
        return json.dumps(rows, ensure_ascii=False)
    if suffix == ".jsonl":
        return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    if suffix == ".yaml":
        return yaml.safe_dump(rows, allow_unicode=True)
    header: list[str] = []
    for row in rows:
        header += [k for k in row if k not in header]
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=header or ["id"])
    writer.writeheader()
    for row in rows:
        writer.writerow(row)
    return buffer.getvalue()


def _check_rows(rows: list[dict], suffix: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / f"reception{suffix}").write_text(_dump(rows, suffix), encoding="utf-8")
        data = load_path(Path(folder))
    assert not _file_errors(data), [str(e) for e in data.errors]
    _check_accounting(data)
    assert data.rows_read == len(rows)
    if suffix != ".csv":  # CSV numbers rows from 2 and a cell may span lines
        rows_seen = {r.row for r in data.records} | {e.row for e in data.errors}
        assert rows_seen == set(range(1, len(rows) + 1))


@PROPERTY
@given(rows=_ROWS, suffix=st.sampled_from([".json", ".yaml", ".csv"]))
def test_every_row_is_a_record_or_an_error(rows: list[dict], suffix: str) -> None:
    _check_rows(rows, suffix)


_LINE_BREAKING = st.sampled_from(["\x85", "\u2028", "\u2029"])


@PROPERTY
@example(rows=[{"id": "r1", "guest_unit": "甲\u2028乙"}])
@given(rows=st.one_of(_ROWS, st.lists(st.fixed_dictionaries({"id": _LINE_BREAKING}), min_size=1, max_size=3)))
def test_every_jsonl_line_is_a_record_or_an_error(rows: list[dict]) -> None:
    _check_rows(rows, ".jsonl")


@PROPERTY
@given(rows=_ROWS.map(lambda rows: [{k: v for k, v in r.items()
                                      if not any(c in f"{k}{v}" for c in "\x85\u2028\u2029")}
                                     for r in rows]))
def test_every_jsonl_line_without_unicode_line_breaks_is_a_record_or_an_error(rows: list[dict]) -> None:
    _check_rows(rows, ".jsonl")


_XLSX_TEXT = st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=10)


@settings(max_examples=40, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(st.lists(st.one_of(st.none(), _XLSX_TEXT, st.integers(-1000, 100000)), max_size=6),
                     max_size=6))
def test_xlsx_rows_are_records_or_errors(rows: list[list]) -> None:
    header = list(field_labels("reception").values())[:6]
    with tempfile.TemporaryDirectory() as folder:
        book = Path(folder) / "data.xlsx"
        workbook = Workbook()
        workbook.active.title = "公务接待"
        workbook.active.append(header)
        for row in rows:
            workbook.active.append(row)
        workbook.save(book)
        data = load_path(book)
    _check_accounting(data)
    non_empty = [n for n, row in enumerate(rows, start=2)
                 if any(v is not None and not (isinstance(v, str) and not v.strip()) for v in row)]
    assert data.rows_read == len(non_empty)
    assert {r.row for r in data.records} | {e.row for e in data.errors} == set(non_empty)


# Known crashes: each is a load.py / values.py bug, described in the reason.

@pytest.mark.parametrize("amount", ["inf", "-Infinity", "sNaN", "1e999999999"])
def test_non_finite_money_is_an_input_error(tmp_path: Path, amount: str) -> None:
    (tmp_path / "reception.csv").write_text(RECEPTION_HEADER + f"r1,u1,2020-07-15,x,1,{amount},canteen\n")
    data = load_path(tmp_path)
    assert [(e.row, e.field) for e in data.errors] == [(2, "cost")]


@pytest.mark.parametrize("suffix", [".json", ".yaml"])
def test_deeply_nested_file_is_an_input_error(tmp_path: Path, suffix: str) -> None:
    (tmp_path / f"unit{suffix}").write_text("[" * 100_000)
    data = load_path(tmp_path)
    assert data.errors and data.errors[0].message.startswith("无法读取文件 / cannot read file")


# --- JSON lines in the plain form: validated in one pydantic-core call ------------------------------

def _general_path(record_type: str, line: str) -> tuple[object, list[InputError]]:
    from checker.data.rows import _clean_row, parse_line, validate_row
    errors: list[InputError] = []
    clean = _clean_row(record_type, parse_line(line), "f.jsonl", 7, errors)
    record = validate_row(record_type, clean, "f.jsonl", 7, errors) if clean is not None else None
    return record, errors


def _line_path(record_type: str, line: str) -> tuple[object, list[InputError]]:
    from checker.data.rows import validate_line
    errors: list[InputError] = []
    return validate_line(record_type, line, "f.jsonl", 7, errors), errors


PLAIN = {"reception": RECEPTIONS[0], "person": PERSONS[0], "unit": UNITS[0],
         "travel": {"id": "t1", "unit": "u1", "person": "p1", "depart": "2020-07-01", "return": "2020-07-03",
                    "destination": "北京", "mode": "hsr", "seat_class": "hsr_second"},
         "gift": {"id": "g1", "unit": "u1", "person": "p1", "date": "2020-07-01", "giver": "某公司", "kind": "gift",
                  "value": 200, "handed_in": "2020-07-05"},
         "fuel": {"id": "f1", "unit": "u1", "vehicle": "v1", "time": "2020-07-01 14:07", "litres": 21.5,
                  "amount": 136.5, "fuel_type": "petrol"}}
ODD_LINES = [
    ("reception", {**RECEPTIONS[0], "official_letter": ""}),          # blank: "not given"
    ("reception", {**RECEPTIONS[0], "official_letter": "  "}),
    ("reception", {**RECEPTIONS[0], "guest_unit": ""}),               # blank required: missing
    ("reception", {**RECEPTIONS[0], "guest_unit": "\t"}),             # an escape spelling a blank
    ("reception", {**RECEPTIONS[0], "official_letter": None}),
    ("reception", {**RECEPTIONS[0], "venue": "宾馆", "date": "2020年7月15日", "alcohol": "是"}),
    ("reception", {**RECEPTIONS[0], "venue": "spa"}),                 # invalid: located errors
    ("reception", {**RECEPTIONS[0], "surprise": 1}),                  # unknown column: a warning
    ("reception", {"编号": "r9", "单位": "u1", "日期": "2020-07-15", "来宾单位": "省厅", "接待对象人数": 2}),
    ("reception", {**RECEPTIONS[0], "单位": "u2"}),                   # one field under two names
    ("travel", {**PLAIN["travel"], "return_": "2020-07-03"}),
    ("reception", [1, 2]),
]


@pytest.mark.parametrize("record_type", sorted(PLAIN))
def test_plain_lines_take_the_one_call_path(record_type: str) -> None:
    from checker.data.rows import _NEEDS_CLEANING, _line_validator
    line = json.dumps(PLAIN[record_type], ensure_ascii=False)
    assert _NEEDS_CLEANING.search(line) is None
    assert type(_line_validator(record_type).validate_json(line)) is RECORD_TYPES[record_type]
    assert _line_path(record_type, line) == _general_path(record_type, line)


def test_the_one_call_validator_is_its_own_not_the_models() -> None:
    """pydantic-core silently reuses a model's own validator for a schema naming the model; then
    Chinese column names would pass it and every value would go through Python."""
    import sys

    from pydantic import ValidationError

    from checker.data.rows import _line_validator
    validator = _line_validator("reception")
    with pytest.raises(ValidationError):
        validator.validate_json(json.dumps({**{k: v for k, v in RECEPTIONS[0].items() if k != "date"},
                                            "日期": "2020-07-15"}))
    canonical = {k: v for k, v in RECEPTIONS[0].items() if k != "cost"}  # money keeps its Python validator
    line = json.dumps(canonical, ensure_ascii=False)
    called: list[str] = []
    sys.setprofile(lambda frame, event, _: called.append(frame.f_code.co_name) if event == "call" else None)
    try:
        record = validator.validate_json(line)
    finally:
        sys.setprofile(None)
    assert record.venue == "canteen" and record.alcohol is False
    assert called == []  # text, bool, date and enum values checked without a Python validator


def test_every_record_type_has_a_one_call_validator() -> None:
    from checker.data.rows import _line_validator
    assert all(_line_validator(t) is not None for t in RECORD_TYPES)


@pytest.mark.parametrize("record_type, row", ODD_LINES)
def test_odd_lines_give_what_the_general_path_gives(record_type: str, row: object) -> None:
    line = json.dumps(row, ensure_ascii=False)
    assert _line_path(record_type, line) == _general_path(record_type, line)


@pytest.mark.parametrize("space", [c for c in map(chr, range(0x3001)) if c.isspace()])
def test_optional_text_is_stripped_alike_on_both_paths(space: str) -> None:
    for value in (f"{space}函{space}", f"函{space}", f"a{space}b"):
        line = json.dumps({**RECEPTIONS[0], "official_letter": value}, ensure_ascii=False)
        record, errors = _line_path("reception", line)
        assert (record, errors) == _general_path("reception", line) and record.official_letter == value.strip()


@pytest.mark.parametrize("value", ["0", "1594771200", "20200715", "2020-07-15T00:00:00", "2020-07-15 00:00",
                                   "2020-7-15", "2020-02-30", "0000-01-01", " 2020-07-15", 0, 1594771200])
@pytest.mark.parametrize("record_type, name", [("travel", "return"), ("gift", "handed_in"), ("reception", "date")])
def test_date_like_values_give_what_the_general_path_gives(record_type: str, name: str, value: object) -> None:
    row = RECEPTIONS[0] if record_type == "reception" else PLAIN[record_type]
    line = json.dumps({**row, name: value}, ensure_ascii=False)
    assert _line_path(record_type, line) == _general_path(record_type, line)


def test_malformed_line_gives_what_the_general_path_gives() -> None:
    line = '{"id": "r1", "unit": '
    record, errors = _line_path("reception", line)
    assert record is None and (record, errors) == _general_path("reception", line)


@settings(max_examples=500, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(sorted({name for row in (RECEPTIONS[0], *PLAIN.values()) for name in row} - {"id", "unit"})),
       st.one_of(st.none(), st.booleans(), st.integers(-5, 10**6), st.floats(allow_nan=False), st.text(max_size=12),
                 st.sampled_from(["", " ", "2020-7-1", "2020-07-01T00:00:00", "1e3", "3.0", "hotel", "HOTEL", " hotel",
                                  "宾馆", "2020-07-15", "2020-02-30", "20200715", "2020-07-15Z", "2020年7月15日",
                                  "true", "是", "1", " x ", "\u3000x", "x\xa0", "2020-07-01 14:07", "2020-07-01T14:07:00Z",
                                  "gift", "礼品", 1280.5, -3, "-3"]),
                 st.builds(lambda a, b, space: f"{space if a else ''}x y{space if b else ''}", st.booleans(),
                           st.booleans(), st.sampled_from([c for c in map(chr, range(0x3001)) if c.isspace()]))))
def test_any_value_gives_what_the_general_path_gives(name: str, value: object) -> None:
    for record_type, row in (("reception", RECEPTIONS[0]), *PLAIN.items()):
        if name not in row:
            continue
        line = json.dumps({**row, name: value}, ensure_ascii=False)
        assert _line_path(record_type, line) == _general_path(record_type, line)


_ID_LIKE = {"id", "unit", "person", "vehicle", "chair", "owner", "parent"}
_ODD_IDS = st.one_of(st.text(max_size=8), st.sampled_from(
    ["r1", " r1", "ｒ１", "r1\u3000", "r\u200b1", "r\u00071", "r\u03911", "\u0420\u0415\u0421-1", "①", "\ud800", "", " "]))
_ODD_VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(-5, 10**6), st.sampled_from([10**12, 10**30, -(10**30)]),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=12),
    st.sampled_from(["", " ", "1,2,3", "1,280.50", "2,000,000,000", "0001-01-01", "2101-01-01", "1899-12-31",
                     "2020-07-15", "2020年7月15日", "14:07", "2020-07-01 14:07", ": x", '":"', "是", "公务卡",
                     "hotel", "\ud800", "a\u2028b", "x\\y"]))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(sorted(PLAIN)), st.data())
def test_any_line_in_plain_form_gives_what_the_general_path_gives(record_type: str, data: st.DataObject) -> None:
    """Whole lines: any subset of the fields, odd ids and values, a key given twice, escaped or not."""
    row = RECEPTIONS[0] if record_type == "reception" else PLAIN[record_type]
    pairs = [(key, row[key]) for key in data.draw(st.lists(st.sampled_from(sorted(row)), unique=True))]
    for index in data.draw(st.sets(st.integers(0, len(pairs) - 1))) if pairs else ():
        key = pairs[index][0]
        pairs[index] = (key, data.draw(_ODD_IDS if key in _ID_LIKE else _ODD_VALUES))
    if pairs and data.draw(st.booleans()):
        key = data.draw(st.sampled_from([key for key, _ in pairs]))
        pairs.insert(data.draw(st.integers(0, len(pairs))), (key, data.draw(_ODD_VALUES)))
    escaped = data.draw(st.booleans())

    def dump(value: object) -> str:
        surrogate = isinstance(value, str) and any("\ud800" <= c <= "\udfff" for c in value)
        return json.dumps(value, ensure_ascii=escaped or surrogate)

    line = "{" + ", ".join(f"{json.dumps(key)}: {dump(value)}" for key, value in pairs) + "}"
    assert _line_path(record_type, line) == _general_path(record_type, line)
