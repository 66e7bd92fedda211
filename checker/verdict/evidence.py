"""A finding's evidence as a reader sees it: a few labelled values (money in 元, dates, labels) and
the parameters it was judged against, each with the basis it rests on and the profile that set it.

The report keeps the raw evidence too (fen, day numbers, codes) for programs; these rows are what
the table, HTML, XLSX and CSV show. A parameter's `source` mixes the basis (Chinese, for the
reader) with the author's notes (English, regulations.md items, ❓): the reader gets the basis.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, NamedTuple

from checker.ruleset import conditions as expr
from checker.ruleset.catalogue import ActiveRule
from checker.ruleset.schema import Rule
from checker.text import formats
from checker.text.labels import PARAMETER_LABELS, evidence_label, parameter_label
from checker.text.vocabulary import confidence_label
from checker.verdict.messages import (
    Names,
    field_kind,
    field_label,
    parameter_kind,
    show,
    show_code,
    shower,
    template_specs,
)

RULE_DEFAULT = "rule default"  # the profile name a rule's own (central) value carries


def rule_types(rule: Rule) -> tuple[str, dict[str, str]]:
    """The record type of a finding's primary record, and the type of each joined alias."""
    match = rule.match
    if match.obligation is not None:
        return "obligation_status", {}
    if match.record:
        return match.record, {"m": match.record}
    aliases = {part.alias or "": part.record for part in match.join}
    primary = aliases.get("m") or aliases[sorted(aliases)[-1]]
    return primary, aliases


def _kinds(rule: Rule) -> dict[str, str]:
    specs = template_specs(rule.message.zh)
    primary, aliases = rule_types(rule)
    kinds = {}
    for key, text in rule.evidence.items():
        node = expr.parse(text).left
        if key in specs:
            kinds[key] = specs[key]
        elif isinstance(node, expr.Field):
            kinds[key] = "" if node.name == "id" else field_kind(aliases.get(node.alias or "", primary), node.name)
        elif isinstance(node, expr.Param):
            kinds[key] = parameter_kind(node.name, None)
        else:
            money = any(parameter_kind(p, None) == "yuan" for p in _params(node))
            kinds[key] = "yuan" if money else ""
    return kinds


def _params(node: Any) -> set[str]:
    if isinstance(node, expr.Param):
        return {node.name}
    if isinstance(node, expr.BinOp):
        return _params(node.left) | _params(node.right)
    return set()


def _label(rule: Rule, key: str, lang: str) -> str:
    primary, aliases = rule_types(rule)
    text = rule.evidence.get(key, key)
    node = expr.parse(text).left if key in rule.evidence else None
    found = evidence_label(key, lang)
    if found is None and isinstance(node, expr.Field):
        found = field_label(aliases.get(node.alias or "", primary), node.name, lang)
    return found or field_label(primary, key, lang) or (key if lang == "en" else "其他")


class EvidenceStep(NamedTuple):
    """One evidence value of a rule under a standard: where it is read and how it is shown."""
    name: str
    alias: str | None  # a field's record, by its alias (None: the primary record)
    field: str | None  # the field read as it is; None when `node` is worked out (a sum, a constant)
    node: Any
    shown: tuple[Any, Any]  # its show function in Chinese and English
    labels: tuple[str, str]
    money: bool  # may be the finding's amount (a report's amount column)
    listed: bool  # one of the evidence rows (`parameters` is not: those are listed apart)


def evidence_steps(active: ActiveRule, nodes: list[tuple[str, Any]]) -> tuple[EvidenceStep, ...]:
    """The rule's evidence expressions (`nodes`: name and expression, bound to a standard's values) as
    steps `evidence_of` takes, each decided once for all the findings the rule makes under it."""
    kinds, shown, labels = _words(active.rule)
    steps = []
    for name, node in nodes:
        plain = isinstance(node, expr.Field)
        steps.append(EvidenceStep(name, node.alias if plain else None, node.name if plain else None, node,
                                  shown.get(name) or (shower("", "zh"), shower("", "en")),
                                  labels.get(name) or (_label(active.rule, name, "zh"), _label(active.rule, name, "en")),
                                  kinds.get(name) == "yuan", name != "parameters"))
    return tuple(steps)


Evidence = Callable[[dict[str, Any], dict[str, dict[str, Any]], Names],
                    tuple[dict[str, Any], dict[str, list[list[str]]], int | None]]


def evidence_of(steps: tuple[EvidenceStep, ...]) -> Evidence:
    """The function of (primary record, the match's records by alias, names) giving a finding's
    evidence values (None where missing), the [label, value] rows showing them in both languages
    (made when the finding is, as the persons and vehicles it names are known then), and its sum of
    money in fen: the first evidence value that is money, or None. Generated once per rule and
    standard, a value one line of it (no loop over the steps per finding); names, labels and
    functions are its globals, never written into its source."""
    space: dict[str, Any] = {"value_of": expr.value_of, "missing": expr.MISSING, "NOTHING": _NOTHING,
                             "number": (int, float)}
    lines = ["def evidence(primary, bound, names):", "    zh = []", "    en = []", "    amount = None"]
    for i, step in enumerate(steps):
        space[f"N{i}"], space[f"D{i}"], space[f"Q{i}"], space[f"A{i}"] = step.name, step.node, step.field, step.alias
        if step.field is None:  # worked out: a sum, a constant
            lines += [f"    e{i} = value_of(D{i}, primary, bound)", f"    if e{i} is missing:", f"        e{i} = None"]
        else:  # a field as it is (expr.value_of: a missing field and None alike are None)
            lines.append(f"    e{i} = {'primary' if step.alias is None else f'bound.get(A{i}, NOTHING)'}.get(Q{i})")
        if step.listed or step.money:
            lines.append(f"    if e{i} is not None:")
        if step.listed:
            space[f"Z{i}"], space[f"E{i}"] = step.labels
            lines += [f"        zh.append([Z{i}, {show_code(f'z{i}', f'e{i}', 'None', step.shown[0], 'zh', space)}])",
                      f"        en.append([E{i}, {show_code(f'n{i}', f'e{i}', 'None', step.shown[1], 'en', space)}])"]
        if step.money:
            lines += [f"        if amount is None and isinstance(e{i}, number) and e{i}.__class__ is not bool:",
                      f"            amount = int(e{i})"]
    values = ", ".join(f"N{i}: e{i}" for i in range(len(steps)))
    lines.append(f'    return {{{values}}}, {{"zh": zh, "en": en}}, amount')
    exec("\n".join(lines), space)  # noqa: S102 - source made above from names only; values are globals
    return space["evidence"]


