"""The findings and obligation states of a check, kept unit by unit, read back in report order.

A check of ten million records has hundreds of thousands of findings; held as objects they would
outweigh everything else the run keeps. So for a check of files each unit's final findings (sorted,
escalated, marked by waivers and baseline) are appended to an anonymous temporary file as one blob
(`trip.pack`) and only a one-line summary of each (what the report counts, and what the
by-person section lists) stays in memory; for data already in memory (rule examples, small
self-checks, tests) the findings stay in memory. Unless waivers or a baseline mark them, the blob is
the one the judging process made, stored as it came and read only for a report. Either way the store
is read through the same methods, and a report reads each unit's findings once per section that
shows them, not per person.
"""

from __future__ import annotations

import dataclasses
import tempfile
from collections.abc import Iterator
from typing import Any

from checker.ruleset.catalogue import ActiveRule
from checker.verdict.findings import Finding
from checker.verdict.report_lines import LineFiles, Lines
from checker.verdict.trip import (
    Summaries,
    Summary,
    no_summaries,
    pack,
    pack_obligations,
    summaries_of,
    unpack,
    unpack_obligations,
)

__all__ = ["FindingStore", "Summaries", "Summary"]


@dataclasses.dataclass
class _Entry:
    responsible: list[dict[str, str]]
    summaries: Summaries
    findings: Any  # on disk: (offset, size) of the unit's findings as `trip.pack` made them; in memory: the list
    obligations: Any  # on disk: (offset, size) of their blob (`trip.pack_obligations`), or None; in memory: the list
    lines: Lines | None = None  # where the judging process wrote their report lines (`report_lines`), if it did


