"""Hostile input (issue 14): every class of bad input is named with its file (or sheet), row and
field, never a traceback, and the valid rows around it are still read. The files are generated
here (tests/hostile.py); nothing binary is committed."""

from __future__ import annotations

import json

import pytest

from tests import hostile
from tests.hostile import Case, jsonl, reception

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
    # --- ids ------------------------------------------------------------------------------------------
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
    for error in data.errors:
        assert case.message in error.message
        json.dumps(error.as_dict(), ensure_ascii=False).encode("utf-8")  # every error can be written out


@pytest.mark.parametrize("case", ROW_CASES.values(), ids=ROW_CASES.keys())
def test_bad_row_is_located_and_its_neighbours_are_read(tmp_path, case):
    _check(tmp_path, case)


def test_enum_message_names_the_value_and_the_choices_in_chinese_first(tmp_path):
    data = hostile.load_checked(hostile.write(tmp_path, {R: jsonl(reception("r1", payment="支票"))}))
    [error] = data.errors
    assert error.message.startswith("支付方式“支票”不是可选值；可选：公务卡(official_card)、转账(transfer)、现金(cash) / ")


@pytest.mark.xfail(strict=True, reason="checker/run/partition.py (not data/) still spools by the raw unit and "
                   "_ids_at compares raw ids: `unit = normalise_id(unit)` and `normalise_id(_raw_field(parsed, "
                   "kind, 'id'))` there make the streamed check agree")
def test_the_streamed_check_compares_ids_as_the_in_memory_one_does(tmp_path):
    import datetime as dt

    from checker.run import pipeline, stream

    folder = hostile.write(tmp_path / "data", {R: jsonl(reception("r1"), reception(" r1 ", unit=" u1"))})
    as_of = dt.date(2020, 7, 20)
    memory = pipeline.run_check(folder, profile="speech", as_of=as_of)
    streamed = stream.run(folder, profile="speech", as_of=as_of)
    assert hostile.located(memory.data) == {(R, 2, "id", "error")}
    assert hostile.located(streamed.data) == hostile.located(memory.data)
