"""JSON Lines renderer: one finding per line, UTF-8 text (ensure_ascii=False)."""

from __future__ import annotations

import io
import json
from typing import TextIO

# JSON allows these raw inside strings, but str.splitlines() and some line readers break on them;
# they can only occur inside JSON strings, so escaping them keeps every finding on one line.
_LINE_BREAKS = {"\u2028": "\\u2028", "\u2029": "\\u2029", "\x85": "\\u0085"}


def dumps_line(obj: object) -> str:
    text = json.dumps(obj, ensure_ascii=False, default=str, separators=(",", ":"))
    for raw, escaped in _LINE_BREAKS.items():
        text = text.replace(raw, escaped)
    return text


def write(report: dict, handle: TextIO, lang: str = "zh") -> None:
    """`lang` is accepted for a uniform interface; findings keep both languages of title/message."""
    for finding in report.get("findings") or []:
        handle.write(dumps_line(finding) + "\n")


def render(report: dict, lang: str = "zh") -> str:
    buffer = io.StringIO()
    write(report, buffer, lang)
    return buffer.getvalue()
