"""What the columnar path (checker.data.columnar) may take of a record type, read off its pydantic
model, and the records it makes.

A field's *kind* comes from the validator its model field declares (checker.data.fields: a date,
an amount in yuan, an id, text, a yes/no, an enum) and its bounds from the pydantic-core schema (the
same `ge`, `le`, `max_length`, `pattern` pydantic checks). Each kind accepts only the value form
whose result is certain without running the validator — an ISO date string, an amount as a JSON
number, an id in printable ASCII (or full-width forms that NFKC makes ASCII), text without blanks
around it, an enum value as the validator leaves it — so anything else goes to the general path,
which says what is wrong. A field whose validator or schema node is not known here (a list, a new
kind) must be absent from a row the columnar path takes; a record type with a required field of
that sort, or a model with validators of its own, is not taken at all. Nothing here is a copy of
a model: a field the models gain is read the same way.

Nothing here imports polars: the records are rebuilt, in a unit's worker, from plain columns.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any, get_args

from pydantic import BeforeValidator, ValidationError
from pydantic_core import SchemaError, SchemaValidator

from checker.data import fields as kinds_of_field
from checker.data.models import RECORD_TYPES
from checker.data.values import parse_bool, parse_date, parse_datetime, parse_fen


def _before(alias: Any) -> Any:
    """The before-validator function of a field type of checker.data.fields."""
    return next(m.func for m in get_args(alias)[1:] if isinstance(m, BeforeValidator))


# The validators of checker.data.fields, by the kind of value they read. Identity, not name: the
# lambdas of Str, OptStr and OptDate are known by the objects themselves.
KIND_OF_VALIDATOR = {
    parse_date: "date", _before(kinds_of_field.OptDate): "date",
    parse_datetime: "datetime", _before(kinds_of_field.DateTime): "datetime",
    _before(kinds_of_field.OptDateTime): "datetime",
    _before(kinds_of_field.Month): "text",  # a string stripped, then its pattern: text's checks
    parse_fen: "fen",
    parse_bool: "bool",
    kinds_of_field.id_value: "id", kinds_of_field.ID_VALIDATORS[1]: "id",
    _before(kinds_of_field.Str): "text", _before(kinds_of_field.OptStr): "text",
}
# The JSON token each kind takes: a string, a whole number, any number, true/false.
TOKEN = {"text": "string", "id": "string", "date": "string", "datetime": "string", "enum": "string",
         "fen": "number", "float": "number", "int": "int", "bool": "bool", "empty_list": "empty_list"}
# Schema keys that change nothing about a value (pydantic-core's defaults, documentation).
_NEUTRAL = {"type", "metadata", "ref", "serialization", "strict", "microseconds_precision"}
_BOUNDS = {"ge", "le", "gt", "lt"}
_KIND_OF_NODE = {"int": "int", "float": "float", "str": "text", "bool": "bool", "date": "date"}


@dataclass(frozen=True)
class FieldPlan:
    name: str  # the model's field name (`return_`)
    key: str  # its key in the plain form (`return`)
    kind: str | None  # None: not taken by the columnar path (the key must be absent)
    required: bool
    default: Any = None
    bounds: dict[str, Any] = field(default_factory=dict)  # ge/le/gt/lt, min_length/max_length, pattern
    choices: tuple[str, ...] = ()  # an enum's values the columnar path takes
    iso_range: bool = False  # a date read by parse_date: within FIRST_DATE–LAST_DATE too
    copy_default: bool = False  # a mutable default: each record gets its own copy, as pydantic does


@dataclass(frozen=True)
class Plan:
    record_type: str
    fields: tuple[FieldPlan, ...]

    @property
    def taken(self) -> tuple[FieldPlan, ...]:
        return tuple(f for f in self.fields if f.kind is not None)


@cache
def plan_of(record_type: str) -> Plan | None:
    """The columnar plan of a record type, or None if its model has anything the columnar path does
    not know at the model level (validators of the model, computed fields, unknown keys allowed)."""
    schema = RECORD_TYPES[record_type].__pydantic_core_schema__
    if schema.get("type") != "model" or schema.get("custom_init") or schema.get("root_model") \
            or schema.get("post_init") or schema["schema"].get("type") != "model-fields" \
            or schema["schema"].get("computed_fields") or schema["schema"].get("extras_schema") \
            or schema.get("config", {}).get("extra_fields_behavior") != "forbid":
        return None
    planned = tuple(_field_plan(name, spec) for name, spec in schema["schema"]["fields"].items())
    if any(f.kind is None and f.required for f in planned):
        return None
    return Plan(record_type, planned)


def _field_plan(name: str, spec: dict[str, Any]) -> FieldPlan:
    aliases = spec.get("validation_alias")
    key = aliases[0][0] if aliases and len(aliases[0]) == 1 and isinstance(aliases[0][0], str) else name
    node, required, default = spec["schema"], True, None
    if node["type"] == "default":
        if "default" not in node or set(node) - _NEUTRAL - {"schema", "default"}:
            return FieldPlan(name, key, None, "default" not in node)  # a default factory: not known here
        required, default, node = False, node["default"], node["schema"]
    mutable = not isinstance(default, str | int | float | bool | type(None) | dt.date)
    unknown = spec.keys() - {"type", "schema", "validation_alias", "metadata", "serialization_alias",
                             "serialization_exclude", "frozen"}
    read = None if unknown else _kind(node)
    if read is None and default == [] and _empty_list_is_default(node):
        read = "empty_list", {}, (), False  # `[]` given is the default (a list of ids with none)
    if read is None:
        return FieldPlan(name, key, None, required, default, copy_default=mutable)
    kind, bounds, choices, iso_range = read
    return FieldPlan(name, key, kind, required, default, bounds, choices, iso_range, mutable)


def _kind(node: dict[str, Any]) -> tuple[str, dict[str, Any], tuple[str, ...], bool] | None:
    """(kind, bounds, enum values taken, whether parse_date's range applies) of a field's schema
    node, or None if the columnar path does not know it."""
    if node["type"] == "nullable":
        return _kind(node["schema"]) if node.keys() <= _NEUTRAL | {"schema"} else None
    if node["type"] == "function-before":
        function = node["function"]["function"]
        inner = node["schema"]
        inner = inner["schema"] if inner["type"] == "nullable" and inner.keys() <= _NEUTRAL | {"schema"} else inner
        kind = KIND_OF_VALIDATOR.get(function)
        if kind is None and inner["type"] == "literal" and node["function"]["type"] == "no-info":
            return _enum(inner, function)
        expected = {"date": "date", "datetime": "datetime", "fen": "int", "bool": "bool", "id": "str",
                    "text": "str"}.get(kind or "")
        if expected is None or inner["type"] != expected:
            return None
        bounds = _bounds(inner)
        if bounds is None:
            return None
        return kind, bounds, (), kind in ("date", "datetime")
    if node["type"] == "literal":
        return _enum(node, None)
    kind = _KIND_OF_NODE.get(node["type"])
    bounds = _bounds(node) if kind else None
    return (kind, bounds, (), False) if kind and bounds is not None else None


def _empty_list_is_default(node: dict[str, Any]) -> bool:
    """Whether the field's own validator makes `[]` an empty list (as it is not a blank, the general
    path validates it)."""
    try:
        return SchemaValidator(node).validate_python([]) == []
    except (ValidationError, SchemaError, TypeError):
        return False


def _bounds(node: dict[str, Any]) -> dict[str, Any] | None:
    """The constraints of a scalar schema node the columnar path checks, or None if it has one it
    does not know (multiple_of, strip_whitespace, …)."""
    known = {"int": _BOUNDS, "float": _BOUNDS | {"allow_inf_nan"}, "date": _BOUNDS, "datetime": set(),
             "bool": set(), "str": {"min_length", "max_length", "pattern"}}[node["type"]]
    if node.keys() - _NEUTRAL - known:
        return None
    return {k: v for k, v in node.items() if k in known and k != "allow_inf_nan"}


def _enum(node: dict[str, Any], normalise: Any) -> tuple[str, dict[str, Any], tuple[str, ...], bool] | None:
    """An enum takes the values its validator leaves as they are (a value that is also another
    value's Chinese label would be mapped: it is left to the general path)."""
    if node.keys() - _NEUTRAL - {"expected"}:
        return None
    values = tuple(v for v in node["expected"] if type(v) is str and (normalise is None or normalise(v) == v))
    return ("enum", {}, values, False) if values else None


# --- the records the columnar path makes -----------------------------------------------------------

class PlainRecord:
    """A record the columnar path validated: the values its model would hold, by field and in the
    model's order, in `__dict__` (where derivation reads them: checker.facts.makers `fact_maker`),
    read-only like the model. One class per record type, named after the model."""

    record_type = ""

    def __init__(self, values: dict[str, Any]):
        object.__setattr__(self, "__dict__", values)

    def __setattr__(self, name: str, value: Any) -> None:
        raise TypeError(f"{type(self).__name__} is read-only, like the model it stands for")

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other.__dict__ == self.__dict__

    __hash__ = None  # type: ignore[assignment]  # as the frozen model's values may be lists

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(f'{k}={v!r}' for k, v in self.__dict__.items())})"


