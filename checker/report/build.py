"""Stage 6: the JSON report of the data contract, the one structure every renderer reads."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from checker import __version__
from checker.ruleset.catalogue import default_rules_dir
from checker.run.check import CheckResult
from checker.text.vocabulary import SEVERITY_RANK
from checker.verdict.findings import Finding
from checker.verdict.store import FindingStore


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def rules_version(result: CheckResult) -> str:
    digest = hashlib.sha256()
    for active in sorted(result.rules, key=lambda a: a.rule.id):
        digest.update(active.rule.model_dump_json(exclude={"file", "line", "examples"}).encode())  # what judges
    for profile in result.profiles:
        digest.update(profile.model_dump_json().encode())
    return digest.hexdigest()[:12]


class _Lazy(Sequence):
    """A report section produced as it is iterated (a renderer may iterate it more than once)."""

    def __init__(self, length: int):
        self._length = length
        self._items: list[Any] | None = None

    def __len__(self) -> int:
        return self._length

    def __getitem__(self, index: Any) -> Any:
        if self._items is None:
            self._items = list(self)
        return self._items[index]


class FindingDicts(_Lazy):
    def __init__(self, source: FindingStore, lang: str):
        super().__init__(len(source))
        self.source, self.lang = source, lang

    def __iter__(self) -> Iterator[dict[str, Any]]:
        for finding in self.source:
            yield finding.as_dict(self.lang)


class ByPerson(_Lazy):
    """The responsibility chain turned around: for each person, the findings they answer for and how.
    A unit's findings share its chain, so who answers for how many is known from the counts per unit,
    and each person's findings are read only when the section is written."""

    def __init__(self, source: FindingStore):
        self.source = source
        self.people: dict[str, dict[str, Any]] = {}
        for unit, (count, chain) in source.counts().items():
            for link in chain:
                entry = self.people.setdefault(link["person"], {"name": link.get("name"), "roles": {}, "units": [],
                                                                "total": 0})
                entry["roles"][link["role"]] = entry["roles"].get(link["role"], 0) + count
                entry["total"] += count
                if unit not in entry["units"]:
                    entry["units"].append(unit)
        self.order = sorted(self.people, key=lambda p: (-self.people[p]["total"], p))
        super().__init__(len(self.order))

    def __iter__(self) -> Iterator[dict[str, Any]]:
        for person in self.order:
            entry = self.people[person]
            yield {"person": person, "name": entry["name"], "roles": entry["roles"],
                   "findings": [_answered(finding, link["role"]) for unit in entry["units"]
                                for finding in self.source.of_unit(unit)
                                for link in finding.responsible if link["person"] == person]}


def _answered(finding: Finding, role: str) -> dict[str, Any]:
    return {"fingerprint": finding.fingerprint, "rule_id": finding.rule.rule.id, "unit": finding.unit,
            "severity": finding.severity, "role": role}


class ObligationRows(_Lazy):
    def __init__(self, result: CheckResult):
        self.result = result
        super().__init__(result.findings.obligation_count)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        for unit, state in self.result.findings.obligations():
            yield {"unit": unit, "rule_id": state["rule"], "period": state["period"], "state": state["state"],
                   "due": _iso(state["due"]), "required": state["required"], "count": state["count"],
                   "satisfied_by": state["satisfied_by"]}


def _iso(day: int) -> str:
    import datetime as dt
    return dt.date.fromordinal(day).isoformat()


def _is_waived(finding: Finding) -> bool:
    return bool(finding.waiver and finding.waiver.get("state") == "active")


def build(result: CheckResult, lang: str = "zh", rules_dir: Path | None = None) -> dict[str, Any]:
    source = result.findings
    counted = [(f.severity, f.rule.rule.discipline, f.unit) for f in source if not _is_waived(f)]
    kinds = Counter(f.rule.rule.status for f in source if not _is_waived(f))
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
            "findings": len(source), "counted": len(counted),
            "by_severity": dict(Counter(severity for severity, _, _ in counted)),
            "by_kind": {"violation": kinds["violation"], "lead": kinds["lead"]},
            "by_discipline": dict(Counter(discipline for _, discipline, _ in counted)),
            "by_unit": dict(Counter(unit for _, _, unit in counted)),
            "input_errors": sum(1 for e in errors if e["level"] == "error"),
            "input_warnings": sum(1 for e in errors if e["level"] == "warning"),
        },
        "findings": FindingDicts(source, lang),
        "by_person": ByPerson(source),
        "obligations": ObligationRows(result),
        "input_errors": errors,
        "rules": [{"id": r.rule.id, "title": r.rule.title.model_dump(), "severity": r.rule.severity,
                   "status": r.rule.status,
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
    threshold = SEVERITY_RANK[fail_on]
    by_severity = report["summary"]["by_severity"]  # findings not waived
    return 1 if any(count and SEVERITY_RANK[severity] >= threshold for severity, count in by_severity.items()) else 0
