"""The findings and obligation states of a check, kept unit by unit, read back in report order.

A check of ten million records has hundreds of thousands of findings; held as objects they would
outweigh everything else the run keeps. So for a check of files each unit's final findings (sorted,
escalated, marked by waivers and baseline) are appended to an anonymous temporary file — the
violations and the leads apart — and only a one-line summary of each (what the report counts, and
what the by-person section lists) stays in memory; for data already in memory (rule examples, small
self-checks, tests) the findings stay in memory. The findings' words (messages, evidence rows) come
from the judging process as one blob per unit, which is stored as it came and read only for a
report. Either way the store is read through the same methods, and a report reads each unit's
findings once per section that shows them, not per person.
"""

from __future__ import annotations

import dataclasses
import pickle
import tempfile
from collections.abc import Iterator
from typing import Any, NamedTuple

from checker.ruleset.catalogue import ActiveRule
from checker.verdict.findings import Finding, unpack_words


class Summary(NamedTuple):
    """One finding, as counts and the by-person section need it."""
    fingerprint: str
    rule_id: str
    severity: str
    discipline: str
    lead: bool
    waived: bool


def summary_of(finding: Finding) -> Summary:
    waiver = finding.waiver
    return Summary(finding.fingerprint, finding.rule.rule.id, finding.severity, finding.rule.rule.discipline,
                   finding.lead is not None, bool(waiver and waiver.get("state") == "active"))


@dataclasses.dataclass
class _Entry:
    responsible: list[dict[str, str]]
    summaries: list[Summary]
    violations: Any  # on disk: (offset, size); in memory: the list
    leads: Any
    obligations: Any
    words: Any = None  # on disk: (offset, size) of the findings' words as they came (findings.pack_words)


class FindingStore:
    def __init__(self, by_id: dict[str, ActiveRule], on_disk: bool = True):
        self.by_id = by_id
        self._file = tempfile.TemporaryFile(prefix="lianjian-findings-") if on_disk else None
        self._index: dict[str, _Entry] = {}
        self._count = 0
        self.lead_count = 0
        self.obligation_count = 0

    def add(self, unit: str, findings: list[Finding], obligations: list[dict[str, Any]], words: bytes = b"") -> None:
        """One unit's final findings (in report order) and obligation states; `words`: their messages
        and evidence rows when they travelled apart (findings.pack_words), kept as they came."""
        if words and self._file is None:
            unpack_words(findings, pickle.loads(words))
        summaries = [summary_of(f) for f in findings]
        responsible = findings[0].responsible if findings else []
        violations = [f for f in findings if f.lead is None]
        leads = [f for f in findings if f.lead is not None]
        parts = (violations, leads, obligations)
        if self._file is not None:
            parts = tuple(self._append(pickle.dumps(part, protocol=pickle.HIGHEST_PROTOCOL)) for part in
                          ([(f.rule.rule.id, f.without_rule()) for f in violations],
                           [(f.rule.rule.id, f.without_rule()) for f in leads], obligations))
        self._index[unit] = _Entry(responsible, summaries, *parts,
                                   words=self._append(words) if words and self._file is not None else None)
        self._count += len(findings)
        self.lead_count += len(leads)
        self.obligation_count += len(obligations)

    def _append(self, blob: bytes) -> tuple[int, int]:
        assert self._file is not None
        self._file.seek(0, 2)
        offset = self._file.tell()
        self._file.write(blob)
        return offset, len(blob)

    def _read(self, place: Any) -> Any:
        if self._file is None:
            return place
        self._file.seek(place[0])
        return pickle.loads(self._file.read(place[1]))

    def _findings(self, entry: _Entry, place: Any) -> list[Finding]:
        if self._file is None:
            return place
        found = []
        for rule_id, finding in self._read(place):  # unpickled: objects of their own
            finding.rule = self.by_id[rule_id]
            found.append(finding)
        if entry.words is not None and any(f.words is not None for f in found):
            unpack_words(found, self._read(entry.words))
        return found

    def units(self) -> list[str]:
        return sorted(self._index)

    def of_unit(self, unit: str, leads: bool | None = None) -> list[Finding]:
        """The unit's violations (leads=False), leads (leads=True) or both in report order (None)."""
        entry = self._index.get(unit)
        if entry is None or not entry.summaries:
            return []
        if leads is None:
            order = {s.fingerprint: index for index, s in enumerate(entry.summaries)}
            both = self._findings(entry, entry.violations) + self._findings(entry, entry.leads)
            return sorted(both, key=lambda f: order[f.fingerprint])
        return self._findings(entry, entry.leads if leads else entry.violations)

    def summaries(self) -> Iterator[tuple[str, Summary]]:
        for unit in self.units():
            for summary in self._index[unit].summaries:
                yield unit, summary

    def obligations(self) -> Iterator[tuple[str, dict[str, Any]]]:
        for unit in self.units():
            yield from ((unit, state) for state in self._read(self._index[unit].obligations))

    def counts(self) -> dict[str, tuple[int, list[dict[str, str]]]]:
        """unit -> (violations, responsibility chain): who answers for how many, without reading them."""
        counts = {}
        for unit, entry in sorted(self._index.items()):
            violations = sum(not s.lead for s in entry.summaries)
            if violations:
                counts[unit] = (violations, entry.responsible)
        return counts

    def responsible(self, unit: str) -> list[dict[str, str]]:
        entry = self._index.get(unit)
        return entry.responsible if entry else []

    def unit_summaries(self, unit: str) -> list[Summary]:
        entry = self._index.get(unit)
        return entry.summaries if entry else []

    def __iter__(self) -> Iterator[Finding]:
        for unit in self.units():
            yield from self.of_unit(unit)

    def __len__(self) -> int:
        return self._count

    def __bool__(self) -> bool:
        return self._count > 0

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