def _record_class(record_type: str) -> type[PlainRecord]:
    name = f"Plain{RECORD_TYPES[record_type].__name__}"
    made = type(name, (PlainRecord,), {"__module__": __name__, "__qualname__": name, "record_type": record_type})
    globals()[name] = made  # a module-level name: a fresh interpreter unpickles it
    return made


RECORD_CLASSES: dict[str, type[PlainRecord]] = {t: _record_class(t) for t in RECORD_TYPES}
# Each record class's writable twin, that `build` makes its records as and then turns into the record
# class: an attribute set on it is stored at C speed, in place (see `_builder`).
_WRITABLE: dict[str, type[PlainRecord]] = {
    t: type(f"_Writable{made.__name__}", (made,), {"__module__": __name__, "__setattr__": object.__setattr__})
    for t, made in RECORD_CLASSES.items()}


def field_columns(record_type: str, columns: dict[str, list[Any]], count: int) -> dict[str, list[Any]]:
    """Each field's `count` values as the records hold them, by field in the model's order: a field
    not given takes the model's default itself (`0` stays an int in a float field, as pydantic
    leaves it) or, if mutable, a copy of it."""
    values = filler(record_type, tuple(name for name, given in columns.items() if given is not None))(columns, count)
    if any(len(column) != count for column in values.values()):
        raise ValueError(f"{record_type}: columns of {sorted({len(c) for c in values.values()})} values, not {count}")
    return values


