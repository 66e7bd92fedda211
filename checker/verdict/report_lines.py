"""A finding as the JSON report lists it, and those entries written out by the process that judged
the unit.

The report's `findings` and `leads` sections give each finding as `Finding.as_dict` with its unit's
name and its parameters as labelled rows (`entry`, the one definition: checker.report.build reads it
too). Made after the check, in one process, the entries were a third of the wall time of a
findings-heavy check (226k findings: each unit's findings unpickled, made dicts and encoded while the
cores that judged them stood idle). So when the caller says its JSON report's language
(checker.run.check `Options.report_lines`), each judging process writes its units' entries as the
report's lines — each `"    " + compact JSON + ",\\n"`, the unit's violations, its leads, then its
obligation states (`obligation_row`) — to a file of its own (`LineFiles`), and the report copies them
(checker.report.render.json_report). The findings' lines are encoded by `LineEncoder`: byte for byte
`line(entry(...))`, without making each entry whole.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import weakref
from dataclasses import dataclass
from typing import Any

import orjson

from checker.facts.periods import iso_day
from checker.verdict.evidence import parameter_rows
from checker.verdict.findings import NO_EVIDENCE_VIEW, Finding


class ParameterViews:
    """A finding's parameters as labelled rows in both languages: the same for every finding of a
    rule under one standard (and table row), so made once for each."""

    def __init__(self, profiles: dict[str, dict[str, str]]):
        self.profiles = profiles
        self._views: dict[tuple[Any, ...], dict[str, list[dict[str, str]]]] = {}

    def __call__(self, finding: Finding) -> dict[str, list[dict[str, str]]]:
        matched = finding.extra.get("matched_row")
        key = (finding.rule.rule.id, finding.standard, repr(sorted(matched.items())) if matched else "")
        view = self._views.get(key)
        if view is None:
            parameters = finding.evidence.get("parameters") or {}
            view = self._views[key] = {lang: parameter_rows(parameters, lang, self.profiles, matched)
                                       for lang in ("zh", "en")}
        return view


def entry(finding: Finding, lang: str, unit_name: str, views: ParameterViews) -> dict[str, Any]:
    """The finding as the report's `findings` (or `leads`) section gives it."""
    made = finding.as_dict(lang)
    made["unit_name"] = unit_name
    made["parameters_view"] = views(finding)
    return made


def line(made: dict[str, Any]) -> bytes:
    """An entry as one line of the JSON report: indented, compact, a comma after it (the writer takes
    the last line's comma off)."""
    return b"    " + orjson.dumps(made, default=str) + b",\n"


