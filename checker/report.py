"""Stage 6: the JSON report of the data contract, the one structure every renderer reads."""

from __future__ import annotations

import hashlib
from collections import Counter
from pathlib import Path
from typing import Any

from . import __version__
from .findings import by_person
from .pipeline import CheckResult
from .rules import SEVERITY_ORDER, default_rules_dir


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def rules_version(result: CheckResult) -> str:
    digest = hashlib.sha256()
    for active in sorted(result.rules, key=lambda a: a.rule.id):
        digest.update(active.rule.model_dump_json(exclude={"file", "line"}).encode())
    for profile in result.profiles:
        digest.update(profile.model_dump_json().encode())
    return digest.hexdigest()[:12]


def obligations_of(result: CheckResult) -> list[dict[str, Any]]:
    rows = []
    for unit, states in sorted(result.obligations.items()):
        for state in states:
            rows.append({"unit": unit, "rule_id": state["rule"], "period": state["period"],
                         "state": state["state"], "due": _iso(state["due"]), "required": state["required"],
                         "count": state["count"], "satisfied_by": state["satisfied_by"]})
    return rows


def _iso(day: int) -> str:
    import datetime as dt
    return dt.date.fromordinal(day).isoformat()


def build(result: CheckResult, lang: str = "zh", rules_dir: Path | None = None) -> dict[str, Any]:
    findings = [f.as_dict(lang) for f in result.findings]
    counted = [f for f in findings if not (f["waiver"] and f["waiver"].get("state") == "active")]
    errors = [e.as_dict() for e in result.data.errors]
    return {
        "meta": {
            "tool": "lianjian", "version": __version__, "rules_version": rules_version(result),
            "as_of": result.as_of.isoformat(), "lang": lang,
            "period": {"label": result.span.label, "start": result.span.start.isoformat(),
                       "end": result.span.end.isoformat()},
            "profile": [p.id for p in result.profiles],
            "rules_dir": str(rules_dir or default_rules_dir()),
            "inputs": [{"path": str(p), "sha256": _sha256(p)} for p in result.inputs if p.is_file()],
            "rules_run": sum(1 for r in result.rules if r.skipped is None),
            "rules_not_run": [{"id": r.rule.id, "reason": r.skipped} for r in result.rules if r.skipped],
            "units_not_judged": [{"unit": u, "reason": why} for u, why in sorted(result.not_judged.items())],
        },
        "summary": {
            "records": result.records, "rows_read": result.data.rows_read,
            "findings": len(findings), "counted": len(counted),
            "by_severity": dict(Counter(f["severity"] for f in counted)),
            "by_discipline": dict(Counter(f["discipline"] for f in counted)),
            "by_unit": dict(Counter(f["unit"] for f in counted)),
            "input_errors": sum(1 for e in errors if e["level"] == "error"),
            "input_warnings": sum(1 for e in errors if e["level"] == "warning"),
        },
        "findings": findings,
        "by_person": by_person(findings),
        "obligations": obligations_of(result),
        "input_errors": errors,
        "rules": [{"id": r.rule.id, "title": r.rule.title.model_dump(), "severity": r.rule.severity,
                   "discipline": r.rule.discipline,
                   "citation": {"regulation": r.rule.citation.regulation, "article": r.rule.citation.article,
                                "edition": r.rule.citation.edition},
                   "help": (r.rule.help or r.rule.title).model_dump()}
                  for r in result.rules if r.skipped is None],
    }


def exit_code(report: dict[str, Any], fail_on: str) -> int:
    if report["summary"]["input_errors"] or report["meta"].get("units_not_judged"):
        return 2
    if fail_on == "never":
        return 0
    threshold = SEVERITY_ORDER[fail_on]
    for finding in report["findings"]:
        waived = finding["waiver"] and finding["waiver"].get("state") == "active"
        if not waived and SEVERITY_ORDER[finding["severity"]] >= threshold:
            return 1
    return 0
