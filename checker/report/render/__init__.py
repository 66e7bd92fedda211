"""Renderers, side by side: each turns the JSON report into one output format.

A renderer module has `render(report, lang)`; one that can write as it goes (a report too big to
hold twice) also has `write(report, handle, lang)`.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import IO, Any

FORMATS = {"table": "table", "json": "json_report", "jsonl": "jsonl", "sarif": "sarif", "junit": "junit",
           "csv": "csv_report", "xlsx": "xlsx", "html": "html_report"}
BINARY = {"xlsx"}


def _module(fmt: str) -> ModuleType:
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; one of {', '.join(FORMATS)}")
    return importlib.import_module(f"{__name__}.{FORMATS[fmt]}")


def render(report: dict[str, Any], fmt: str, lang: str = "zh") -> str | bytes:
    return _module(fmt).render(report, lang=lang)


def write(report: dict[str, Any], fmt: str, handle: IO[Any], lang: str = "zh") -> None:
    """Render into an open handle (binary for BINARY formats, text otherwise)."""
    module = _module(fmt)
    if hasattr(module, "write"):
        module.write(report, handle, lang=lang)
    else:
        handle.write(module.render(report, lang=lang))
