"""The project's vocabularies: severities, responsibility roles, obligation states and discipline
areas, each with its order and its Chinese and English labels. Every stage and renderer reads
them from here (they had been written out four times)."""

from __future__ import annotations

from typing import Any

SEVERITIES = ("high", "medium", "low", "info")  # report order: most severe first
SEVERITY_RANK = {"info": 0, "low": 1, "medium": 2, "high": 3}  # for --fail-on: at or above
FAIL_ON = (*SEVERITIES, "never")
SEVERITY_LABEL = {"zh": {"high": "严重", "medium": "较重", "low": "一般", "info": "提示"},
                  "en": {"high": "high", "medium": "medium", "low": "low", "info": "info"}}
# A unit breaking a rule again within a year: the later finding is one severity higher (失责必问).
ESCALATION = {"info": "low", "low": "medium", "medium": "high", "high": "high"}

ROLES = ("first_responsible", "supervising_leader", "discipline_officer")
ROLE_LABEL = {
    "zh": {"first_responsible": "第一责任人", "supervising_leader": "分管领导（一岗双责）",
           "discipline_officer": "监督责任（纪检）"},
    "en": {"first_responsible": "first responsible (secretary)",
           "supervising_leader": "supervising leader (dual duty)",
           "discipline_officer": "discipline officer (oversight)"},
}

# An obligation's state as a finding's message says it, and as the self-check's list shows it.
STATE_IN_MESSAGE = {"overdue": "仍未完成（已逾期）", "late": "逾期后才完成", "due": "待完成", "done": "已完成"}
STATE_LABEL = {
    "zh": {"done": "已完成", "due": "待完成", "due_soon": "会前到期", "overdue": "已逾期", "late": "逾期完成",
           "upcoming": "未开始"},
    "en": {"done": "done", "due": "due", "due_soon": "due before the meeting", "overdue": "OVERDUE",
           "late": "done late", "upcoming": "not started"},
}

# `eight_point.reception` is the family `eight_point` and the area `reception`.
DISCIPLINE_LABEL_ZH = {
    "eight_point": "八项规定", "reform": "改革纪律", "reporting": "报告会议", "formalism": "形式主义",
    "accountability": "问责", "reception": "公务接待", "travel": "差旅", "conference": "会议费", "training": "培训",
    "vehicle": "公务用车", "office": "办公用房", "gift": "礼品礼金", "allowance": "津补贴", "family_event": "婚丧喜庆",
    "tourism": "公款旅游", "frugality": "厉行节约", "political": "政治纪律", "organisational": "组织纪律",
    "staffing": "编制纪律", "personnel": "人事纪律", "financial": "财经纪律", "secrecy": "保密纪律",
}


def severity_label(severity: Any, lang: str) -> str:
    return SEVERITY_LABEL[lang].get(str(severity), "" if severity is None else str(severity))


def role_label(role: Any, lang: str) -> str:
    return ROLE_LABEL[lang].get(str(role), "" if role is None else str(role))


def discipline_label(discipline: Any, lang: str) -> str:
    """`eight_point.reception` → 八项规定·公务接待 in Chinese; the code itself in English."""
    text = "" if discipline is None else str(discipline)
    if lang != "zh" or "." not in text:
        return text
    family, _, area = text.partition(".")
    return f"{DISCIPLINE_LABEL_ZH.get(family, family)}·{DISCIPLINE_LABEL_ZH.get(area, area)}"
