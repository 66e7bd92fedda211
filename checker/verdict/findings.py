"""Stage 5: engine matches become findings — with the records and where they came from, the evidence,
the message in Chinese and English, and the chain of responsible persons."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import string
from dataclasses import dataclass, field
from typing import Any

from checker.data.models import ENUMS
from checker.data.records import DataSet
from checker.data.values import fen_to_yuan, zh_date
from checker.engine.durable import EngineMatch
from checker.facts.derive import UnitBatch
from checker.ruleset import conditions as expr
from checker.ruleset.catalogue import ActiveRule
from checker.text.vocabulary import ESCALATION, ROLE_LABEL, STATE_IN_MESSAGE

ENUM_LABELS = {value: label for values in ENUMS.values() for value, label in values.items()}


@dataclass
class Finding:
    rule: ActiveRule
    unit: str
    period: str
    records: list[dict[str, Any]]
    evidence: dict[str, Any]
    message: dict[str, str]
    responsible: list[dict[str, str]]
    date: str | None = None
    waiver: dict[str, Any] | None = None
    status: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    subject: str = ""  # for an obligation: who owed what (unit, person, table row), as records may be none

    @property
    def fingerprint(self) -> str:
        key = "|".join([self.rule.rule.id, self.unit, self.period, self.subject,
                        *sorted(f"{r['type']}:{r['id']}" for r in self.records)])
        return hashlib.sha256(key.encode("utf-8")).hexdigest()[:20]

    def without_rule(self) -> Finding:
        """For the trip between processes: the rule is known by id on both sides."""
        return dataclasses.replace(self, rule=None)  # type: ignore[arg-type]

    def with_rule(self, rule: ActiveRule, responsible: list[dict[str, str]]) -> Finding:
        return dataclasses.replace(self, rule=rule, responsible=responsible)

    @property
    def severity(self) -> str:
        return self.extra.get("severity", self.rule.rule.severity)

    def as_dict(self, lang: str = "zh") -> dict[str, Any]:
        rule = self.rule.rule
        citation = rule.citation
        return {
            "fingerprint": self.fingerprint, "rule_id": rule.id,
            "title": getattr(rule.title, lang), "title_i18n": rule.title.model_dump(),
            "severity": self.severity, "kind": rule.status, "discipline": rule.discipline,
            "ccdi_category": rule.ccdi_category,
            "citation": {"regulation": citation.regulation, "article": citation.article,
                         "edition": citation.edition,
                         "valid_from": citation.valid_from.isoformat() if citation.valid_from else None,
                         "valid_to": citation.valid_to.isoformat() if citation.valid_to else None,
                         "confidence": citation.confidence, "source": citation.source},
            "unit": self.unit, "period": self.period, "date": self.date, "records": self.records,
            "evidence": self.evidence, "message": self.message[lang], "message_i18n": self.message,
            "responsible": self.responsible,
            "waiver": self.waiver, "status": self.status,
        }


class _Formatter(string.Formatter):
    """`{cost:yuan}` shows fen as yuan; `{day:date}` shows a day number as a date."""

    def __init__(self, lang: str):
        self.lang = lang

    def format_field(self, value: Any, format_spec: str) -> str:
        if value is None or value is expr.MISSING:
            return "—"
        if format_spec == "yuan" and isinstance(value, int | float):
            return fen_to_yuan(int(value)) + ("元" if self.lang == "zh" else " yuan")
        if format_spec == "label":
            return ENUM_LABELS.get(str(value), str(value)) if self.lang == "zh" else str(value)
        if format_spec == "date" and isinstance(value, int):
            day = dt.date.fromordinal(value)
            return zh_date(day) if self.lang == "zh" else day.isoformat()
        return super().format_field(value, format_spec)

    def get_value(self, key: Any, args: Any, kwargs: Any) -> Any:
        return kwargs.get(key, "—") if isinstance(key, str) else super().get_value(key, args, kwargs)


def render_message(template: str, values: dict[str, Any], lang: str) -> str:
    try:
        return _Formatter(lang).vformat(template, (), values)
    except (ValueError, AttributeError, IndexError, KeyError) as exc:
        return f"{template} [message template error: {exc}]"


class Responsibility:
    """Who answers for a unit: its secretary (第一责任人), the leaders whose `supervises` covers it
    (分管领导, 一岗双责) and the discipline officers of the unit or, failing those, of the nearest
    parent (监督责任). Indexed once per run."""

    def __init__(self, data: DataSet):
        self.units = {r.id: r.record for r in data.records if r.type == "unit"}
        self.secretaries: dict[str, list[Any]] = {}
        self.officers: dict[str, list[Any]] = {}
        self.supervisors: dict[str, list[Any]] = {}
        for loaded in data.records:
            if loaded.type != "person":
                continue
            person = loaded.record
            if "secretary" in person.roles:
                self.secretaries.setdefault(person.unit, []).append(person)
            if "discipline" in person.roles:
                self.officers.setdefault(person.unit, []).append(person)
            for unit in person.supervises:
                self.supervisors.setdefault(unit, []).append(person)
        self._chains: dict[str, list[dict[str, str]]] = {}

    def chain(self, unit_id: str) -> list[dict[str, str]]:
        if unit_id not in self._chains:
            self._chains[unit_id] = self._build(unit_id)
        return self._chains[unit_id]

    def _build(self, unit_id: str) -> list[dict[str, str]]:
        chain: list[dict[str, str]] = []
        unit, officers = self.units.get(unit_id), []
        while unit is not None and not officers:
            officers = self.officers.get(unit.id, [])
            unit = self.units.get(unit.parent or "")
        for role, persons in (("first_responsible", self.secretaries.get(unit_id, [])),
                              ("supervising_leader", self.supervisors.get(unit_id, [])),
                              ("discipline_officer", officers)):
            for person in persons:
                if all(not (c["person"] == person.id and c["role"] == role) for c in chain):
                    chain.append({"person": person.id, "name": person.name, "role": role,
                                  "role_label": ROLE_LABEL["zh"][role]})
        return chain


def _primary(bound: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The record a finding is about: the single record, or the last part of a join."""
    return bound[sorted(bound)[-1]] if "m" not in bound else bound["m"]


