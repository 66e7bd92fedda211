"""A finding's words: its problem statement from the rule's `message` template, and its evidence as
a small table of labelled values.

Template fields name the record's fields (`{cost}`), the rule's parameters, the evidence, a joined
record's fields (`{a_depart}`) and the matched row of a parameter table (`{row.cap_fen}`). A field
reads as its type asks without being told: money in 元, a date as 2020年5月25日, an enum by its
label, yes/no as 是/否, a person as 姓名（职务）, a unit by name, a vehicle by plate, a period as
2020年上半年. A format spec says it for values that are computed: `{cap:yuan}`, `{ban_from:date}`,
`{x:label}`, `{x:who}`, `{x:unit}`, `{x:period}`, `{x:yesno}`.
"""

from __future__ import annotations

import datetime as dt
import string
from collections.abc import Callable
from functools import cache, lru_cache
from typing import Any, NamedTuple

from checker.data.models import ENUMS, RECORD_TYPES, REFERENCES, enum_values, field_labels
from checker.data.values import parse_fen
from checker.ruleset import conditions as expr
from checker.ruleset.fields import DERIVED_FACTS, readable
from checker.text import formats
from checker.text.labels import any_enum_label, enum_label
from checker.text.vocabulary import STATE_IN_MESSAGE

_PARSER = string.Formatter()
REMEMBERED = 1 << 12  # values of a kind whose shown form is kept (`shower`), at most
_SPECS = {"yuan", "date", "label", "who", "unit", "vehicle", "period", "yesno", "cn", ""}
# Records with a first and a last day: `{span}` is both, as short as reads well (2020年5月19日至21日).
_SPAN = {"travel": ("depart", "return"), "conference": ("start", "end"), "training": ("start", "end"),
         "personnel_action": ("publicity_start", "publicity_end")}


@cache
def field_kind(record_type: str, name: str) -> str:
    """How a field of a record type reads: 'yuan', 'date', 'label:<enum>', 'yesno', 'who', 'unit',
    'vehicle', 'period' or '' (as it is)."""
    if record_type == "obligation_status":
        return {"period": "period", "due": "date", "as_of": "date", "period_end": "date",
                "person": "who"}.get(name, "")
    if name in ("day", "as_of") or (record_type == "unit_stats" and name.startswith("expense_")):
        return "date" if name in ("day", "as_of") else "yuan"
    if name == "category" and record_type in ("conference", "training"):
        return "cn"
    if name == "person_rank":
        return "label:rank"
    if name == "unit_level":
        return "label:level"
    if name == "vehicle_fuel":
        return "label:fuel_type"
    referenced = REFERENCES.get((record_type, name))
    if referenced is not None:
        return {"person": "who", "unit": "unit", "vehicle": "vehicle"}[referenced]
    model = RECORD_TYPES.get(record_type)
    info = model.model_fields.get("return_" if name == "return" else name) if model else None
    if info is None:
        return "period" if name == "period" else ""
    keys = enum_values(info.annotation)
    if keys:
        return "label:" + next((enum for enum, values in ENUMS.items() if tuple(values) == tuple(keys)), "")
    text = repr(info.annotation) + repr(info.metadata)
    if parse_fen.__name__ in text:
        return "yuan"
    if "date" in text.lower():
        return "date"
    if "parse_bool" in text:
        return "yesno"
    return "period" if name == "period" else ""


class Names:
    """Units, persons and vehicles by id: `record(kind, id)` gives the record, or None."""

    def __init__(self, record: Callable[[str, str], Any]):
        self._record = record

    @classmethod
    def of_batch(cls, origin: dict[tuple[str, str], Any]) -> Names:
        """The names of a unit's batch (`origin`: its records by type and id), each looked up there as a
        message asks for it: a unit holds a thousand records and its findings name a few, so sorting
        them by type first (a pass over every record of every unit with a finding) cost more."""
        get = origin.get
        return cls(lambda kind, rid: getattr(get((kind, rid)), "record", None))

    def who(self, person_id: Any, lang: str, fallback_name: Any = None) -> str:
        person = self._record("person", str(person_id))
        if person is None:
            return str(fallback_name or person_id)
        return formats.person(person.name, person.post, lang)

    def unit(self, unit_id: Any) -> str:
        unit = self._record("unit", str(unit_id))
        return unit.name if unit is not None else str(unit_id)

    def vehicle(self, vehicle_id: Any, lang: str) -> str:
        vehicle = self._record("vehicle", str(vehicle_id))  # (a plate reads alike in either language)
        return vehicle.plate if vehicle is not None else str(vehicle_id)


