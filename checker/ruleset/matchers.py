"""Stage 4a: compile active rules into matchers, and matchers into durable-rules rulesets.

A matcher is the engine-neutral form of a rule under a profile: its parameters bound, its edition
dates added, its `any` alternatives and `for_each` rows expanded. The durable-rules adapter and the
reference evaluator both consume matchers, which is what makes the differential test meaningful.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from checker.ruleset import conditions as expr
from checker.ruleset.catalogue import ActiveRule
from checker.ruleset.schema import Rule, RuleFileError


@dataclass(frozen=True)
class PartMatcher:
    alias: str
    record: str
    conditions: tuple[expr.Cond, ...]


@dataclass(frozen=True)
class Alternative:
    parts: tuple[PartMatcher, ...]
    unless: PartMatcher | None = None
    # the standards (editions or local texts) whose values it carries — those with the same values
    # share one alternative; None for an obligation, whose state fact names the standard of its period
    standards: tuple[int, ...] | None = None


@dataclass
class Matcher:
    rule: ActiveRule
    alternatives: list[Alternative] = field(default_factory=list)

    @property
    def id(self) -> str:
        return self.rule.rule.id


def _conds(texts: list[str], values: dict[str, Any]) -> list[expr.Cond]:
    return [expr.bind(expr.parse(text), values) for text in texts]


def _type_test(record: str) -> expr.Cond:
    return expr.Cond("cmp", expr.Field("t"), "==", expr.Const(record))


def row_values(rule: Rule, values: dict[str, Any], location: str = "") -> list[dict[str, Any]]:
    """The values once per row of the rule's for_each table (once if it has none)."""
    table = rule.match.for_each
    if table is None:
        return [values]
    rows = values.get(table)
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        raise RuleFileError(f"{location or rule.location}: for_each ${table} must be a list of mappings")
    return [{**values, **{f"row.{k}": v for k, v in row.items()}} for row in rows]


def _translate_id(cond: expr.Cond) -> expr.Cond:
    """Rule authors write `id`; in a fact the record's id is `rid` (`id` is the engine's identity)."""
    def fix(node: Any) -> Any:
        if isinstance(node, expr.Field) and node.name == "id":
            return expr.Field("rid", node.alias)
        if isinstance(node, expr.BinOp):
            return expr.BinOp(node.op, fix(node.left), fix(node.right))
        if isinstance(node, list):
            return [fix(n) for n in node]
        return node
    return expr.Cond(cond.kind, fix(cond.left), cond.op, fix(cond.right))


def _never(conditions: list[expr.Cond]) -> bool:
    """`x in []` (a table row that bans nothing) can never hold: the alternative is left out."""
    return any(c.kind == "in" and isinstance(c.right, list) and not c.right for c in conditions)


def _unless(m: Any, values: dict[str, Any]) -> PartMatcher | None:
    """The record that cancels a match (a join's last part, or a single record's other record)."""
    if m.unless is None:
        return None
    return PartMatcher(m.unless.alias or "x", m.unless.record,
                       tuple([_type_test(m.unless.record), *_conds(m.unless.where, values)]))


def matcher_for(active: ActiveRule) -> Matcher:
    rule = active.rule
    m = rule.match
    matcher = Matcher(active)
    if m.obligation:
        conds = [_type_test("obligation_status"), expr.Cond("cmp", expr.Field("rule"), "==", expr.Const(rule.id)),
                 *_conds(["count < required", "due < as_of"], active.values)]
        matcher.alternatives.append(Alternative((PartMatcher("m", "obligation_status", tuple(conds)),)))
        matcher.alternatives = [_for_engine(a) for a in matcher.alternatives]
        return matcher
    # No date tests: which standard applies to a record (in force on its date, binding its unit) is
    # decided for every match (verdict.findings), so standards with the same values share one
    # alternative — the engine holds a rule once, not once per edition. (A date test beside a
    # negation comparing `day` also crashed durable-rules: AC-CASE-NO-WARNING-EDU's examples.)
    shared: dict[str, tuple[Alternative, list[int]]] = {}  # by its conditions' repr (`in` lists are not hashable)
    for standard in active.standards:
        for values in row_values(rule, standard.plain_values):
            for alternative in _alternatives(m, values):
                shared.setdefault(repr(alternative), (alternative, []))[1].append(standard.index)
    matcher.alternatives = [_for_engine(Alternative(a.parts, a.unless, tuple(sorted(set(indices)))))
                            for a, indices in shared.values()]
    return matcher


