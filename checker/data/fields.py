"""The kinds of field the record models are made of: each a type with the Python validator that reads
the forms users write (values.py) and the bounds pydantic-core checks. `f()` declares a field that
also accepts its Chinese label as input name."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any

from pydantic import AliasChoices, BeforeValidator, Field, ValidationInfo

from checker.data.values import (
    FIRST_DATE,
    LAST_DATE,
    invisible_in_id,
    lookalike_in_id,
    normalise_id,
    parse_bool,
    parse_date,
    parse_datetime,
    parse_fen,
)


def blank_to_none(raw: Any) -> Any:
    if raw is None or (isinstance(raw, str) and raw.strip() == ""):
        return None
    return raw


def as_list(raw: Any) -> Any:
    raw = blank_to_none(raw)
    if raw is None:
        return []
    if isinstance(raw, str):
        return [part.strip() for part in raw.replace("，", ",").replace("、", ",").replace(";", ",").split(",")
                if part.strip()]
    return raw


# Bounds on what a count or a measure can be: beyond them a value is a typing error, and it could not
# be held by the engine (a 64-bit integer) either.
MAX_COUNT = 100_000_000
MAX_MEASURE = 1e9
MAX_ID_CHARS = 200
MAX_TEXT_CHARS = 10_000

Date = Annotated[dt.date, BeforeValidator(parse_date)]
OptDate = Annotated[dt.date | None, BeforeValidator(lambda v: None if blank_to_none(v) is None else parse_date(v))]
_ISO_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(?::\d{2})?")


def _datetime(raw: Any) -> dt.datetime:
    """The contract's own form (`2020-06-12 19:30`) read in C; every other form, and every error,
    by `parse_datetime` (a vehicle use has two date-times: they were its slowest fields)."""
    if isinstance(raw, str) and _ISO_DATETIME.fullmatch(raw):
        try:
            made = dt.datetime.fromisoformat(raw)
        except ValueError:
            made = None
        if made is not None and FIRST_DATE <= made.date() <= LAST_DATE:  # parse_date's years
            return made
    return parse_datetime(raw)


DateTime = Annotated[dt.datetime, BeforeValidator(_datetime)]
OptDateTime = Annotated[dt.datetime | None,
                        BeforeValidator(lambda v: None if blank_to_none(v) is None else _datetime(v))]
# a calendar month a payment is for (所属月份), `2020-06`
Month = Annotated[Annotated[str, Field(pattern=r"^\d{4}-\d{2}$")] | None,
                  BeforeValidator(lambda v: None if blank_to_none(v) is None else str(v).strip())]
# ge=0 inside: checked by pydantic-core (outside, it would be one more Python call per amount)
Fen = Annotated[Annotated[int, Field(ge=0)], BeforeValidator(parse_fen)]
Bool = Annotated[bool, BeforeValidator(parse_bool)]
OptStr = Annotated[str | None, Field(max_length=MAX_TEXT_CHARS),
                   BeforeValidator(lambda v: None if blank_to_none(v) is None else str(v).strip())]
Str = Annotated[str, Field(max_length=MAX_TEXT_CHARS),
                BeforeValidator(lambda v: str(v).strip() if isinstance(v, int | float) else v)]
Count = Annotated[int, Field(ge=0, le=MAX_COUNT)]
Measure = Annotated[float, Field(ge=0, le=MAX_MEASURE, allow_inf_nan=False)]


# Warnings the id validators leave for the caller to locate (checker.data.rows takes them after each
# validation). A pydantic validation context would do, but costs 0.7 µs a call on the one-call path.
WARNINGS: list[tuple[str, str, str]] = []  # (field, message, value)


def id_value(raw: Any, info: ValidationInfo) -> Any:
    """An id or a reference to one, as compared (`normalise_id`). An invisible character is an error;
    a Latin look-alike is a warning, left in WARNINGS."""
    if isinstance(raw, int | float):
        raw = str(raw)
    if not isinstance(raw, str):
        return raw  # pydantic says it is not text
    text = normalise_id(raw)
    problem = invisible_in_id(text)
    if problem:
        raise ValueError(f"“{text.encode('ascii', 'backslashreplace').decode()}”{problem}")
    if not text.isascii():
        warning = lookalike_in_id(text)
        if warning:
            WARNINGS.append((info.field_name or "?", f"“{text}”{warning}", text))
    return text


def _optional_id(raw: Any, info: ValidationInfo) -> Any:
    return None if blank_to_none(raw) is None else id_value(raw, info)


def _id_list(raw: Any, info: ValidationInfo) -> Any:
    items = as_list(raw)
    return [id_value(item, info) for item in items] if isinstance(items, list) else items


Id = Annotated[str, Field(max_length=MAX_ID_CHARS), BeforeValidator(id_value)]
OptId = Annotated[str | None, Field(max_length=MAX_ID_CHARS), BeforeValidator(_optional_id)]
IdList = Annotated[list[str], BeforeValidator(_id_list)]
# the validators of ids: checker.data.rows lets an id already in its compared form skip them
ID_VALIDATORS = (id_value, _optional_id)


def f(label: str, default: Any = ..., **kw: Any) -> Any:
    """A contract field that also accepts its Chinese label as input name."""
    return Field(default, validation_alias=AliasChoices(kw.pop("name"), label), description=label, **kw)
