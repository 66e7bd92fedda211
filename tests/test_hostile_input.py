"""Hostile input (issue 14): every class of bad input is named with its file (or sheet), row and
field, never a traceback, and the valid rows around it are still read. The files are generated
here (tests/hostile.py); nothing binary is committed."""

from __future__ import annotations

import json

import pytest

from tests import hostile
from tests.hostile import CSV_HEADER, Case, csv_row, jsonl, reception

R = "reception.jsonl"

ROW_CASES = {
    # --- JSON Lines: one bad line among good ones ---------------------------------------------------
    "jsonl key given twice": Case(
        {R: jsonl(reception("r1"), '{"id": "r2", "id": "r3", "unit": "u1", "date": "2020-07-15", '
                                   '"guest_unit": "x", "guests": 2}', reception("r4"))},
        {(R, 2, "id", "error")}, {"reception": ["r1", "r4"]}, "两次"),
    "jsonl key given twice, contract form (one-call path)": Case(
        {R: jsonl(reception("r1"), json.dumps(reception("r2"))[:-1] + ', "guests": 9}', reception("r4"))},
        {(R, 2, "guests", "error")}, {"reception": ["r1", "r4"]}, "key given twice"),
    "jsonl lone surrogate": Case(
        {R: jsonl(reception("r1"), json.dumps(reception("r2", guest_unit="\ud800")), reception("r3"))},
        {(R, 2, "guest_unit", "error")}, {"reception": ["r1", "r3"]}, "surrogate"),
    "jsonl nested 100,000 deep": Case(
        {R: jsonl(reception("r1"), "[" * 100_000, reception("r3"))},
        {(R, 2, None, "error")}, {"reception": ["r1", "r3"]}, "嵌套"),
    "jsonl 5,000-digit integer": Case(
        {R: jsonl(reception("r1"), json.dumps(reception("r2"))[:-1] + ', "escorts": ' + "9" * 5000 + "}",
                  reception("r3"))},
        {(R, 2, "escorts", "error")}, {"reception": ["r1", "r3"]}, "4300"),
    "jsonl count beyond any count": Case(
        {R: jsonl(reception("r1"), reception("r2", guests=10**30), reception("r3"))},
        {(R, 2, "guests", "error")}, {"reception": ["r1", "r3"]}, "不能大于"),
    "jsonl measure not finite": Case(
        {"fuel.jsonl": jsonl({"id": "f1", "unit": "u1", "vehicle": "v1", "time": "2020-07-01 14:07",
                              "litres": 30, "amount": 200},
                             '{"id": "f2", "unit": "u1", "vehicle": "v1", "time": "2020-07-02 14:07", '
                             '"litres": 1e400, "amount": 200}')},
        {("fuel.jsonl", 2, "litres", "error")}, {"fuel": ["f1"]}, "有限"),
    "date in year 1": Case(
        {R: jsonl(reception("r1"), reception("r2", date="0001-01-01"), reception("r3"))},
        {(R, 2, "date", "error")}, {"reception": ["r1", "r3"]}, "1900"),
    "date after 2100": Case(
        {R: jsonl(reception("r1"), reception("r2", date="2200年1月1日"), reception("r3"))},
        {(R, 2, "date", "error")}, {"reception": ["r1", "r3"]}, "2100"),
    "1,2,3 is not an amount": Case(
        {R: jsonl(reception("r1", cost="1,280.50"), reception("r2", cost="1,2,3"), reception("r3"))},
        {(R, 2, "cost", "error")}, {"reception": ["r1", "r3"]}, "千分位"),
    "amount over 10 亿元": Case(
        {R: jsonl(reception("r1"), reception("r2", cost=2_000_000_000), reception("r3"))},
        {(R, 2, "cost", "error")}, {"reception": ["r1", "r3"]}, "上限"),
    "text over 10,000 characters": Case(
        {R: jsonl(reception("r1"), reception("r2", guest_unit="长" * 10_001), reception("r3"))},
        {(R, 2, "guest_unit", "error")}, {"reception": ["r1", "r3"]}, "过长"),
    # --- ids ------------------------------------------------------------------------------------------
    "id over 200 characters": Case(
        {R: jsonl(reception("r1"), reception("r" * 201), reception("r3"))},
        {(R, 2, "id", "error")}, {"reception": ["r1", "r3"]}, "过长"),
    "ids equal after trimming and NFKC are one id": Case(
        {R: jsonl(reception("r1"), reception(" ｒ１ "), reception("r2"))},
        {(R, 2, "id", "error")}, {"reception": ["r1", "r1", "r2"]}, "重复"),
    "zero-width space in an id": Case(
        {R: jsonl(reception("r1"), reception("r\u200b1"), reception("r2"))},
        {(R, 2, "id", "error")}, {"reception": ["r1", "r2"]}, "U+200B"),
    "control character in a reference": Case(
        {R: jsonl(reception("r1"), reception("r2", unit="u\x071"), reception("r3"))},
        {(R, 2, "unit", "error")}, {"reception": ["r1", "r3"]}, "U+0007"),
    "references are normalised too": Case(
        {R: jsonl(reception("r1", unit=" ｕ１\u3000"))}, set(), {"reception": ["r1"]}),
    "Latin and Cyrillic mixed in an id": Case(
        {R: jsonl(reception("r1"), reception("r\u04322"))},  # в
        {(R, 2, "id", "warning")}, {"reception": ["r1", "r\u04322"]}, "西里尔"),
    "Cyrillic letters that look Latin": Case(
        {R: jsonl(reception("r1"), reception("\u0420\u0415\u0421-1"))},  # РЕС-1
        {(R, 2, "id", "warning")}, {"reception": ["r1", "\u0420\u0415\u0421-1"]}, "西里尔"),
    "Greek letter among Latin ones": Case(
        {R: jsonl(reception("r1"), reception("r\u03912"))},  # Α
        {(R, 2, "id", "warning")}, {"reception": ["r1", "r\u03912"]}, "希腊"),
}