def _alternatives(m: Any, values: dict[str, Any]) -> list[Alternative]:
    """The match's alternatives under one standard's values (one row's, for a for_each table)."""
    if m.record:
        base = [_type_test(m.record), *_conds(m.applies, values), *_conds(m.where, values)]
        unless = _unless(m, values)  # a single record may be cancelled by another, as a join's last part
        found = []
        for alternative in (m.any or [[]]):
            conds = base + _conds(alternative, values)
            if not _never(conds):
                found.append(Alternative((PartMatcher("m", m.record, tuple(conds)),), unless))
        return found
    parts = []
    for index, part in enumerate(m.join):
        last = index == len(m.join) - 1
        conds = [_type_test(part.record), *(_conds(m.applies, values) if last else []), *_conds(part.where, values)]
        parts.append(PartMatcher(part.alias, part.record, tuple(conds)))
    unless = _unless(m, values)
    if any(_never(list(p.conditions)) for p in parts):
        return []
    return [Alternative(tuple(parts), unless)]


def _for_engine(alternative: Alternative) -> Alternative:
    """Field names as facts carry them, presence guards for joined fields, tests in a safe order."""
    def finish(part: PartMatcher) -> PartMatcher:
        return PartMatcher(part.alias, part.record,
                           _engine_order(tuple(_translate_id(c) for c in part.conditions)))

    parts = tuple(finish(p) for p in _guard_joined_fields(tuple(_guard_own_fields(p) for p in alternative.parts)))
    # The negated part is not guarded: presence tests inside a negation crashed durable-rules (a
    # missing field there only means the record cannot cancel the match, as in the reference)
    unless = finish(alternative.unless) if alternative.unless else None
    return Alternative(parts, unless, alternative.standards)


def absence_tested(conditions: tuple[expr.Cond, ...] | list[expr.Cond], alias: str | None = None) -> set[str]:
    """Fields whose absence is itself data (`official_letter is missing`: no letter was sent)."""
    return {c.left.name for c in conditions if c.kind in ("missing", "present")
            and isinstance(c.left, expr.Field) and c.left.alias in (None, alias)}


def own_fields(conditions: tuple[expr.Cond, ...] | list[expr.Cond], alias: str | None = None) -> set[str]:
    """The fields of the record itself that the conditions read (either side of a comparison)."""
    return {name for c in conditions for field_alias, name in expr.fields_of(c) if field_alias in (None, alias)}


def _guard_own_fields(part: PartMatcher) -> PartMatcher:
    """A missing value leaves the record unjudged by the rule, in both evaluators: durable-rules
    takes `litres > vehicle_tank_l` as true when the record has no `vehicle_tank_l` (the reference,
    like the condition language, takes it as false), so every field read is required to be present,
    except those whose absence a condition tests on purpose."""
    conditions = part.conditions
    needed = own_fields(conditions[1:], part.alias) - absence_tested(conditions, part.alias) - {"t"}
    guards = tuple(expr.Cond("present", expr.Field(name)) for name in sorted(needed))
    return PartMatcher(part.alias, part.record, conditions[:1] + guards + conditions[1:])


def _guard_joined_fields(parts: tuple[PartMatcher, ...]) -> tuple[PartMatcher, ...]:
    """A later part comparing with a field that an earlier part lacks makes the engine abort the
    whole assertion (error 311). Requiring the field on the earlier part changes no result: a
    comparison with a missing value is false anyway."""
    needed: dict[str, set[str]] = {}
    for part in parts:
        for cond in part.conditions:
            for alias, name in expr.fields_of(cond):
                if alias is not None and alias != part.alias:
                    needed.setdefault(alias, set()).add(name)
    guarded = []
    for part in parts:
        guards = tuple(expr.Cond("present", expr.Field(name)) for name in sorted(needed.get(part.alias, ())))
        guarded.append(PartMatcher(part.alias, part.record, part.conditions[:1] + guards + part.conditions[1:]))
    return tuple(guarded)


def _engine_order(conditions: tuple[expr.Cond, ...]) -> tuple[expr.Cond, ...]:
    """Type test first (selective), `in` tests last: an `$or` placed before a comparison with another
    record's field makes the engine skip that comparison (false matches, seen in the reform rules)."""
    return tuple(sorted(conditions, key=lambda c: 0 if c is conditions[0] else (2 if c.kind == "in" else 1)))


def matchers(active_rules: list[ActiveRule]) -> list[Matcher]:
    found = []
    for active in active_rules:
        if active.skipped is None:
            try:
                found.append(matcher_for(active))
            except expr.ExprError as exc:
                raise RuleFileError(f"{active.rule.location}: rule {active.rule.id}: {exc}") from None
    return found