class Template:
    """A rule's message template in one language, compiled once per rule (and the types of its
    records): each field's literal text, key and the function that shows its value, its kind
    decided once and not per finding. A parameter or evidence value whose kind depends on the value
    (text that may be a date) is shown by `show`, its kind decided when it is rendered."""

    def __init__(self, template: str, record_type: str, aliases: tuple[tuple[str, str], ...], lang: str):
        self.lang, self.error = lang, None
        try:
            compiled = _compiled(template, record_type, aliases)
        except ValueError as exc:
            self.error, compiled = f"{template} [message template error: {exc}]", ()
        span = _SPAN.get(record_type)
        # a field whose kind is not known here (a parameter or evidence value) reads by its value when
        # that is text or a date, else by its name: that one is decided here too
        self.parts = [(literal, key, span if key == "span" and span else None,
                       shower(kind, lang) if kind is not None else None,
                       shower(_plain_parameter_kind(key), lang) if kind is None and key is not None else None)
                      for literal, key, kind in compiled]


class Sources(NamedTuple):
    """Where a finding's message fields come from besides its primary record, each field from the
    first of these that gives it: `state_text` (the obligation's state in the message's language),
    the evidence values (`evidence`: their names), a join's records as `a_depart` (`joined`: the
    aliases in the match's order, the last one giving the field; () for one record), `unit_name`
    and `state_zh`, the matched parameter-table row (`row.cap_fen`), the rule's values under its
    standard (`constants`), and last the primary record's own fields."""
    evidence: frozenset[str]
    joined: tuple[str, ...]
    constants: dict[str, Any]


Statement = Callable[[dict[str, Any], dict[str, dict[str, Any]], dict[str, Any], dict[str, Any], Any, str, Names],
                     tuple[str, str]]


def statement(templates: tuple[Template, Template], sources: Sources,
              endings: tuple[tuple[str, str], tuple[str, str]]) -> Statement:
    """A rule's message in both languages as one Python function of (primary record, the match's
    records by alias, evidence, matched row, state, unit name, names) giving each problem statement
    ended as `with_sentence` ends it (`endings`: `sentence_ending` per language). Made once per
    rule, standard and record types (hundreds of thousands of messages a run): a field is one line,
    its value looked up once for both languages where it lies (no dictionary of every value merged
    per finding), the text one join. Keys, literal text and functions are its globals, never written
    into its source. A field shows "—" when missing; `{span}` the record's first and last day; a
    value of a known kind by its show function, else as `_plain_shown` says."""
    space: dict[str, Any] = {"missing": expr.MISSING, "day_span": formats.day_span}
    lines = ["def render(primary, bound, ev, row, state, unit_name, names):"]
    for i, alias in enumerate(sources.joined):
        space[f"J{i}"] = alias
        lines.append(f"    j{i} = bound[J{i}]")
    found: dict[tuple[str, str], str] = {}

    def value(key: str, lang: str) -> str:
        """The variable holding a field's value, looked up once (`state_text` once per language)."""
        slot = (key, lang if key == "state_text" else "")
        if slot not in found:
            found[slot] = f"v{len(found)}"
            lines.append(f"    {found[slot]} = {_value_code(key, lang, sources, space, len(found))}")
        return found[slot]

    results = []
    for template, (stripped, ending) in zip(templates, endings, strict=True):
        lang = template.lang
        space[f"X{lang}"], space[f"Y{lang}"], space[f"G{lang}"] = stripped, ending, lang
        if template.error is not None:
            space[f"E{lang}"] = template.error.rstrip(stripped) + ending
            results.append(f"E{lang}")
            continue
        pieces = []
        for index, (literal, key, span, shown, plain) in enumerate(template.parts):
            tag = f"{lang}{index}"
            if literal:
                space[f"L{tag}"] = literal
                pieces.append(f"L{tag}")
            if key is None:
                continue
            pieces.append(f"s{tag}")
            if span is not None:
                space[f"A{tag}"], space[f"B{tag}"] = span
                lines.append(f"    s{tag} = day_span(primary.get(A{tag}), primary.get(B{tag}), G{lang})")
                continue
            v = value(key, lang)
            name = value("person_name", lang) if key == "person" else "None"
            lines.append(f'    s{tag} = "—" if {v} is None or {v} is missing else '
                         f"{_shown_code(tag, key, v, name, shown, plain, lang, space)}")
        results.append(f'"".join(({", ".join(pieces)},)).rstrip(X{lang}) + Y{lang}' if pieces else f"Y{lang}")
    lines.append(f"    return ({results[0]}, {results[1]})")
    exec("\n".join(lines), space)  # noqa: S102 - source made above from names only; values are globals
    return space["render"]