def _check(tmp_path, case: Case) -> None:
    data = hostile.load_checked(hostile.write(tmp_path / "data", case.files))
    assert hostile.located(data) == case.errors, [str(e) for e in data.errors]
    for record_type, expected in case.records.items():
        assert hostile.ids(data, record_type) == expected
    parts = case.message if isinstance(case.message, tuple) else (case.message,)
    for error in data.errors:
        assert any(part in error.message for part in parts), error.message
        json.dumps(error.as_dict(), ensure_ascii=False).encode("utf-8")  # every error can be written out


@pytest.mark.parametrize("case", ROW_CASES.values(), ids=ROW_CASES.keys())
def test_bad_row_is_located_and_its_neighbours_are_read(tmp_path, case):
    _check(tmp_path, case)


def test_enum_message_names_the_value_and_the_choices_in_chinese_first(tmp_path):
    data = hostile.load_checked(hostile.write(tmp_path, {R: jsonl(reception("r1", payment="支票"))}))
    [error] = data.errors
    assert error.message.startswith("支付方式“支票”不是可选值；可选：公务卡(official_card)、转账(transfer)、现金(cash) / ")


def test_the_streamed_check_compares_ids_as_the_in_memory_one_does(tmp_path):
    """Ids and units are compared as validation reads them (trimmed, NFKC), whichever source holds
    the rows: a padded repeat of an id in a padded unit is the same id in the same unit."""
    import datetime as dt

    from checker.data.files import read_all
    from checker.run.check import Options, run

    folder = hostile.write(tmp_path / "data", {R: jsonl(reception("r1"), reception(" r1 ", unit=" u1"))})
    options = Options(profile="speech", as_of=dt.date(2020, 7, 20))
    memory = run(read_all(folder), options)
    streamed = run(folder, options)
    assert hostile.located(memory.data) == {(R, 2, "id", "error")}
    assert hostile.located(streamed.data) == hostile.located(memory.data)


# --- files: encodings, CSV, JSON, YAML ----------------------------------------------------------------

def _reception_csv(*rows: str) -> str:
    return CSV_HEADER + "".join(rows)