@cache
def filler(record_type: str, given: tuple[str, ...]) -> Callable[[dict[str, list[Any]], int], dict[str, list[Any]]]:
    """`field_columns` for columns that give the fields named `given`, each a list, without its check
    of their lengths: written out once for the record type and the names a table's blocks give (a
    loop over the model's fields cost a block more than its records' own work, at a few dozen)."""
    plan = plan_of(record_type)
    assert plan is not None
    lines, shown = ["def fill(columns, count):"], []
    for k, f in enumerate(plan.fields):
        if f.name in given and f.default is not None:  # a value not given takes the default
            lines += [f"    c{k} = columns[{f.name!r}]",
                      f"    if None in c{k}:", f"        c{k} = [d{k} if value is None else value for value in c{k}]"]
            shown.append(f"c{k}")
        elif f.name in given:
            shown.append(f"columns[{f.name!r}]")
        elif f.copy_default and f.default == [] and type(f.default) is list:
            shown.append("[[] for _ in range(count)]")  # (deepcopy of an empty list: 3 µs)
        elif f.copy_default:
            shown.append(f"[deepcopy(d{k}) for _ in range(count)]")
        else:
            shown.append(f"[d{k}] * count")
    display = ", ".join(f"{f.name!r}: {value}" for f, value in zip(plan.fields, shown, strict=True))
    lines.append(f"    return {{{display}}}")
    namespace: dict[str, Any] = {"deepcopy": copy.deepcopy, **{f"d{k}": f.default for k, f in enumerate(plan.fields)}}
    exec(compile("\n".join(lines) + "\n", f"<columns of {record_type}>", "exec"), namespace)  # noqa: S102  # names quoted
    return namespace["fill"]


def build(record_type: str, values: dict[str, list[Any]]) -> list[PlainRecord]:
    """The records of `field_columns`'s columns."""
    return _builder(record_type)(list(values.values()))


def build_one(record_type: str, values: dict[str, list[Any]], at: int) -> PlainRecord:
    """`build(record_type, values)[at]`, the others not made."""
    return _builder(record_type).one(list(values.values()), at)  # type: ignore[no-any-return]


@cache
def _builder(record_type: str) -> Any:
    """A function that makes the records of a record type from its columns (in the plan's order).
    Written out for the record type's fields: each record is made as its class's writable twin, its
    fields set one by one in the model's order (stored in place, in the values the class's instances
    share their keys for: no dict is built per record), then given its read-only class. A dict display
    by record, set as each one's `__dict__`, cost nearly twice as much (23 fields: 1.2 µs a record,
    against 0.65): the records are most of what a unit's worker pays for each one it rebuilds. The
    price: Python 3.11 reads a field of an object whose class was changed ~16 ns slower (it does not
    specialise the read); counted in instructions, a unit's whole judging (derivation, findings and
    evidence read the records) is still 2.8 % cheaper this way than with the dicts."""
    plan = plan_of(record_type)
    assert plan is not None
    values = [f"value{k}" for k in range(len(plan.fields))]
    sets = "".join(f"        record.{f.name} = {value}\n" for f, value in zip(plan.fields, values, strict=True))
    source = (f"def build(columns, new=object.__new__, writable=writable, final=final):\n"
              f"    made = []\n    append = made.append\n"
              f"    for {', '.join(values)}, in zip(*columns):\n"
              f"        record = new(writable)\n{sets}        record.__class__ = final\n        append(record)\n"
              f"    return made\n"
              f"def one(columns, at, new=object.__new__, writable=writable, final=final):\n"  # (`build_one`)
              f"    {', '.join(values)}, = (column[at] for column in columns)\n"
              f"    record = new(writable)\n{sets.replace(' ' * 8, ' ' * 4)}    record.__class__ = final\n"
              f"    return record\n")
    namespace: dict[str, Any] = {"writable": _WRITABLE[record_type], "final": RECORD_CLASSES[record_type]}
    exec(compile(source, f"<records of {record_type}>", "exec"), namespace)  # noqa: S102  # names from the model
    made = namespace["build"]
    made.one = namespace["one"]
    return made
