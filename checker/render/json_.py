"""The data contract's JSON report."""

from __future__ import annotations

import json
from typing import Any


def render(report: dict[str, Any], lang: str = "zh") -> str:
    return json.dumps(report, ensure_ascii=False, indent=2) + "\n"