GB = "gb18030"
BIG_UTF8 = jsonl(*(reception(f"r{n}") for n in range(1, 6001)))  # about 1.1 MB: past the old 1 MB sniff
FILE_CASES = {
    "GB18030 CSV whose only Chinese is 元 (valid UTF-8 by accident)": Case(
        {"reception.csv": _reception_csv("r1,u1,2020-07-15,x,3,1280.5元\n", "r2,u1,2020-07-16,x,3,30元\n").encode(GB)},
        set(), {"reception": ["r1", "r2"]}),
    "UTF-8 JSON Lines with a GB18030 line after the first megabyte": Case(
        {R: BIG_UTF8.encode() + jsonl(reception("gb1", guest_unit="省交通运输厅")).encode(GB)
            + jsonl(reception("after")).encode()},
        {(R, 6001, None, "error")}, {"reception": [f"r{n}" for n in range(1, 6001)] + ["after"]}, "UTF-8"),
    "GB18030 CSV with a UTF-8 row": Case(
        {"reception.csv": _reception_csv(csv_row("r1")).encode(GB) + csv_row("r2").encode() + csv_row("r3").encode(GB)},
        {("reception.csv", 3, None, "error")}, {"reception": ["r1", "r3"]}, "UTF-8"),
    "GB18030 JSON array with a UTF-8 item": Case(
        {"reception.json": b"[" + json.dumps(reception("r1"), ensure_ascii=False).encode(GB) + b",\n"
            + json.dumps(reception("r2"), ensure_ascii=False).encode() + b",\n"
            + json.dumps(reception("r3"), ensure_ascii=False).encode(GB) + b"]"},
        {("reception.json", 2, None, "error")}, {"reception": ["r1", "r3"]}, "UTF-8"),
    "GB18030 YAML data file": Case(
        {"reception.yaml": "- {id: r1, unit: u1, date: 2020-07-15, guest_unit: 省交通运输厅, guests: 3}\n".encode(GB)},
        set(), {"reception": ["r1"]}),
    "CSV quote never closed": Case(
        {"reception.csv": _reception_csv(csv_row("r1"), 'r2,u1,2020-07-15,"省厅,3,1\n', csv_row("r3"), csv_row("r4"))},
        {("reception.csv", 3, None, "error")}, {"reception": ["r1", "r3", "r4"]}, "引号未闭合"),
    "CSV stray quote closed by a later stray quote": Case(
        {"reception.csv": _reception_csv(csv_row("r1"), 'r2,u1,2020-07-15,"省厅,3,1\n', csv_row("r3"), csv_row("r4"),
                                         'r5,u1,2020-07-15,市局",3,1\n', csv_row("r6"))},
        {("reception.csv", 3, None, "error")}, {"reception": ["r1", "r3", "r4", "r5", "r6"]}, "引号未闭合"),
    "CSV stray quote running over a line with a carriage return in a cell": Case(
        {"reception.csv": _reception_csv(csv_row("r1"), 'r2,u1,2020-07-15,"省厅,3,1\n', csv_row("r3", "省厅\r"),
                                         'r4,u1,2020-07-15,市局",3,1\n', csv_row("r5"), csv_row("r6"))},
        {("reception.csv", 3, None, "error"), ("reception.csv", 4, None, "error")},
        {"reception": ["r1", "r4", "r5", "r6"]}, ("引号未闭合", "回车符")),
    "CSV quoted cell over lines (allowed)": Case(
        {"reception.csv": _reception_csv(csv_row("r1"), 'r2,u1,2020-07-15,"省交通\n运输厅",3,1\n', csv_row("r3"))},
        set(), {"reception": ["r1", "r2", "r3"]}),
    "CSV cell over the csv module's limit": Case(
        {"reception.csv": _reception_csv(csv_row("r1"), csv_row("r2", "长" * 200_000), csv_row("r3"))},
        {("reception.csv", 3, None, "error")}, {"reception": ["r1", "r3"]}, "131,072"),
    "CSV NUL byte": Case(
        {"reception.csv": _reception_csv(csv_row("r1"), csv_row("r2", "省\x00厅"), csv_row("r3"))},
        {("reception.csv", 3, None, "error")}, {"reception": ["r1", "r3"]}, "NUL"),
    "CSV with two byte-order marks": Case(
        {"reception.csv": "\ufeff\ufeff" + _reception_csv(csv_row("r1"))},
        {("reception.csv", 1, None, "warning")}, {"reception": ["r1"]}, "BOM"),
    "two CSV files joined with cat": Case(
        {"reception.csv": "\ufeff" + _reception_csv(csv_row("r1")) + "\ufeff" + _reception_csv(csv_row("r2"))},
        {("reception.csv", 3, None, "warning")}, {"reception": ["r1", "r2"]}, "/"),
    "JSON array: key given twice": Case(
        {"reception.json": "[" + json.dumps(reception("r1")) + ',\n{"id": "r2", "id": "r9", "unit": "u1"},\n'
                           + json.dumps(reception("r3")) + "]"},
        {("reception.json", 2, "id", "error")}, {"reception": ["r1", "r3"]}, "两次"),
    "JSON array: item nested 100,000 deep": Case(
        {"reception.json": "[" + json.dumps(reception("r1")) + ",\n" + "[" * 100_000 + "]" * 100_000 + ",\n"
                           + json.dumps(reception("r3")) + "]"},
        {("reception.json", 2, None, "error")}, {"reception": ["r1", "r3"]}, "嵌套"),
    "JSON array: 5,000-digit integer": Case(
        {"reception.json": "[" + json.dumps(reception("r1")) + ',\n{"id": "r2", "guests": ' + "9" * 5000 + "},\n"
                           + json.dumps(reception("r3")) + "]"},
        {("reception.json", 2, None, "error")}, {"reception": ["r1", "r3"]}, "4300"),
    "two JSON Lines files joined with cat": Case(
        {R: "\ufeff" + jsonl(reception("r1")) + "\ufeff" + jsonl(reception("r2"))},
        {(R, 2, None, "warning")}, {"reception": ["r1", "r2"]}, "BOM"),
    "JSON array: lone surrogate": Case(
        {"reception.json": "[" + json.dumps(reception("r1")) + ",\n" + json.dumps(reception("r2", guest_unit="\ud800"))
                           + "]"},
        {("reception.json", 2, "guest_unit", "error")}, {"reception": ["r1"]}, "surrogate"),
    "YAML: lone surrogate": Case(
        {"reception.yaml": '- {id: r1, unit: u1, date: 2020-07-15, guest_unit: "\\ud800", guests: 3}\n'},
        {("reception.yaml", 1, "guest_unit", "error")}, {"reception": []}, "surrogate"),
    "YAML: NO, 010 and 1:30 stay text": Case(
        {"reception.yaml": "- {id: 010, unit: u1, date: 2020-07-15, guest_unit: NO, guests: 3, official_letter: 1:30,"
                           " alcohol: yes}\n"},
        set(), {"reception": ["010"]}),
    "YAML: key given twice": Case(
        {"reception.yaml": "- {id: r1, unit: u1, date: 2020-07-15, guest_unit: x, guests: 3}\n"
                           "- {id: r2, id: r9, unit: u1}\n- {id: r3, unit: u1, date: 2020-07-15, guest_unit: x, guests: 3}\n"},
        {("reception.yaml", 2, "id", "error")}, {"reception": ["r1", "r3"]}, "两次"),
    "YAML: billion laughs": Case(
        {"reception.yaml": "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
            f"{x}: &{x} [{', '.join(['*' + p] * 9)}]\n" for p, x in zip("abcdefgh", "bcdefghi", strict=True))},
        {("reception.yaml", None, None, "error")}, {"reception": [], "unit": ["u1"]}, "别名"),
}


