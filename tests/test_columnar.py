"""The columnar fast path (checker.data.columnar) against the general path: the same records and the
same errors, row by row on random lines and report by report on whole data sets.

A row the columnar path takes must be one the general path takes too, with the same values (type
and all) and no error or warning; every other line must reach the general path as it was read, so
that the general path says what is wrong with it. Reports are compared byte for byte with the
columnar path on and off."""

from __future__ import annotations

import datetime as dt
import json
import pickle
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checker.data import blocks, column_checks, columnar, columnar_csv, encoding
from checker.data.files import stream_rows
from checker.data.models import RECORD_TYPES, REGISTRY_TYPES
from checker.data.plain import TOKEN, PlainRecord, build, plan_of
from checker.data.records import InputError
from checker.data.rows import validate_line
from checker.report import build as report
from checker.report.render import render
from checker.run.check import Options, run
from tests.conftest import DEMO, ROOT, values_of
from tests.test_run import as_jsonl

PROPERTY = settings(max_examples=300, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
TYPES = sorted(RECORD_TYPES)  # registries too: the partition pass holds the records the columnar path makes of them


# --- row by row -------------------------------------------------------------------------------------

def _canonical(record_type: str, k: int) -> dict[str, Any]:
    """A row in the plain form: every field the plan takes, each with a valid value of its kind."""
    values = {"text": "某单位", "id": f"X-{k}", "date": "2020-07-15", "datetime": "2020-07-15 14:07",
              "fen": 1280.5, "float": 12.5, "int": 3, "bool": True, "empty_list": []}
    row = {}
    for f in plan_of(record_type).taken:
        if f.kind == "enum":
            row[f.key] = f.choices[k % len(f.choices)]
        elif f.kind == "int":
            row[f.key] = max(3, f.bounds.get("ge", 0)) if f.bounds.get("le", 10) >= 3 else f.bounds["le"]
        elif "pattern" in f.bounds:  # a report's period (2020H1) or a payment's month (2020-06)
            row[f.key] = next(v for v in ("2020H1", "2020-06") if re.search(f.bounds["pattern"], v))
        else:
            row[f.key] = values[f.kind]
    return row


_TEXT = st.one_of(st.sampled_from(["", " ", "\u3000", " 甲", "甲 ", "a\u00a0", "\u2029乙", "2020H1", "2020Q5", "٢٠٢٠H1",
                                   "2020-06", "2020-6", " 2020-06", "٢٠٢٠-٠٦",
                                   "x" * 10_000, "x" * 10_001]),
                  st.builds(lambda space, text, end: f"{space}{text}" if end else f"{text}{space}",
                            st.sampled_from([c for c in map(chr, range(0x3001)) if c.isspace()]),
                            st.text(min_size=1, max_size=4), st.booleans()),
                  st.text(max_size=8))
_IDS = st.one_of(st.sampled_from(["P1", " P1 ", "Ｐ１", "P１", "\u3000P1", "Р1", "P\u200b1", "P\t1", "甲-1", "ＡＢ～",
                                  "x" * 200, "x" * 201, "Ｘ" * 200, "ｘ" * 201, "", "１２"]), st.text(max_size=5))
_DATES = st.one_of(st.dates(dt.date(1890, 1, 1), dt.date(2110, 1, 1)).map(str),
                   st.sampled_from(["2020-02-30", "2020/7/15", "2020年7月15日", "2020-7-15", "20200715", "1899-12-31",
                                    "1900-01-01", "2100-12-31", "2101-01-01", "2020-07-15 ", "٢٠٢٠-07-15", "44000"]))
_TIMES = st.sampled_from(["2020-07-01 14:07", "2020-07-01T14:07", "2020-07-01 14:07:59", "2020-07-01 9:5",
                          "2020-07-01 24:00", "2020-07-01 23:60", "2020-07-01 14:07:60", "2020-07-01  14:07",
                          "2020-07-01 14:07Z", "2020-07-01", "2020-02-30 10:00", "1899-12-31 10:00", "2020-07-01 14时07分"])
_NUMBERS = st.one_of(st.integers(-10, 10**12), st.floats(allow_nan=False, allow_infinity=False),
                     st.decimals(0, 10**10, places=3).map(float),
                     st.sampled_from([0, 0.0, -0.0, 201.5, 0.29, 0.285, 1e9, 1e9 + 0.01, 1e-5, 1.1, 0.1 + 0.2, 3.0,
                                      100_000_000, 100_000_001, 10**20, 1e16, 123456789.12]))
_OTHERS = st.sampled_from([None, True, False, "是", "否", "1,280.50", "1280.5元", "3", "true", "", " ", [], ["P1"], {},
                           "hotel", "HOTEL", " hotel", "宾馆", "canteen", "official_card", "公务卡", 1, 0])


@st.composite
def _line(draw: Any, record_type: str) -> str:
    """A row of `record_type` near the plain form: canonical, with some values changed, dropped,
    blanked or given twice, an unknown or Chinese key, and written in one of several ways."""
    row: dict[str, Any] = _canonical(record_type, draw(st.integers(0, 5)))
    fields = plan_of(record_type).fields
    for f in draw(st.lists(st.sampled_from(fields), max_size=3, unique_by=lambda f: f.name)):
        pool = {"text": _TEXT, "id": _IDS, "date": _DATES, "datetime": _TIMES, "enum": st.sampled_from(
            [*(f.choices or ("x",)), "X", "宾馆", "unknown"])}.get(f.kind or "", _NUMBERS)
        choice = draw(st.integers(0, 6))
        if choice == 0:
            row.pop(f.key, None)
        else:
            row[f.key] = draw(pool if choice < 6 else st.one_of(_OTHERS, _NUMBERS, _TEXT))
    if not draw(st.integers(0, 7)):
        row[draw(st.sampled_from(["surprise", "日期", "return_", "id "]))] = draw(_OTHERS)
    separators = draw(st.sampled_from([(", ", ": "), (",", ":"), (" , ", " : "), (",", ":\t")]))
    text = json.dumps(row, ensure_ascii=draw(st.booleans()), separators=separators)
    twice = draw(st.integers(0, 9))
    if twice == 0 and row:  # a key given twice
        key = draw(st.sampled_from(sorted(row)))
        text = text[:-1] + f', "{key}": {json.dumps(draw(st.one_of(_OTHERS, _TEXT)), ensure_ascii=False)}}}'
    elif twice == 1:
        text = draw(st.sampled_from(["\ufeff", " ", "[", "{}", ""])) + text + draw(st.sampled_from(["\r", " ", ",", "]"]))
    return text


def _same_as_general(record_type: str, lines: list[str], tmp: Path) -> int:
    """Write the lines, read them with the columnar path and as the general path reads them
    (`stream_rows`), compare: the number of rows the columnar path took."""
    path = tmp / f"{record_type}.jsonl"
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    errors: list[InputError] = []
    batches = columnar.plain_batches(path, record_type, errors)
    if batches is None:  # not UTF-8 (a file whose only non-ASCII text is Cyrillic reads as GB18030)
        return 0
    taken, handed = read_batches(record_type, batches)
    general_errors: list[InputError] = []
    read = {number: (row, line) for number, row, line in stream_rows(path, general_errors)}
    assert errors == general_errors  # what reading itself says (a BOM at a line's start)
    assert taken.keys() | handed.keys() == read.keys() and not taken.keys() & handed.keys()
    for number, (row, line) in read.items():
        if number in handed:
            assert handed[number] == (row, line)
            continue
        found: list[InputError] = []
        record = validate_line(record_type, line, str(path), number, found)
        assert record is not None and not found, (line, [str(e) for e in found])
        assert _typed(values_of(taken[number])) == _typed(values_of(record)), line
    return len(taken)


def read_batches(record_type: str, batches: Any) -> tuple[dict[int, PlainRecord], dict[int, tuple[Any, str | None]]]:
    """The records the columnar path made, as the partition pass or a unit's worker gets them, and
    the rows it handed to the general path, by row number."""
    taken: dict[int, PlainRecord] = {}
    handed: dict[int, tuple[Any, str | None]] = {}
    for batch in batches:
        for number, row, line in batch.general:
            assert number not in handed
            handed[number] = (row, line)
        if batch.taken is not None and record_type in REGISTRY_TYPES:  # held by the partition pass (compacted:
            numbers, values = blocks.columns_in(record_type, batch.taken)  # tests/test_partition_compact.py)
            taken.update(zip(numbers, build(record_type, values), strict=True))
        elif batch.taken is not None:
            for _, block in blocks.blocks_by_unit([(record_type, 0, batch.taken)]):
                block = pickle.loads(pickle.dumps(block))  # as a worker reads it from the spool
                taken.update((number, record) for _, number, record in block.rows())
    return taken, handed


def _typed(values: dict[str, Any]) -> dict[str, tuple[type, str]]:
    """Values compared with their type (True is not 1, 0.0 is not -0.0)."""
    return {name: (type(value), repr(value)) for name, value in values.items()}


@PROPERTY
@given(data=st.data(), record_type=st.sampled_from(TYPES))
def test_the_columnar_path_takes_only_what_the_general_path_takes_alike(data: Any, record_type: str) -> None:
    lines = data.draw(st.lists(_line(record_type), min_size=1, max_size=12))
    with tempfile.TemporaryDirectory() as folder:
        _same_as_general(record_type, lines, Path(folder))


@pytest.mark.parametrize("record_type, line", [
    ("fuel", '{"id": "F1", "unit": "U", "vehicle": "V", "time": "2020-06-16T16:45", "litres": 34.0, "amount": 197.2}'),
    ("reception", '{"id": "R", "unit": "U", "date": "2020-07-15", "guest_unit": "甲", "guests": 1, '
                  '"cost": 0.1000000000000000055511151231257827}'),
    ("reception", '{"id": "R", "unit": "U", "date": "2020-07-15", "guest_unit": "甲", "guests": 1, "cost": 0.285}'),
    ("reception", '{"id": "Ｒ１", "unit": " U ", "date": "2020-07-15", "guest_unit": "甲", "guests": 1}'),
    ("reception", '{"id": "R", "unit": "U", "date": "2020-07-15", "guest_unit": "甲", "guests": 1, "guests": 2}'),
    ("reception", '{"id": "R", "unit": "U", "date": "2020-07-15", "guest_unit": "甲", "guests": 1, "official_letter": ""}'),
    ("meeting", '{"id": "M", "unit": "U", "date": "2020-07-15", "kind": "branch_committee", "decides": []}'),
    ("reception", '{"id": "R", "unit": "U", "date": "2020-07-15", "guest_unit": "甲", "guests": 1, "official_letter": " 甲"}'),
    ("reception", '{"id": "R", "unit": "U", "date": "2020-07-15", "guest_unit": " 甲", "guests": 1}'),
])
def test_lines_that_went_wrong_once(record_type: str, line: str, tmp_path: Path) -> None:
    _same_as_general(record_type, [line], tmp_path)


_ONE_BY_ONE = {
    "text": [" 甲", "甲 ", "\u3000", "a\u00a0", "", "2020H1", "2020Q5", "2020-13", "٢٠٢٠H1", "2020-06", "2020-6",
             " 2020-06", "2020-06 ", "٢٠٢٠-٠٦", "x" * 10_000, "x" * 10_001],
    # U+1CCD6 is new in Unicode 16: polars' NFKC makes it "A", Python 3.11's (Unicode 14) leaves it
    "id": ["P1", " P1 ", "Ｐ１", "\u3000P1", "Р1", "P\u200b1", "甲-1", "x" * 200, "x" * 201, "Ｘ" * 200, "", "  ", "①",
           "\U0001ccd6B"],
    "date": ["2020-02-29", "2019-02-29", "2020-02-30", "1899-12-31", "1900-01-01", "2100-12-31", "2101-01-01",
             "2020/7/15", "2020年7月15日", "2020-7-15", "20200715", " 2020-07-15", "0000-01-01", "44000"],
    "datetime": ["2020-07-01 14:07", "2020-07-01T14:07", "2020-07-01 14:07:59", "2020-07-01 9:5", "2020-07-01 24:00",
                 "2020-07-01 23:60", "2020-07-01 14:07:60", "2020-07-01  14:07", "2020-07-01 14:07Z", "2020-07-01",
                 "2020-02-30 10:00", "1899-12-31 10:00", "2101-01-01 00:00", "2020-07-01 14时07分", "2020-07-01T",
                 "2020-07-01 ", "2101-01-01", "2020-02-30", "2100-12-31"],
}
_NUMBERS_ONE_BY_ONE = [0, 0.0, -0.0, 1, 3, 201.5, 0.29, 0.285, 1e9, 1e9 + 0.01, 1e-5, 1.1, 0.1 + 0.2, 3.0, 100_000_000,
                       100_000_001, 10**20, 1e16, 123456789.12, 99999999999.99, 5, 4, -1, -3.5]


@pytest.mark.parametrize("record_type", TYPES)
def test_each_value_alone(record_type: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every field given each value of a list of forms, one at a time in an otherwise plain row."""
    lines = []
    for f in plan_of(record_type).fields:
        values = [*_ONE_BY_ONE.get(f.kind or "", _NUMBERS_ONE_BY_ONE), None, True, "是", "1,280.50", "3", [], ["P1"],
                  *f.choices, *(c.upper() for c in f.choices), "宾馆"]
        for value in values:
            row = _canonical(record_type, len(lines))
            row[f.key] = value
            lines.append(json.dumps(row, ensure_ascii=False))
        lines.append(json.dumps({k: v for k, v in _canonical(record_type, 0).items() if k != f.key}, ensure_ascii=False))
    assert _same_as_general(record_type, lines, tmp_path) > 0
    # the lines in the grammar, alone in a chunk: polars' JSON Lines reader decodes them (above,
    # in a chunk with lines outside the grammar, str.json_decode did)
    pl = columnar.load_polars()
    plain = [line for line in lines if re.search(columnar._grammar(plan_of(record_type)), line)]
    assert pl.Series(plain).str.contains(columnar._grammar(plan_of(record_type))).all() and len(plain) < len(lines)
    read_ndjson, calls = pl.read_ndjson, []
    monkeypatch.setattr(pl, "read_ndjson", lambda *a, **k: calls.append(1) or read_ndjson(*a, **k))
    assert _same_as_general(record_type, plain, tmp_path) > 0 and calls


@pytest.mark.parametrize("cells", [False, True])
def test_no_check_passes_a_value_not_given(cells: bool) -> None:
    """column_checks.checks takes a required field where its kind's check passes, with no test of
    blank: no kind's check may pass null, nor a blank string (a JSON string, a CSV cell)."""
    pl = columnar.load_polars()
    kinds = columnar_csv.CELL_CHECKS if cells else column_checks.KIND_CHECKS
    for record_type in TYPES:
        for f, nfkc in ((f, nfkc) for f in plan_of(record_type).taken for nfkc in (False, True)):
            text = cells or TOKEN[f.kind] == "string"
            dtype = pl.String if text else columnar._schema(record_type)[f.key]
            frame = pl.DataFrame({f.key: ["", " ", "\u3000", "\xa0 ", " \t", None] if text else [None]},
                                 schema={f.key: dtype})
            stages = column_checks.Stages(pl)
            _, valid = (column_checks._id_nfkc if nfkc and f.kind == "id" else kinds[f.kind])(
                f, pl.col(f.key), pl, stages)
            for level in stages.levels:
                frame = frame.with_columns(level)
            assert not frame.select(valid.fill_null(False)).to_series().any(), (record_type, f.key, nfkc)


@pytest.mark.parametrize("twice", ['"guest_unit": "乙"', '"guest_unit": ""', '"guests": 2', '"guests": 3',
                                   '"alcohol": true', '"cost": 12.5'])
def test_a_key_given_twice_among_plain_lines(twice: str, tmp_path: Path) -> None:
    """In a chunk of lines all in the grammar, a key given twice is found by the chunk's quotes
    (columnar.each_key_once), whatever its values: the line that gives it is the general path's."""
    lines = [json.dumps(_canonical("reception", k), ensure_ascii=False) for k in range(5)]
    assert _same_as_general("reception", lines, tmp_path) == 5
    lines[2] = lines[2][:-1] + ", " + twice + "}"
    assert _same_as_general("reception", lines, tmp_path) == 4


def test_an_empty_string_is_a_value_not_given_and_other_blanks_are_the_general_paths(tmp_path: Path) -> None:
    """An optional string given empty is taken as not given; given blanks alone (what str.strip()
    removes) it is refused by every check and read by the general path, which reads both alike."""
    lines = []
    for blank in ["", " ", "\u3000", "\xa0"]:
        for key in ("official_letter", "venue"):  # text, enum
            lines.append(json.dumps({**_canonical("reception", len(lines)), key: blank}, ensure_ascii=False))
    assert _same_as_general("reception", lines, tmp_path) == 2


@pytest.mark.parametrize("record_type", TYPES)
def test_rows_in_the_plain_form_are_taken(record_type: str, tmp_path: Path) -> None:
    """The fast path must not quietly stop taking rows (it would still be right, only slow)."""
    lines = [json.dumps(_canonical(record_type, k), ensure_ascii=False) for k in range(6)]
    lines += [json.dumps(_canonical(record_type, 7), ensure_ascii=False, separators=(",", ":")), "", "  "]
    assert _same_as_general(record_type, lines, tmp_path) == 7


@pytest.mark.parametrize("record_type", ["reception", "fuel"])  # a date, a date and time
def test_the_years_of_a_batch_are_those_of_its_first_and_last_date(record_type: str) -> None:
    """years_of reads the first and last date's years (not every row's year): the same years."""
    from checker.data.models import DATE_FIELD

    pl = columnar.load_polars()
    name, plan = DATE_FIELD[record_type], plan_of(record_type)
    days = [dt.datetime(2021, 1, 1, 0, 0), None, dt.datetime(2019, 12, 31, 23, 59), dt.datetime(2020, 6, 1)]
    column = [d if d is None or record_type == "fuel" else d.date() for d in days]
    frame = pl.DataFrame({name: column})
    assert columnar.years_of(frame, plan, pl) == (2019, 2021)
    assert columnar.years_of(frame.filter(pl.col(name).is_null()), plan, pl) is None


def test_ids_in_full_width_forms_are_taken(tmp_path: Path) -> None:
    """A chunk with an id that is not ASCII is read with NFKC (`wide_ids`: more bytes than
    characters); one with a DEL (ASCII, not printable) is the general path's either way."""
    ids = ["Ｐ１", "ＡＢ～", "P\u30001", "P1", "P\x7f1", "Ｐ\x7f"]
    lines = [json.dumps({**_canonical("reception", k), "id": ident}, ensure_ascii=False) for k, ident in enumerate(ids)]
    assert _same_as_general("reception", lines, tmp_path) == 4
    assert _same_as_general("reception", lines[3:5], tmp_path) == 1


def test_a_chunk_border_and_a_line_in_another_encoding(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(columnar, "CHUNK_BYTES", 300)
    lines = [json.dumps(_canonical("reception", k), ensure_ascii=False) for k in range(20)]
    _same_as_general("reception", lines, tmp_path)
    raw = "".join(line + "\n" for line in lines).encode() + "来宾".encode("gb18030") + b"\n" + lines[0].encode()
    (tmp_path / "reception.jsonl").write_bytes(raw)
    errors: list[InputError] = []
    batches = list(columnar.plain_batches(tmp_path / "reception.jsonl", "reception", errors))
    rows = {n: row for b in batches for n, row, _ in b.general}
    assert "GB18030" in str(rows[21])  # that line's problem, located (its chunk is read line by line)
    assert sum(b.rows for b in batches) == 22 and len(rows) < 5


@pytest.mark.parametrize(("body", "whole"), [
    (b'{"a": 1}\n{"b": "\xe7\x94\xb2"}', True), (b"x", True), (b"a\rb", True), (b"a\x00b\n\tc", True),
    ("a\n\ufeffb".encode(), True), (b"a\n\nb", True), (b"\n\na", True), (b"\n", False),
    (b"", False), (b"a\n", False), (b"a\r\nb\r", False), ("\ufeffa\nb".encode(), False), (b"a\x1fb\nc", False),
    (b"a\x1f", False)])
def test_a_chunk_is_split_into_lines_as_str_split_splits_its_text(body: bytes, whole: bool,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """split_lines takes the CSV reader's lines only when they are the chunk's whole (`whole`: else
    it splits the chunk itself); the same lines either way."""
    pl = columnar.load_polars()
    split, calls = columnar._split, []
    monkeypatch.setattr(columnar, "_split", lambda *a: calls.append(1) or split(*a))
    assert columnar.split_lines(body, pl).to_list() == body.decode().split("\n")
    assert not calls if whole else calls
    with pytest.raises(pl.exceptions.PolarsError):  # not UTF-8: refused, as bytes.decode refuses it
        columnar.split_lines(body + b"\n\xe4\xb8", pl)


_UTF8_EDGES = [b"", b"plain", "来宾".encode(), "来宾".encode("gb18030"), b"\xed\xa0\x80", b"\xed\x9f\xbf", b"\xc0\x80",
               b"\xe0\x80\x80", b"\xf4\x8f\xbf\xbf", b"\xf4\x90\x80\x80", b"\xe4\xb8", b"a\xe4\xb8\xadb", b"\xff",
               b"\xef\xbb\xbfx", b"\x00\n", "😀".encode(), b"\xd4\xaa"]


@PROPERTY
@given(st.one_of(st.sampled_from(_UTF8_EDGES), st.binary(max_size=40),
                 st.text(max_size=20).map(lambda t: t.encode("utf-8", "surrogatepass"))))
def test_the_encoding_scan_checks_utf8_as_python_decodes_it(data: bytes) -> None:
    """The encoding scan of a file the columnar path reads checks its chunks with polars: a chunk
    polars takes for UTF-8 that Python does not (or the reverse) would decide the file's encoding
    otherwise."""
    assert columnar.valid_utf8(data) == encoding.decodes_as_utf8(data)


@pytest.mark.parametrize(("utf8", "other", "expected"), [(4, 3, "utf-8"), (2, 4, "gb18030"), (4, 0, "utf-8"),
                                                      (0, 2, "gb18030")])
def test_lines_valid_as_utf8_are_weighed_line_by_line_against_those_not(
        utf8: int, other: int, expected: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The scan counts the lines of chunks valid as UTF-8 only when other lines are found (it scans
    the file again then): a chunk of four UTF-8 lines outweighs three GB18030 lines, one of two does not
    outweigh four (a chunk's lines are counted as before: its newlines and one)."""
    monkeypatch.setattr(encoding, "CHUNK", 64)
    valid = "".join(f'{{"a":"甲{k}"}}\n' for k in range(utf8)).encode()  # one chunk (under 64 bytes)
    assert len(valid) < 64
    others = "".join(f'{{"a":"{"来宾" * 30}{k}"}}\n' for k in range(other)).encode("gb18030")  # a chunk a line
    path = tmp_path / "reception.jsonl"
    path.write_bytes(valid + others)
    assert encoding.detect(path).name == expected
    assert encoding.detect(path, columnar.valid_utf8).name == expected


@pytest.mark.parametrize("layout", ["crlf", "bom", "no final newline", "blank lines", "long line", "only blanks"])
def test_file_layouts(layout: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Row numbers, blank lines, line ends and chunk borders as the general path reads them."""
    monkeypatch.setattr(columnar, "CHUNK_BYTES", 512)
    lines = [json.dumps(_canonical("travel", k), ensure_ascii=False) for k in range(9)]
    if layout == "long line":
        lines[4] = json.dumps({**_canonical("travel", 4), "destination": "远" * 2000}, ensure_ascii=False)
    text = {"crlf": "".join(f"{line}\r\n" for line in lines),
            "bom": "\ufeff" + "".join(f"{line}\n" for line in lines),
            "no final newline": "\n".join(lines),
            "blank lines": "".join(f"\n  \n{line}\n" for line in lines),
            "long line": "".join(f"{line}\n" for line in lines),
            "only blanks": "\n \n\t\n"}[layout]
    path = tmp_path / "travel.jsonl"
    path.write_bytes(text.encode())
    errors: list[InputError] = []
    batches = list(columnar.plain_batches(path, "travel", errors))
    taken = {n for b in batches if b.taken is not None for n in b.taken["__row"].to_list()}
    handed = {n: line for b in batches for n, _, line in b.general}
    general: list[InputError] = []
    read = {n: line for n, _, line in stream_rows(path, general)}
    assert errors == general and taken | handed.keys() == read.keys() and not taken & handed.keys()
    assert all(handed[n] == read[n] for n in handed)
    assert len(taken) == (0 if layout == "only blanks" else 9)


# --- report by report -------------------------------------------------------------------------------

def _report(folder: Path, fast: bool, monkeypatch: pytest.MonkeyPatch, **options: Any) -> str:
    monkeypatch.setattr(columnar, "ENABLED", fast)
    result = run(folder, Options(**{"profile": "speech", "as_of": dt.date(2020, 7, 20), **options}))
    return render(report.build(result), "json")


def _same_reports(folder: Path, monkeypatch: pytest.MonkeyPatch, **options: Any) -> str:
    fast = _report(folder, True, monkeypatch, **options)
    assert fast == _report(folder, False, monkeypatch, **options)
    return fast


@pytest.mark.parametrize("workers", [1, 2])
def test_demo_as_json_lines_reports_byte_for_byte_alike(workers: int, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    assert '"findings"' in _same_reports(as_jsonl(DEMO, tmp_path / "demo"), monkeypatch, workers=workers)


@pytest.mark.parametrize("case", sorted(p.name for p in (ROOT / "fixtures" / "bad").iterdir() if p.is_dir()))
def test_bad_input_as_json_lines_reports_alike(case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / case
    folder.mkdir()
    for file in (ROOT / "fixtures" / "bad" / case).iterdir():
        try:
            rows = json.loads(file.read_text(encoding="utf-8"))
        except ValueError:  # a file that is not JSON stays as it is
            (folder / file.name).write_bytes(file.read_bytes())
        else:
            (folder / f"{file.stem}.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows),
                                                       encoding="utf-8")
    assert '"input_errors"' in _same_reports(folder, monkeypatch)


def test_a_generated_set_reports_alike(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from bench.generate import write_generated

    write_generated(tmp_path / "g", 6, 3000, 0.05, 20200715)
    _same_reports(tmp_path / "g", monkeypatch, as_of=dt.date(2021, 3, 31), period="2020")


# --- polars and forked processes ----------------------------------------------------------------------

def test_no_polars_in_a_child_forked_after_this_process_ran_it(tmp_path: Path) -> None:
    """A forked child of a process whose polars thread pool is running would wait for ever on threads
    it does not have: partition helpers forked then read as before, and still give the same rows."""
    folder = as_jsonl(DEMO, tmp_path / "demo")
    code = f"""
import os
from pathlib import Path
from checker.data import blocks, column_checks, columnar, columnar_csv, encoding
from checker.run.partition import partition
first = partition(Path({str(folder)!r}), Path({str(tmp_path / 's1')!r}))  # polars runs here
assert columnar._started_in == os.getpid()
again = partition(Path({str(folder)!r}), Path({str(tmp_path / 's2')!r}), workers=2)  # helpers forked now
rows = lambda parts: sorted((i, n) for u in parts.spool_rows for i, n, _ in parts.rows_of(u))
assert rows(first) == rows(again)
print("ok")
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert done.stdout.strip() == "ok", done.stderr[-2000:]
