"""One row made a record: its column names mapped to the contract's (English or Chinese, any
case), blanks dropped, then validated by the record type's model. Every problem is a located
`InputError`; a JSON line in the contract's own plain form is validated in one pydantic-core call.
"""

from __future__ import annotations

import copy
import json
import re
from functools import cache
from typing import Any

from pydantic import ValidationError
from pydantic_core import SchemaValidator, from_json

from checker.data.models import RECORD_TYPES, Record, field_labels
from checker.data.records import InputError


@cache
def _header_map(record_type: str) -> dict[str, str]:
    """Accepted column names (English and Chinese, any case) -> contract field name."""
    mapping = {}
    for name, label in field_labels(record_type).items():
        mapping[name] = name
        mapping[name.lower()] = name
        mapping[label] = name
    mapping["编号"] = "id"
    mapping["单位"] = mapping.get("单位", "unit")
    return mapping


@cache
def _plain_names(record_type: str) -> frozenset[str]:
    """Column names that are the model's own field names (`return` is renamed, so it is not one)."""
    return frozenset(name for name in field_labels(record_type) if name != "return")


def _clean_row(record_type: str, row: Any, source: str, index: int,
               errors: list[InputError]) -> dict[str, Any] | None:
    if isinstance(row, json.JSONDecodeError):
        errors.append(InputError(source, index, None, f"malformed JSON line: {row.msg} (column {row.colno})"))
        return None
    if not isinstance(row, dict):
        errors.append(InputError(source, index, None, f"expected a record (mapping), got {type(row).__name__}"))
        return None
    if row.keys() <= _plain_names(record_type):  # the contract's own names: nothing to map or warn about
        return {k: v for k, v in row.items() if v is not None and not (type(v) is str and not v.strip())}
    headers = _header_map(record_type)
    clean: dict[str, Any] = {}
    for key, value in row.items():
        name = headers.get(key)  # the contract's own name, the usual case, needs no normalising
        if name is None and key == "__extra__":
            errors.append(InputError(source, index, None, f"row has more cells than the header: {value!r}"))
            return None
        if name is None:
            name = headers.get(str(key).strip()) or headers.get(str(key).strip().lower())
        if name is None:
            errors.append(InputError(source, index, str(key), "unknown column, ignored / 未知列，已忽略",
                                     level="warning"))
            continue
        if value is None or (isinstance(value, str) and value.strip() == ""):
            continue  # an empty cell or null means the field is not given
        clean["return_" if name == "return" else name] = value
    return clean


def validate_row(record_type: str, row: dict[str, Any], source: str, index: int,
                 errors: list[InputError]) -> Record | None:
    model = RECORD_TYPES[record_type]
    try:
        return model.model_validate(row)
    except ValidationError as exc:
        for problem in exc.errors():
            loc = problem.get("loc") or ()
            name = str(loc[0]) if loc else None
            if name == "return_":
                name = "return"
            value = row.get(name if name != "return" else "return_") if name else None
            message = problem.get("msg", "invalid value")
            if problem.get("type") == "missing":
                message = "required field is missing / 缺少必填字段"
            errors.append(InputError(source, index, name, message,
                                     value=None if value is None else str(value)))
        return None


# What `_clean_row` would change in a JSON line: a null or blank value (dropped: "not given") or an
# escape (which may spell a blank). A line without any is validated as it stands.
_NEEDS_CLEANING = re.compile(r'\\|:\s*(?:null|"\s*")')


@cache
def _line_validator(record_type: str) -> SchemaValidator | None:
    """The model's own validator, accepting only the contract's field names as keys: a line that
    passes it is exactly what `_clean_row` + `validate_row` would make of it, parsed and validated
    in one call in pydantic-core instead of three steps in Python."""
    model = RECORD_TYPES[record_type]
    schema = copy.deepcopy(model.__pydantic_core_schema__)
    if schema.get("type") != "model" or schema["schema"].get("type") != "model-fields":
        return None
    for name, spec in schema["schema"]["fields"].items():
        spec["validation_alias"] = "return" if name == "return_" else name
        spec["schema"] = _native_first(spec["schema"])
    # pydantic-core reuses a complete model class's own validator for any schema naming that class
    # (common/prebuilt.rs), which would ignore every change above: build while it reads incomplete.
    type.__setattr__(model, "__pydantic_complete__", False)
    try:
        return SchemaValidator(schema)
    finally:
        type.__setattr__(model, "__pydantic_complete__", True)


_NATIVE = {"str", "bool", "date", "literal"}
_STRIPPED = r"(?s)^\S(?:.*\S)?$"
_ISO_DATE = r"^\d{4}-\d{2}-\d{2}$"


def _native_first(node: dict[str, Any]) -> dict[str, Any]:
    """A field whose Python before-validator (Chinese forms: 是/否, 2020年7月15日, 宾馆) would hand an
    already canonical value through unchanged (a JSON string, true/false, an ISO date, an enum
    value, optional text without surrounding blanks) tries pydantic-core's own strict check of that
    value first. Money and date-times keep only their validator: there the canonical form is not
    left unchanged, or pydantic-core would accept more (a time zone)."""
    if node["type"] == "default":
        return {**node, "schema": _native_first(node["schema"])}
    if node["type"] != "function-before":
        return node
    inner = node["schema"]
    if inner["type"] == "nullable" and inner["schema"]["type"] == "str" and not inner["schema"].keys() - {"type"}:
        # optional text, stripped by its validator: already stripped is what pydantic-core can check
        # (Unicode White_Space is what str.strip() removes, but for controls a JSON line must escape)
        inner = {"type": "str", "pattern": _STRIPPED}
    elif inner["type"] == "nullable" and inner["schema"]["type"] in _NATIVE - {"str"}:
        inner = inner["schema"]  # an optional date or enum: the strict branch refuses a null, the original takes it
    if inner["type"] in _NATIVE:
        native = dict(inner)
        if native["type"] == "date":  # strict JSON dates still read "0" or "1594771200" as Unix time
            native = {"type": "chain", "steps": [{"type": "str", "strict": True, "pattern": _ISO_DATE}, native]}
        elif native["type"] != "literal":
            native["strict"] = True
        return {"type": "union", "choices": [native, node], "mode": "left_to_right"}
    return node


def validate_line(record_type: str, line: str, source: str, index: int,
                  errors: list[InputError]) -> Record | None:
    """A raw JSON line validated: at once if it is in the contract's plain form, else (other column
    names, blanks, anything invalid) by the general path, which locates every problem."""
    validator = _line_validator(record_type)
    if validator is not None and _NEEDS_CLEANING.search(line) is None:
        try:
            return validator.validate_json(line)
        except ValueError:  # ValidationError, or not JSON at all: the general path says what is wrong
            pass
    return validate_parsed(record_type, parse_line(line), source, index, errors)


def validate_parsed(record_type: str, row: Any, source: str, index: int,
                    errors: list[InputError]) -> Record | None:
    """A parsed row (anything: what is not a mapping is a located error) with its column names and
    blanks cleaned, then validated."""
    clean = _clean_row(record_type, row, source, index, errors)
    return validate_row(record_type, clean, source, index, errors) if clean is not None else None


def parse_line(line: str) -> Any:
    """A JSON line parsed, or the JSONDecodeError that locates what is wrong with it."""
    try:
        return from_json(line)
    except ValueError:
        try:
            return json.loads(line)  # for its error message; it may also accept what from_json refused
        except json.JSONDecodeError as exc:
            return exc


