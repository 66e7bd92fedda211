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
record once per rule of its type cost 5.7 µs a record at 1M). What each rule makes of each group
depends only on the groups' keys and on which standards bind the unit: units alike in both (most,
for the types whose records are all alike) share it, worked out once per process (Reads.judged).
Counts and details come out as record by record, in the same order (tests/test_coverage_speed.py
holds that reading).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import groupby, repeat
from operator import is_, itemgetter
from typing import Any

from checker.facts.derive import UnitBatch
from checker.ruleset import conditions as expr
from checker.ruleset.catalogue import ActiveRule
from checker.ruleset.matchers import absence_tested, own_fields, row_values
from checker.ruleset.standards import Resolver
from checker.verdict.coverage_groups import OUTCOMES_KEPT, UNITS_KEPT, Groups, Reads
from checker.verdict.coverage_scopes import Scopes

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
    rule_id: str = field(init=False, repr=False, compare=False)  # read per plan and unit: an attribute

    def __post_init__(self) -> None:
        self.rule_id = self.active.rule.id


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


class UnitCoverage:
    """One unit's coverage: rule id -> counts (rows made only for a rule with records or periods in its
    scope), record type -> (records, judged by some rule, read by obligations)."""

    def __init__(self) -> None:
        self.rules: dict[str, dict[str, Any]] = {}
        self.records: dict[str, list[Any]] = {}

    def add(self, rule_id: str, in_scope: int, judged: int, not_judged: dict[str, int],
            details: dict[str, dict[str, int]]) -> None:
        """The rule's row: made here, unless a plan of the same rule made it already (the counts add up)."""
        row = self.rules.get(rule_id)
        if row is None:
            self.rules[rule_id] = {"in_scope": in_scope, "judged": judged, "not_judged": not_judged, "details": details}
            return
        row["in_scope"] += in_scope
        row["judged"] += judged
        for reason, count in not_judged.items():
            row["not_judged"][reason] = row["not_judged"].get(reason, 0) + count
        for kind, counts in details.items():
            into = row["details"].setdefault(kind, {})
            for text, count in counts.items():
                into[text] = into.get(text, 0) + count

    def as_dict(self) -> dict[str, Any]:
        return {"rules": self.rules, "records": self.records}


@dataclass
class _Layout:
    """Where each plan of a run's list sits: the same for every unit, so worked out once per list."""
    plans: list[Plan]
    reads: dict[str, Reads]  # record type -> what its rules (of the list, in order) read
    position: list[int]  # per plan of the list: its place among the plans of its type (-1: obligation)


_layouts: list[_Layout] = []  # the last list's (units are judged with the one list of the run)


def _layout(found: list[Plan]) -> _Layout:
    last = _layouts[0] if _layouts else None
    if last is not None and len(last.plans) == len(found) and all(map(is_, last.plans, found)):
        return last
    record_plans: dict[str, list[Plan]] = defaultdict(list)
    position = []
    for plan in found:
        if plan.record is None:
            position.append(-1)
            continue
        of_type = record_plans[plan.record]
        position.append(len(of_type))
        of_type.append(plan)
    layout = _Layout(list(found), {t: _reads_of(of_type) for t, of_type in record_plans.items()}, position)
    _layouts[:] = [layout]
    return layout


