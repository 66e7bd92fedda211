"""Rules and profiles checked as a whole, before any unit is judged: what a single rule block's
schema cannot see. Each problem is located (file:line) and together they are one rule error
(exit 3), instead of a rule that silently judges nothing.

- a rules folder holding no rule;
- a condition or evidence naming a field its record type does not have (in the engine it would
  never match);
- a profile setting a parameter no rule declares, naming a rule that does not exist, or giving a
  value of another type than the rule's own default.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from checker.data import yamlio
from checker.ruleset import conditions as expr
from checker.ruleset.fields import readable
from checker.ruleset.schema import Profile, Rule, RuleFileError


def _parts(rule: Rule) -> tuple[dict[str | None, str], list[tuple[str | None, str]]]:
    """The record type of each alias, and each condition with the alias it is written on."""
    match = rule.match
    if match.obligation:
        record = match.obligation.record
        return {None: record, "m": record}, [(None, c) for c in match.obligation.where + match.obligation.quorum]
    if match.record:
        return ({None: match.record, "m": match.record},
                [(None, c) for c in match.where + [c for alternative in match.any for c in alternative]])
    types: dict[str | None, str] = {}
    conditions: list[tuple[str | None, str]] = []
    for part in [*match.join, *([match.unless] if match.unless else [])]:
        alias = part.alias or "x"
        types[alias] = part.record
        conditions += [(alias, c) for c in part.where]
    types[None] = match.join[-1].record  # evidence reads the last part (or `m`) unqualified
    return types, conditions


def field_problems(rule: Rule) -> list[str]:
    types, conditions = _parts(rule)
    problems = []
    written = [(own, text, text) for own, text in conditions]
    written += [(None, text, f"{text} is present") for text in rule.evidence.values()]  # an expression, as a test
    for own, text, condition in written:
        try:
            node = expr.parse(condition)
        except expr.ExprError:
            continue  # the rule's schema reports it
        for alias, name in sorted(expr.fields_of(node), key=str):
            record = types.get(alias if alias is not None else own)
            if record is None:
                problems.append(f"{rule.location}: {rule.id}: {text!r} names {alias}.{name}, but no part is "
                                f"joined as {alias!r} / 条件引用了不存在的别名")
            elif name not in readable(record):
                problems.append(f"{rule.location}: {rule.id}: {text!r} reads {name!r}, which {record} records do not "
                                f"have / 条件引用了{record}记录没有的字段 {name}")
    return problems


def _key_line(path: Path, *keys: str) -> int:
    """The line of a key in a YAML mapping (nested by `keys`), for the message; 1 if not found."""
    try:
        node = yamlio.compose(path.read_text(encoding="utf-8"))
    except (OSError, yamlio.YAMLError):
        return 1
    line = 1
    for key in keys:
        found = next(((k, v) for k, v in getattr(node, "value", []) if getattr(k, "value", None) == key), None)
        if found is None:
            return line
        line, node = found[0].start_mark.line + 1, found[1]
    return line


def profile_problems(profile: Profile, path: Path, rules: dict[str, Rule]) -> list[str]:
    problems = []
    declared = {name: rule for rule in rules.values() for name in rule.parameters}
    for key, value in profile.parameters.items():
        name = key.partition("@")[0]  # `name@edition`: the value for one edition of the rule's text
        if name not in declared:
            problems.append(f"{path}:{_key_line(path, 'parameters', key)}: parameter {name!r} is declared by no "
                            f"rule / 没有规则声明参数 {name}")
        else:
            problems += _type_problem(path, ("parameters", key), declared[name], name, value.value)
    for rule_id, values in profile.rules.items():
        rule = rules.get(rule_id)
        if rule is None:
            problems.append(f"{path}:{_key_line(path, 'rules', rule_id)}: no rule {rule_id} / 规则不存在")
            continue
        for key, value in values.items():
            name = key.partition("@")[0]
            if name not in rule.parameters:
                problems.append(f"{path}:{_key_line(path, 'rules', rule_id, key)}: rule {rule_id} has no parameter "
                                f"{name!r} / 规则没有此参数")
            else:
                problems += _type_problem(path, ("rules", rule_id, key), rule, name, value.value)
    for key, listed in (("enable", profile.enable), ("disable", profile.disable)):
        problems += [f"{path}:{_key_line(path, key)}: {key}: no rule {rule_id} / 规则不存在"
                     for rule_id in listed if rule_id not in rules]
    return problems


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "yes/no"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "mapping"
    return "text"


def _type_problem(path: Path, keys: tuple[str, ...], rule: Rule, name: str, value: Any) -> list[str]:
    default = rule.parameters[name].default
    if default is None or _kind(default) == _kind(value):
        return []
    return [f"{path}:{_key_line(path, *keys)}: {name} is a {_kind(default)} in {rule.id} ({default!r}), "
            f"not {value!r} / 参数类型不符"]


def validate(rules: list[Rule], chain: list[Profile], paths: dict[str, Path], source: Path) -> None:
    """Raise one RuleFileError listing every problem. `paths` maps each profile id to its file."""
    if not rules:
        raise RuleFileError(f"{source}: no rules found / 规则目录中没有规则")
    by_id = {rule.id: rule for rule in rules}
    problems = [problem for rule in rules for problem in field_problems(rule)]
    for profile in chain:
        problems += profile_problems(profile, paths.get(profile.id, Path(f"{profile.id}.yaml")), by_id)
    if problems:
        raise RuleFileError("\n".join(problems))
