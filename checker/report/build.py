"""Stage 6: the JSON report of the data contract, the one structure every renderer reads."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from itertools import compress
from pathlib import Path
from typing import Any

from checker import __version__
from checker.ruleset.catalogue import ActiveRule, default_rules_dir
from checker.run.check import CheckResult
from checker.text.formats import both_languages
from checker.text.labels import parameter_label
from checker.text.vocabulary import SEVERITY_RANK
from checker.verdict.marks import REPORT_FORMAT
from checker.verdict.report_lines import ParameterViews, entry, obligation_row
from checker.verdict.store import FindingStore


def rules_version(result: CheckResult) -> str:
    digest = hashlib.sha256()
    for active in sorted(result.rules, key=lambda a: a.rule.id):
        digest.update(active.rule.model_dump_json(exclude={"file", "line", "examples", "duty"}).encode())  # what judges
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
    """The violations (leads=False) or the leads (leads=True) of the store, as the report gives them:
    with their unit's name and their evidence and parameters as labelled rows in both languages."""

    def __init__(self, source: FindingStore, lang: str, units: dict[str, dict[str, Any]],
                 profiles: dict[str, dict[str, str]], leads: bool = False):
        super().__init__(source.lead_count if leads else len(source) - source.lead_count)
        self.source, self.lang, self.units, self.profiles, self.leads = source, lang, units, profiles, leads
        self._views = ParameterViews(profiles)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        lang, views = self.lang, self._views
        for unit in self.source.units():
            found = self.source.of_unit(unit, self.leads)
            name = (self.units.get(unit) or {}).get("name") or unit if found else None
            for finding in found:
                yield entry(finding, lang, name, views)

    def json_lines(self) -> Iterator[bytes] | None:
        """The section as the JSON report's lines, each unit's as the process that judged it wrote
        them (checker.verdict.report_lines: `line` of each `entry`); None if they were not written."""
        return self.source.report_lines("leads" if self.leads else "findings", self.lang)

    def tally(self) -> Iterator[tuple[dict[str, Any], int]]:
        """The findings as a count by unit and severity needs them: for each unit, one entry (unit,
        unit_name, severity, waiver) per severity and waived or not, with how many findings it stands
        for; units in report order. Counted from the summaries the store keeps in memory: a summary
        by unit and severity reads no finding back from disk and makes no entry per finding."""
        for unit in self.source.units():
            columns = self.source.unit_columns(unit)
            counted = Counter(compress(zip(columns.severities, columns.waived, strict=True),
                                       [lead == self.leads for lead in columns.leads]))
            name = (self.units.get(unit) or {}).get("name") or unit
            for (severity, waived), count in counted.items():
                yield {"unit": unit, "unit_name": name, "severity": severity,
                       "waiver": {"state": "active"} if waived else None}, count


class ByPerson(_Lazy):
    """The responsibility chain turned around: for each person, the findings they answer for and how.
    A unit's findings share its chain, so who answers for how many is known from the counts per unit,
    and each person's findings are read only when the section is written."""

    def __init__(self, source: FindingStore):
        self.source = source
        self.people: dict[str, dict[str, Any]] = {}
        for unit, (count, chain) in source.counts().items():
            for link in chain:
                entry = self.people.setdefault(link["person"], {"name": link.get("name"), "post": link.get("post"),
                                                                "roles": {}, "units": [], "total": 0})
                entry["roles"][link["role"]] = entry["roles"].get(link["role"], 0) + count
                entry["total"] += count
                if unit not in entry["units"]:
                    entry["units"].append(unit)
        self.order = sorted(self.people, key=lambda p: (-self.people[p]["total"], p))
        super().__init__(len(self.order))

    def __iter__(self) -> Iterator[dict[str, Any]]:
        for person in self.order:
            entry = self.people[person]
            # a unit's findings share its chain: the summaries kept in memory say the rest
            found = []
            for unit in entry["units"]:
                roles = [link["role"] for link in self.source.responsible(unit) if link["person"] == person]
                columns = self.source.unit_columns(unit)
                found.extend({"fingerprint": fingerprint, "rule_id": rule_id, "unit": unit, "severity": severity,
                              "role": role}
                             for fingerprint, rule_id, severity, lead in zip(
                                 columns.fingerprints, columns.rule_ids, columns.severities, columns.leads, strict=True)
                             if not lead for role in roles)
            yield {"person": person, "name": entry["name"], "post": entry["post"], "roles": entry["roles"],
                   "findings": found}


