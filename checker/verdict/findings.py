"""Stage 5: engine matches become findings — with the records and where they came from, the evidence,
the message in Chinese and English, and the chain of responsible persons."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from checker.engine.durable import EngineMatch
from checker.facts.derive import UnitBatch
from checker.facts.periods import iso_day
from checker.ruleset.catalogue import ActiveRule
from checker.ruleset.standards import Resolver, shared_answers
from checker.text.vocabulary import ESCALATION
from checker.verdict.evidence import matched_row
from checker.verdict.messages import Names
from checker.verdict.rule_plan import citation_of, plan_of


def fingerprint_of(rule_id: str, unit: str, period: str, subject: str, records: list[dict[str, Any]]) -> str:
    """Stable across runs for the same rule, unit, period, subject and records."""
    if len(records) == 1:  # most findings: the key below without a list to sort and join
        return one_record_fingerprint(rule_id, unit, period, subject, records[0]["type"], records[0]["id"])
    if not records:
        return no_record_fingerprint(rule_id, unit, period, subject)
    named = sorted(f"{r['type']}:{r['id']}" for r in records)
    return _sha256("|".join([rule_id, unit, period, subject, *named]).encode("utf-8")).hexdigest()[:20]


def one_record_fingerprint(rule_id: str, unit: str, period: str, subject: str, record_type: str, rid: str) -> str:
    """`fingerprint_of` a finding of one record (build_unit calls it without making the record's dict first)."""
    return _sha256(f"{rule_id}|{unit}|{period}|{subject}|{record_type}:{rid}".encode()).hexdigest()[:20]


def no_record_fingerprint(rule_id: str, unit: str, period: str, subject: str) -> str:
    """`fingerprint_of` a finding of no record (an obligation no record met)."""
    return _sha256(f"{rule_id}|{unit}|{period}|{subject}".encode()).hexdigest()[:20]


_sha256 = hashlib.sha256


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
    standard: int | None = None  # the edition (or local text) in force on the record's date that judged it
    lead: str | None = None  # why this is a lead (线索) and not a violation; None for a violation
    also: list[str] = field(default_factory=list)  # rules this act also breaks, merged into this finding

    key: str = ""  # the fingerprint, computed once (it names the rule, so it survives the rule's trip)

    def __post_init__(self) -> None:
        if not self.key:
            self.key = fingerprint_of(self.rule.rule.id, self.unit, self.period, self.subject, self.records)

    @property
    def fingerprint(self) -> str:
        return self.key

    def with_rule(self, rule: ActiveRule, responsible: list[dict[str, str]]) -> Finding:
        """Completed in place with its rule and its unit's responsibility chain."""
        self.rule, self.responsible = rule, responsible
        return self

    @property
    def severity(self) -> str:
        return self.extra.get("severity", self.rule.rule.severity)

    @property
    def citation(self) -> dict[str, Any]:
        """The edition (or local text) that judged the record: the one in force on its date."""
        return citation_of(self.rule, self.standard)

    def as_dict(self, lang: str = "zh") -> dict[str, Any]:
        rule_id, title, title_i18n, severity, discipline, category, citation = _rule_words(self.rule, self.standard, lang)
        extra = self.extra
        return {
            "fingerprint": self.key, "rule_id": rule_id, "title": title, "title_i18n": title_i18n,
            "severity": extra.get("severity", severity), "discipline": discipline, "ccdi_category": category,
            "citation": citation,
            "unit": self.unit, "period": self.period, "date": self.date, "records": self.records,
            "evidence": self.evidence, "evidence_view": extra.get("evidence_view"),
            "amount_fen": extra.get("amount_fen"),
            "message": self.message[lang], "message_i18n": self.message,
            "responsible": self.responsible,
            "waiver": self.waiver, "status": self.status,
            "lead": self.lead is not None, "lead_reason": self.lead, "also_breaks": list(self.also),
        }


_RULE_WORDS: dict[tuple[int, int | None, str], tuple[Any, tuple[Any, ...]]] = {}


def _rule_words(active: ActiveRule, standard: int | None, lang: str) -> tuple[Any, ...]:
    """What a finding's report entry takes from its rule and standard — id, title (in `lang` and in
    both), severity before any escalation, discipline, category, citation — made once per rule,
    standard and language (shared by its findings: read, don't change)."""
    key = (id(active), standard, lang)
    cached = _RULE_WORDS.get(key)
    if cached is None or cached[0] is not active:  # an id is reused once its rule is freed
        rule = active.rule
        cached = _RULE_WORDS[key] = (active, (rule.id, getattr(rule.title, lang), _title_i18n(rule), rule.severity,
                                              rule.discipline, rule.ccdi_category, citation_of(active, standard)))
    return cached[1]


_TITLES: dict[int, tuple[Any, dict[str, str]]] = {}


def _title_i18n(rule: Any) -> dict[str, str]:
    """The rule's title in both languages, made once per rule (shared by its findings: read, don't change)."""
    cached = _TITLES.get(id(rule))
    if cached is None or cached[0] is not rule:  # an id is reused once its rule is freed
        cached = _TITLES[id(rule)] = (rule, rule.title.model_dump())
    return cached[1]


def _primary(bound: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The record a finding is about: the single record, or the last part of a join."""
    return bound[sorted(bound)[-1]] if "m" not in bound else bound["m"]


def build_unit(unit_matches: list[EngineMatch], batch: UnitBatch, by_id: dict[str, ActiveRule],
               unit: Any = None) -> list[Finding]:
    """One unit's matches as findings (without the responsibility chain, which needs every unit).
    A match counts only if its standard is the one that applies to the record: in force on its date
    and binding the unit (`unit`, its registry record) — a local text wins where it binds.
    This is the loop over every match (hundreds of thousands a heavy run): what the findings of a rule,
    standard and record types share is made once per such shape (`_shape`), and a finding's single
    record, its fingerprint and its Finding (positionally: keywords cost more) are made here. It stays
    one function of ~90 lines on purpose: its steps share a dozen locals per match, and a helper for
    each would be a call with them all per match, paid by every finding of a heavy run."""
    if not unit_matches:
        return []
    unit_id = batch.unit
    # the matched facts by type and id: a unit holds many more facts than matches, and a test of the
    # id costs less than a key made for every fact
    matched = {rid for match in unit_matches for _, _, rid in match.records}
    facts = {(f["t"], f["rid"]): f for f in batch.facts if f["rid"] in matched}
    names = Names.of_batch(batch.origin)
    unit_name = names.unit(unit_id)
    origin = batch.loaded
    sources = _Sources(batch)
    resolvers: dict[str, Any] = {}  # each rule's Resolver.on for the unit
    found: dict[str, Finding] = {}
    shapes: dict[tuple[Any, ...], tuple[Any, ...]] = {}  # by rule, standard and the match's record types
    for match in unit_matches:
        rule_id, records = match.rule_id, match.records
        active = by_id[rule_id]
        if len(records) == 1:  # most matches: one record, the primary
            alias, record_type, rid = records[0]
            primary = facts[(record_type, rid)]
            bound = {alias: primary}
        else:
            bound = {alias: facts[(t, rid)] for alias, t, rid in records}
            primary = _primary(bound)
        # the standard the match counts under — the one that applies to the record, if the matching
        # alternative carries its values; none when none applies or another does
        if match.standards is None:  # an obligation: its state was judged under the standard it names
            standard = primary.get("standard")
        else:
            on = resolvers.get(rule_id)
            if on is None:
                on = resolvers[rule_id] = Resolver(active.rule, active.standards, unit, shared_answers(active)).on
            standard = on(primary.get("day", 0), primary.get("person_party_member", True if "person" not in primary
                                                               else None))
            if standard.__class__ is not int or standard not in match.standards:
                continue
        if standard is None:
            continue
        shape = (rule_id, standard, alias, record_type) if len(records) == 1 else \
            (rule_id, standard, tuple((alias, t) for alias, t, _ in records))
        shared = shapes.get(shape)
        if shared is None:
            shared = shapes[shape] = _shape(active, standard, primary, records)
        plan, statement, evidence_of, parameters, lead, obligation, records_of = shared
        if obligation:
            period, subject = primary.get("period") or "", primary["rid"]
        else:
            period, subject = primary.get("month", "") or "", ""
        # most findings: the matched record alone, or an obligation met by none; made here, with
        # their fingerprints (`fingerprint_of` for one record or none)
        loaded = origin((record_type, rid)) if records_of is _ONE_RECORD else None
        if loaded is not None:
            made = [{"type": record_type, "id": rid, "source": loaded.location, "as": alias}]
            key = one_record_fingerprint(rule_id, unit_id, period, subject, record_type, rid)
        elif records_of is _UNMET and not sources.states[rid]["satisfied_by"]:
            made = []
            key = no_record_fingerprint(rule_id, unit_id, period, subject)
        else:
            made = _finding_records(match, batch, facts, sources.states, sources.by_record_id,
                                    primary if plan.reads_related else {})
            key = fingerprint_of(rule_id, unit_id, period, subject, made)
        if key in found:
            continue  # the first finding of a fingerprint stands
        row = matched_row(active, primary, plan.values) if plan.for_each else _NO_ROW
        if evidence_of is None:  # a rule without evidence values (an obligation's): as its function would give
            evidence, view, amount = {}, NO_EVIDENCE_VIEW, None
        else:
            evidence, view, amount = evidence_of(primary, bound, names)
        zh, en = statement(primary, bound, evidence, row, primary.get("state"), unit_name, names)
        evidence["parameters"] = parameters
        extra = {"evidence_view": view}
        if row:
            extra["matched_row"] = row
        if amount is not None:
            extra["amount_fen"] = amount
        day = primary.get("day") or primary.get("period_end")
        found[key] = Finding(active, unit_id, period, made, evidence, {"zh": zh, "en": en}, [],
                             iso_day(day) if day else None, None, None, extra, subject, standard, lead, [], key)
    built = list(found.values())
    # (a shape's rule is a found finding's: most units' rules specialise none, so nothing is folded;
    # findings stage h20 382.4M → 377.8M instructions)
    return merge_superseded(built) if any(by_id[shape[0]].rule.supersedes for shape in shapes) else built


_NO_ROW: dict[str, Any] = {}  # the matched row of a rule not repeated over a table (read only)
# The evidence view of a finding of a rule without evidence values (an obligation's), shared by them
# all (read only): the report lines encode what follows from it once (report_lines.LineEncoder).
NO_EVIDENCE_VIEW: dict[str, list[Any]] = {"zh": [], "en": []}


def _shape(active: ActiveRule, standard: int, primary: dict[str, Any],
           records: tuple[tuple[str, str, str], ...]) -> tuple[Any, ...]:
    """What every finding of a rule under a standard, for one shape of match (its aliases and their
    types), shares: the rule's plan, its message compiled for these types, its evidence function (None
    for a rule without evidence values: build_unit makes what it would give without the call), the
    parameters its evidence lists, why it is a lead, whether it is an obligation's, and how its
    records may be found (`_ONE_RECORD`, `_UNMET` or, for any other, `_finding_records`)."""
    plan = plan_of(active, standard)
    primary_type = primary.get("t", "")
    obligation = primary_type == "obligation_status"
    alone = len(records) == 1 and not plan.reads_related
    return (plan, plan.statement(primary_type, tuple((a, t) for a, t, _ in records)),
            plan.evidence if plan.evidence_steps else None, plan.parameters,
            plan.lead, obligation, (_UNMET if obligation else _ONE_RECORD) if alone else None)


# How a finding's records may be found without `_finding_records`: the matched record itself, when it
# is a loaded record (not a derived fact); an obligation's state, when no record met the obligation.
_ONE_RECORD, _UNMET = "one record", "unmet"


class _Sources:
    """A unit's obligation states (`states`, by id) and the key in `origin` of each record id
    (`by_record_id`: its record read by `UnitBatch.loaded`), each made when a finding's records first
    need it (a finding of one loaded record needs neither), then read as a plain attribute (a
    `cached_property` is kept in the instance: an obligation's finding reads `states` without a call;
    with `escalate_repeats` passing obligations first, findings stage h20 390.1M → 382.4M instructions)."""

    def __init__(self, batch: UnitBatch):
        self.batch = batch

    @cached_property
    def states(self) -> dict[str, dict[str, Any]]:
        return {o["rid"]: o for o in self.batch.obligations}

    @cached_property
    def by_record_id(self) -> dict[str, tuple[str, str]]:
        return {key[1]: key for key in self.batch.origin}


def _finding_records(match: EngineMatch, batch: UnitBatch, facts: dict, obligations: dict,
                     by_record_id: dict, primary: dict[str, Any]) -> list[dict[str, Any]]:
    records = []
    for alias, t, rid in match.records:
        origin = batch.loaded((t, rid))
        if origin is not None:
            records.append({"type": t, "id": rid, "source": origin.location, "as": alias})
        elif t in DERIVED_WITH_RECORDS:
            for rid_ in facts[(t, rid)]["records"]:
                found = batch.loaded(by_record_id.get(rid_))
                if found is not None:
                    records.append({"type": found.type, "id": found.id, "source": found.location,
                                    "as": DERIVED_WITH_RECORDS[t]})
        elif t == "obligation_status":
            for satisfied in obligations[rid]["satisfied_by"]:
                found = batch.loaded(by_record_id.get(satisfied))
                if found is not None:
                    records.append({"type": found.type, "id": found.id, "source": found.location,
                                    "as": "late"})
    for t, rid in primary.get("related", ()):  # the other record a derived fact is about (facts/context.py)
        origin = batch.loaded((t, rid))
        if origin is not None:
            records.append({"type": t, "id": rid, "source": origin.location, "as": "related"})
    return records


# Derived facts that stand for several records: their type, and the role those records play.
DERIVED_WITH_RECORDS = {"unit_stats": "december", "pattern": "pattern"}


def merge_superseded(found: list[Finding]) -> list[Finding]:
    """One act, one finding: where a rule that specialises another (`supersedes`, transitively) fires on
    the same records, the general rule's finding is folded into it (listed under `also_breaks`)."""
    rules = {f.rule.rule.id: f.rule.rule for f in found}
    if not any(rule.supersedes for rule in rules.values()):
        return found  # the usual unit: nothing to fold

    def closure(rule_id: str, seen: frozenset[str] = frozenset()) -> set[str]:
        rule = rules.get(rule_id)
        direct = set(rule.supersedes) if rule else set()
        return direct.union(*(closure(r, seen | {rule_id}) for r in direct if r not in seen))

    below = {rule_id: closure(rule_id) for rule_id in rules}
    records_of = {id(f): {(r["type"], r["id"]) for r in f.records} for f in found}
    # findings by record, so each finding is compared only with those sharing a record (linear, not n²)
    sharing: dict[tuple[str, str], list[Finding]] = {}
    for finding in found:
        for record in records_of[id(finding)]:
            sharing.setdefault(record, []).append(finding)
    position = {id(f): index for index, f in enumerate(found)}
    dropped: set[int] = set()
    # the most specific first: it takes every general finding on its records, and theirs
    for finding in sorted(found, key=lambda f: -len(below[f.rule.rule.id])):
        if id(finding) in dropped or not below[finding.rule.rule.id]:
            continue
        candidates = {id(o): o for record in records_of[id(finding)] for o in sharing[record]}
        for other in sorted(candidates.values(), key=lambda o: position[id(o)]):
            if (other.rule.rule.id in below[finding.rule.rule.id] and id(other) not in dropped
                    and other.unit == finding.unit and records_of[id(other)]
                    and records_of[id(other)] <= records_of[id(finding)]):
                dropped.add(id(other))
                finding.also.append(other.rule.rule.id)
    return [f for f in found if id(f) not in dropped]


def finish(found: list[Finding]) -> list[Finding]:
    """All units' findings in report order, one per fingerprint, repeats escalated."""
    # the first finding of each fingerprint (the last one written, going backwards): the order they
    # are in before sorting is no matter, as no two of them sort alike (the key ends with the fingerprint)
    unique = {finding.key: finding for finding in reversed(found)}
    ordered = sorted(unique.values(), key=_report_order)
    escalate_repeats(ordered)
    return ordered


def _report_order(finding: Finding) -> tuple[str, str, str, str]:
    return finding.unit, finding.rule.rule.id, finding.date or "", finding.key


REPEAT_WINDOW_DAYS = 365


def escalate_repeats(ordered: list[Finding]) -> None:
    """A unit breaking the same rule again within 12 months: the later finding is one severity higher
    (失责必问: repeated violations show the main responsibility is not carried out)."""
    previous: dict[tuple[str, str], Finding] = {}
    days = _DAY_NUMBERS  # a day seen before without a call (`_day_number`)
    for finding in ordered:
        if finding.lead is not None:
            continue  # a lead is not a violation, so it neither repeats one nor is escalated
        rule = finding.rule.rule
        if rule.match.obligation is not None:
            continue  # an obligation owed again is the next period's, not a repeat (most of a heavy run's)
        key = (finding.unit, rule.id)
        earlier = previous.get(key)
        previous[key] = finding
        if earlier is None:
            continue
        date, before = finding.date, earlier.date
        if date and before:
            gap = (days.get(date) or _day_number(date)) - (days.get(before) or _day_number(before))
            if gap <= REPEAT_WINDOW_DAYS:
                finding.extra["severity"] = ESCALATION[rule.severity]
                finding.evidence["repeat_of"] = earlier.key
                finding.evidence["repeat_days"] = gap


_DAY_NUMBERS: dict[str, int] = {}


def _day_number(iso: str) -> int:
    """An ISO date as its day number, each made once (every finding of a repeated rule asks for two;
    a run's findings fall on a few thousand days)."""
    found = _DAY_NUMBERS.get(iso)
    if found is None:
        found = _DAY_NUMBERS[iso] = dt.date.fromisoformat(iso).toordinal()
    return found
