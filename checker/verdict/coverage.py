"""What each rule judged, and what it did not judge and why: nothing is silent.

For each rule and unit: the records the rule speaks about (its record type, passing its `applies`
conditions), how many it judged, and how many it did not judge, by reason:

    outside_period            dated outside the audit period (and not an open carry-over item)
    rule_off                  the rule does not run under this profile (disabled, or a value missing)
    not_binding               the texts in force on the record's date do not bind this unit (or person)
    no_edition                no edition could be confirmed for the record's date (a declared gap)
    not_in_force              no such requirement existed on the record's date
    no_standard               no row of the rule's table fits (no cap for this city, level or rank)
    missing_field             a value the rule needs is missing (the field is named in `details`)
    party_membership_unknown  a text for party members only, and the record names no known person
    not_due                   (obligations) the period is not over, or not yet due, as of the as-of date
    no_data                   (obligations) no record of the data is dated in the default audit period

Obligations are counted in periods owed, not records. Per record type, the records no rule judged
are counted too. Counts only, never a row per record: a coverage row is a rule × unit.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from checker.facts.derive import UnitBatch
from checker.ruleset import conditions as expr
from checker.ruleset.catalogue import ActiveRule
from checker.ruleset.matchers import absence_tested, own_fields, row_values
from checker.ruleset.standards import Resolver

REASONS = ("outside_period", "rule_off", "not_binding", "no_edition", "not_in_force", "no_standard",
           "missing_field", "party_membership_unknown", "not_due", "no_data")
JUDGED_STATES = ("done", "late", "overdue")


@dataclass
class _Rows:
    """A for_each rule's row selectors (the `applies` conditions that read $row.*) under one standard."""
    selectors: list[list[Any]]  # predicates
    fields: list[str]  # the record's fields they read: named in a 'no standard for …' detail


@dataclass
class Plan:
    """What coverage needs of one rule, computed once per run."""
    active: ActiveRule
    record: str | None  # the record type the rule judges (the primary part of a join); None: obligation
    applies: list[Any] = field(default_factory=list)  # predicates of the `applies` conditions without $row
    applies_fields: set[str] = field(default_factory=set)
    rows: dict[int, _Rows] = field(default_factory=dict)  # standard index -> its rows (for_each rules)
    needed: dict[int, list[str]] = field(default_factory=dict)  # standard index -> fields the rule reads
    answers: dict = field(default_factory=dict)  # the resolvers' answers, shared by units alike (Resolver)

    @property
    def rule_id(self) -> str:
        return self.active.rule.id


def plans(rules: list[ActiveRule]) -> list[Plan]:
    return [_plan(active) for active in rules]


def _plan(active: ActiveRule) -> Plan:
    rule = active.rule
    m = rule.match
    if m.obligation:
        return Plan(active, None)
    primary = m.join[-1] if m.join else None
    record = primary.record if primary else m.record
    alias = primary.alias if primary else None
    base_texts = [t for t in m.applies if "$row." not in t]
    row_texts = [t for t in m.applies if "$row." in t]
    plan = Plan(active, record)
    values = active.values
    applies = [expr.bind(expr.parse(t), values) for t in base_texts if _bindable(t, values)]
    plan.applies = [expr.predicate(c) for c in applies]
    plan.applies_fields = own_fields(applies, alias) - absence_tested(applies, alias)
    where = [*m.where, *(c for alternative in m.any for c in alternative), *(primary.where if primary else [])]
    for standard in active.standards:
        rows = row_values(rule, standard.plain_values) if m.for_each else [standard.plain_values]
        conditions = [expr.bind(expr.parse(t), rows[0]) for t in where] if rows else []
        reads = own_fields(conditions, alias) - absence_tested(conditions, alias) - {"t", "id", "rid"}
        plan.needed[standard.index] = sorted(reads - plan.applies_fields)
        if row_texts:
            selectors = [[expr.bind(expr.parse(t), row) for t in row_texts] for row in rows]
            fields = sorted(own_fields([c for s in selectors for c in s], alias))
            plan.rows[standard.index] = _Rows([[expr.predicate(c) for c in s] for s in selectors], fields)
    return plan


def _bindable(text: str, values: dict[str, Any]) -> bool:
    try:
        expr.bind(expr.parse(text), values)
        return True
    except expr.ExprError:
        return False


class UnitCoverage:
    """One unit's coverage: rule id -> counts, record type -> (records, judged by some rule)."""

    def __init__(self) -> None:
        self.rules: dict[str, dict[str, Any]] = {}
        self.records: dict[str, list[int]] = {}

    def row(self, rule_id: str) -> dict[str, Any]:
        found = self.rules.get(rule_id)
        if found is None:
            found = self.rules[rule_id] = {"in_scope": 0, "judged": 0, "not_judged": Counter(),
                                           "details": defaultdict(Counter)}
        return found

    def as_dict(self) -> dict[str, Any]:
        rules = {}
        for rule_id, row in self.rules.items():
            if row["in_scope"]:
                rules[rule_id] = {"in_scope": row["in_scope"], "judged": row["judged"],
                                  "not_judged": dict(row["not_judged"]),
                                  "details": {k: dict(v) for k, v in row["details"].items() if v}}
        return {"rules": rules, "records": dict(self.records)}