def unit_coverage(found: list[Plan], batch: UnitBatch, unit: Any) -> dict[str, Any]:
    """The unit's coverage, from its derived facts, its obligation states and what lay outside."""
    coverage = UnitCoverage()
    by_type = _by_type(batch)
    layout = _layout(found)
    judged_types: dict[str, tuple[Groups, list[list[Any]], tuple[bool, ...]]] = {}
    bindings: dict[int, tuple[bool, ...]] = {}  # id(Scopes) -> which of its scopes bind the unit
    owed_types = set()
    obligations: dict[str, tuple[int, int, dict[str, int]]] | None = None
    for plan, at in zip(found, layout.position, strict=True):
        if at < 0:
            owed_types.add(plan.active.rule.match.obligation.record)
            if obligations is None:  # a unit's states and periods not judged, by rule: counted once
                obligations = _obligations(batch)
            counted = obligations.get(plan.rule_id)
            if counted is not None:
                coverage.add(plan.rule_id, counted[0], counted[1], dict(counted[2]), {})
            continue
        outside = batch.outside_counts.get(plan.record, 0)
        if plan.record not in by_type and not outside:
            continue  # no record of the type: the rule's row would be empty (a unit has a few types of many)
        judged = judged_types.get(plan.record)
        if judged is None:
            judged = judged_types[plan.record] = _judge_type(layout.reads[plan.record], by_type.get(plan.record, []),
                                                             unit, bindings)
        _records(plan.rule_id, judged[1][at], judged[0].sizes.values(), outside, coverage)
    for record_type, facts in by_type.items():
        if record_type in ("obligation_status", "unit_stats", "pattern"):
            continue
        # [records, judged by a record rule (-1: no record rule reads the type), read by obligations]
        judged = judged_types.get(record_type)
        coverage.records[record_type] = [len(facts), judged[0].judged_records(judged[2]) if judged else -1,
                                         record_type in owed_types]
    return {**coverage.as_dict(), "dated_in_period": batch.dated_in_period}


def _by_type(batch: UnitBatch) -> dict[str, list[dict[str, Any]]]:
    """The unit's facts by record type, each in input order, the types in the order their first fact
    comes. The facts derive made are by type already (UnitBatch.kinds: read, never changed); only the
    facts added after them (obligation states, at the end) are gone through. A batch made otherwise
    (tests) is gone through whole."""
    taken = batch.kinds_of
    if 0 <= taken <= len(batch.facts):
        by_type = {record_type: facts for record_type, facts in batch.kinds.items() if facts}
        added = batch.facts[taken:]
    else:
        by_type, added = {}, batch.facts
    for record_type, run in groupby(added, key=itemgetter("t")):  # facts come by type
        facts, taking = by_type.get(record_type), list(run)
        by_type[record_type] = taking if facts is None else facts + taking
    return by_type


def _reads_of(plans: list[Plan]) -> Reads:
    """What the type's rules read: as plans() worked it out, when these are the plans it did it for."""
    reads = plans[0].reads
    return reads if reads is not None and reads.fits(plans) else Reads.of(plans)


def _binding(plan: Plan, unit: Any, bindings: dict[int, tuple[bool, ...]]) -> tuple[bool, ...]:
    """Which of the rule's standards bind the unit (Resolver.binding)."""
    if plan.active.skipped is not None:
        return ()
    if plan.scopes is None:
        return tuple(standard.scope.binds_unit(unit) if unit is not None else False for standard in plan.active.standards)
    binds = bindings.get(id(plan.scopes))
    if binds is None:
        binds = bindings[id(plan.scopes)] = tuple(plan.scopes.binding(unit))
    return tuple(map(binds.__getitem__, plan.scope_ids))


def _judge_type(reads: Reads, facts: list[dict[str, Any]], unit: Any,
                bindings: dict[int, tuple[bool, ...]]) -> tuple[Groups, list[list[Any]], tuple[bool, ...]]:
    """The unit's records of one type, grouped; per rule of the type, what it makes of each group
    (_outcome), in the groups' order; which groups some rule judged. What a group comes to depends
    only on its key and on which of the rules' standards bind the unit, so units alike in both share
    it all (reads.judged), and each rule's outcome is shared by the groups alike in what it reads."""
    groups = Groups(reads, facts)
    keys = tuple(groups.sizes)
    scopes = reads.plans[0].scopes
    if scopes is not None and all(plan.scopes is scopes for plan in reads.plans):
        # which of all the run's scopes bind the unit: one tuple for every type (the rules' own follow from it)
        binding: tuple[Any, ...] | None = bindings.get(id(scopes))
        if binding is None:
            binding = bindings[id(scopes)] = tuple(scopes.binding(unit))
    else:
        binding = tuple(_binding(plan, unit, bindings) for plan in reads.plans)
    found = reads.judged.get((binding, keys))
    if found is None:
        outcomes = [_outcomes(plan, reads, at, groups, _binding(plan, unit, bindings), unit)
                    for at, plan in enumerate(reads.plans)]
        # a group is judged if some rule judged it: its outcome (None, None), the one with no reason
        judged = tuple(map(tuple.__contains__, zip(*outcomes, strict=True), repeat(_JUDGED)))
        found = outcomes, judged or (False,) * len(keys)
        if len(reads.judged) < UNITS_KEPT:
            reads.judged[binding, keys] = found
    return groups, *found


