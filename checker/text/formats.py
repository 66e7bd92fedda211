"""How values read in a report: money in 元 with two decimals, dates as 2020年5月25日, periods as
2020年上半年, persons as 姓名（职务）, units by name with their code where it helps."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

_HALF = {"1": ("上半年", "first half of"), "2": ("下半年", "second half of")}
_QUARTER_ZH = {"1": "第一季度", "2": "第二季度", "3": "第三季度", "4": "第四季度"}
_MONTH_EN = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
             "November", "December")
_ISO_DAY = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")


def yuan(fen: int | float, lang: str = "zh") -> str:
    """Integer fen as 4,000.00元 (zh) or 4,000.00 yuan (en)."""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(int(round(fen))), 100)
    amount = f"{sign}{whole:,}.{cents:02d}"
    return f"{amount}元" if lang == "zh" else f"{amount} yuan"


def as_day(value: Any) -> dt.date | None:
    """A day number (as facts hold dates), a date, a date-time or an ISO string, as a date."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return dt.date.fromordinal(value)
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def day(value: Any, lang: str = "zh") -> str:
    found = as_day(value)
    if found is None:
        return "" if value is None else str(value)
    return f"{found.year}年{found.month}月{found.day}日" if lang == "zh" else found.isoformat()


def day_span(first: Any, last: Any, lang: str = "zh") -> str:
    """2020年5月19日至21日, 2020年4月28日 (one day), 2020年4月13日至5月2日."""
    a, b = as_day(first), as_day(last)
    if a is None or b is None or a == b:
        return day(first, lang)
    if lang != "zh":
        return f"{a.isoformat()} to {b.isoformat()}"
    if (a.year, a.month) == (b.year, b.month):
        return f"{day(a)}至{b.day}日"
    return f"{day(a)}至{b.month}月{b.day}日" if a.year == b.year else f"{day(a)}至{day(b)}"


_CN_DIGITS = "零一二三四五六七八九十"


def ordinal_cn(value: Any, lang: str = "zh") -> str:
    """A category number as Chinese writes it (三类会议); English keeps the figure."""
    if lang == "zh" and isinstance(value, int) and 0 <= value <= 10:
        return _CN_DIGITS[value]
    return number(value)


def days_in_text(text: str, lang: str = "zh") -> str:
    """ISO dates written into free text (a citation's edition, a source) as 2020年7月1日 in Chinese."""
    if lang != "zh":
        return text
    return _ISO_DAY.sub(lambda m: f"{int(m[1])}年{int(m[2])}月{int(m[3])}日", text)


def period(label: Any, lang: str = "zh") -> str:
    """`2020` 2020年, `2020H1` 2020年上半年, `2020Q3` 2020年第三季度, `2020-07` 2020年7月, and a span
    `2020-01-01..2020-06-30` as 2020年1月1日至2020年6月30日."""
    text = "" if label is None else str(label)
    if ".." in text:
        start, _, end = text.partition("..")
        return f"{day(start, lang)}至{day(end, lang)}" if lang == "zh" else f"{start} to {end}"
    if m := re.fullmatch(r"(\d{4})", text):
        return f"{m[1]}年" if lang == "zh" else m[1]
    if m := re.fullmatch(r"(\d{4})H([12])", text):
        return f"{m[1]}年{_HALF[m[2]][0]}" if lang == "zh" else f"{_HALF[m[2]][1]} {m[1]}"
    if m := re.fullmatch(r"(\d{4})Q([1-4])", text):
        return f"{m[1]}年{_QUARTER_ZH[m[2]]}" if lang == "zh" else f"Q{m[2]} {m[1]}"
    if m := re.fullmatch(r"(\d{4})-(\d{2})", text):
        return f"{m[1]}年{int(m[2])}月" if lang == "zh" else f"{_MONTH_EN[int(m[2]) - 1]} {m[1]}"
    return day(text, lang) if _ISO_DAY.fullmatch(text) else text


def report_period(meta_period: Any, lang: str = "zh") -> str:
    """The audited period of a report's metadata: its label and the days it covers."""
    if not isinstance(meta_period, dict):
        return period(meta_period, lang)
    label, start, end = meta_period.get("label"), meta_period.get("start"), meta_period.get("end")
    span = f"{day(start, lang)}至{day(end, lang)}" if lang == "zh" else f"{start} to {end}"
    if not label:
        return span
    return f"{period(label, lang)}（{span}）" if lang == "zh" else f"{period(label, lang)} ({span})"


def person(name: Any, post: Any = None, lang: str = "zh") -> str:
    """姓名（职务）; the name alone when the post is not known."""
    name = "" if name is None else str(name)
    if not post:
        return name
    return f"{name}（{post}）" if lang == "zh" else f"{name} ({post})"


def unit(name: Any, code: Any = None, lang: str = "zh", with_code: bool = False) -> str:
    """A unit by name, `宣州市公路管理处（GL）` where the code helps (a heading, a file name)."""
    if not name:
        return "" if code is None else str(code)
    if with_code and code and code != name:
        return f"{name}（{code}）" if lang == "zh" else f"{name} ({code})"
    return str(name)


def number(value: Any) -> str:
    """A count or a measure without a trailing .0."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value)


def yes_no(value: Any, lang: str = "zh") -> str:
    if value is None:
        return ""
    return ("是" if value else "否") if lang == "zh" else ("yes" if value else "no")


_CJK = re.compile(r"[\u3400-\u9fff\uff00-\uffef\u3000-\u303f]")


def both_languages(text: Any) -> dict[str, str]:
    """A reason written `English / 中文` (or `中文 / English`), as the run gives it, as {zh, en}; text
    in one language only is used for both."""
    value = "" if text is None else str(text)
    if isinstance(text, dict):
        return {"zh": str(text.get("zh") or text.get("en") or ""), "en": str(text.get("en") or text.get("zh") or "")}
    left, sep, right = value.partition(" / ")
    if not sep:
        return {"zh": value, "en": value}
    zh, en = (right, left) if _CJK.search(right) and not _CJK.search(left) else (left, right)
    return {"zh": zh.strip(), "en": en.strip()}
