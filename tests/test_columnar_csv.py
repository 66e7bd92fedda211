"""The columnar fast path for CSV (checker.data.columnar_csv) against the general path: the same
records and the same errors, row by row on random files (plain rows and hostile cells: quotes,
commas, line breaks, blanks, Chinese, bad numbers and dates) and report by report on whole data
sets; files not in the plain form (Chinese headers, GB18030) are left to the general path."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import json
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from checker.data import columnar, columnar_csv
from checker.data.files import stream_rows
from checker.data.models import field_labels
from checker.data.plain import plan_of
from checker.data.records import InputError
from checker.data.rows import validate_parsed
from tests.conftest import DEMO, ROOT, values_of
from tests.test_columnar import PROPERTY, TYPES, _canonical, _same_reports, _typed, read_batches


def _cell(value: Any) -> str:
    """A JSON value as a CSV cell in the plain form."""
    if value is None or value == []:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "、".join(map(str, value))
    return str(value)


def _plain_row(record_type: str, k: int) -> dict[str, str]:
    return {key: _cell(value) for key, value in _canonical(record_type, k).items()}


def _write(path: Path, header: list[str], rows: list[dict[str, str] | list[str]], quoting: int = csv.QUOTE_MINIMAL,
           end: str = "\r\n") -> None:
    out = io.StringIO()
    writer = csv.writer(out, quoting=quoting, lineterminator=end)
    writer.writerow(header)
    writer.writerows([[row.get(name, "") for name in header] if isinstance(row, dict) else row for row in rows])
    path.write_text(out.getvalue(), encoding="utf-8", newline="")


def _same_as_general(record_type: str, path: Path) -> int | None:
    """Read a CSV file with the columnar path and as the general path reads it (`stream_rows`),
    compare: the number of rows the columnar path took (None: it did not read the file)."""
    errors: list[InputError] = []
    batches = columnar_csv.plain_batches(path, record_type, errors)
    if batches is None:
        return None
    taken, handed = read_batches(record_type, batches)
    assert all(line is None for _, line in handed.values())
    general_errors: list[InputError] = []
    read = {number: row for number, row, _ in stream_rows(path, general_errors)}
    assert errors == general_errors  # what reading itself says (a BOM, a quote left open)
    assert taken.keys() | handed.keys() == read.keys() and not taken.keys() & handed.keys()
    for number, row in read.items():
        if number in handed:
            assert handed[number][0] == row
            continue
        found: list[InputError] = []
        record = validate_parsed(record_type, row, str(path), number, found)
        assert record is not None and not found, (row, [str(e) for e in found])
        assert _typed(values_of(taken[number])) == _typed(values_of(record)), row
    return len(taken)


# --- row by row -------------------------------------------------------------------------------------

_HOSTILE = st.one_of(
    st.sampled_from(["", " ", "\u3000", '"', '""', 'a"b', '"a"', "a,b", "a\nb", "a\r\nb", "\r", "\n", "甲,乙", " 甲", "甲 ",
                     "\ufeff", "\x00", "\t", "是", "否", "TRUE", "True", "1", "0", "yes", "1,280.50", "1280.5元",
                     "¥300", "-1", "+1", "01", "1e3", "1.005", "0.285", "12.", ".5", "1_000", " 12", "12 ",
                     "99999999999", "1000000000.01", "NaN", "inf", "2020-02-30", "2020/7/15", "2020年7月15日",
                     "2020-7-15", " 2020-07-15", "44000", "2020-07-15 14:07", "2020-07-15T14:07", "2020-07-01 24:00",
                     "Ｐ１", "P\u200b1", "Р1", "hotel", "宾馆", "[]", "P1、P2", "x" * 201, "id", "unit"]),
    st.text(max_size=6),
    st.text(alphabet='",\r\n a甲', max_size=6))
_VALUES = {"text": st.sampled_from(["某单位", "甲乙", "2020H1", "2020-06", "a b"]),
           "id": st.sampled_from(["P1", "R-2", "Ｒ３", " P4 ", "x" * 200]),
           "date": st.dates(dt.date(1899, 12, 1), dt.date(2101, 2, 1)).map(str),
           "datetime": st.sampled_from(["2020-07-15 14:07", "2020-07-15T08:00:59", "2020-07-15 9:5"]),
           "fen": st.one_of(st.integers(0, 10**10).map(str), st.decimals(0, 10**9, places=2).map(str),
                            st.sampled_from(["0", "0.5", "0.05", "1280.50", "1000000000", "1000000000.00"])),
           "int": st.integers(0, 200_000_000).map(str),
           "float": st.one_of(st.floats(0, 2e9, allow_nan=False).map(repr), st.decimals(0, 10**9, places=6).map(str)),
           "bool": st.sampled_from(["true", "false"])}


@st.composite
def _csv_file(draw: Any, record_type: str) -> bytes:
    """A CSV file of `record_type` near the plain form: plain rows, some with cells changed (a valid
    value or a hostile one), rows short or long, lines blank, written in one of several ways."""
    plan = plan_of(record_type)
    header = list(_plain_row(record_type, 0))
    others = [f.key for f in plan.fields if f.key not in header]  # (fields the columnar path does not read)
    header += draw(st.lists(st.sampled_from(others), unique=True, max_size=2)) if others else []
    header = draw(st.permutations(header))
    rows: list[list[str]] = []
    for k in range(draw(st.integers(1, 8))):
        row = _plain_row(record_type, k)
        cells = [row.get(name, "") for name in header]
        for _ in range(draw(st.integers(0, 2))):
            at = draw(st.integers(0, len(cells) - 1))
            kind = next(f.kind for f in plan.fields if f.key == header[at])
            pool = _VALUES.get(kind or "", _HOSTILE) if draw(st.booleans()) else _HOSTILE
            cells[at] = draw(pool)
        shape = draw(st.integers(0, 12))
        if shape == 0:
            cells = cells[:-1]
        elif shape == 1:
            cells.append(draw(_HOSTILE))
        elif shape == 2:
            cells = []  # a blank line
        rows.append(cells)
    out = io.StringIO()
    writer = csv.writer(out, quoting=draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL])),
                        lineterminator=draw(st.sampled_from(["\r\n", "\n"])))
    writer.writerow(header)
    for cells in rows:
        if draw(st.integers(0, 9)):
            writer.writerow(cells)
        else:  # written by hand, as a careless tool would: quotes and line breaks left as they are
            out.write(",".join(cells) + "\n")
    text = out.getvalue()
    if not draw(st.integers(0, 5)):
        text = text.rstrip("\r\n")
    return (draw(st.sampled_from(["", "\ufeff"])) + text).encode()


@PROPERTY
@given(data=st.data(), record_type=st.sampled_from(TYPES))
def test_the_columnar_path_takes_only_what_the_general_path_takes_alike(data: Any, record_type: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"{record_type}.csv"
        path.write_bytes(data.draw(_csv_file(record_type)))
        _same_as_general(record_type, path)


@pytest.mark.parametrize("record_type", TYPES)
def test_rows_in_the_plain_form_are_taken(record_type: str, tmp_path: Path) -> None:
    """The fast path must not quietly stop taking rows (it would still be right, only slow)."""
    path = tmp_path / f"{record_type}.csv"
    rows = [_plain_row(record_type, k) for k in range(6)]
    _write(path, list(rows[0]), rows)
    assert _same_as_general(record_type, path) == 6
    _write(path, list(field_labels(record_type)), rows, quoting=csv.QUOTE_ALL, end="\n")  # every column, quoted
    assert _same_as_general(record_type, path) == 6


_LAYOUTS = {
    "crlf": lambda lines: "".join(f"{line}\r\n" for line in lines),
    "bom": lambda lines: "\ufeff" + "".join(f"{line}\n" for line in lines),
    "no final newline": lambda lines: "\n".join(lines),
    "blank lines": lambda lines: lines[0] + "\n" + "".join(f"\n\r\n{line}\n" for line in lines[1:]),
    "a line break in a quoted cell": lambda lines: "\n".join([*lines[:5], lines[5].replace("甲", '"甲\n乙"'), *lines[6:]]),
    "a quote left open": lambda lines: "\n".join([*lines[:5], lines[5].replace("甲", '"甲'), *lines[6:]]),
    "a quote inside a quoted cell": lambda lines: "\n".join([*lines[:5], lines[5].replace("甲", '"甲""乙"'), *lines[6:]]),
    "a BOM at a line's start": lambda lines: "\n".join([*lines[:5], "\ufeff" + lines[5], *lines[6:]]),
    "the header again": lambda lines: "\n".join([*lines[:5], lines[0], *lines[5:]]),
    "a stray CR": lambda lines: "\n".join([*lines[:5], lines[5].replace("甲", "甲\r乙"), *lines[6:]]),
    # the general path takes BOMs off a line's start and NULs out of it before the csv module reads it:
    # so these lines open a quoted cell there (a stray quote further down closes it), though the raw
    # line would look closed
    "a BOM before a quote that opens a cell": lambda lines: "\n".join(
        [*lines[:5], '\ufeff"' + lines[5], *lines[6:9], lines[9].replace("甲", '甲"'), *lines[10:]]),
    "a NUL before a quote that opens a cell": lambda lines: "\n".join(
        [*lines[:5], '{},"{}"\x00"'.format(*lines[5].rsplit(",", 1)), *lines[6:9], lines[9].replace("甲", '甲"'),
         *lines[10:]]),
    "a line in GB18030": None,
}


@pytest.mark.parametrize("layout", sorted(_LAYOUTS))
def test_file_layouts(layout: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Row numbers, blank lines, line ends, chunk borders, and what sends the rest of a file to the
    general path, as the general path reads them."""
    monkeypatch.setattr(columnar, "CHUNK_BYTES", 700)
    header = list(_plain_row("travel", 0))
    lines = [",".join(header)] + [",".join(_plain_row("travel", k).values()).replace("某单位", "甲单位")
                                  for k in range(30)]
    path = tmp_path / "travel.csv"
    if layout == "a line in GB18030":
        text = "\n".join(lines).encode()
        path.write_bytes(text + b"\n" + lines[3].replace("甲", "乙").encode("gb18030") + b"\n" + lines[4].encode())
    else:
        path.write_bytes(_LAYOUTS[layout](lines).encode())
    taken = _same_as_general("travel", path)
    assert taken is not None and taken >= 4