class ObligationRows(_Lazy):
    def __init__(self, result: CheckResult):
        self.result = result
        super().__init__(result.findings.obligation_count)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        for unit, state in self.result.findings.obligations():
            yield obligation_row(unit, state)

    def json_lines(self) -> Iterator[bytes] | None:
        """The section as the JSON report's lines the judging processes wrote, if they did (as `FindingDicts`;
        an obligation's row has no words to translate)."""
        return self.result.findings.report_lines("obligations")


def build(result: CheckResult, lang: str = "zh", rules_dir: Path | None = None) -> dict[str, Any]:
    source = result.findings
    counts = _counts(source)
    errors = [e.as_dict() for e in result.data.errors]
    units = units_of(result)
    profiles = {p.id: p.title.model_dump() for p in result.profiles}
    coverage_rows, coverage_summary = coverage_section(result)
    return {
        "meta": {
            "tool": "lianjian", "version": __version__, "report_format": REPORT_FORMAT,
            "rules_version": rules_version(result),
            "as_of": result.as_of.isoformat(), "lang": lang,
            "period": {"label": result.span.label, "start": result.span.start.isoformat(),
                       "end": result.span.end.isoformat(), "basis": result.period_basis,
                       "note": result.period_note},
            "profile": [p.id for p in result.profiles],
            "profile_titles": [{"id": p.id, "title": p.title.model_dump()} for p in result.profiles],
            "rules_dir": str(rules_dir or default_rules_dir()),
            "inputs": [{"path": str(p), "sha256": result.digests.of(p)} for p in result.inputs if p.is_file()],
            "rules_run": sum(1 for r in result.rules if r.skipped is None),
            "rules_not_run": [{"id": r.rule.id, "title": r.rule.title.model_dump(), "reason": r.skipped,
                               "reason_i18n": skip_reason(r)} for r in result.rules if r.skipped],
            "units_not_judged": [{"unit": u, "name": (units.get(u) or {}).get("name") or u, "reason": why,
                                  "reason_i18n": both_languages(why)} for u, why in sorted(result.not_judged.items())],
            **({"rule_selection": {"rule": list(result.selection.only), "skip_rule": list(result.selection.skip),
                                   "discipline": list(result.selection.disciplines)}} if result.selection else {}),
        },
        "summary": {
            "records": result.records, "rows_read": result.data.rows_read,
            "findings": len(source) - source.lead_count, "counted": counts.counted,
            "leads": source.lead_count, "leads_counted": counts.leads,
            "by_severity": counts.by_severity, "by_discipline": counts.by_discipline, "by_unit": counts.by_unit,
            "input_errors": sum(1 for e in errors if e["level"] == "error"),
            "input_warnings": sum(1 for e in errors if e["level"] == "warning"),
        },
        "units": units,
        "findings": FindingDicts(source, lang, units, profiles),
        "leads": FindingDicts(source, lang, units, profiles, leads=True),
        "by_person": ByPerson(source),
        "obligations": ObligationRows(result),
        "input_errors": errors,
        "coverage_summary": coverage_summary,
        "coverage": coverage_rows,
        "rules": [{"id": r.rule.id, "title": r.rule.title.model_dump(), "severity": r.rule.severity,
                   "discipline": r.rule.discipline,
                   "citation": {"regulation": r.rule.citation.regulation, "article": r.rule.citation.article,
                                "edition": r.rule.citation.edition},
                   "help": (r.rule.help or r.rule.title).model_dump()}
                  for r in result.rules if r.skipped is None],
    }


@dataclass
class _Counts:
    counted: int = 0  # violations not waived
    leads: int = 0  # leads not waived: a lead (线索) is never counted as a violation
    by_severity: dict[str, int] = field(default_factory=dict)
    by_discipline: dict[str, int] = field(default_factory=dict)
    by_unit: dict[str, int] = field(default_factory=dict)