@pytest.mark.parametrize("case", FILE_CASES.values(), ids=FILE_CASES.keys())
def test_bad_file_content_is_located_and_the_rest_is_read(tmp_path, case):
    _check(tmp_path, case)


def test_yaml_scalars_are_parsed_by_the_contract_not_by_yaml(tmp_path):
    data = hostile.load_checked(hostile.write(tmp_path, FILE_CASES["YAML: NO, 010 and 1:30 stay text"].files))
    [record] = [r.record for r in data.of_type("reception")]
    assert (record.id, record.guest_unit, record.official_letter, record.alcohol) == ("010", "NO", "1:30", True)


def test_rule_profile_and_waiver_files_are_read_in_their_encoding(tmp_path):
    from checker.data.encoding import TextDecodeError, read_text

    text = "- id: 规则\n  title: 公务接待超标\n"
    (tmp_path / "gb.yaml").write_bytes(text.encode(GB))
    assert read_text(tmp_path / "gb.yaml") == text
    (tmp_path / "mixed.yaml").write_bytes(text.encode() * 50 + "  note: 元旦\n".encode(GB))
    with pytest.raises(TextDecodeError) as raised:
        read_text(tmp_path / "mixed.yaml")
    assert raised.value.line == 101


# --- XLSX -----------------------------------------------------------------------------------------------

