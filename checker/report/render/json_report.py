"""The data contract's JSON report.

Written piece by piece, so a report with a million findings never exists as one string: the
top-level sections are indented, and each finding (and each row of the other lists) is one compact
line, which also keeps the file greppable.
"""

from __future__ import annotations

import io
import json
import os
from collections.abc import Iterator, Sequence
from typing import Any, BinaryIO, TextIO

from checker.verdict.report_lines import line


def _bytes_under(handle: TextIO) -> BinaryIO | None:
    """The binary stream under a text handle that writes UTF-8 and "\n" as it is: orjson makes UTF-8
    bytes, which such a handle would be given decoded only to encode them again. None for another
    handle (a StringIO, another encoding), which is given text."""
    buffer = getattr(handle, "buffer", None)
    encoding = str(getattr(handle, "encoding", None) or "").lower().replace("-", "").replace("_", "")
    if buffer is None or encoding != "utf8" or os.linesep != "\n":
        return None
    return buffer


def _write_items(value: Sequence, handle: TextIO, raw: BinaryIO | None) -> None:
    """One compact line per item, a comma after all but the last: the lines the judging processes
    wrote, for a section that has them (`json_lines`: checker.verdict.report_lines), else each item's
    line made here (`line`, the same form), a thousand at a time. Each line ends ",\n"; the last one's
    comma is taken off."""
    written = getattr(value, "json_lines", None)
    pieces = written() if written is not None else None
    if pieces is None:
        pieces = _batches(value)
    if raw is not None:
        handle.flush()  # what the text layer holds goes first
    put = raw.write if raw is not None else (lambda data: handle.write(data.decode("utf-8")))
    held = b""  # the last piece seen: the one whose last comma goes
    for piece in pieces:
        if not piece:
            continue
        if held:
            put(held)
        held = piece
    if not held.endswith(b",\n"):
        raise ValueError("报告行不完整：末行没有逗号 / report lines end without a line's comma")  # (a section is never empty here)
    put(held[:-2] + b"\n")


def _batches(value: Sequence) -> Iterator[bytes]:
    lines: list[bytes] = []
    for item in value:
        lines.append(line(item))
        if len(lines) == 1024:
            yield b"".join(lines)
            lines.clear()
    yield b"".join(lines)


def write(report: dict[str, Any], handle: TextIO, lang: str = "zh") -> None:
    raw = _bytes_under(handle)
    handle.write("{\n")
    last = len(report) - 1
    for index, (key, value) in enumerate(report.items()):
        end = ",\n" if index < last else "\n"
        if isinstance(value, Sequence) and not isinstance(value, str) and len(value):
            # a list of records, or a report section produced as it is iterated
            handle.write(f"  {json.dumps(key)}: [\n")
            _write_items(value, handle, raw)
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