class LineEncoder:
    """A unit's findings as report lines, each byte for byte `line(entry(...))`, with what is the same
    for many findings encoded once and spliced in as it is (orjson.Fragment): from "rule_id" to
    "citation" for each rule, standard and severity; the parameters view for each rule and standard,
    or table row; from "responsible" to the end for each unit and view when the finding has no
    waiver, status, lead or other rule broken (almost all). Such a fragment is the value of the run's
    first key and holds the other keys of the run, so the entry made for a finding has only the keys
    that vary. tests/test_report_lines_encoder.py compares the lines with `entry`'s for findings of
    every kind."""

    def __init__(self, lang: str, views: ParameterViews):
        self.lang, self.views = lang, views
        self._rules: dict[tuple[int, int | None, str | None, bool], tuple[Any, orjson.Fragment, bytes]] = {}
        self._views: dict[int, tuple[Any, bytes]] = {}
        self._evidence: dict[int, tuple[Any, orjson.Fragment]] = {}  # by the parameters' id (`_evidence_part`)

    def lines(self, findings: list[Finding], unit_name: str) -> tuple[bytes, ...]:
        """The findings' lines, one after the other, in pieces (`_lines`)."""
        lang, rules, dumps, fragment, evidence_runs = self.lang, self._rules, orjson.dumps, orjson.Fragment, self._evidence
        # by a chain's id (its findings hold it for the call) and a view's JSON
        tails: dict[tuple[int, bytes], orjson.Fragment] = {}
        made = []
        for finding in findings:
            extra, active = finding.extra, finding.rule
            row = extra.get("matched_row")  # (its parameters view is the row's, not the rule's)
            rule = rules.get((id(active), finding.standard, extra.get("severity"), not row))
            if rule is None or rule[0] is not active:  # an id is reused once its rule is freed
                rule = self._rule_part(finding)
            view = self._view_part(finding) if row else rule[2]
            message, responsible, evidence, evidence_view = finding.message, finding.responsible, \
                finding.evidence, extra.get("evidence_view")
            entry = {"fingerprint": finding.key, "rule_id": rule[1], "unit": finding.unit, "period": finding.period,
                     "date": finding.date, "records": finding.records, "evidence": evidence}
            if evidence_view is NO_EVIDENCE_VIEW and len(evidence) == 1:  # most: an obligation's, unescalated
                parameters = evidence.get("parameters", evidence)  # (evidence as it is: not shared, never found)
                run = evidence_runs.get(id(parameters))
                entry["evidence"] = run[1] if run is not None and run[0] is parameters else \
                    self._evidence_part(evidence, parameters)
            else:
                entry["evidence_view"], entry["amount_fen"] = evidence_view, extra.get("amount_fen")
            entry["message"], entry["message_i18n"] = message[lang], message
            if finding.waiver is None and finding.status is None and finding.lead is None and not finding.also:
                tail = tails.get((id(responsible), view))
                if tail is None:
                    tail = tails[id(responsible), view] = _run_of({
                        "responsible": responsible, "waiver": None, "status": None, "lead": False,
                        "lead_reason": None, "also_breaks": [], "unit_name": unit_name,
                        "parameters_view": fragment(view)})
                entry["responsible"] = tail
            else:
                entry.update(responsible=responsible, waiver=finding.waiver, status=finding.status,
                             lead=finding.lead is not None, lead_reason=finding.lead, also_breaks=finding.also,
                             unit_name=unit_name, parameters_view=fragment(view))
            made.append(dumps(entry, default=str))
        return _lines(made)

    def _rule_part(self, finding: Finding) -> tuple[Any, orjson.Fragment, bytes]:
        """From "rule_id" to "citation" as one value, and the parameters view of the rule's findings
        without a table row (or with one: then unused)."""
        words, row = finding.as_dict(self.lang), finding.extra.get("matched_row")
        key = (id(finding.rule), finding.standard, finding.extra.get("severity"), not row)
        made = self._rules[key] = (finding.rule, _run_of({k: words[k] for k in _RULE_KEYS}),
                                   b"" if row else orjson.dumps(self.views(finding)))
        return made

    def _evidence_part(self, evidence: dict[str, Any], parameters: Any) -> orjson.Fragment:
        """From "evidence" to "amount_fen" as one value, for a finding of a rule without evidence values
        (`NO_EVIDENCE_VIEW`) whose evidence is its `parameters` alone: the same for each rule and
        standard (shared by its findings: read, not changed), kept by the parameters' id (`lines`
        finds it there; an id is reused once its object is freed, so the object is kept and checked).
        On 20 heavy units: ~5.6k instructions fewer a finding taking it (report lines 132.4M → 122.5M)."""
        made = _run_of({"evidence": evidence, "evidence_view": NO_EVIDENCE_VIEW, "amount_fen": None})
        if parameters is not evidence:  # (else not under "parameters": that evidence is its own)
            self._evidence[id(parameters)] = (parameters, made)
        return made

    def _view_part(self, finding: Finding) -> bytes:
        view = self.views(finding)
        cached = self._views.get(id(view))
        if cached is None or cached[0] is not view:  # (the views' cache holds its views: an id stays theirs)
            cached = self._views[id(view)] = (view, orjson.dumps(view))
        return cached[1]


def _lines(made: list[bytes]) -> tuple[bytes, ...]:
    """Encoded entries as report lines (each as `line` makes it), in pieces: without copying each line
    once more to put its indent and comma around it."""
    return (b"    ", b",\n    ".join(made), b",\n") if made else ()


_RULE_KEYS = ("rule_id", "title", "title_i18n", "severity", "discipline", "ccdi_category", "citation")


def _run_of(values: dict[str, Any]) -> orjson.Fragment:
    """A run of an entry's keys as the value of its first: its JSON without the braces and first key."""
    made = orjson.dumps(values, default=str)
    return orjson.Fragment(made[len(orjson.dumps(next(iter(values)))) + 2:-1])


def obligation_row(unit: str, state: dict[str, Any]) -> dict[str, Any]:
    """An obligation state as the report's `obligations` section gives it."""
    return {"unit": unit, "rule_id": state["rule"], "period": state["period"], "state": state["state"],
            "due": iso_day(state["due"]), "required": state["required"], "count": state["count"],
            "satisfied_by": state["satisfied_by"]}


SECTIONS = ("findings", "leads", "obligations")  # the report sections a unit's lines are written for, in order