HEADER = ["编号", "单位", "日期", "来宾单位", "接待对象人数", "陪餐人数"]


def _book_case(tmp_path, sheets, parts=None, **expected) -> None:
    book = hostile.xlsx(tmp_path / "book.xlsx", sheets, parts)
    _check(tmp_path, Case({"book.xlsx": book.read_bytes()}, **expected))


def test_xlsx_formula_without_a_stored_value_is_an_error_at_its_cell(tmp_path):
    _book_case(tmp_path, {"公务接待": [HEADER, ["r1", "u1", "2020-07-15", "x", 3, 1],
                                       ["r2", "u1", "2020-07-15", "x", 3, "=B2*0"],  # read as blank, escorts would be 0
                                       ["r3", "u1", "2020-07-15", "x", 3, 1]]},
               errors={("book.xlsx#公务接待", 3, "escorts", "error")}, records={"reception": ["r1", "r3"]},
               message="F3")


def test_xlsx_error_value_is_an_error_at_its_cell(tmp_path):
    _book_case(tmp_path, {"公务接待": [HEADER, ["r1", "u1", "2020-07-15", "#REF!", 3, 1], ["r2", "u1", "2020-07-15", "x", 3]]},
               errors={("book.xlsx#公务接待", 2, "guest_unit", "error")}, records={"reception": ["r2"]}, message="#REF!")


def test_xlsx_damaged_sheet_is_rejected_by_name_and_the_others_are_read(tmp_path):
    _book_case(tmp_path, {"公务接待": [HEADER, ["r1", "u1", "2020-07-15", "x", 3]],
                          "差旅": [["编号"], ["t1"]]},
               parts={"xl/worksheets/sheet2.xml": b'<worksheet xmlns="http://schemas.openxmlformats.org/'
                                                  b'spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1"'},
               errors={("book.xlsx#差旅", None, None, "error")}, records={"reception": ["r1"]}, message="差旅")


def test_xlsx_cells_far_to_the_right_are_not_rows_of_empty_cells(tmp_path):
    """openpyxl pads each row to its last cell: 2,000 rows with a cell in column XFD were 33 million
    empty cells, each looked at in Python."""
    import time

    def cell(ref: str, text: str) -> str:
        return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'

    rows = "".join(f'<row r="{n}">' + "".join(cell(f"{c}{n}", v) for c, v in zip(
        "ABCDE", (f"r{n}", "u1", "2020-07-15", "x", "3"), strict=True)) + cell(f"XFD{n}", "备注") + "</row>"
        for n in range(2, 2002))
    header = '<row r="1">' + "".join(cell(f"{c}1", v) for c, v in zip("ABCDE", HEADER, strict=False)) + "</row>"
    sheet = ('<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
             f'<dimension ref="A1:XFD1048576"/><sheetData>{header}{rows}</sheetData></worksheet>').encode()
    started = time.perf_counter()
    _book_case(tmp_path, {"公务接待": [HEADER]}, parts={"xl/worksheets/sheet1.xml": sheet},
               errors={("book.xlsx#公务接待", n, "(列 XFD 无列名)", "warning") for n in range(2, 2002)},
               records={"reception": [f"r{n}" for n in range(2, 2002)]})
    assert time.perf_counter() - started < 10