def _counts(source: FindingStore) -> _Counts:
    """The summary's counts of the findings not waived, a unit's summaries at a time: each count in
    C (Counter over a column), keys in the order a finding first brings them (units in report order,
    each unit's findings in order), as counting finding by finding would give them. The heavy set
    has 226k findings: one tuple and three generator steps each took ~0.3 s of the report's time."""
    counts = _Counts()
    severities: Counter[str] = Counter()
    disciplines: Counter[str] = Counter()
    for unit in source.units():
        columns = source.unit_columns(unit)
        if any(columns.leads) or any(columns.waived):
            marks = list(zip(columns.leads, columns.waived, strict=True))
            counted = [not (lead or waived) for lead, waived in marks]
            counts.leads += sum(lead and not waived for lead, waived in marks)
            unit_severities = list(compress(columns.severities, counted))
            unit_disciplines = compress(columns.disciplines, counted)
        else:  # the usual unit: every finding a violation, none waived
            unit_severities, unit_disciplines = columns.severities, columns.disciplines
        if unit_severities:
            counts.counted += len(unit_severities)
            counts.by_unit[unit] = len(unit_severities)
            severities.update(unit_severities)
            disciplines.update(unit_disciplines)
    counts.by_severity, counts.by_discipline = dict(severities), dict(disciplines)
    return counts


def skip_reason(active: ActiveRule) -> dict[str, str]:
    """Why a rule did not run, in both languages."""
    missing = [n for n in active.rule.parameters if n not in active.parameters]
    if missing and active.skipped and active.skipped.startswith("needs"):
        return {"zh": "规则配置未设定参数：" + "、".join(parameter_label(n, "zh") for n in missing),
                "en": active.skipped}
    return {"zh": "本规则配置未启用", "en": active.skipped or ""}


def units_of(result: CheckResult) -> dict[str, dict[str, Any]]:
    """Every unit of the data set by id: its name and parent (renderers show units by name)."""
    return {r.id: {"name": r.record.name, "parent": r.record.parent or None}
            for r in result.data.records if r.type == "unit"}


def exit_code(report: dict[str, Any], fail_on: str, fail_on_leads: bool = False) -> int:
    """2 for bad input or a unit not judged; 1 for a violation at or above `fail_on` (and, only
    when asked, for a lead not waived); else 0. Leads never count as violations."""
    if report["summary"]["input_errors"] or report["meta"].get("units_not_judged"):
        return 2
    if fail_on_leads and report["summary"].get("leads_counted"):
        return 1
    if fail_on == "never":
        return 0
    threshold = SEVERITY_RANK[fail_on]
    by_severity = report["summary"]["by_severity"]  # violations not waived
    return 1 if any(count and SEVERITY_RANK[severity] >= threshold for severity, count in by_severity.items()) else 0


def coverage_section(result: CheckResult) -> tuple[CoverageRows, dict[str, Any]]:
    """Coverage rows (one per rule × unit with records in its scope, one per unit × record type) and
    their summary: records in the period, judged by some rule, by none; not judged, by reason. The
    summary is counted in one pass over the units' coverage; the rows are made again as the report
    is written, never held (a million of them at 10M records)."""
    by_reason: Counter[str] = Counter()
    totals = {"records_in_period": 0, "judged_by_some_rule": 0, "judged_by_no_rule": 0, "for_obligations_only": 0}
    count = 0
    for row in _coverage_rows(result):
        count += 1
        if "rule_id" in row:
            by_reason.update(row["not_judged"])
        elif row["record_type"] not in ("unit", "person", "vehicle"):
            totals["records_in_period"] += row["records"]
            for key in ("judged_by_some_rule", "judged_by_no_rule", "for_obligations_only"):
                totals[key] += row[key]
    summary = {**totals, "not_judged_by_reason": dict(sorted(by_reason.items())),
               "units": len(result.coverage), "period_note": result.period_note}
    return CoverageRows(result, count), summary


class CoverageRows(_Lazy):
    def __init__(self, result: CheckResult, count: int):
        self.result = result
        super().__init__(count)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return _coverage_rows(self.result)


def _coverage_rows(result: CheckResult) -> Iterator[dict[str, Any]]:
    for unit, covered in result.coverage.items():
        for rule_id, row in sorted(covered["rules"].items()):
            yield {"unit": unit, "rule_id": rule_id, **row}
        for record_type, (records, judged, owed) in sorted(covered["records"].items()):
            # records no record rule judged: counted towards obligations (meetings, reports), or by none
            unjudged = records - max(judged, 0)
            yield {"unit": unit, "record_type": record_type, "records": records,
                   "judged_by_some_rule": max(judged, 0),
                   "judged_by_no_rule": 0 if owed else unjudged, "for_obligations_only": unjudged if owed else 0}
