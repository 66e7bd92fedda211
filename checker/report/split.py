"""One report per unit, for handing each unit its own list of problems (`--split-by unit`, or an
output whose path is a folder: `-o html:问题清单/`).

HTML gives each unit a printable 问题清单 (its findings, its responsible persons, a rectification
deadline column to fill in); XLSX gives one workbook with a sheet per unit, or a workbook per unit
into a folder; any other format is written once per unit into the folder. Files are named by the
unit's name and code: `宣州市港航管理处（GH）问题清单.html`.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from checker.report.atomic import atomic
from checker.report.render import render
from checker.report.render.common import is_waived

_UNSAFE = re.compile(r'[\x00-\x1f<>:"/\\|?*]')
STEM = {"zh": "问题清单", "en": "findings"}
SUFFIX = {"html": ".html", "xlsx": ".xlsx", "json": ".json", "jsonl": ".jsonl", "csv": ".csv", "sarif": ".sarif",
          "junit": ".xml", "table": ".txt"}


def is_folder_target(file: str | None) -> bool:
    """`-o html:DIR/` or an existing folder asks for one file per unit."""
    return bool(file) and file not in ("-",) and (file.endswith(("/", "\\")) or Path(file).is_dir())


def unit_reports(report: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(unit code, unit name, the report restricted to that unit) for each unit with findings and each
    unit the engine could not judge (its list says so, rather than being missing), by name."""
    by_unit: dict[str, list[dict[str, Any]]] = {}
    for finding in report.get("findings") or []:
        by_unit.setdefault(str(finding.get("unit")), []).append(finding)
    meta = report.get("meta") or {}
    not_judged = {str(u["unit"]): u for u in meta.get("units_not_judged") or []}
    for unit in not_judged:
        by_unit.setdefault(unit, [])
    units = report.get("units") or {}
    named = sorted(by_unit, key=lambda u: ((units.get(u) or {}).get("name") or u, u))
    for unit in named:
        findings = by_unit[unit]
        counted = [f for f in findings if not is_waived(f)]
        summary = {**(report.get("summary") or {}), "records": None, "findings": len(findings),
                   "counted": len(counted), "by_severity": dict(Counter(f["severity"] for f in counted)),
                   "by_discipline": dict(Counter(f["discipline"] for f in counted)),
                   "by_unit": {unit: len(counted)}}
        people = [p for p in report.get("by_person") or [] if any(x.get("unit") == unit for x in p["findings"])]
        yield unit, (units.get(unit) or {}).get("name") or unit, {
            **report, "summary": summary, "findings": findings, "by_person": people, "input_errors": [],
            "meta": {**meta, "unit": unit, "units_not_judged": [not_judged[unit]] if unit in not_judged else []}}


def file_name(unit: str, name: str, fmt: str, lang: str) -> str:
    label = f"{name}（{unit}）" if name != unit else unit
    return _UNSAFE.sub("_", f"{label}{STEM[lang]}") + SUFFIX.get(fmt, f".{fmt}")


def write_per_unit(report: dict[str, Any], fmt: str, folder: Path, lang: str = "zh") -> list[Path]:
    """One file per unit into `folder`; the paths written, in unit-name order."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for unit, name, part in unit_reports(report):
        path = folder / file_name(unit, name, fmt, lang)
        if fmt == "html":  # (Jinja2 and openpyxl are imported by the runs that write HTML or XLSX: 0.25 s)
            from checker.report.render import html_report

            content: str | bytes = html_report.render(part, lang, handover=True)
        elif fmt == "table":
            from checker.report.render.table import render as table

            content = table(part, lang)
        else:
            content = render(part, fmt, lang)
        with atomic(path, isinstance(content, bytes)) as handle:
            handle.write(content)
        written.append(path)
    return written


def write_sheets_per_unit(report: dict[str, Any], path: Path, lang: str = "zh") -> Path:
    """One XLSX workbook with the usual sheets and one sheet per unit."""
    from checker.report.render import xlsx

    with atomic(path, True) as handle:
        handle.write(xlsx.render(report, lang, per_unit=[(u, n, part["findings"]) for u, n, part in unit_reports(report)]))
    return path


class SplitError(ValueError):
    """A per-unit output without a folder to write into."""


def write_split(report: dict[str, Any], fmt: str, target: str | None, lang: str = "zh") -> list[Path]:
    """What `check --split-by unit` or `-o FORMAT:FOLDER/` writes: XLSX to a file is one workbook
    with a sheet per unit; anything else (or XLSX to a folder) is a file per unit in the folder."""
    if target in (None, "-"):
        raise SplitError("--split-by unit writes files: give -o FORMAT:FOLDER/ (e.g. -o html:问题清单/) "
                         "/ 按单位分别输出需要用 -o 指定文件夹")
    if fmt == "xlsx" and not is_folder_target(target):
        return [write_sheets_per_unit(report, Path(target), lang)]
    return write_per_unit(report, fmt, Path(target), lang)
