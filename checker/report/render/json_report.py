"""The data contract's JSON report.

Written piece by piece, so a report with a million findings never exists as one string: the
top-level sections are indented, and each finding (and each row of the other lists) is one compact
line, which also keeps the file greppable.
"""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from typing import Any, TextIO

import orjson


def _compact(item: Any) -> str:
    # orjson: a report of a hundred thousand findings spent most of its writing time in json.dumps
    return orjson.dumps(item, default=str).decode("utf-8")


def write(report: dict[str, Any], handle: TextIO, lang: str = "zh") -> None:
    handle.write("{\n")
    last = len(report) - 1
    for index, (key, value) in enumerate(report.items()):
        end = ",\n" if index < last else "\n"
        if isinstance(value, Sequence) and not isinstance(value, str) and len(value):
            # a list of records, or a report section produced as it is iterated
            handle.write(f"  {json.dumps(key)}: [\n")
            for position, item in enumerate(value):
                handle.write("    " + _compact(item) + (",\n" if position < len(value) - 1 else "\n"))
            handle.write("  ]" + end)
        elif isinstance(value, Sequence) and not isinstance(value, str):
            handle.write(f"  {json.dumps(key)}: []{end}")
        else:
            text = json.dumps(value, ensure_ascii=False, indent=2).replace("\n", "\n  ")
            handle.write(f"  {json.dumps(key)}: {text}{end}")
    handle.write("}\n")


def render(report: dict[str, Any], lang: str = "zh") -> str:
    buffer = io.StringIO()
    write(report, buffer, lang)
    return buffer.getvalue()