def _value_code(key: str, lang: str, sources: Sources, space: dict[str, Any], n: int) -> str:
    """The expression giving a field's value, from the first source (`Sources`) that has it."""
    space[f"K{n}"] = key
    if key == "state_text":
        space[f"S{n}"] = STATE_IN_MESSAGE[lang]
        return f'S{n}.get(state, "")'
    if key in sources.evidence:
        return f"ev[K{n}]"  # every evidence name is in `ev`, None when missing
    if key in ("unit_name", "state_zh"):
        code = "unit_name" if key == "unit_name" else f'S{n}.get(state, "")'
        space[f"S{n}"] = STATE_IN_MESSAGE["zh"]
    else:
        code = f"primary.get(K{n})"
        if key in sources.constants:
            space[f"C{n}"], code = sources.constants[key], f"C{n}"
        if key.startswith("row."):
            code = f"(row[K{n}] if K{n} in row else {code})"
    for i, alias in enumerate(sources.joined):  # a later alias's field is the one read
        if key.startswith(alias + "_"):
            space[f"R{n}_{i}"] = key[len(alias) + 1:]
            code = f"(j{i}[R{n}_{i}] if R{n}_{i} in j{i} else {code})"
    return code


def _shown_code(tag: str, key: str, v: str, name: str, shown: Any, plain: Any, lang: str, space: dict[str, Any]) -> str:
    """The expression showing a present value `v` of a field."""
    if shown is None:  # text (the unit's name, the state) as shown before for this field, else `_plain_shown`
        space[f"P{tag}"], space[f"K{tag}"], space[f"W{tag}"], space["plain_shown"] = plain, key, {}, _plain_shown
        return (f"(m if {v}.__class__ is str and (m := W{tag}.get({v})) is not None else "
                f"plain_shown(W{tag}, K{tag}, {v}, G{lang}, P{tag}, names, {name}))")
    return show_code(tag, v, name, shown, lang, space)


def _plain_shown(seen: dict[str, str], key: str, value: Any, lang: str, plain: Any, names: Names, name: Any) -> str:
    """A parameter or evidence value shown by its value when that is text or a date, else by its name.
    Text is remembered in `seen`: how it shows depends on the text alone (its kind is a date, money,
    a label or as it is: none reads `names`)."""
    shown = (_text_shower(key, value, lang) if isinstance(value, str | dt.date) else plain)(value, names, name)
    if value.__class__ is str:
        if len(seen) >= REMEMBERED:
            seen.clear()  # memory stays bounded
        seen[value] = shown
    return shown


def show_code(tag: str, v: str, name: str, shown: Any, lang: str, space: dict[str, Any]) -> str:
    """The expression showing a present value `v` by `shown` (a `shower`) in generated code, the common
    values the way that function would take without calling it."""
    space[f"F{tag}"] = shown
    call = f"F{tag}({v}, names, {name})"
    if shown is shower("", lang):  # text as it is and whole numbers, without a call (as that function does)
        return f"({v} if {v}.__class__ is str else str({v}) if {v}.__class__ is int else {call})"
    if hasattr(shown, "seen"):  # a value shown before, without a call (as that function does)
        space[f"T{tag}"], space[f"M{tag}"] = shown.of_class, shown.seen
        return f"(m if {v}.__class__ is T{tag} and (m := M{tag}.get({v})) is not None else {call})"
    return call


@lru_cache(maxsize=8192)
def _compiled(template: str, record_type: str, aliases: tuple[tuple[str, str], ...]
              ) -> tuple[tuple[str, str | None, str | None], ...]:
    """A template's parts with each field's kind decided once for a rule's record type and joined
    aliases (`kind_of` per field per finding had been most of a finding's cost): a field of the record
    or of a joined record reads by its type, a table row's by its column; a parameter or evidence
    value (None here) by its value when it is rendered."""
    joined = dict(aliases)
    own = readable(record_type) if record_type in RECORD_TYPES or record_type in DERIVED_FACTS else frozenset()
    parts = []
    for literal, key, spec in _parsed(template):
        kind: str | None = spec or None
        if key is not None and not spec:
            alias, _, name = key.partition("_")
            if key.startswith("row."):
                kind = _row_kind(key[4:])
            elif key in own:
                kind = field_kind(record_type, key)
            elif name and alias in joined:
                kind = field_kind(joined[alias], name)
        parts.append((literal, key, kind))
    return tuple(parts)


@lru_cache(maxsize=4096)
def _parsed(template: str) -> tuple[tuple[str, str | None, str], ...]:
    """A template's literal text and fields, parsed once (a report renders each rule's many times)."""
    parts = []
    for literal, key, spec, _ in _PARSER.parse(template):
        if key is not None and spec not in _SPECS:
            raise ValueError(f"unknown format {spec!r}")
        parts.append((literal, key, spec))
    return tuple(parts)