@pytest.mark.parametrize("lines", [
    ["id,name,unit,roles", "P1,甲,U1,", "P2,乙,U1,secretary", "P3,丙,U1,secretary、discipline", 'P4,丁,U1,""'],
    ["name,id,unit", "甲,P1,U1", "\ufeff乙,P2,U1", "\ufeff,P3,U1"],  # a BOM at a line's start is removed
    ["id,name,unit", "P1,甲,U1", "id,name,unit", '"id",name,unit', "P2,乙,U1"],  # the header again: skipped
    ["id,name,unit,post", "P1,甲,U1,", "P2,乙,U1," + " " * 131_073, "P3,丙,U1,"],  # a cell past the csv field limit
])
def test_cells_the_general_path_reads_otherwise(lines: list[str], tmp_path: Path) -> None:
    path = tmp_path / "person.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert _same_as_general("person", path) >= 1


def test_a_column_the_columnar_path_does_not_read_must_be_blank(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """(No model has such a field today: a field of a kind plain.py does not know.)"""
    plan = plan_of("person")
    unknown = dataclasses.replace(plan, fields=tuple(dataclasses.replace(f, kind=None) if f.key == "roles" else f
                                                     for f in plan.fields))
    for module in (columnar, columnar_csv):
        monkeypatch.setattr(module, "plan_of", lambda record_type: unknown)
    columnar_csv._check_expressions.cache_clear()
    try:
        path = tmp_path / "person.csv"
        path.write_text("id,name,unit,roles\nP1,甲,U1,\nP2,乙,U1,secretary\n", encoding="utf-8")
        assert _same_as_general("person", path) == 1
    finally:
        columnar_csv._check_expressions.cache_clear()


@pytest.mark.parametrize("case", ["chinese headers", "gb18030", "a header with a blank", "an unknown column",
                                  "a column twice", "a blank line first"])
def test_files_not_in_the_plain_form_go_the_general_path(case: str, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    labels = field_labels("reception")
    rows = [_plain_row("reception", k) for k in range(3)]
    header = list(rows[0])
    folder = tmp_path / "data"
    folder.mkdir()
    path = folder / "reception.csv"
    text = {"chinese headers": lambda: ",".join(labels[name] for name in header),
            "gb18030": lambda: ",".join(header), "a header with a blank": lambda: ",".join(header) + ", note",
            "an unknown column": lambda: ",".join([*header, "note"]), "a column twice": lambda: ",".join([*header, "id"]),
            "a blank line first": lambda: "\n" + ",".join(header)}[case]()
    body = "".join("\n" + ",".join(row.values()) for row in rows)
    path.write_bytes((text + body + "\n").encode("gb18030" if case == "gb18030" else "utf-8"))
    assert columnar_csv.plain_batches(path, "reception", []) is None
    assert '"findings"' in _same_reports(folder, monkeypatch)


# --- report by report -------------------------------------------------------------------------------

def _as_csv(source: Path, dest: Path, suffix: str = ".json") -> Path:
    """Each file of rows as CSV in the plain form: the rows' keys as the header, in the order seen."""
    dest.mkdir()
    for file in source.iterdir():
        try:
            rows = json.loads(file.read_text(encoding="utf-8")) if file.suffix == suffix else None
        except ValueError:
            rows = None
        if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
            (dest / file.name).write_bytes(file.read_bytes())  # as it is
            continue
        header = list(dict.fromkeys(key for row in rows for key in row))
        _write(dest / f"{file.stem}.csv", header, [{k: _cell(v) for k, v in row.items()} for row in rows])
    return dest


@pytest.mark.parametrize("workers", [1, 2])
def test_demo_as_csv_reports_byte_for_byte_alike(workers: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = _as_csv(DEMO, tmp_path / "demo")
    assert all(columnar_csv.plain_batches(f, f.stem, []) is not None for f in folder.glob("*.csv")
               if f.stem not in ("person",))  # (the demo's persons have roles: a list)
    assert '"findings"' in _same_reports(folder, monkeypatch, workers=workers)


@pytest.mark.parametrize("case", sorted(p.name for p in (ROOT / "fixtures" / "bad").iterdir() if p.is_dir()))
def test_bad_input_as_csv_reports_alike(case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = _as_csv(ROOT / "fixtures" / "bad" / case, tmp_path / case)
    assert '"input_errors"' in _same_reports(folder, monkeypatch)


def test_a_generated_set_as_csv_reports_alike(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from bench.generate import write_generated

    write_generated(tmp_path / "g", 6, 3000, 0.05, 20200715)
    folder = tmp_path / "csv"
    folder.mkdir()
    for file in (tmp_path / "g").glob("*.jsonl"):
        rows = [json.loads(line) for line in file.read_text(encoding="utf-8").splitlines() if line.strip()]
        _write(folder / f"{file.stem}.csv", list(field_labels(file.stem)), [{k: _cell(v) for k, v in row.items()} for row in rows])
    monkeypatch.setattr(columnar, "ENABLED", True)
    assert columnar_csv.plain_batches(folder / "reception.csv", "reception", []) is not None
    _same_reports(folder, monkeypatch, as_of=dt.date(2021, 3, 31), period="2020")
