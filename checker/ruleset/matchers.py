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
from checker.ruleset.schema import RuleFileError


@dataclass(frozen=True)
class PartMatcher:
    alias: str
    record: str
    conditions: tuple[expr.Cond, ...]


@dataclass(frozen=True)
class Alternative:
    parts: tuple[PartMatcher, ...]
    unless: PartMatcher | None = None


@dataclass
class Matcher:
    rule: ActiveRule
    alternatives: list[Alternative] = field(default_factory=list)

    @property
    def id(self) -> str:
        return self.rule.rule.id


def _conds(texts: list[str], values: dict[str, Any]) -> list[expr.Cond]:
    return [expr.bind(expr.parse(text), values) for text in texts]


def _edition(active: ActiveRule, on_field: str = "day") -> list[expr.Cond]:
    citation = active.rule.citation
    found = []
    if citation.valid_from:
        found.append(expr.Cond("cmp", expr.Field(on_field), ">=", expr.Const(citation.valid_from.toordinal())))
    if citation.valid_to:
        found.append(expr.Cond("cmp", expr.Field(on_field), "<=", expr.Const(citation.valid_to.toordinal())))
    return found


def _type_test(record: str) -> expr.Cond:
    return expr.Cond("cmp", expr.Field("t"), "==", expr.Const(record))


def _rows(active: ActiveRule) -> list[dict[str, Any]]:
    table = active.rule.match.for_each
    if table is None:
        return [active.values]
    rows = active.values.get(table)
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        raise RuleFileError(f"{active.rule.location}: for_each ${table} must be a list of mappings")
    return [{**active.values, **{f"row.{k}": v for k, v in row.items()}} for row in rows]


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


def _unless(m: Any, values: dict[str, Any]) -> PartMatcher | None:
    if m.unless is None:
        return None
    return PartMatcher(m.unless.alias or "x", m.unless.record,
                       tuple([_type_test(m.unless.record), *_conds(m.unless.where, values)]))


def matcher_for(active: ActiveRule) -> Matcher:
    rule = active.rule
    m = rule.match
    matcher = Matcher(active)
    for values in _rows(active):
        if m.obligation:
            conds = [_type_test("obligation_status"),
                     expr.Cond("cmp", expr.Field("rule"), "==", expr.Const(rule.id)),
                     *([expr.Cond("cmp", expr.Field("row"), "==", expr.Const(len(matcher.alternatives)))]
                       if m.for_each else []),
                     *_conds(["count < required", "due < as_of"], values),
                     *_edition(active, "period_end")]
            matcher.alternatives.append(Alternative((PartMatcher("m", "obligation_status", tuple(conds)),)))
        elif m.record:
            base = [_type_test(m.record), *_conds(m.where, values), *_edition(active)]
            unless = _unless(m, values)  # a single record may be cancelled by another, as a join's last part
            for alternative in (m.any or [[]]):
                conds = base + _conds(alternative, values)
                matcher.alternatives.append(Alternative((PartMatcher("m", m.record, tuple(conds)),), unless))
        else:
            parts = []
            for index, part in enumerate(m.join):
                edition = _edition(active) if index == len(m.join) - 1 else []
                conds = [_type_test(part.record), *_conds(part.where, values), *edition]
                parts.append(PartMatcher(part.alias, part.record, tuple(conds)))
            matcher.alternatives.append(Alternative(tuple(parts), _unless(m, values)))
    matcher.alternatives = [_for_engine(a) for a in matcher.alternatives]
    return matcher


def _for_engine(alternative: Alternative) -> Alternative:
    """Field names as facts carry them, presence guards for joined fields, tests in a safe order."""
    def finish(part: PartMatcher) -> PartMatcher:
        return PartMatcher(part.alias, part.record,
                           _engine_order(tuple(_translate_id(c) for c in part.conditions)))

    parts = tuple(finish(p) for p in _guard_joined_fields(alternative.parts))
    return Alternative(parts, finish(alternative.unless) if alternative.unless else None)


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