def unit_coverage(found: list[Plan], batch: UnitBatch, unit: Any) -> dict[str, Any]:
    """The unit's coverage, from its derived facts, its obligation states and what lay outside."""
    coverage = UnitCoverage()
    by_type: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for fact in batch.facts:
        by_type[fact["t"]].append(fact)
    judged_ids: dict[str, set[str]] = defaultdict(set)
    ruled_types, owed_types = set(), set()
    keys: dict[str, list[tuple[int, Any]]] = {}
    states: dict[str, list[dict[str, Any]]] | None = None
    unjudged: dict[str, list[str]] = {}
    for plan in found:
        if plan.record is None:
            owed_types.add(plan.active.rule.match.obligation.record)
            if states is None:  # a unit's states and periods not judged, by rule: grouped once
                states, unjudged = defaultdict(list), defaultdict(list)
                for state in batch.obligations:
                    states[state["rule"]].append(state)
                for rule, reason in batch.obligations_unjudged:
                    unjudged[rule].append(reason)
            _obligation(plan, states.get(plan.rule_id, []), unjudged.get(plan.rule_id, []), coverage)
            continue
        ruled_types.add(plan.record)
        facts = by_type.get(plan.record, ())
        if plan.record not in keys:  # what a resolver is asked of each record: the same for every rule
            keys[plan.record] = [(f.get("day", 0), f.get("person_party_member", True if "person" not in f else None))
                                 for f in facts]
        _records(plan, facts, keys[plan.record], batch.outside_counts.get(plan.record, 0), unit,
                 coverage, judged_ids[plan.record])
    for record_type, facts in by_type.items():
        if record_type in ("obligation_status", "unit_stats", "pattern"):
            continue
        # [records, judged by a record rule (-1: no record rule reads the type), read by obligations]
        coverage.records[record_type] = [len(facts), len(judged_ids[record_type]) if record_type in ruled_types else -1,
                                         record_type in owed_types]
    return {**coverage.as_dict(), "dated_in_period": batch.dated_in_period}


def _records(plan: Plan, facts: Any, keys: list[tuple[int, Any]], outside: int, unit: Any, coverage: UnitCoverage,
             judged: set[str]) -> None:
    """Each record of the rule's type, through the gates in order: in scope (applies), the standard
    that applies (or why none does), a row of its table, the values it reads. Written as one tight
    loop: it visits every record once per rule of its type (`keys`: each record's (day, party
    membership), as the resolver is asked)."""
    row = coverage.row(plan.rule_id)
    not_judged, details = row["not_judged"], row["details"]
    if outside:
        row["in_scope"] += outside
        not_judged["outside_period"] += outside
    active = plan.active
    applies, applies_fields = plan.applies, plan.applies_fields
    if active.skipped is not None:
        for fact in facts:
            if _in_scope(applies, applies_fields, fact, details) is not False:
                row["in_scope"] += 1
                not_judged["rule_off"] += 1
        return
    resolver = Resolver(active.rule, active.standards, unit, plan.answers)
    on, answers = resolver.on, resolver.answers
    rows_of, needed_of = plan.rows, plan.needed
    in_scope = count = 0
    for fact, key in zip(facts, keys, strict=True):
        if applies_fields and None in map(fact.get, applies_fields):  # a value `applies` reads is missing
            _in_scope(applies, applies_fields, fact, details)  # counted by the fields missing
            in_scope += 1
            not_judged["missing_field"] += 1
            continue
        if applies and not all(test(fact) for test in applies):
            continue
        in_scope += 1
        standard = answers.get(key)
        if standard is None:
            standard = on(*key)
        if standard.__class__ is str:
            not_judged[standard] += 1
            continue
        rows = rows_of.get(standard)
        if rows is not None and not _some_row(rows, fact, details):
            not_judged["no_standard"] += 1
            continue
        needed = needed_of[standard]
        if needed and None in map(fact.get, needed):
            missing = [name for name in needed if fact.get(name) is None]
            not_judged["missing_field"] += 1
            details["missing_field"][", ".join(missing)] += 1
            continue
        count += 1
        judged.add(fact["rid"])
    row["in_scope"] += in_scope
    row["judged"] += count


def _in_scope(applies: list[Any], applies_fields: set[str], fact: dict[str, Any],
              details: dict[str, Counter]) -> bool | None:
    """Whether the rule speaks about the record; None when a field its `applies` reads is missing."""
    missing = [name for name in applies_fields if fact.get(name) is None]
    if missing:
        details["missing_field"][", ".join(sorted(missing))] += 1
        return None
    return all(test(fact) for test in applies)


def _some_row(rows: _Rows, fact: dict[str, Any], details: dict[str, Counter]) -> bool:
    if any(all(test(fact) for test in selector) for selector in rows.selectors):
        return True
    details["no_standard"][", ".join(f"{name}={fact.get(name, '—')}" for name in rows.fields)] += 1
    return False


def _obligation(plan: Plan, states: list[dict[str, Any]], unjudged: list[str], coverage: UnitCoverage) -> None:
    """The rule's obligation states (periods owed) and the reasons periods were not judged."""
    rule_id = plan.rule_id
    if not states and not unjudged:
        return
    row = coverage.row(rule_id)
    row["in_scope"] += len(states) + len(unjudged)
    for state in states:
        if state["state"] in JUDGED_STATES:
            row["judged"] += 1
        else:
            row["not_judged"]["not_due"] += 1
    for reason in unjudged:
        row["not_judged"][reason] += 1
