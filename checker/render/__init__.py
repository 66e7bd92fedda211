"""Renderers, side by side: each turns the JSON report into one output format."""

from __future__ import annotations

import importlib
from typing import Any

FORMATS = {"table": "table", "json": "json_", "jsonl": "jsonl", "sarif": "sarif", "junit": "junit",
           "csv": "csv_", "xlsx": "xlsx", "html": "html"}
BINARY = {"xlsx"}


def render(report: dict[str, Any], fmt: str, lang: str = "zh") -> str | bytes:
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; one of {', '.join(FORMATS)}")
    module = importlib.import_module(f"{__name__}.{FORMATS[fmt]}")
    return module.render(report, lang=lang)
