"""Parsing of the value forms users write: Chinese dates, yuan amounts, 是/否 booleans, record ids.

Shared by the pydantic models (validation) and the loaders, so that a CSV cell, an XLSX cell and
a JSON value go through exactly one interpretation. Messages are "中文 / English": the models put the
field's label in front of each half.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal

# The largest amount taken as real, in yuan (10 亿元). A larger one is an input error: a typo, or fen
# entered as yuan. Change it here for a data set that really holds larger single amounts.
MAX_AMOUNT_YUAN = 1_000_000_000
# Dates outside these are typing errors (0001-01-01, 2200-01-01), not records of a public body.
FIRST_DATE = dt.date(1900, 1, 1)
LAST_DATE = dt.date(2100, 12, 31)

_EXCEL_EPOCH = dt.date(1899, 12, 30)
_DATE_PATTERNS = (
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"),
    re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"),
    re.compile(r"^(\d{4})\.(\d{1,2})\.(\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
)
_TRUE = {"true", "yes", "y", "1", "是", "有", "对", "√", "t"}
_FALSE = {"false", "no", "n", "0", "否", "无", "没有", "×", "f", ""}


_NOT_A_DATE = "不是日期（应为 2020-07-15、2020/7/15 或 2020年7月15日） / not a date (expected 2020-07-15, 2020/7/15 or 2020年7月15日)"


def parse_date(value: object) -> dt.date:
    """ISO, 2020/7/15, 2020年7月15日, a datetime, or an Excel serial day number; 1900–2100."""
    day = _date_as_written(value)
    if not FIRST_DATE <= day <= LAST_DATE:
        raise ValueError(f"“{value}”不在 {FIRST_DATE.year}–{LAST_DATE.year} 年之间 / "
                         f"{value!r} is outside the years {FIRST_DATE.year}–{LAST_DATE.year}")
    return day


def _date_as_written(value: object) -> dt.date:
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
        raise ValueError(f"“{value}”{_NOT_A_DATE}")
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
            try:
                return dt.date(year, month, day)
            except ValueError as exc:  # month 13, 2020-02-30
                raise ValueError(f"“{value}”不是有效日期 / not a valid date: {value!r} ({exc})") from None
    raise ValueError(f"“{value}”{_NOT_A_DATE}")


def parse_datetime(value: object) -> dt.datetime:
    if isinstance(value, dt.datetime):
        parse_date(value)  # the same years as a date
        return value
    if isinstance(value, dt.date):
        return dt.datetime.combine(parse_date(value), dt.time())
    text = str(value).strip().replace("T", " ")
    date_part, _, time_part = text.partition(" ")
    day = parse_date(date_part)
    if not time_part:
        return dt.datetime.combine(day, dt.time())
    match = re.fullmatch(r"(\d{1,2})[:时](\d{1,2})(?:[:分](\d{1,2}))?秒?", time_part.strip())
    hour, minute, second = (int(g or 0) for g in match.groups()) if match else (99, 0, 0)
    if hour > 23 or minute > 59 or second > 59:
        raise ValueError(f"“{time_part}”不是时间（应为 14:30 或 14:30:00） / not a time: {time_part!r} "
                         "(expected 14:30 or 14:30:00)")
    return dt.datetime.combine(day, dt.time(hour, minute, second))


# A thousands separator only between groups of three digits after a first group of one to three:
# 1,280.50 and 12,345,678 are amounts, 1,2,3 and 12,34 are not.
_GROUPED = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d*)?")
_NOT_AN_AMOUNT = "不是金额（应为 1,280.50 或 1280.5元） / not an amount in yuan (expected 1,280.50 or 1280.5元)"


def parse_fen(value: object) -> int:
    """Yuan as written (`1,280.50`, `1280.5元`, `¥300`) to integer fen, without float rounding."""
    if isinstance(value, bool):
        raise ValueError(f"“{value}”{_NOT_AN_AMOUNT}")
    if isinstance(value, int):
        if value * 100 <= MAX_AMOUNT_YUAN * 100:  # the common case, without Decimal
            return value * 100
        fen = Decimal(value) * 100
    else:
        text = str(value).strip().replace("，", ",").replace("元", "").replace("¥", "").replace("￥", "").strip()
        if "," in text and not _GROUPED.fullmatch(text):
            raise ValueError(f"“{value}”的千分位写法不对（应为 1,280.50） / {value!r}: thousands separators "
                             "must group three digits (1,280.50)")
        try:
            fen = Decimal(text.replace(",", "")) * 100
        except ArithmeticError:  # InvalidOperation, Overflow: "12元5角", "1e999999999"
            fen = Decimal("NaN")
    if not fen.is_finite():
        raise ValueError(f"“{value}”{_NOT_AN_AMOUNT}")
    if fen > MAX_AMOUNT_YUAN * 100:
        raise ValueError(f"“{value}”超过金额上限 {MAX_AMOUNT_YUAN:,} 元 / {value!r} is over the bound of "
                         f"{MAX_AMOUNT_YUAN:,} yuan (checker.data.values.MAX_AMOUNT_YUAN)")
    if fen != fen.to_integral_value():
        raise ValueError(f"“{value}”含不足一分的零头 / amount {value!r} has fractions of a fen")
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
    raise ValueError(f"“{value}”不是“是/否”（应为 是/否、true/false 或 1/0） / not a yes/no value: {value!r} "
                     "(expected 是/否, true/false or 1/0)")


# --- ids ------------------------------------------------------------------------------------------

# Invisible in an id and never typed on purpose: controls, format characters (zero-width space and
# joiners, byte-order marks, direction marks), surrogates and private-use characters.
_INVISIBLE = frozenset({"Cc", "Cf", "Cs", "Co"})
# Cyrillic and Greek letters drawn like Latin ones: an id made with them looks like an id it is not.
_LATIN_LOOKALIKES = frozenset("АВЕЅІЈКМНОРСТХУаеіјорсхуѕԁԛԝΑΒΕΖΗΙΚΜΝΟΡΤΥΧοναβ")


def normalise_id(value: object) -> str:
    """An id as compared: Unicode NFKC (full-width letters and digits, circled numbers and other
    compatibility forms become the plain ones) without surrounding blanks."""
    return unicodedata.normalize("NFKC", value if isinstance(value, str) else str(value)).strip()


def invisible_in_id(text: str) -> str | None:
    """An error message if an id holds a character that cannot be seen (a zero-width space)."""
    if text.isascii() and text.isprintable():
        return None
    hidden = [c for c in text if unicodedata.category(c) in _INVISIBLE]
    if not hidden:
        return None
    codes = "、".join(f"U+{ord(c):04X}" for c in dict.fromkeys(hidden))
    return f"含有看不见的字符 {codes} / holds invisible characters {codes.replace('、', ', ')}"


def lookalike_in_id(text: str) -> str | None:
    """A warning message if an id mixes Latin with Cyrillic or Greek letters, or is written with
    Cyrillic or Greek letters that look Latin: it would be read as another id."""
    if text.isascii():
        return None
    scripts = {unicodedata.name(c, "?").split(" ")[0] for c in text if c.isalpha()}
    foreign = scripts & {"CYRILLIC", "GREEK"}
    if not foreign:
        return None
    if "LATIN" in scripts or all(c in _LATIN_LOOKALIKES for c in text if c.isalpha()):
        names = "、".join(sorted({"CYRILLIC": "西里尔字母", "GREEK": "希腊字母"}[s] for s in foreign))
        return (f"混有形似拉丁字母的{names}，可能与另一编号混淆 / mixes Latin look-alike "
                f"{' and '.join(sorted(s.title() for s in foreign))} letters: it may be taken for another id")
    return None


def fen_to_yuan(fen: int) -> str:
    sign = "-" if fen < 0 else ""
    fen = abs(fen)
    yuan, cents = divmod(fen, 100)
    return f"{sign}{yuan:,}.{cents:02d}" if cents else f"{sign}{yuan:,}"


def zh_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"