@dataclass(frozen=True, slots=True)
class Lines:
    """Where a unit's report lines are: a file of `LineFiles`, the offset, and the bytes of its lines
    of each of SECTIONS, one after the other (each section's in report order)."""
    name: str
    offset: int
    sizes: tuple[int, ...]

    def span(self, section: str) -> tuple[int, int]:
        """(offset, bytes) of the unit's lines of one section."""
        at = SECTIONS.index(section)
        return self.offset + sum(self.sizes[:at]), self.sizes[at]


class LineFiles:
    """The folder judging processes write their units' report lines to, one file per process (a
    forked worker opens its own: no two processes write to one file). Owned by the finding store,
    which removes it when closed; the files are written unbuffered, a unit in one call, because a
    worker of a process pool ends without flushing what Python buffers."""

    def __init__(self, lang: str, profiles: dict[str, dict[str, str]], under: Any = None):
        self.lang, self.profiles = lang, profiles
        self.folder = tempfile.mkdtemp(prefix="lianjian-lines-", dir=under)  # (under: where the spool goes)
        # removed with the store (`close`), or when this object goes, in the process that made it only:
        # a forked worker that ends must not take its parent's folder with it
        self._owner = os.getpid()
        weakref.finalize(self, _remove, self.folder, self._owner)
        self._pid: int | None = None  # the process the open file belongs to
        self._file: Any = None
        self._size = 0
        self._views: ParameterViews | None = None
        self._encoder: LineEncoder | None = None
        self._read: dict[str, Any] = {}

    def __getstate__(self) -> dict[str, Any]:
        """Sent to a fresh interpreter (a unit retried there) without this process's open files."""
        return {**self.__dict__, "_pid": None, "_file": None, "_size": 0, "_views": None, "_encoder": None, "_read": {}}

    def write(self, findings: list[Finding], unit_name: str, unit: str, obligations: list[dict[str, Any]]) -> Lines:
        """A unit's findings (final, in report order, with their responsibility chain) and obligation
        states as report lines."""
        views = self._views
        if views is None or self._pid != os.getpid():
            views = self._views = ParameterViews(self.profiles)
        encoder = self._encoder
        if encoder is None or encoder.views is not views:
            encoder = self._encoder = LineEncoder(self.lang, views)
        # (the obligation states' lines in pieces too, not each made whole by `line`: report lines h20
        # 122.5M → 119.0M instructions)
        sections = (encoder.lines([f for f in findings if f.lead is None], unit_name),
                    encoder.lines([f for f in findings if f.lead is not None], unit_name),
                    _lines([orjson.dumps(obligation_row(unit, state), default=str) for state in obligations]))
        handle = self._own()
        offset = self._size
        for piece in (piece for section in sections for piece in section):
            view = memoryview(piece)
            while view:
                view = view[handle.write(view):]
        sizes = tuple(sum(map(len, section)) for section in sections)
        self._size += sum(sizes)
        return Lines(os.path.basename(handle.name), offset, sizes)

    def _own(self) -> Any:
        pid = os.getpid()
        if self._pid != pid:  # a forked worker: its parent's file is not its to write
            self._pid, self._file = pid, open(os.path.join(self.folder, f"lines-{pid}"), "ab", buffering=0)  # noqa: SIM115 - kept open for the process's units
            self._size = os.fstat(self._file.fileno()).st_size  # (a pid used again appends)
        return self._file

    def read(self, lines: Lines, section: str) -> bytes:
        """A unit's lines of one of SECTIONS, as written."""
        handle = self._read.get(lines.name)
        if handle is None:
            handle = self._read[lines.name] = open(os.path.join(self.folder, lines.name), "rb")  # noqa: SIM115 - read unit by unit
        start, size = lines.span(section)
        parts = []
        while size:  # (one read returns at most ~2 GB)
            part = os.pread(handle.fileno(), size, start)
            if not part:
                raise OSError(f"报告行缺失：临时文件 {lines.name} 自 {start} 起少 {size} 字节（临时文件夹被清理？）/ "
                              f"{lines.name}: {size} bytes of report lines missing at {start}")
            parts.append(part)
            start, size = start + len(part), size - len(part)
        return b"".join(parts)

    def close(self) -> None:
        for handle in self._read.values():
            handle.close()
        self._read.clear()
        if self._file is not None and self._pid == os.getpid():
            self._file.close()
        _remove(self.folder, self._owner)


def _remove(folder: str, owner: int) -> None:
    if os.getpid() == owner:
        shutil.rmtree(folder, ignore_errors=True)
