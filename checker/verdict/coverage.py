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

Records alike in what a rule reads of them before judging go through its gates alike: they are
taken a group at a time, counted by the group's size (checker.verdict.coverage_groups; visiting every
record once per rule of its type cost 5.7 µs a record at 1M). Counts and details come out as record
by record, in the same order (tests/test_coverage_speed.py holds that reading).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from itertools import groupby
from operator import itemgetter
from typing import Any

from checker.facts.derive import UnitBatch
from checker.ruleset import conditions as expr
from checker.ruleset.catalogue import ActiveRule
from checker.ruleset.matchers import absence_tested, own_fields, row_values
from checker.ruleset.schema import Scope
from checker.ruleset.standards import Resolver
from checker.verdict.coverage_groups import OUTCOMES_KEPT, Grouped, Groups, Reads

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
    reads: Reads | None = field(default=None, repr=False, compare=False)  # of the rules of its type (plans())
    scopes: Scopes | None = field(default=None, repr=False, compare=False)  # of all rules (plans())
    scope_ids: tuple[int, ...] = ()  # its standards' scopes in `scopes`

    @property
    def rule_id(self) -> str:
        return self.active.rule.id


def plans(rules: list[ActiveRule]) -> list[Plan]:
    made = [_plan(active) for active in rules]
    scopes = Scopes()
    by_record: dict[str, list[Plan]] = defaultdict(list)
    for plan in made:
        plan.scopes, plan.scope_ids = scopes, tuple(scopes.add(standard.scope) for standard in plan.active.standards)
        if plan.record is not None:
            by_record[plan.record].append(plan)
    for of_type in by_record.values():
        reads = Reads.of(of_type)
        for plan in of_type:
            plan.reads = reads
    return made


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


class Scopes:
    """The distinct scopes of a run's standards: whether each binds a unit is asked once per unit, not
    once per rule (a scope is its fields: equal scopes bind the same units)."""

    def __init__(self) -> None:
        self.scopes: list[Scope] = []
        self._index: dict[str, int] = {}

    def add(self, scope: Scope) -> int:
        index = self._index.get(repr(scope))
        if index is None:
            index = self._index[repr(scope)] = len(self.scopes)
            self.scopes.append(scope)
        return index

    def binding(self, unit: Any) -> list[bool]:
        """Which scopes bind the unit, as Resolver asks (no unit known: none)."""
        return [scope.binds_unit(unit) if unit is not None else False for scope in self.scopes]


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
    by_type: dict[str, list[dict[str, Any]]] = {}
    for record_type, run in groupby(batch.facts, key=itemgetter("t")):  # a unit's facts come by type
        facts = by_type.get(record_type)
        if facts is None:
            by_type[record_type] = list(run)
        else:
            facts.extend(run)
    record_plans: dict[str, list[Plan]] = defaultdict(list)
    position: dict[int, int] = {}  # id(plan) -> its place among the plans of its type
    for plan in found:
        if plan.record is not None:
            of_type = record_plans[plan.record]
            position[id(plan)] = len(of_type)
            of_type.append(plan)
    groups: dict[str, Groups] = {}
    bindings: dict[int, list[bool]] = {}  # id(Scopes) -> which of its scopes bind the unit
    owed_types = set()
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
        outside = batch.outside_counts.get(plan.record, 0)
        if plan.record not in by_type and not outside:
            continue  # no record of the type: the rule's row would be empty (a unit has a few types of many)
        grouped = groups.get(plan.record)
        if grouped is None:
            grouped = groups[plan.record] = Groups(_reads_of(record_plans[plan.record]), by_type.get(plan.record, []))
        at = position[id(plan)]
        outcomes = grouped.reads.outcomes[at].setdefault(_binding(plan, unit, bindings), {})
        _records(plan, grouped.view(at), outcomes, outside, unit, coverage)
    for record_type, facts in by_type.items():
        if record_type in ("obligation_status", "unit_stats", "pattern"):
            continue
        # [records, judged by a record rule (-1: no record rule reads the type), read by obligations]
        coverage.records[record_type] = [len(facts), groups[record_type].judged_records() if record_type in groups else -1,
                                         record_type in owed_types]
    return {**coverage.as_dict(), "dated_in_period": batch.dated_in_period}


def _reads_of(plans: list[Plan]) -> Reads:
    """What the type's rules read: as plans() worked it out, when these are the plans it did it for."""
    reads = plans[0].reads
    return reads if reads is not None and reads.fits(plans) else Reads.of(plans)


