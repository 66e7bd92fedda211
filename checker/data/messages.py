"""Validation problems said in the user's words: one Chinese sentence naming the field by its label
and the value as given, then " / " and a short English gloss (pydantic's own messages are English
and name types, not the forms the contract accepts)."""

from __future__ import annotations

from functools import cache
from typing import Any

from checker.data.models import ENUMS, RECORD_TYPES, enum_values, field_labels
from checker.data.records import printable

_PERIODS = "2020、2020H1、2020Q3 或 2020-07"


@cache
def _choices(record_type: str, name: str) -> tuple[str, str]:
    """A field's accepted enum values, in Chinese (公务卡(official_card)、…) and in English."""
    info = RECORD_TYPES[record_type].model_fields.get("return_" if name == "return" else name)
    codes = enum_values(info.annotation) if info is not None else ()
    labels = next((values for values in ENUMS.values() if tuple(values) == tuple(codes)), {})
    return "、".join(f"{labels.get(code, code)}({code})" for code in codes), ", ".join(codes)


def validation_message(record_type: str, name: str | None, problem: dict[str, Any], given: Any) -> str:
    """One pydantic error (an item of `ValidationError.errors()`) as "中文 / English"; `given` is the
    value as written (pydantic's own input may be a list item, or yuan already made fen)."""
    name = name or "?"
    label = field_labels(record_type).get(name, name)
    kind = problem.get("type", "")
    ctx = problem.get("ctx") or {}
    if len(problem.get("loc") or ()) > 1:  # an item of a list
        given = problem.get("input")
    shown = printable(given)
    if kind == "missing":
        return f"缺少必填字段“{label}” / required field {name!r} is missing"
    if kind == "value_error":  # our parsers' messages, already "中文 / English" without the field
        text = str(ctx.get("error", problem.get("msg", "")))
        zh, _, en = text.partition(" / ")
        return f"{label}{zh} / {name}: {en}" if en else f"{label}“{shown}”无效：{text} / {name}: {text}"
    if kind == "literal_error":
        zh, en = _choices(record_type, name)
        return f"{label}“{shown}”不是可选值；可选：{zh} / {name}: {shown!r} is not one of {en}"
    if kind in ("greater_than_equal", "greater_than") and ctx.get("ge", ctx.get("gt")) == 0:
        return f"{label}不能为负数（“{shown}”） / {name} must not be negative ({shown!r})"
    if kind in ("greater_than_equal", "greater_than"):
        bound = ctx.get("ge", ctx.get("gt"))
        return f"{label}不能小于 {bound}（“{shown}”） / {name} must be at least {bound} ({shown!r})"
    if kind in ("less_than_equal", "less_than"):
        bound = ctx.get("le", ctx.get("lt"))
        return f"{label}不能大于 {bound:,}（“{shown}”） / {name} must be at most {bound:,} ({shown!r})"
    if kind == "string_too_short":
        return f"{label}不能为空 / {name} must not be empty"
    if kind == "string_too_long":
        limit = ctx.get("max_length")
        return (f"{label}过长（{len(str(given)):,} 个字符，最多 {limit:,} 个） / {name} is too long "
                f"({len(str(given)):,} characters, at most {limit:,})")
    if kind == "string_pattern_mismatch" and name == "period":
        return f"{label}“{shown}”不是期间（应为 {_PERIODS}） / {name}: {shown!r} is not a period"
    if kind.startswith("int_"):
        return f"{label}应为整数，“{shown}”不是 / {name}: {shown!r} is not a whole number"
    if kind.startswith("float_") or kind == "finite_number":
        return f"{label}应为有限的数，“{shown}”不是 / {name}: {shown!r} is not a finite number"
    if kind == "string_type":
        return f"{label}应为文字，“{shown}”不是 / {name}: {shown!r} is not text"
    if kind == "list_type":
        return f"{label}应为列表（逗号或顿号分隔） / {name}: {shown!r} is not a list"
    return f"{label}“{shown}”无效 / {name}: {problem.get('msg', 'invalid value')}"
