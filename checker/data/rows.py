"""One row made a record: its column names mapped to the contract's (English or Chinese, any
case), blanks dropped, then validated by the record type's model. Every problem is a located
`InputError`; a JSON line in the contract's own plain form is validated in one pydantic-core call.
"""

from __future__ import annotations

import copy
import json
import re
from collections import Counter
from functools import cache
from typing import Any

from pydantic import ValidationError
from pydantic_core import SchemaValidator, from_json

from checker.data.fields import ID_VALIDATORS, WARNINGS
from checker.data.messages import validation_message
from checker.data.models import RECORD_TYPES, Record, field_labels
from checker.data.records import InputError, RowProblem, keys_given_twice, printable
from checker.data.values import FIRST_DATE, LAST_DATE


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


# A lone surrogate (from a JSON escape such as "\ud800") is not a character: it cannot be written out.
_SURROGATE = re.compile("[\ud800-\udfff]")


def _clean_row(record_type: str, row: Any, source: str, index: int,
               errors: list[InputError]) -> dict[str, Any] | None:
    if type(row) is not dict and not _is_record(record_type, row, source, index, errors):
        return None
    if row.keys() <= _plain_names(record_type):  # the contract's own names: nothing to map or warn about
        clean = {k: v for k, v in row.items() if v is not None and not (type(v) is str and not v.strip())}
        return clean if _no_surrogates(clean, source, index, errors) else None
    headers = _header_map(record_type)
    clean: dict[str, Any] = {}
    for key, value in row.items():
        name = headers.get(key)  # the contract's own name, the usual case, needs no normalising
        if name is None and key == "__extra__":
            errors.append(InputError(source, index, None, f"该行的单元格比表头多：{printable(value)} / "
                                     "row has more cells than the header", value=printable(value)))
            return None
        if name is None:
            name = headers.get(str(key).strip()) or headers.get(str(key).strip().lower())
        if name is None:
            errors.append(InputError(source, index, printable(key), "未知列，已忽略 / unknown column, ignored",
                                     level="warning"))
            continue
        if value is None or (isinstance(value, str) and value.strip() == ""):
            continue  # an empty cell or null means the field is not given
        clean["return_" if name == "return" else name] = value
    return clean if _no_surrogates(clean, source, index, errors) else None


def _is_record(record_type: str, row: Any, source: str, index: int, errors: list[InputError]) -> bool:
    """Whether a row read is a mapping; if not, its located errors are added."""
    if isinstance(row, dict):
        return True
    if isinstance(row, RowProblem):
        headers = _header_map(record_type)  # a column or key as written names its field
        errors.extend(InputError(source, index, field and (headers.get(field.strip()) or headers.get(
            field.strip().lower()) or field), message, level=row.level, value=value)
                      for field, message, value in row.problems)
    elif isinstance(row, json.JSONDecodeError):
        errors.append(InputError(source, index, None, f"JSON 行格式有误：{row.msg}（第 {row.colno} 列） / "
                                 f"malformed JSON line: {row.msg} (column {row.colno})"))
    else:
        errors.append(InputError(source, index, None, f"应为一条记录（键值对），实为 {type(row).__name__} / "
                                 f"expected a record (mapping), got {type(row).__name__}"))
    return False


def _no_surrogates(row: dict[str, Any], source: str, index: int, errors: list[InputError]) -> bool:
    bad = [name for name, value in row.items()
           if any(type(v) is str and not v.isascii() and _SURROGATE.search(v) is not None
                  for v in (value if type(value) is list else (value,)))]
    for name in bad:
        errors.append(InputError(source, index, "return" if name == "return_" else name,
                                 "含有孤立的代理项（\\ud800 之类的转义不是字符） / holds a lone surrogate, "
                                 "which is not a character", value=printable(row[name])))
    return not bad


def validate_row(record_type: str, row: dict[str, Any], source: str, index: int,
                 errors: list[InputError]) -> Record | None:
    model = RECORD_TYPES[record_type]
    WARNINGS.clear()
    try:
        record = model.model_validate(row)
    except ValidationError as exc:
        WARNINGS.clear()  # a rejected row's warnings are not reported
        for problem in exc.errors():
            loc = problem.get("loc") or ()
            name = str(loc[0]) if loc else None
            if name == "return_":
                name = "return"
            value = row.get(name if name != "return" else "return_") if name else None
            errors.append(InputError(source, index, name, validation_message(record_type, name, problem, value),
                                     value=None if value is None else printable(value)))
        return None
    if WARNINGS:
        _add_warnings(source, index, errors)
    return record


def _add_warnings(source: str, index: int, errors: list[InputError]) -> None:
    """The warnings the validators left of the record just validated (an id with look-alike letters)."""
    for name, message, value in WARNINGS:
        errors.append(InputError(source, index, "return" if name == "return_" else name, message,
                                 level="warning", value=value))
    WARNINGS.clear()


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
# An id in its compared form that needs no normalising: printable ASCII without surrounding blanks
# (NFKC leaves ASCII as it is). Any other id goes through `normalise_id` in Python.
_ASCII_ID = r"^[!-~](?:[ -~]*[!-~])?$"