@lru_cache(maxsize=65536)
def _text_shower(name: str, value: str | dt.date, lang: str) -> Callable[[Any, Names | None, Any], str]:
    """How a parameter or evidence value that is text or a date is shown (its kind by name and value)."""
    return shower(parameter_kind(name, value), lang)


@cache
def _plain_parameter_kind(name: str) -> str:
    """A parameter's kind when its value is not text or a date: by its name alone."""
    return parameter_kind(name, None)


def template_specs(template: str) -> dict[str, str]:
    """The format spec a template gives each field (`{cap:yuan}` → cap: yuan)."""
    try:
        return {key: spec for _, key, spec, _ in _PARSER.parse(template) if key and spec}
    except ValueError:
        return {}


def show(value: Any, kind: str, lang: str, names: Names | None = None, name: Any = None) -> str:
    """One value as a report shows it."""
    if isinstance(value, list):
        sep = "、" if lang == "zh" else ", "
        return sep.join(show(v, kind, lang, names) for v in value)
    if kind == "yuan" and isinstance(value, int | float) and not isinstance(value, bool):
        return formats.yuan(value, lang)
    if kind == "date":
        return formats.day(value, lang)
    if kind.startswith("label"):
        enum = kind.partition(":")[2]
        return enum_label(enum, value, lang) if enum else any_enum_label(value, lang)
    if kind == "yesno" or isinstance(value, bool):
        return formats.yes_no(value, lang)
    if kind == "period":
        return formats.period(value, lang)
    if kind == "cn":
        return formats.ordinal_cn(value, lang)
    if names is not None and kind == "who":
        return names.who(value, lang, name)
    if names is not None and kind == "unit":
        return names.unit(value)
    if names is not None and kind == "vehicle":
        return names.vehicle(value, lang)
    if isinstance(value, dt.date):
        return formats.day(value, lang)
    return formats.number(value)


@cache
def shower(kind: str, lang: str) -> Callable[[Any, Names | None, Any], str]:
    """`show` for one kind and language, as a function of (value, names, name): the common values
    (text, whole numbers) the shortest way `show` would take for them, anything else by `show`."""
    def general(value: Any, names: Names | None, name: Any) -> str:
        return show(value, kind, lang, names, name)

    def remembered(of_class: type, form: Callable[[Any, str], str]) -> Callable[[Any, Names | None, Any], str]:
        """`form` of a value of `of_class`, once per value: days and periods repeat across a report."""
        seen: dict[Any, str] = {}

        def shown(value: Any, names: Names | None, name: Any) -> str:
            if value.__class__ is of_class:
                found = seen.get(value)
                if found is None:
                    if len(seen) >= REMEMBERED:
                        seen.clear()  # sums of money need not repeat: memory stays bounded
                    found = seen[value] = form(value, lang)
                return found
            return general(value, names, name)
        shown.of_class, shown.seen = of_class, seen  # type: ignore[attr-defined]  # read by `statement`
        return shown

    if kind == "date":
        return remembered(int, formats.day)  # day numbers
    if kind == "yuan":
        return remembered(int, formats.yuan)  # fen: a finding's sum shows in its message and its evidence
    if kind == "":
        return lambda value, names, name: value if value.__class__ is str else \
            str(value) if value.__class__ is int else general(value, names, name)
    if kind == "period":
        return remembered(str, formats.period)
    if kind in ("who", "unit"):
        return lambda value, names, name: general(value, names, name) if value.__class__ is not str or \
            names is None else names.who(value, lang, name) if kind == "who" else names.unit(value)
    return general


def _row_kind(key: str) -> str:
    """Columns of parameter tables: money by their `_fen` suffix, codes by their enum."""
    from checker.text.labels import PARAMETER_ENUMS

    if key.endswith("_fen") or key.endswith("_fen_per_hour") or key.startswith("max_fen"):
        return "yuan"
    enum = PARAMETER_ENUMS.get(key)
    return f"label:{enum}" if enum else ""


def parameter_kind(name: str, value: Any) -> str:
    if isinstance(value, dt.date) or (isinstance(value, str) and formats.as_day(value) and len(value) == 10):
        return "date"
    if name.endswith("_fen") or name == "collective_threshold":
        return "yuan"
    return _row_kind(name)


def field_label(record_type: str, name: str, lang: str) -> str | None:
    if record_type not in RECORD_TYPES:
        return None
    labels = field_labels(record_type)
    if name not in labels:
        return None
    return labels[name] if lang == "zh" else name.replace("_", " ")
