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
STATE_IN_MESSAGE = {
    "zh": {"overdue": "仍未完成（已逾期）", "late": "逾期后才完成", "due": "待完成", "done": "已完成"},
    "en": {"overdue": "still not done (overdue)", "late": "done only after the deadline", "due": "due",
           "done": "done"},
}
STATE_LABEL = {
    "zh": {"done": "已完成", "due": "待完成", "due_soon": "会前到期", "overdue": "已逾期", "late": "逾期完成",
           "upcoming": "未开始"},
    "en": {"done": "done", "due": "due", "due_soon": "due before the meeting", "overdue": "OVERDUE",
           "late": "done late", "upcoming": "not started"},
}

# `eight_point.reception` is the family `eight_point` and the area `reception`: (中文, English).
DISCIPLINE_LABELS: dict[str, tuple[str, str]] = {
    "eight_point": ("八项规定", "eight-point rules"), "reform": ("改革纪律", "reform discipline"),
    "reporting": ("报告会议", "reporting and meetings"), "formalism": ("形式主义", "formalism"),
    "accountability": ("问责", "accountability"),
    "reception": ("公务接待", "official reception"), "travel": ("差旅", "travel"), "conference": ("会议费", "conferences"),
    "training": ("培训", "training"), "vehicle": ("公务用车", "official vehicles"), "office": ("办公用房", "offices"),
    "gift": ("礼品礼金", "gifts"), "allowance": ("津补贴", "allowances"), "family_event": ("婚丧喜庆", "family events"),
    "tourism": ("公款旅游", "tourism"), "frugality": ("厉行节约", "frugality"), "political": ("政治纪律", "political"),
    "organisational": ("组织纪律", "organisational"), "staffing": ("编制纪律", "staffing"),
    "personnel": ("人事纪律", "personnel"), "financial": ("财经纪律", "financial"), "secrecy": ("保密纪律", "secrecy"),
    "case_review": ("一案双查", "case review"), "warning_education": ("警示教育", "warning education"),
    "documents": ("文山", "documents"), "meetings": ("会海", "meetings"),
    "branch_committee": ("支部委员会", "branch committee"), "branch_general_meeting": ("支部党员大会", "branch general meeting"),
    "democratic_life": ("民主生活会", "democratic life meeting"), "half_year_report": ("半年工作报告", "half-year report"),
    "integrity_lecture": ("廉政教育课", "integrity lecture"), "integrity_study": ("专题研究党风廉政建设", "integrity study"),
    "key_task_hearing": ("听取重点工作汇报", "key task hearings"),
    "main_responsibility_report": ("主体责任报告", "main-responsibility report"),
    "member_appraisal": ("民主评议党员", "member appraisal"), "monthly_study": ("每月一学", "monthly study"),
    "organisational_life": ("组织生活会", "organisational life"), "party_group_meeting": ("党组会议", "party group meeting"),
    "party_group_small": ("党小组会", "Party small-group meeting"), "party_lecture": ("党课", "Party lecture"),
    "theme_party_day": ("主题党日", "theme Party day"), "theory_group_study": ("理论学习中心组学习", "theory study group"),
}
DISCIPLINE_LABEL_ZH = {code: zh for code, (zh, _) in DISCIPLINE_LABELS.items()}

# How sure the project is of a rule's number or article (the marks of shared/reference/regulations.md).
CONFIDENCE_LABEL = {
    "zh": {"confirmed": "已确认", "partial": "部分确认", "unconfirmed": "待核实", "local": "地方规定",
           "speech": "讲话要求"},
    "en": {"confirmed": "confirmed", "partial": "partly confirmed", "unconfirmed": "unconfirmed", "local": "local rule",
           "speech": "speech requirement"},
}


def severity_label(severity: Any, lang: str) -> str:
    return SEVERITY_LABEL[lang].get(str(severity), "" if severity is None else str(severity))


def role_label(role: Any, lang: str) -> str:
    return ROLE_LABEL[lang].get(str(role), "" if role is None else str(role))


def confidence_label(confidence: Any, lang: str) -> str:
    return CONFIDENCE_LABEL[lang].get(str(confidence), "" if confidence is None else str(confidence))


def discipline_label(discipline: Any, lang: str) -> str:
    """`eight_point.reception` → 八项规定·公务接待 (eight-point rules · official reception)."""
    text = "" if discipline is None else str(discipline)
    index = 0 if lang == "zh" else 1
    parts = [DISCIPLINE_LABELS[p][index] if p in DISCIPLINE_LABELS else p for p in text.split(".") if p]
    return ("·" if lang == "zh" else " · ").join(parts)


def discipline_family(discipline: Any, lang: str) -> str:
    """The family of a discipline (八项规定), for grouping."""
    family = str(discipline or "").partition(".")[0]
    return DISCIPLINE_LABELS[family][0 if lang == "zh" else 1] if family in DISCIPLINE_LABELS else family

# What a report says about the parts of a run that were not judged (issue 14 item 11): every format
# says it in these words.
NOT_JUDGED_WORDS = {
    "zh": {"unit": "未检查的单位", "unit_line": "{unit}未检查：{reason}", "errors": "输入错误",
           "warnings": "输入警告", "incomplete": "本报告不完整：{parts}。请处理后重新检查。",
           "units_n": "{n}个单位未检查", "errors_n": "{n}条输入错误（有错误的记录未检查）",
           "complete": "全部单位均已检查，输入无错误。"},
    "en": {"unit": "Units not judged", "unit_line": "{unit} not judged: {reason}", "errors": "Input errors",
           "warnings": "Input warnings", "incomplete": "This report is incomplete: {parts}. Fix them and check again.",
           "units_n": "{n} unit(s) not judged", "errors_n": "{n} input error(s) (records with errors were not judged)",
           "complete": "Every unit judged; no input errors."},
}


# Why a rule did not judge a record (checker/verdict/coverage.py), as the report says it.
COVERAGE_REASON_LABEL = {
    "zh": {"outside_period": "不在检查期间", "rule_off": "规则在本配置下未运行", "not_binding": "依据文本不约束该单位",
           "no_edition": "该日期无可确认的版本", "not_in_force": "当时尚无此项要求", "no_standard": "无适用的标准",
           "missing_field": "缺少所需字段", "party_membership_unknown": "是否党员不明", "not_due": "尚未到期",
           "no_data": "检查期间无数据"},
    "en": {"outside_period": "outside the audit period", "rule_off": "rule off in this profile",
           "not_binding": "the text does not bind the unit", "no_edition": "no edition confirmed for the date",
           "not_in_force": "not yet in force", "no_standard": "no standard applies", "missing_field": "a field is missing",
           "party_membership_unknown": "party membership unknown", "not_due": "not yet due",
           "no_data": "no data in the period"},
}


def coverage_reason_label(reason: str, lang: str) -> str:
    return COVERAGE_REASON_LABEL[lang].get(reason, reason)
