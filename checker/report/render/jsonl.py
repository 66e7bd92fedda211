"""JSON Lines renderer: one finding per line, UTF-8 text (ensure_ascii=False), then what was not
judged and a last line for the run.

A finding line has no `type` key; the lines after the findings have one:
    {"type": "unit_not_judged", "unit": "ZF", "name": …, "reason": …, "text": …}   each unit not judged
    {"type": "input_error", "level": "error"|"warning", "source": …, "row": …, "field": …, "message": …}
    {"type": "run", "complete": true|false, "findings": N, "units_not_judged": N, "input_errors": N, …}
The `run` line is always last, so a reader also knows the stream was not cut short.
"""

from __future__ import annotations

import io
from typing import TextIO

import orjson

from checker.report.render.common import incompleteness, input_error_count, norm_lang, units_not_judged

# JSON allows these raw inside strings, but str.splitlines() and some line readers break on them;
# they can only occur inside JSON strings, so escaping them keeps every finding on one line.
_LINE_BREAKS = {"\u2028": "\\u2028", "\u2029": "\\u2029", "\x85": "\\u0085"}


def dumps_line(obj: object) -> str:
    text = orjson.dumps(obj, default=str).decode("utf-8")
    for raw, escaped in _LINE_BREAKS.items():
        text = text.replace(raw, escaped)
    return text


def _run_line(report: dict, lang: str, not_judged: list[dict]) -> dict:
    meta, summary = report.get("meta") or {}, report.get("summary") or {}
    errors = input_error_count(report)
    return {"type": "run", "complete": not not_judged and not errors, "note": incompleteness(report, lang),
            "findings": len(report.get("findings") or []), "records": summary.get("records"),
            "units_not_judged": len(not_judged), "input_errors": errors,
            "input_warnings": len(report.get("input_errors") or []) - errors,
            "as_of": meta.get("as_of"), "period": meta.get("period"), "version": meta.get("version"),
            "rules_version": meta.get("rules_version")}


def write(report: dict, handle: TextIO, lang: str = "zh") -> None:
    """Findings keep both languages of title/message; the lines after them are in `lang`."""
    lang = norm_lang(lang, report)
    for finding in report.get("findings") or []:
        handle.write(dumps_line(finding) + "\n")
    not_judged = units_not_judged(report, lang)
    for unit in not_judged:
        handle.write(dumps_line({"type": "unit_not_judged", "unit": unit["unit"], "name": unit["label"],
                                 "reason": unit["reason"], "text": unit["text"]}) + "\n")
    for error in report.get("input_errors") or []:
        handle.write(dumps_line({"type": "input_error", **error, "level": error.get("level") or "error"}) + "\n")
    handle.write(dumps_line(_run_line(report, lang, not_judged)) + "\n")


def render(report: dict, lang: str = "zh") -> str:
    buffer = io.StringIO()
    write(report, buffer, lang)
    return buffer.getvalue()
