"""The findings and obligation states of a check, kept unit by unit, read back in report order as
often as a renderer iterates them.

A check of ten million records has hundreds of thousands of findings; held as objects they would
outweigh everything else the run keeps. So for a check of files each unit's final findings (sorted,
escalated, marked by waivers and baseline) are appended to an anonymous temporary file; for data
already in memory (rule examples, small self-checks, tests) they stay in memory. Either way the
store is read through the same methods.
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
    findings: Any  # on disk: (offset, size); in memory: the list
    obligations: Any
    leads: int = 0  # of `count`, the leads (线索)


class FindingStore:
    def __init__(self, by_id: dict[str, ActiveRule], on_disk: bool = True):
        self.by_id = by_id
        self._file = tempfile.TemporaryFile(prefix="lianjian-findings-") if on_disk else None
        self._index: dict[str, _Entry] = {}
        self._count = 0
        self.lead_count = 0
        self.obligation_count = 0

    def add(self, unit: str, findings: list[Finding], obligations: list[dict[str, Any]]) -> None:
        """One unit's final findings (in report order) and obligation states."""
        if self._file is None:
            places = (findings, obligations)
        else:
            stored = [(f.rule.rule.id, f.without_rule()) for f in findings]
            places = tuple(self._append(pickle.dumps(part, protocol=pickle.HIGHEST_PROTOCOL))
                           for part in (stored, obligations))
        leads = sum(f.lead is not None for f in findings)
        self._index[unit] = _Entry(len(findings), findings[0].responsible if findings else [], *places, leads)
        self._count += len(findings)
        self.lead_count += leads
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

    def units(self) -> list[str]:
        return sorted(self._index)

    def of_unit(self, unit: str) -> list[Finding]:
        entry = self._index.get(unit)
        if entry is None or not entry.count:
            return []
        if self._file is None:
            return entry.findings
        return [dataclasses.replace(f, rule=self.by_id[rule_id]) for rule_id, f in self._read(entry.findings)]

    def obligations(self) -> Iterator[tuple[str, dict[str, Any]]]:
        for unit in self.units():
            for state in self._read(self._index[unit].obligations):
                yield unit, state

    def counts(self) -> dict[str, tuple[int, list[dict[str, str]]]]:
        """unit -> (violations, responsibility chain): who answers for how many, without reading them.
        Leads are not violations and are not counted against anyone."""
        return {unit: (e.count - e.leads, e.responsible) for unit, e in sorted(self._index.items())
                if e.count - e.leads}

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