def _native_first(node: dict[str, Any]) -> dict[str, Any]:
    """A field whose Python before-validator (Chinese forms: 是/否, 2020年7月15日, 宾馆) would hand an
    already canonical value through unchanged (a JSON string, true/false, an ISO date, an enum
    value, optional text without surrounding blanks, an ASCII id) tries pydantic-core's own strict
    check of that value first. Money and date-times keep only their validator: there the canonical
    form is not left unchanged, or pydantic-core would accept more (a time zone)."""
    if node["type"] == "default":
        return {**node, "schema": _native_first(node["schema"])}
    if node["type"] != "function-before":
        return node
    inner = node["schema"]
    text = inner["schema"] if inner["type"] == "nullable" else inner
    if node["function"]["function"] in ID_VALIDATORS:
        native = {**text, "strict": True, "pattern": _ASCII_ID}
        return {"type": "union", "choices": [native, node], "mode": "left_to_right"}
    if inner["type"] == "nullable" and text["type"] == "str" and not text.keys() - {"type", "max_length"}:
        # optional text, stripped by its validator: already stripped is what pydantic-core can check
        # (Unicode White_Space is what str.strip() removes, but for controls a JSON line must escape)
        inner = {**text, "pattern": _STRIPPED}
    elif inner["type"] == "nullable" and text["type"] in _NATIVE - {"str"}:
        inner = text  # an optional date or enum: the strict branch refuses a null, the original takes it
    if inner["type"] in _NATIVE:
        native = dict(inner)
        if native["type"] == "date":  # strict JSON dates still read "0" or "1594771200" as Unix time
            native = {"type": "chain", "steps": [{"type": "str", "strict": True, "pattern": _ISO_DATE},
                                                 {**native, "ge": FIRST_DATE, "le": LAST_DATE}]}
        elif native["type"] != "literal":
            native["strict"] = True
        return {"type": "union", "choices": [native, node], "mode": "left_to_right"}
    return node


_KEY_END = re.compile(r'"\s*:')
_LONG_NUMBER = re.compile(r'"([^"\\]{1,100})"\s*:\s*-?\d{4301}')


def validate_line(record_type: str, line: str, source: str, index: int,
                  errors: list[InputError]) -> Record | None:
    """A raw JSON line validated: at once if it is in the contract's plain form, else (other column
    names, blanks, a key given twice, anything invalid) by the general path, which locates every
    problem."""
    validator = _line_validator(record_type)
    if validator is not None and _NEEDS_CLEANING.search(line) is None:
        # (WARNINGS is empty here: only this module validates records, and it leaves none behind)
        try:
            record = validator.validate_json(line)
        except ValueError:  # ValidationError, or not JSON at all: the general path says what is wrong
            pass
        else:
            # pydantic-core keeps one value of a key given twice. Each key is one ":" outside strings,
            # and an unknown key fails validation, so as many ":" as fields given means no repeat.
            given = len(record.__pydantic_fields_set__)
            if line.count(":") == given or len(_KEY_END.findall(line)) == given:
                if WARNINGS:
                    _add_warnings(source, index, errors)
                return record
    return validate_parsed(record_type, parse_line(line), source, index, errors)


def validate_parsed(record_type: str, row: Any, source: str, index: int,
                    errors: list[InputError]) -> Record | None:
    """A parsed row (anything: what is not a mapping is a located error) with its column names and
    blanks cleaned, then validated."""
    WARNINGS.clear()  # what an attempt on the one-call path left
    clean = _clean_row(record_type, row, source, index, errors)
    return validate_row(record_type, clean, source, index, errors) if clean is not None else None


def parse_line(line: str) -> Any:
    """A JSON line parsed; or the JSONDecodeError that locates what is wrong with it, or the
    RowProblem of a line that is JSON but not a readable row (a key given twice, nesting too deep)."""
    try:
        parsed = from_json(line)
    except ValueError:
        parsed = _parse_slowly(line)
    if type(parsed) is dict and line.count(":") != len(parsed):  # a key given twice, or ":" in a value
        repeated: list[str] = []

        def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
            mapping = dict(items)
            if len(mapping) < len(items):
                repeated.extend(key for key, count in Counter(key for key, _ in items).items() if count > 1)
            return mapping

        try:
            json.loads(line, object_pairs_hook=pairs)
        except (ValueError, RecursionError):
            pass
        if repeated:
            return keys_given_twice(repeated)
    return parsed


def _parse_slowly(line: str) -> Any:
    """json.loads, for its error message; it also reads what from_json refuses (a lone surrogate,
    found later by `_clean_row`)."""
    try:
        return json.loads(line)
    except json.JSONDecodeError as exc:
        return exc
    except RecursionError:
        return RowProblem.of("嵌套过深，不是一条记录 / nested too deeply to be a record")
    except ValueError:  # Python reads no integer of more than 4,300 digits
        found = _LONG_NUMBER.search(line)
        return RowProblem.of("数字位数过多（超过 4300 位） / a number has more than 4,300 digits",
                             found.group(1) if found else None)
