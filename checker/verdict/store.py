"""The findings and obligation states of a streamed check, kept on disk unit by unit.

A check of ten million records has hundreds of thousands of findings; held as objects they would
outweigh everything else the run keeps. Each unit's findings arrive final (sorted, escalated,
marked by waivers and baseline) and are appended to an anonymous temporary file; the store reads
them back unit by unit, in report order, as often as a renderer iterates them.
"""

from __future__ import annotations

import dataclasses
import pickle
import tempfile
from collections.abc import Iterator
from typing import Any

from checker.ruleset.catalogue import ActiveRule
from checker.verdict.findings import Finding


@dataclasses.dataclass
class _Entry:
    count: int
    responsible: list[dict[str, str]]
    findings: tuple[int, int]  # offset, size
    obligations: tuple[int, int]


class FindingStore:
    def __init__(self, by_id: dict[str, ActiveRule]):
        self.by_id = by_id
        self._file = tempfile.TemporaryFile(prefix="lianjian-findings-")
        self._index: dict[str, _Entry] = {}
        self._count = 0
        self.obligation_count = 0

    def add(self, unit: str, findings: list[Finding], obligations: list[dict[str, Any]]) -> None:
        """One unit's final findings (in report order) and obligation states."""
        stored = [(f.rule.rule.id, dataclasses.replace(f, rule=None)) for f in findings]
        places = [self._append(pickle.dumps(part, protocol=pickle.HIGHEST_PROTOCOL)) for part in (stored, obligations)]
        self._index[unit] = _Entry(len(findings), findings[0].responsible if findings else [], *places)
        self._count += len(findings)
        self.obligation_count += len(obligations)

    def _append(self, blob: bytes) -> tuple[int, int]:
        self._file.seek(0, 2)
        offset = self._file.tell()
        self._file.write(blob)
        return offset, len(blob)

    def _read(self, place: tuple[int, int]) -> Any:
        self._file.seek(place[0])
        return pickle.loads(self._file.read(place[1]))

    def units(self) -> list[str]:
        return sorted(self._index)

    def of_unit(self, unit: str) -> list[Finding]:
        entry = self._index.get(unit)
        if entry is None or not entry.count:
            return []
        return [dataclasses.replace(f, rule=self.by_id[rule_id]) for rule_id, f in self._read(entry.findings)]

    def obligations(self) -> Iterator[tuple[str, dict[str, Any]]]:
        for unit in self.units():
            for state in self._read(self._index[unit].obligations):
                yield unit, state

    def counts(self) -> dict[str, tuple[int, list[dict[str, str]]]]:
        """unit -> (findings, responsibility chain): who answers for how many, without reading them."""
        return {unit: (e.count, e.responsible) for unit, e in sorted(self._index.items()) if e.count}

    def __iter__(self) -> Iterator[Finding]:
        for unit in self.units():
            yield from self.of_unit(unit)

    def __len__(self) -> int:
        return self._count

    def __bool__(self) -> bool:
        return self._count > 0

    def close(self) -> None:
        self._file.close()


class MemoryFindings:
    """The same reading interface over the findings of an in-memory check (a list in report order)."""

    def __init__(self, findings: list[Finding]):
        self.findings = findings
        self._by_unit: dict[str, list[Finding]] = {}
        for finding in findings:
            self._by_unit.setdefault(finding.unit, []).append(finding)

    def units(self) -> list[str]:
        return sorted(self._by_unit)

    def of_unit(self, unit: str) -> list[Finding]:
        return self._by_unit.get(unit, [])

    def counts(self) -> dict[str, tuple[int, list[dict[str, str]]]]:
        return {unit: (len(found), found[0].responsible) for unit, found in sorted(self._by_unit.items())}

    def __iter__(self) -> Iterator[Finding]:
        return iter(self.findings)

    def __len__(self) -> int:
        return len(self.findings)
