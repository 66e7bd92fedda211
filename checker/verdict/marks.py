"""Approved exceptions (waivers) and baselines, both keyed on business data rather than file lines.

A waiver names a rule and a scope (unit, record ids, period) and carries who asked, who approved
(a different person), the approval document and an expiry date. A waived finding stays in the
report, marked, and does not count for --fail-on; an expired waiver no longer applies and is
reported as expired; a waiver that matched nothing is reported as unused.

A baseline is an earlier JSON report: each finding is `new` or `persisting` by fingerprint, and the
earlier findings that are gone are listed as resolved.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from checker.data import yamlio
from checker.facts.periods import parse_period
from checker.verdict.findings import Finding


class WaiverError(ValueError):
    pass


class Scope(BaseModel):
    model_config = ConfigDict(extra="forbid")
    unit: str | None = None
    records: list[str] = []
    period: str | None = None

    @model_validator(mode="after")
    def _period_parses(self) -> Scope:
        if self.period:
            parse_period(self.period)
        return self


class Waiver(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    rule: str
    scope: Scope = Scope()
    justification: str = Field(min_length=4)
    requested_by: str
    approved_by: str
    approval_document: str = Field(min_length=1)
    expires: dt.date
    line: int = 0

    @model_validator(mode="after")
    def _four_eyes(self) -> Waiver:
        if self.requested_by.strip() == self.approved_by.strip():
            raise ValueError("approved_by must be someone other than requested_by")
        return self

    def covers(self, finding: Finding) -> bool:
        if finding.rule.rule.id != self.rule:
            return False
        if self.scope.unit and finding.unit != self.scope.unit:
            return False
        if self.scope.records and not {r["id"] for r in finding.records} & set(self.scope.records):
            return False
        if self.scope.period and finding.date:
            return parse_period(self.scope.period).contains(dt.date.fromisoformat(finding.date))
        return True


def load_waivers(path: Path, known_rules: set[str] | None = None) -> list[Waiver]:
    text = Path(path).read_text(encoding="utf-8")
    try:
        data = yamlio.load(text) or []
        lines = yamlio.item_lines(text)
    except yamlio.YAMLError as exc:
        raise WaiverError(f"{path}: not valid YAML: {exc}") from None
    if not isinstance(data, list):
        raise WaiverError(f"{path}:1: a waiver file holds a list of waivers")
    waivers, problems, seen = [], [], set()
    for index, block in enumerate(data):
        line = lines[index] if index < len(lines) else 0
        try:
            waiver = Waiver.model_validate({**(block if isinstance(block, dict) else {}), "line": line})
        except ValidationError as exc:
            problems += [f"{path}:{line}: {'.'.join(str(p) for p in e['loc']) or 'waiver'}: {e['msg']}"
                         for e in exc.errors()]
            continue
        if waiver.id in seen:
            problems.append(f"{path}:{line}: waiver id {waiver.id} is used twice")
        if known_rules is not None and waiver.rule not in known_rules:
            problems.append(f"{path}:{line}: waiver {waiver.id} names unknown rule {waiver.rule}")
        seen.add(waiver.id)
        waivers.append(waiver)
    if problems:
        raise WaiverError("\n".join(problems))
    return waivers


class WaiverMarks:
    """Marks findings covered by a waiver, as many batches as come (one unit's at a time), counting use."""

    def __init__(self, waivers: list[Waiver], as_of: dt.date):
        self.waivers, self.as_of = waivers, as_of
        self.used: dict[str, int] = {w.id: 0 for w in waivers}

    def __call__(self, findings: list[Finding]) -> list[Finding]:
        for finding in findings:
            for waiver in self.waivers:
                if waiver.covers(finding):
                    self.used[waiver.id] += 1
                    state = "active" if waiver.expires >= self.as_of else "expired"
                    finding.waiver = {"id": waiver.id, "state": state, "justification": waiver.justification,
                                      "approved_by": waiver.approved_by,
                                      "approval_document": waiver.approval_document,
                                      "expires": waiver.expires.isoformat()}
                    if state == "active":
                        break
        return findings

    def states(self) -> list[dict[str, Any]]:
        """Each waiver's state: active, expired or unused."""
        states = []
        for waiver in self.waivers:
            if waiver.expires < self.as_of:
                state = "expired"
            else:
                state = "active" if self.used[waiver.id] else "unused"
            states.append({"id": waiver.id, "rule": waiver.rule, "state": state, "matched": self.used[waiver.id],
                           "expires": waiver.expires.isoformat(), "line": waiver.line})
        return states


def apply_waivers(findings: list[Finding], waivers: list[Waiver], as_of: dt.date) -> list[dict[str, Any]]:
    """Mark findings; return each waiver's state: active, expired or unused."""
    marks = WaiverMarks(waivers, as_of)
    marks(findings)
    return marks.states()


class BaselineMarks:
    """Marks findings new or persisting against an earlier report, batch by batch."""

    def __init__(self, baseline_path: Path):
        self.path = baseline_path
        try:
            previous = json.loads(Path(baseline_path).read_text(encoding="utf-8"))
            self.earlier = {f["fingerprint"]: f for f in [*previous["findings"], *previous.get("leads", [])]}
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise WaiverError(f"{baseline_path}: not a lianjian JSON report: {exc}") from None
        self.current: set[str] = set()
        self.counts = {"new": 0, "persisting": 0}

    def __call__(self, findings: list[Finding]) -> list[Finding]:
        for finding in findings:
            finding.status = "persisting" if finding.fingerprint in self.earlier else "new"
            self.counts[finding.status] += 1
            self.current.add(finding.fingerprint)
        return findings

    def summary(self) -> dict[str, Any]:
        resolved = [{"fingerprint": fp, "rule_id": f.get("rule_id"), "unit": f.get("unit"),
                     "period": f.get("period"), "message": f.get("message")}
                    for fp, f in self.earlier.items() if fp not in self.current]
        return {"path": str(self.path), **self.counts, "resolved": resolved}


def apply_baseline(findings: list[Finding], baseline_path: Path) -> dict[str, Any]:
    marks = BaselineMarks(baseline_path)
    marks(findings)
    return marks.summary()
