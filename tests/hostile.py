"""Hostile input for tests/test_hostile_input.py, generated at test time (no committed binaries):
a small valid registry, valid rows to put around a bad one, and the located errors a data set gives."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from checker.data import validate
from checker.data.load import load_path
from checker.data.records import DataSet

REGISTRY = {
    "unit.json": json.dumps([{"id": "u1", "name": "某市交通运输局"}], ensure_ascii=False),
    "person.json": json.dumps([{"id": "p1", "name": "张三", "unit": "u1"}], ensure_ascii=False),
    "vehicle.json": json.dumps([{"id": "v1", "unit": "u1", "plate": "浙A12345"}], ensure_ascii=False),
}
RECEPTION = {"id": "r1", "unit": "u1", "date": "2020-07-15", "guest_unit": "省交通运输厅", "guests": 3,
             "cost": "1280.50", "payment": "official_card"}
CSV_HEADER = "id,unit,date,guest_unit,guests,cost\n"


def reception(ident: str, **changes: object) -> dict:
    return {**RECEPTION, "id": ident, **changes}


def csv_row(ident: str, guest_unit: str = "省交通运输厅") -> str:
    return f"{ident},u1,2020-07-15,{guest_unit},3,1280.50\n"


def jsonl(*rows: dict | str) -> str:
    """JSON Lines: a dict is dumped, a string is taken as the line itself."""
    return "".join((row if isinstance(row, str) else json.dumps(row, ensure_ascii=False)) + "\n" for row in rows)


@dataclass
class Case:
    """Files (name -> text, or bytes as written) beside the registry; the input errors and warnings
    they must give, as (file or book.xlsx#sheet, row, field, level); the records still read, by type."""
    files: dict[str, str | bytes]
    errors: set[tuple[str, int | None, str | None, str]]
    records: dict[str, list[str]] = field(default_factory=dict)
    message: str | tuple[str, ...] = ""  # a part of the message every expected problem's text holds (or one of them)


def write(folder: Path, files: dict[str, str | bytes]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in {**REGISTRY, **files}.items():
        path = folder / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return folder


def load_checked(path: Path) -> DataSet:
    """What `check` validates: every file read, then the checks across records (duplicate ids)."""
    return validate.check(load_path(path))


def located(data: DataSet) -> set[tuple[str, int | None, str | None, str]]:
    return {(Path(e.source).name, e.row, e.field, e.level) for e in data.errors}


def ids(data: DataSet, record_type: str) -> list[str]:
    return [r.id for r in data.of_type(record_type)]


def peak_rss_mb(code: str, timeout: float = 120) -> tuple[float, str]:
    """Run `code` in a fresh interpreter: (its peak resident memory in MB, its stdout). Read from
    /proc's VmHWM (this program's memory since exec), not getrusage's ru_maxrss: Linux carries that
    across fork and exec, so it reads the pytest process's size when the suite has grown it (262 MB
    once, against ~40 MB for the code measured)."""
    probe = code + ("\nimport re\nprint('RSS', re.search(r'VmHWM:\\s*(\\d+)', "
                    "open('/proc/self/status').read()).group(1))\n")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=timeout,
                          cwd=Path(__file__).resolve().parent.parent)
    assert done.returncode == 0, done.stderr[-2000:]
    out, _, rss = done.stdout.rpartition("RSS ")
    return int(rss) / 1024, out


def xlsx(path: Path, sheets: dict[str, list[list[object]]], parts: dict[str, bytes] | None = None) -> Path:
    """A workbook written by openpyxl, then with some of its parts (zip members) replaced as given."""
    import zipfile

    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    workbook.save(path)
    if parts:
        original = path.with_suffix(".orig")
        path.rename(original)
        with zipfile.ZipFile(original) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
            for item in source.infolist():
                target.writestr(item.filename, parts.get(item.filename, source.read(item.filename)))
        original.unlink()
    return path


def shared_strings_bomb(path: Path, megabytes: int) -> Path:
    """A valid-looking workbook whose shared-strings table inflates to `megabytes` MB."""
    import zipfile

    xlsx(path, {"公务接待": [["编号"], ["r1"]]})
    original = path.with_suffix(".orig")
    path.rename(original)
    item = b"<si><t>" + b"A" * 1000 + b"</t></si>"
    with zipfile.ZipFile(original) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for part in source.infolist():
            content = source.read(part.filename)
            if part.filename == "[Content_Types].xml":  # declare the table, so that openpyxl reads it
                content = content.replace(b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" ContentType='
                                          b'"application/vnd.openxmlformats-officedocument.spreadsheetml.'
                                          b'sharedStrings+xml" /></Types>')
            target.writestr(part.filename, content)
        with target.open("xl/sharedStrings.xml", "w", force_zip64=True) as bomb:
            bomb.write(b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">')
            block = item * 1024
            for _ in range(megabytes * 1024 * 1024 // len(block)):
                bomb.write(block)
            bomb.write(b"</sst>")
    original.unlink()
    return path