def _outcomes(plan: Plan, reads: Reads, at: int, groups: Groups, binding: tuple[bool, ...], unit: Any) -> list[Any]:
    """What the rule (the type's plan at `at`) makes of each group: the groups it tells apart (the
    columns of the key it reads) come to the same."""
    outcomes = reads.outcomes[at].setdefault(binding, {})
    columns = reads.views[at]
    keys = list(groups.sizes)
    read = keys if columns is None else map(itemgetter(*columns), keys) if columns else repeat((), len(keys))
    resolver: Resolver | None = None
    found = []
    for key, read_key in zip(keys, read, strict=True):
        outcome = outcomes.get(read_key)
        if outcome is None:
            if resolver is None and plan.active.skipped is None:
                resolver = Resolver(plan.active.rule, plan.active.standards, unit, plan.answers)
            outcome = _outcome(plan, groups.sample(key), resolver)
            if len(outcomes) < OUTCOMES_KEPT:
                outcomes[read_key] = outcome
        found.append(outcome)
    return found


def _records(rule_id: str, outcomes: list[Any], sizes: Iterable[int], outside: int, coverage: UnitCoverage) -> None:
    """The rule's row: its records a group at a time, counted by the group's size, in the groups'
    order (so each reason and detail comes where record by record would first add it)."""
    not_judged: dict[str, int] = {"outside_period": outside} if outside else {}
    details: dict[str, dict[str, int]] = {}
    in_scope = judged = 0
    for outcome, size in zip(outcomes, sizes, strict=True):
        if not outcome:  # outside the rule's scope
            continue
        in_scope += size
        reason, detail = outcome
        if reason is None:
            judged += size
            continue
        not_judged[reason] = not_judged.get(reason, 0) + size
        if detail is not None:
            kind, text = detail
            counts = details.get(kind)
            if counts is None:
                counts = details[kind] = {}
            counts[text] = counts.get(text, 0) + size
    if outside or in_scope:
        coverage.add(rule_id, outside + in_scope, judged, not_judged, details)


_JUDGED = (None, None)  # what a rule makes of a record it judged (_outcome)
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
    return _JUDGED


def _obligations(batch: UnitBatch) -> dict[str, tuple[int, int, dict[str, int]]]:
    """Per obligation rule: (periods in scope, judged, not judged by reason), from the unit's states
    (judged once due: done, late, overdue; else not_due) and the periods not judged; the reasons in
    the order a state or period first gives each."""
    counted: dict[str, tuple[int, int, dict[str, int]]] = {}
    for (rule, state), count in Counter(map(itemgetter("rule", "state"), batch.obligations)).items():
        in_scope, judged, not_judged = counted.get(rule, (0, 0, {}))
        if state in JUDGED_STATES:
            judged += count
        else:
            not_judged["not_due"] = not_judged.get("not_due", 0) + count
        counted[rule] = (in_scope + count, judged, not_judged)
    for (rule, reason), count in Counter(batch.obligations_unjudged).items():
        in_scope, judged, not_judged = counted.get(rule, (0, 0, {}))
        not_judged[reason] = not_judged.get(reason, 0) + count
        counted[rule] = (in_scope + count, judged, not_judged)
    return counted
