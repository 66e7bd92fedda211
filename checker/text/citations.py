"""The sentence that closes a problem statement: 违反了《党政机关国内公务接待管理规定》（2013年）第十条.

Made in one place from the citation a finding carries (regulation, article, edition, confidence), so
that the 108 rule messages say only what happened, and a citation that comes to depend on the
edition in force on the record's date changes every message at once.

A citation's text is written by hand in the rule files and is not uniform: several regulations or
articles joined by ';', a document number in brackets after the title, an article that is a
requirement in words rather than a number, notes on what is unconfirmed (条号❓). The parsing below
turns each of those into what an inspector would write, and leaves anything else as written.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from checker.text.formats import days_in_text

_ARTICLE_NO = re.compile(r"^第[一二三四五六七八九十百零〇两\d]+条")
_YEAR = re.compile(r"(?:19|20)\d{2}")
_OPEN, _CLOSE = "（(《〔“", "）)》〕”"
# Notes for the rule's author, not for the reader: "（条号❓）", "；条号 ❓", "（LOCAL）", "可能为第十三条".
_NOTES = (re.compile(r"[（(][^（）()]*条号[^（）()]*[）)]"), re.compile(r"[；;]\s*[^；;（）()]*条号[^）)]*"),
          re.compile(r"[（(]\s*LOCAL\s*[）)]"), re.compile(r"[❓◐✅]"))
# Parts of a citation that name how a problem is detected (大数据监督模型…), not a rule it breaks.
_DETECTION = "大数据监督模型"


def _split(text: str | None) -> list[str]:
    """Split on ';' or '；' outside brackets."""
    parts, depth, current = [], 0, ""
    for char in text or "":
        depth += (char in _OPEN) - (char in _CLOSE)
        if char in ";；" and depth <= 0:
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current)
    return [p.strip() for p in parts if p.strip() and _DETECTION not in p]


def _tidy(text: str) -> str:
    """No author's notes, no blanks between Chinese characters and figures (`2020 年` → 2020年)."""
    for pattern in _NOTES:
        text = pattern.sub("", text)
    text = re.sub(r"(?<=[\u4e00-\u9fff\d])\s+(?=[\u4e00-\u9fff\d])", "", text)
    return days_in_text(text.strip(" ，,;；"))


def _title(regulation: str, year: str | None) -> str:
    """《title》 with what followed it in brackets (document number, note) and the edition's year."""
    notes: list[str] = []
    issuer = ""
    title = regulation
    if "《" in title:  # written as cited already: 《公职人员政务处分法》第三十四条
        return title
    match = re.match(r"^(\S+?)\s+(关于.+)$", title)
    if match:  # 交通运输部 关于公务接待等活动禁止饮酒的通知
        issuer, title = match.group(1), match.group(2)
    match = re.match(r"^(.+?)[（(]([^（）()]*(?:[（(][^（）()]*[）)][^（）()]*)*)[）)]$", title)
    if match and match.group(2) != "试行":
        title, notes = match.group(1), [match.group(2)]
    if year and year not in regulation:
        notes.append(f"{year}年")
    return f"{issuer}《{title.strip()}》" + (f"（{'，'.join(notes)}）" if notes else "")


def _article(article: str) -> str:
    if not article:
        return ""
    if _ARTICLE_NO.match(article) or article.endswith(("条", "章")):
        return article
    match = re.match(r"^([^（(]*?)[条章][（(](.+)[）)]$", article)
    text = match.group(2) if match else article
    return f"关于“{text}”的规定" if "“" not in text else f"关于{text}的规定"


def _join(parts: list[str]) -> str:
    if len(parts) <= 2:
        return "和".join(parts)
    return "、".join(parts[:-1]) + "和" + parts[-1]


def citation_sentence(citation: dict[str, Any] | None, lang: str = "zh") -> str:
    """违反了《…》（2013年）第十条 — without a final full stop; an empty string without a citation.
    A speech is not a regulation: 不符合…讲话提出的要求（…）."""
    if not citation or not citation.get("regulation"):
        return ""
    if lang != "zh":
        return _english(citation)
    reference, speech = _reference_of(*_key(citation))
    return f"不符合{reference}" if speech else f"违反了{reference}"