def build_unit(unit_matches: list[EngineMatch], batch: UnitBatch, by_id: dict[str, ActiveRule]) -> list[Finding]:
    """One unit's matches as findings (without the responsibility chain, which needs every unit)."""
    unit = batch.unit
    findings: dict[str, Finding] = {}
    facts = {(f["t"], f["rid"]): f for f in batch.facts}
    obligations = {o["rid"]: o for o in batch.obligations}
    by_record_id = {rid: loaded for (_, rid), loaded in batch.origin.items()}
    # Each finding's evidence lists the rule's parameters; one dict per rule, shared, not one per finding.
    shared: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {}
    for match in unit_matches:
        active = by_id[match.rule_id]
        if match.rule_id not in shared:
            shared[match.rule_id] = (active.values, {n: p.as_dict() for n, p in active.parameters.items()})
        rule_values, parameters = shared[match.rule_id]
        bound = {alias: facts[(t, rid)] for alias, t, rid in match.records}
        primary = _primary(bound)
        records = []
        for alias, t, rid in match.records:
            origin = batch.origin.get((t, rid))
            if origin is not None:
                records.append({"type": t, "id": rid, "source": origin.location, "as": alias})
            elif t == "unit_stats":
                for rid_ in facts[(t, rid)]["records"]:
                    found = by_record_id.get(rid_)
                    if found is not None:
                        records.append({"type": found.type, "id": found.id, "source": found.location,
                                        "as": "december"})
            elif t == "obligation_status":
                for satisfied in obligations[rid]["satisfied_by"]:
                    found = by_record_id.get(satisfied)
                    if found is not None:
                        records.append({"type": found.type, "id": found.id, "source": found.location,
                                        "as": "late"})
        for t, rid in primary.get("related", ()):  # records a derived fact is about (facts/context.py)
            origin = batch.origin.get((t, rid))
            if origin is not None:
                records.append({"type": t, "id": rid, "source": origin.location, "as": "related"})
        values = {**primary, **rule_values, "state_zh": STATE_IN_MESSAGE.get(primary.get("state"), "")}
        for alias, fact in bound.items():
            values.update({f"{alias}_{k}": v for k, v in fact.items()})
        evidence = {}
        for name, text in active.rule.evidence.items():
            node = expr.bind(expr.parse(text).left, rule_values)
            value = expr.value_of(node, primary, bound)
            evidence[name] = None if value is expr.MISSING else value
            values[name] = evidence[name]
        evidence["parameters"] = parameters
        message = {lang: render_message(getattr(active.rule.message, lang), values, lang) for lang in ("zh", "en")}
        period = primary.get("period") if primary["t"] == "obligation_status" else primary.get("month", "")
        day = primary.get("day") or primary.get("period_end")
        finding = Finding(active, unit, period or "", records, evidence, message, [],
                          date=dt.date.fromordinal(day).isoformat() if day else None,
                          subject=primary["rid"] if primary["t"] == "obligation_status" else "")
        findings.setdefault(finding.fingerprint, finding)
    return list(findings.values())


def finish(found: list[Finding]) -> list[Finding]:
    """All units' findings in report order, one per fingerprint, repeats escalated."""
    unique: dict[str, Finding] = {}
    for finding in found:
        unique.setdefault(finding.fingerprint, finding)
    ordered = sorted(unique.values(), key=lambda f: (f.unit, f.rule.rule.id, f.date or "", f.fingerprint))
    escalate_repeats(ordered)
    return ordered


REPEAT_WINDOW_DAYS = 365


def escalate_repeats(ordered: list[Finding]) -> None:
    """A unit breaking the same rule again within 12 months: the later finding is one severity higher
    (失责必问: repeated violations show the main responsibility is not carried out)."""
    previous: dict[tuple[str, str], Finding] = {}
    for finding in ordered:
        key = (finding.unit, finding.rule.rule.id)
        earlier = previous.get(key)
        if earlier and earlier.date and finding.date and finding.rule.rule.match.obligation is None:
            gap = (dt.date.fromisoformat(finding.date) - dt.date.fromisoformat(earlier.date)).days
            if gap <= REPEAT_WINDOW_DAYS:
                finding.extra["severity"] = ESCALATION[finding.rule.rule.severity]
                finding.evidence["repeat_of"] = earlier.fingerprint
                finding.evidence["repeat_days"] = gap
        previous[key] = finding
