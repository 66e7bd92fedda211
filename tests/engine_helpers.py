"""Small builders for engine tests: matchers from inline rule blocks, batches from plain facts."""

from __future__ import annotations

from typing import Any

from checker.facts.derive import UnitBatch
from checker.ruleset import matchers as compiler
from checker.ruleset.catalogue import ActiveRule, activate
from checker.ruleset.schema import Rule


def rule(rule_id: str, match: dict[str, Any], parameters: dict[str, Any] | None = None) -> ActiveRule:
    block = {"id": rule_id, "title": {"zh": "测试", "en": "test"}, "severity": "low",
             "discipline": "eight_point.reception", "citation": {"regulation": "test"},
             "match": match, "message": {"zh": "x", "en": "x"},
             "parameters": {k: {"default": v} for k, v in (parameters or {}).items()}}
    return activate([Rule.model_validate(block)], [])[0]


def matchers(*active: ActiveRule):
    return compiler.matchers(list(active))


def batch(unit: str, facts: list[dict[str, Any]]) -> UnitBatch:
    return UnitBatch(unit, facts=[dict(f) for f in facts])