def citation_reference(citation: dict[str, Any] | None, lang: str = "zh") -> str:
    """The citation as a reference (a report's 依据 column): 《…》（2013年）第十条."""
    if not citation or not citation.get("regulation"):
        return ""
    if lang != "zh":
        return _english(citation).removeprefix("contrary to ").removeprefix("the requirement of ")
    return _reference_of(*_key(citation))[0]


def _key(citation: dict[str, Any]) -> tuple[Any, ...]:
    """What the sentence is made from (a citation also carries its scope and the texts beside it)."""
    return tuple(citation.get(name) for name in ("regulation", "article", "edition", "confidence"))


@lru_cache(maxsize=1024)
def _reference_of(regulation: str, article: str | None, edition: str | None,
                  confidence: str | None) -> tuple[str, bool]:
    """Parsed once per distinct citation (a report repeats each rule's many times)."""
    return _reference({"regulation": regulation, "article": article, "edition": edition, "confidence": confidence})


def _reference(citation: dict[str, Any]) -> tuple[str, bool]:
    """(the regulations and articles as an inspector cites them, whether it is a speech's requirement)."""
    regulations = [_tidy(r) for r in _split(citation["regulation"])]
    articles = [_tidy(a) for a in _split(citation.get("article"))]
    years = _YEAR.findall(str(citation.get("edition") or ""))
    if citation.get("confidence") == "speech" or any(r.endswith("讲话") for r in regulations):
        requirement = "；".join(articles)
        return f"{'、'.join(regulations)}提出的要求" + (f"（{requirement}）" if requirement else ""), True
    if len(regulations) > 1 and len(articles) == len(regulations):
        pairs = [(r, [a]) for r, a in zip(regulations, articles, strict=True)]
    else:
        pairs = [(r, articles if i == 0 else []) for i, r in enumerate(regulations)]
    parts = []
    for index, (regulation, cited) in enumerate(pairs):
        year = years[index] if len(years) == len(pairs) else (years[0] if years and index == 0 else None)
        numbered = [a for a in cited if _ARTICLE_NO.match(a)]
        worded = [_article(a) for a in cited if not _ARTICLE_NO.match(a)]
        parts.append(_title(regulation, year) + "、".join(numbered) + "和".join(worded))
    return _join(parts), False


def _english(citation: dict[str, Any]) -> str:
    article = f", {citation['article']}" if citation.get("article") else ""
    edition = f" ({citation['edition']} edition)" if citation.get("edition") else ""
    if citation.get("confidence") == "speech":
        return f"contrary to the requirement of {citation['regulation']}{article}"
    return f"contrary to {citation['regulation']}{article}{edition}"


def with_citation(statement: str, citation: dict[str, Any] | None, lang: str = "zh", lead: bool = False) -> str:
    """A rule's message and the citation as one problem statement, ending in a full stop. A lead (线索)
    is a suspicion to verify, so its sentence says so: 涉嫌违反…，请核实."""
    return with_sentence(statement, closing_sentence(citation, lang, lead), lang)


def closing_sentence(citation: dict[str, Any] | None, lang: str = "zh", lead: bool = False) -> str:
    """The sentence `with_citation` ends a statement with (the same for every finding of a rule under
    one standard, so a caller making many may make it once)."""
    sentence = citation_sentence(citation, lang)
    if lead and sentence:
        sentence = (sentence.replace("违反了", "涉嫌违反", 1).replace("不符合", "可能不符合", 1) + "，请核实"
                    if lang == "zh" else f"possibly {sentence}; to verify")
    return sentence


def with_sentence(statement: str, sentence: str, lang: str = "zh") -> str:
    """A statement and its closing sentence (`closing_sentence`) as one, ending in a full stop."""
    stripped, ending = sentence_ending(sentence, lang)
    return statement.rstrip(stripped) + ending


def sentence_ending(sentence: str, lang: str = "zh") -> tuple[str, str]:
    """How `with_sentence` ends a statement: the characters taken off its end, and what follows (the
    same for every finding of a rule under one standard, so a caller making many may make it once)."""
    if lang == "zh":
        return "。；，, ", f"，{sentence}。" if sentence else "。"
    return ". ;,", f", {sentence}." if sentence else "."