class FindingStore:
    def __init__(self, by_id: dict[str, ActiveRule], on_disk: bool = True, lines: LineFiles | None = None,
                 kept: bool = True):
        self.by_id = by_id
        # False: the findings and obligation states are kept only as their report lines (checker.run.check
        # Options.lines_only); reading them as findings or states is then an error, never an empty list
        self.kept = kept
        self._file = tempfile.TemporaryFile(prefix="lianjian-findings-") if on_disk else None
        # the JSON report's lines of every unit's findings, in `lines.lang`, when the judging processes
        # wrote them (checker.verdict.report_lines); `lines_complete` stays true while every unit added did
        self.lines = lines
        self.lines_complete = lines is not None
        self._index: dict[str, _Entry] = {}
        self._count = 0
        self.lead_count = 0
        self.obligation_count = 0

    @property
    def on_disk(self) -> bool:
        return self._file is not None

    def add(self, unit: str, findings: list[Finding], obligations: list[dict[str, Any]],
            responsible: list[dict[str, str]] | None = None, lines: Lines | None = None) -> None:
        """One unit's final findings (in report order) and obligation states; `responsible`: the unit's
        chain (by default the first finding's); `lines`: where their report lines were written, if they were."""
        if responsible is None:
            responsible = findings[0].responsible if findings else []
        if self._file is None:
            self._put(unit, responsible, summaries_of(findings), findings, obligations, len(obligations), lines)
        else:
            summaries, blob = pack(findings)
            self.add_packed(unit, summaries, blob, pack_obligations(obligations), len(obligations), responsible, lines)

    def add_packed(self, unit: str, summaries: Summaries, blob: bytes, obligations: bytes, obligation_count: int,
                   responsible: list[dict[str, str]], lines: Lines | None = None) -> None:
        """One unit's final findings and obligation states as the judging process packed them
        (`trip.pack`, `trip.pack_obligations`): on disk both blobs are kept as they came, unread; and
        where it wrote their report lines, if it did."""
        if self._file is None:
            self._put(unit, responsible, summaries, unpack(blob, self.by_id, responsible),
                      unpack_obligations(obligations), obligation_count, lines)
        else:
            self._put(unit, responsible, summaries, self._append(blob),
                      self._append(obligations) if obligations else None, obligation_count, lines)

    def _put(self, unit: str, responsible: list[dict[str, str]], summaries: Summaries, findings: Any,
             obligations: Any, obligation_count: int, lines: Lines | None = None) -> None:
        found = len(summaries.fingerprints)
        if lines is None and (found or obligation_count):
            self.lines_complete = False  # (a unit without findings or obligations has no lines to miss)
        self._index[unit] = _Entry(responsible, summaries, findings, obligations, lines)
        self._count += found
        self.lead_count += sum(summaries.leads)
        self.obligation_count += obligation_count

    def _append(self, blob: bytes) -> tuple[int, int]:
        assert self._file is not None
        self._file.seek(0, 2)
        offset = self._file.tell()
        self._file.write(blob)
        return offset, len(blob)

    def _obligations(self, entry: _Entry) -> list[dict[str, Any]]:
        if self._file is None:
            return entry.obligations
        if entry.obligations is None:
            return []
        self._file.seek(entry.obligations[0])
        return unpack_obligations(self._file.read(entry.obligations[1]))

    def _findings(self, entry: _Entry) -> list[Finding]:
        if self._file is None:
            return entry.findings
        self._file.seek(entry.findings[0])
        return unpack(self._file.read(entry.findings[1]), self.by_id, entry.responsible)

    def report_lines(self, section: str, lang: str | None = None) -> Iterator[bytes] | None:
        """Each unit's lines of a report section (`report_lines.SECTIONS`: findings, leads, obligations)
        in report order, as the judging processes wrote them; None unless they wrote every unit's, and,
        for a section in words (`lang` given: findings, leads), in that language."""
        if self.lines is None or not self.lines_complete or lang not in (None, self.lines.lang):
            return None
        return self._report_lines(self.lines, section)

    def _report_lines(self, files: LineFiles, section: str) -> Iterator[bytes]:
        for unit in self.units():
            entry = self._index[unit]
            if entry.lines is not None:
                yield files.read(entry.lines, section)

    def units(self) -> list[str]:
        return sorted(self._index)

    def of_unit(self, unit: str, leads: bool | None = None) -> list[Finding]:
        """The unit's violations (leads=False), leads (leads=True) or both in report order (None)."""
        entry = self._index.get(unit)
        if entry is None or not (entry.summaries.leads if leads is None else leads in entry.summaries.leads):
            return []
        if not self.kept:
            raise RuntimeError("本次检查的问题只以 JSON 报告行保存，不能再作问题读取 / this check kept its findings "
                               "only as the JSON report's lines (Options.lines_only)")
        found = self._findings(entry)
        return found if leads is None else [f for f in found if (f.lead is not None) == leads]

    def summaries(self) -> Iterator[tuple[str, Summary]]:
        for unit in self.units():
            for summary in self._index[unit].summaries.rows():
                yield unit, summary

    def obligations(self) -> Iterator[tuple[str, dict[str, Any]]]:
        if not self.kept and self.obligation_count:
            raise RuntimeError("本次检查的义务状态只以 JSON 报告行保存 / this check kept its obligation states only as "
                               "the JSON report's lines (Options.lines_only)")
        for unit in self.units():
            yield from ((unit, state) for state in self._obligations(self._index[unit]))

    def counts(self) -> dict[str, tuple[int, list[dict[str, str]]]]:
        """unit -> (violations, responsibility chain): who answers for how many, without reading them."""
        counts = {}
        for unit, entry in sorted(self._index.items()):
            violations = len(entry.summaries.leads) - sum(entry.summaries.leads)
            if violations:
                counts[unit] = (violations, entry.responsible)
        return counts

    def responsible(self, unit: str) -> list[dict[str, str]]:
        entry = self._index.get(unit)
        return entry.responsible if entry else []

    def unit_summaries(self, unit: str) -> list[Summary]:
        return self.unit_columns(unit).rows()

    def unit_columns(self, unit: str) -> Summaries:
        """The unit's summaries as they are kept, a column each (`Summaries`): what the report counts."""
        entry = self._index.get(unit)
        return entry.summaries if entry else no_summaries()

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
        if self.lines is not None:
            self.lines.close()