_NOTHING: dict[str, Any] = {}  # the record of an alias the match does not have: no field (read only)


_WORDS: dict[int, tuple[Rule, tuple[dict[str, str], dict[str, tuple[Any, Any]], dict[str, tuple[str, str]]]]] = {}


def _words(rule: Rule) -> tuple[dict[str, str], dict[str, tuple[Any, Any]], dict[str, tuple[str, str]]]:
    """A rule's evidence kinds, the functions showing each value in Chinese and English, and each
    label in both: made once per rule (a findings-heavy report asks for every finding)."""
    cached = _WORDS.get(id(rule))
    if cached is None or cached[0] is not rule:  # an id is reused once its rule is freed
        kinds = _kinds(rule)
        shown = {key: (shower(kind, "zh"), shower(kind, "en")) for key, kind in kinds.items()}
        labels = {key: (_label(rule, key, "zh"), _label(rule, key, "en")) for key in rule.evidence}
        cached = _WORDS[id(rule)] = (rule, (kinds, shown, labels))
    return cached[1]


def parameter_rows(parameters: dict[str, dict[str, Any]], lang: str,
                   profiles: dict[str, dict[str, str]] | None = None,
                   matched: dict[str, Any] | None = None) -> list[dict[str, str]]:
    """Each parameter: label, value, basis and the profile that set it (by its title). A table
    shows the row the record matched (`matched`, as `row.<key>` values) where there is one."""
    rows = []
    for name, parameter in parameters.items():
        value = parameter.get("value")
        if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            row = {k.removeprefix("row."): v for k, v in (matched or {}).items()}
            shown = table_text([row] if row else value, lang)
        else:
            shown = show(value, parameter_kind(name, value), lang)
        profile = parameter.get("profile") or ""
        titles = (profiles or {}).get(profile) or {}
        if profile == RULE_DEFAULT:
            set_by = "规则默认值（中央规定）" if lang == "zh" else "rule default (central)"
        else:
            set_by = titles.get(lang) or profile
        rows.append({"name": name, "label": parameter_label(name, lang), "value": shown,
                     "basis": source_basis(parameter.get("source"), lang),
                     "confidence": confidence_label(parameter.get("confidence"), lang), "profile": set_by})
    return rows


def table_text(rows: list[dict[str, Any]], lang: str) -> str:
    """A parameter table in one line per row: 职级下限 1，职级上限 5，限额 500.00元."""
    lines = []
    for row in rows:
        cells = []
        for key, value in row.items():
            label = PARAMETER_LABELS.get(key, (key, key))[0 if lang == "zh" else 1]
            cells.append(f"{label} {show(value, parameter_kind(key, value), lang)}")
        lines.append(("，" if lang == "zh" else ", ").join(cells))
    return ("；" if lang == "zh" else "; ").join(lines)


_ASCII_WORD = re.compile(r"[A-Za-z]{2,}")
_AUTHOR_NOTE = re.compile(r"\s*[(（][^()（）]*(?:regulations\.md|[❓◐✅]|[A-Za-z]{3,})[^()（）]*[)）]")


def source_basis(source: Any, lang: str) -> str:
    """The basis a parameter's source states, without the author's notes: in Chinese, the text up
    to the first English word or note; in English, the source as written."""
    text = "" if source is None else str(source).strip()
    if lang != "zh" or not text:
        return text
    text = _AUTHOR_NOTE.sub("", text)
    for mark in (" — ", " - ", "; "):
        text = text.split(mark)[0]
    word = _ASCII_WORD.search(text)
    if word:
        text = text[:word.start()]
    text = text.strip(" :：,，;；(（")
    return formats.days_in_text(text) if re.search(r"[\u4e00-\u9fff]", text) else ""


def matched_row(active: ActiveRule, fact: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    """For a rule repeated over a parameter table (`for_each`), the table row the record matched,
    as `row.<key>` values for the message; {} for other rules. `values` are the parameter values of
    the standard that judged the record (the table is that standard's)."""
    rule = active.rule
    if not rule.match.for_each or not rule.match.record:
        return {}
    view = {**fact, "id": fact.get("rid")}  # conditions name the record's id `id`
    for row in values.get(rule.match.for_each) or []:
        row_values = {**values, **{f"row.{k}": v for k, v in row.items()}}
        for alternative in rule.match.any or [[]]:
            conditions = [expr.bind(expr.parse(c), row_values) for c in [*rule.match.where, *alternative]]
            if all(expr.holds(c, view, {"m": view}) for c in conditions):
                return {f"row.{k}": v for k, v in row.items()}
    return {}
