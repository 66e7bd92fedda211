"""Parsing of the value forms users write: Chinese dates, yuan amounts, 是/否 booleans.

Shared by the pydantic models (validation) and the loaders, so that a CSV cell, an XLSX cell and
a JSON value go through exactly one interpretation.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

_EXCEL_EPOCH = dt.date(1899, 12, 30)
_DATE_PATTERNS = (
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"),
    re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"),
    re.compile(r"^(\d{4})\.(\d{1,2})\.(\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
)
_TRUE = {"true", "yes", "y", "1", "是", "有", "对", "√", "t"}
_FALSE = {"false", "no", "n", "0", "否", "无", "没有", "×", "f", ""}


def parse_date(value: object) -> dt.date:
    """ISO, 2020/7/15, 2020年7月15日, a datetime, or an Excel serial day number."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and len(value) == 10 and value[4] == "-":
        try:
            return dt.date.fromisoformat(value)  # the common case, fast
        except ValueError:
            pass
    if isinstance(value, bool):
        raise ValueError(f"not a date: {value!r}")
    if isinstance(value, int | float) and 1 <= value < 2958466:
        return _EXCEL_EPOCH + dt.timedelta(days=int(value))
    text = str(value).strip()
    if re.fullmatch(r"\d{5}(\.0+)?", text):
        return _EXCEL_EPOCH + dt.timedelta(days=int(float(text)))
    text = text.split("T")[0].split(" ")[0]
    for pattern in _DATE_PATTERNS:
        match = pattern.match(text)
        if match:
            year, month, day = (int(g) for g in match.groups())
            return dt.date(year, month, day)
    raise ValueError(f"not a date: {value!r} (expected 2020-07-15, 2020/7/15 or 2020年7月15日)")


def parse_datetime(value: object) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time())
    text = str(value).strip().replace("T", " ")
    date_part, _, time_part = text.partition(" ")
    day = parse_date(date_part)
    if not time_part:
        return dt.datetime.combine(day, dt.time())
    match = re.fullmatch(r"(\d{1,2})[:时](\d{1,2})(?:[:分](\d{1,2}))?秒?", time_part.strip())
    if not match:
        raise ValueError(f"not a time: {time_part!r} (expected 14:30 or 14:30:00)")
    hour, minute, second = (int(g or 0) for g in match.groups())
    return dt.datetime.combine(day, dt.time(hour, minute, second))


def parse_fen(value: object) -> int:
    """Yuan as written (`1,280.50`, `1280.5元`, `¥300`) to integer fen, without float rounding."""
    if isinstance(value, bool):
        raise ValueError(f"not an amount: {value!r}")
    if isinstance(value, int):
        return value * 100
    text = str(value).strip().replace(",", "").replace("，", "").replace("元", "").replace("¥", "")
    text = text.replace("￥", "").strip()
    try:
        fen = Decimal(text) * 100
    except ArithmeticError:  # InvalidOperation, Overflow: "12元5角", "1e999999999"
        fen = Decimal("NaN")
    if not fen.is_finite():
        raise ValueError(f"not an amount in yuan: {value!r} (expected 1,280.50 or 1280.5元)")
    if fen != fen.to_integral_value():
        raise ValueError(f"amount {value!r} has fractions of a fen")
    return int(fen)


def parse_bool(value: object) -> bool:
    if isinstance(value, bool):
        return value
    if value is None:
        return False
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(f"not a yes/no value: {value!r} (expected true/false, 是/否 or 1/0)")


def fen_to_yuan(fen: int) -> str:
    sign = "-" if fen < 0 else ""
    fen = abs(fen)
    yuan, cents = divmod(fen, 100)
    return f"{sign}{yuan:,}.{cents:02d}" if cents else f"{sign}{yuan:,}"


def zh_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"