def test_xlsx_row_guard_rejects_the_sheet_that_crosses_it(tmp_path, monkeypatch):
    from checker.data import xlsx

    monkeypatch.setattr(xlsx, "MAX_ROWS", 5)
    _book_case(tmp_path, {"公务接待": [HEADER, ["r1", "u1", "2020-07-15", "x", 3]],
                          "差旅": [["编号"], ["t1"], ["t2"], ["t3"], ["t4"]]},
               errors={("book.xlsx#差旅", None, None, "error")}, records={"reception": ["r1"]}, message="5")


def test_xlsx_shared_strings_bomb_is_refused_within_bounded_memory(tmp_path):
    book = hostile.shared_strings_bomb(tmp_path / "bomb.xlsx", megabytes=256)
    assert book.stat().st_size < 2 << 20
    rss, out = hostile.peak_rss_mb(f"from checker.data.load import load_path\n"
                                   f"print([e.message for e in load_path({str(book)!r}).errors])")
    assert "共享字符串表" in out
    assert rss < 200, f"peak RSS {rss:.0f} MB"


# --- what is not read is named ------------------------------------------------------------------------

@pytest.mark.parametrize("name, advice", [("台账.xls", "另存为 .xlsx"), ("台账.ods", "另存为 .xlsx"),
                                          ("reception.tsv", "另存为逗号分隔的 .csv"), ("reception.csv.gz", "请先解压")])
def test_a_path_that_is_not_read_is_an_error_naming_what_is(tmp_path, name, advice):
    (tmp_path / name).write_bytes(b"\xd0\xcf\x11\xe0 not what is read")
    data = hostile.load_checked(tmp_path / name)
    [error] = data.errors
    assert (error.level, error.row, advice) == ("error", None, advice) and advice in error.message
    assert ".xlsx" in error.message and "TYPE.json" in error.message


def test_in_a_folder_a_record_type_not_read_is_an_error_and_anything_else_a_warning(tmp_path):
    folder = hostile.write(tmp_path / "data", {R: jsonl(reception("r1")), "reception.xls": b"\xd0\xcf",
                                               "公务接待.csv.gz": b"\x1f\x8b", "台账.xls": b"\xd0\xcf",
                                               "notes.txt": "说明", "~$book.xlsx": b"lock", "README.md": "# 说明",
                                               ".DS_Store": b"\0"})
    (folder / "travel.json").mkdir()
    (folder / "2019").mkdir()
    data = hostile.load_checked(folder)
    assert hostile.located(data) == {
        ("reception.xls", None, None, "error"), ("公务接待.csv.gz", None, None, "error"),
        ("travel.json", None, None, "error"), ("台账.xls", None, None, "warning"),
        ("notes.txt", None, None, "warning"), ("~$book.xlsx", None, None, "warning"), ("2019", None, None, "warning")}
    assert hostile.ids(data, "reception") == ["r1"]


def test_check_of_an_xls_exits_2_and_says_save_as_xlsx(tmp_path):
    from click.testing import CliRunner

    from checker.cli import main

    (tmp_path / "台账.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    result = CliRunner().invoke(main, ["check", str(tmp_path / "台账.xls"), "--as-of", "2020-07-10",
                                       "--format", "json"])
    assert result.exit_code == 2, result.output
    assert "另存为 .xlsx" in json.dumps(json.loads(result.stdout)["input_errors"], ensure_ascii=False)


def test_a_look_alike_warning_stays_with_its_row():
    """A row with a look-alike id rejected after its id was read (a key given twice) leaves its
    warning to no other row."""
    from checker.data.rows import validate_line

    errors: list = []
    validate_line("unit", '{"id": "u\u03911", "name": "a", "name": "b"}', "unit.jsonl", 1, errors)
    validate_line("unit", '{"id": "u1", "name": "a"}', "unit.jsonl", 2, errors)
    assert [(e.row, e.field, e.level) for e in errors] == [(1, "name", "error")]