def _binding(plan: Plan, unit: Any, bindings: dict[int, list[bool]]) -> tuple[bool, ...]:
    """Which of the rule's standards bind the unit (Resolver.binding)."""
    if plan.active.skipped is not None:
        return ()
    if plan.scopes is None:
        return tuple(standard.scope.binds_unit(unit) if unit is not None else False for standard in plan.active.standards)
    binds = bindings.get(id(plan.scopes))
    if binds is None:
        binds = bindings[id(plan.scopes)] = plan.scopes.binding(unit)
    return tuple(map(binds.__getitem__, plan.scope_ids))


def _records(plan: Plan, groups: Grouped, outcomes: dict[Any, Any], outside: int, unit: Any,
             coverage: UnitCoverage) -> None:
    """The records of the rule's type, a group at a time, counted by the group's size. What a group
    comes to (_outcome) depends only on its key and on which of the rule's standards bind the unit,
    so it is worked out once per run (`outcomes`, shared by the units the standards bind alike)."""
    sample, judged = groups.sample, groups.judged
    resolver: Resolver | None = None
    not_judged: dict[str, int] = {"outside_period": outside} if outside else {}
    details: dict[str, dict[str, int]] = {}
    in_scope = count = 0
    for key, size in groups.sizes.items():
        outcome = outcomes.get(key)
        if outcome is None:
            if resolver is None and plan.active.skipped is None:
                resolver = Resolver(plan.active.rule, plan.active.standards, unit, plan.answers)
            outcome = _outcome(plan, sample[key], resolver)
            if len(outcomes) < OUTCOMES_KEPT:
                outcomes[key] = outcome
        if not outcome:  # outside the rule's scope
            continue
        in_scope += size
        reason, detail = outcome
        if detail is not None:
            kind, text = detail
            counts = details.get(kind)
            if counts is None:
                counts = details[kind] = {}
            counts[text] = counts.get(text, 0) + size
        if reason is None:
            count += size
            judged.add(key)
        else:
            not_judged[reason] = not_judged.get(reason, 0) + size
    if outside or in_scope:
        _add(coverage, plan.rule_id, outside + in_scope, count, not_judged, details)


def _add(coverage: UnitCoverage, rule_id: str, in_scope: int, judged: int, not_judged: dict[str, int],
         details: dict[str, dict[str, int]]) -> None:
    """The rule's row: made here, unless a plan of the same rule made it already (the counts add up)."""
    row = coverage.rules.get(rule_id)
    if row is None:
        coverage.rules[rule_id] = {"in_scope": in_scope, "judged": judged, "not_judged": not_judged, "details": details}
        return
    row["in_scope"] += in_scope
    row["judged"] += judged
    for reason, count in not_judged.items():
        row["not_judged"][reason] = row["not_judged"].get(reason, 0) + count
    for kind, counts in details.items():
        into = row["details"].setdefault(kind, {})
        for text, count in counts.items():
            into[text] = into.get(text, 0) + count


_OUTSIDE_SCOPE = ()  # the rule does not speak about the record (`applies`); a value: outcomes are pickled


def _outcome(plan: Plan, fact: dict[str, Any], resolver: Resolver | None) -> tuple[Any, ...]:
    """What the rule makes of the record, through its gates in order: in scope (applies), the standard
    that applies (or why none does), a row of its table, the values it reads. (None, None): judged;
    else (reason not judged, None or a detail: (what, which)); or _OUTSIDE_SCOPE. No resolver: the
    rule does not run."""
    applies, applies_fields = plan.applies, plan.applies_fields
    missing = sorted(name for name in applies_fields if fact.get(name) is None)
    if resolver is None:  # in scope, not judged
        if missing:
            return "rule_off", ("missing_field", ", ".join(missing))  # detailed by the fields missing
        return ("rule_off", None) if all(test(fact) for test in applies) else _OUTSIDE_SCOPE
    if missing:  # a value `applies` reads is missing
        return "missing_field", ("missing_field", ", ".join(missing))
    if applies and not all(test(fact) for test in applies):
        return _OUTSIDE_SCOPE
    standard = resolver.on(fact.get("day", 0), fact.get("person_party_member", True if "person" not in fact else None))
    if standard.__class__ is str:
        return standard, None
    rows = plan.rows.get(standard)
    if rows is not None and not any(all(test(fact) for test in selector) for selector in rows.selectors):
        return "no_standard", ("no_standard", ", ".join(f"{name}={fact.get(name, '—')}" for name in rows.fields))
    missing = [name for name in plan.needed[standard] if fact.get(name) is None]
    if missing:
        return "missing_field", ("missing_field", ", ".join(missing))
    return None, None


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
