"""The HTML report, from a Jinja2 template (templates/report.html.j2): a page header with units,
period, as-of date, profiles and rules version; findings grouped by unit, then by discipline, each
with its problem statement, evidence, standard, citation and responsible persons; filters by unit,
severity, discipline and responsible person; an A4 print stylesheet with page numbers. The same
template in hand-over mode is one unit's 问题清单 with a rectification deadline column to fill in.

Self-contained: no external resources; Jinja2 escapes every report value, and the page's
Content-Security-Policy lets only its own inline script (pinned by hash) run.
"""

from __future__ import annotations

import base64
import hashlib
from collections import Counter, defaultdict
from functools import cache
from importlib import resources
from typing import Any

import jinja2
from markupsafe import Markup

from checker.report.render.common import (
    evidence_rows,
    fmt_citation,
    fmt_parameter,
    fmt_records,
    fmt_responsible,
    fmt_waiver,
    incompleteness,
    is_waived,
    norm_lang,
    parameter_rows,
    person_text,
    responsibility,
    scalar,
    status_label,
    text_of,
    tr,
    unit_text,
    units_not_judged,
)
from checker.text import formats
from checker.text.vocabulary import (
    ROLE_LABEL,
    SEVERITIES,
    discipline_label,
    severity_label,
)

WORDS = {
    "zh": {"title": "廉检审查报告", "handover_title": "问题清单", "summary": "概况", "findings": "问题",
           "findings_list": "问题清单", "n_items": "个问题", "records_checked": "检查记录", "findings_n": "问题",
           "waived": "已豁免", "input_errors": "输入错误", "by_discipline": "按纪律类别", "by_unit": "按单位",
           "unit": "单位", "units_label": "被检查单位", "severity": "严重程度", "discipline": "纪律类别",
           "responsible": "责任人", "search": "查找", "search_hint": "姓名、事项、金额…", "all": "全部", "shown": "显示",
           "none": "无", "evidence": "证据", "standard": "标准", "citation": "依据", "confidence": "可信度",
           "records": "记录", "waiver": "豁免", "ids": "编号", "people": "责任人汇总", "person": "姓名（职务）",
           "role": "责任", "count": "问题数", "units": "涉及单位", "not_run": "未运行的规则", "source": "位置",
           "field": "字段", "level": "级别", "message": "说明", "error": "错误", "warning": "警告",
           "period": "检查期间", "as_of": "基准日", "profile": "规则配置", "rules_version": "规则版本",
           "version": "工具版本", "number": "序号", "problem": "问题表述及依据", "deadline": "整改时限",
           "measures": "整改措施及完成情况", "sign_unit": "被检查单位（盖章）", "sign_date": "日期",
           "units_many": "{n}个单位", "row": "第{row}行", "footer": "廉检 lianjian {version} · 规则版本",
           "not_judged": "未检查的单位", "reason": "原因"},
    "en": {"title": "lianjian audit report", "handover_title": "List of problems", "summary": "Summary",
           "findings": "Findings", "findings_list": "Problems", "n_items": " findings", "records_checked": "records checked",
           "findings_n": "findings", "waived": "waived", "input_errors": "Input errors", "by_discipline": "by discipline",
           "by_unit": "by unit", "unit": "unit", "units_label": "units", "severity": "severity",
           "discipline": "discipline", "responsible": "responsible", "search": "search",
           "search_hint": "name, matter, amount…", "all": "all", "shown": "shown", "none": "none",
           "evidence": "evidence", "standard": "standard", "citation": "citation", "confidence": "confidence",
           "records": "records", "waiver": "waiver", "ids": "ids", "people": "Responsibility by person",
           "person": "name (post)", "role": "responsibility", "count": "findings", "units": "units",
           "not_run": "Rules not run", "source": "where", "field": "field", "level": "level", "message": "message",
           "error": "error", "warning": "warning", "period": "period", "as_of": "as of", "profile": "profile",
           "rules_version": "rules version", "version": "version", "number": "no.", "problem": "problem and basis",
           "deadline": "rectify by", "measures": "measures taken", "sign_unit": "unit (seal)", "sign_date": "date",
           "units_many": "{n} units", "row": "row {row}", "footer": "lianjian {version} · rules version",
           "not_judged": "Units not judged", "reason": "reason"},
}
CHART_BARS = 12


@cache
def _asset(name: str) -> str:
    return resources.files("checker.report.render").joinpath("templates", name).read_text(encoding="utf-8")


def _css_text(value: Any) -> str:
    """A value inside a CSS string (the print header): no quote, backslash or line break can end it."""
    text = " ".join(scalar(value).split())
    return "".join(ch if ch.isalnum() or ch in " ·:：，,（）()-/年月日" else f"\\{ord(ch):x} " for ch in text)


@cache
def _template() -> jinja2.Template:
    env = jinja2.Environment(loader=jinja2.PackageLoader("checker.report.render", "templates"),
                             autoescape=True, trim_blocks=False, lstrip_blocks=False)
    env.filters["css_text"] = _css_text
    return env.get_template("report.html.j2")


def _security() -> tuple[str, str]:
    script = _asset("report.js")
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")
    return script, f"default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src 'sha256-{digest}'"


def _finding_view(f: dict, lang: str) -> dict[str, Any]:
    sev = scalar(f.get("severity"))
    status = status_label(f.get("status"), lang)
    return {
        "sev": sev, "sev_label": severity_label(sev, lang), "title": text_of(f, "title", lang),
        "date": formats.day(f.get("date"), lang) if f.get("date") else formats.period(f.get("period"), lang),
        "message": text_of(f, "message", lang), "evidence": evidence_rows(f, lang),
        "parameters": [{"text": fmt_parameter(p, lang)} for p in parameter_rows(f, lang)],
        "citation": fmt_citation(f.get("citation"), lang),  # how sure the article is: `rules show` says
        "responsible": fmt_responsible(f.get("responsible"), lang), "records": fmt_records(f.get("records"), lang),
        "waiver": fmt_waiver(f, lang), "waived": is_waived(f), "status": status,
        "rule_id": scalar(f.get("rule_id")), "fingerprint": scalar(f.get("fingerprint")),
        "people_ids": " ".join(scalar(p.get("person")) for p in f.get("responsible") or []),
    }


def _groups(findings: list[dict], lang: str) -> list[dict[str, Any]]:
    """Findings by unit (by name), then by discipline (in catalogue order), most severe first."""
    by_unit: dict[str, list[dict]] = defaultdict(list)
    for f in findings:
        by_unit[scalar(f.get("unit"))].append(f)
    groups = []
    for code, items in sorted(by_unit.items(), key=lambda kv: (unit_text(kv[1][0], lang), kv[0])):
        by_disc: dict[str, list[dict]] = defaultdict(list)
        for f in items:
            by_disc[scalar(f.get("discipline"))].append(f)
        disciplines = [{"code": disc, "label": discipline_label(disc, lang),
                        "findings": [_finding_view(f, lang) for f in sorted(fs, key=_severity_order)]}
                       for disc, fs in sorted(by_disc.items())]
        groups.append({"code": code, "label": formats.unit(items[0].get("unit_name"), code, lang, with_code=True),
                       "count": len(items), "disciplines": disciplines,
                       # a unit's findings share its chain of responsibility: said once, under its name
                       "responsible": fmt_responsible(items[0].get("responsible"), lang)})
    return groups


def _severity_order(f: dict) -> tuple[int, str]:
    sev = scalar(f.get("severity"))
    return (SEVERITIES.index(sev) if sev in SEVERITIES else len(SEVERITIES), scalar(f.get("date")))


def _chart(title: str, counts: Counter) -> dict[str, Any]:
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:CHART_BARS]
    top = max((n for _, n in ranked), default=1) or 1
    return {"title": title, "bars": [{"label": label, "count": n, "percent": round(100 * n / top)}
                                     for label, n in ranked]}


def _people(report: dict, lang: str) -> list[dict[str, Any]]:
    return [{"who": person_text(r, lang), "role": ROLE_LABEL[lang].get(r["role"], r["role"]), "count": r["count"],
             "waived": r["waived"], "units": ("、" if lang == "zh" else ", ").join(r["units"])}
            for r in responsibility(report)]


def _meta_rows(report: dict, findings: list[dict], lang: str, w: dict[str, str]) -> list[tuple[str, str]]:
    meta = report.get("meta") or {}
    units = sorted({unit_text(f, lang) for f in findings})
    unit_line = "、".join(units) if 0 < len(units) <= 3 else (w["units_many"].format(n=len(units)) if units else "")
    profiles = " → ".join(tr(p.get("title"), lang) for p in meta.get("profile_titles") or []) \
        or " → ".join(scalar(p) for p in meta.get("profile") or [])
    rows = [(w["units_label"], unit_line), (w["period"], formats.report_period(meta.get("period"), lang)),
            (w["as_of"], formats.day(meta.get("as_of"), lang)), (w["profile"], profiles),
            (w["rules_version"], scalar(meta.get("rules_version")))]
    return [(label, value) for label, value in rows if value]


def _errors(report: dict, lang: str, w: dict[str, str]) -> list[dict[str, str]]:
    rows = []
    for e in report.get("input_errors") or []:
        where = scalar(e.get("source"))
        if e.get("row") is not None:
            where += " " + w["row"].format(row=e["row"])
        level = scalar(e.get("level") or "error")
        rows.append({"where": where, "field": scalar(e.get("field")), "level": w.get(level, level),
                     "message": tr(e.get("message"), lang)})
    return rows


def context(report: dict, lang: str = "zh", handover: bool = False) -> dict[str, Any]:
    """Everything the template shows, as text (the template escapes it)."""
    w = WORDS[lang]
    meta = report.get("meta") or {}
    findings = list(report.get("findings") or [])
    summary = report.get("summary") or {}
    sev_counts = Counter(scalar(f.get("severity")) for f in findings)
    cards = [] if handover else [{"cls": "", "label": w["records_checked"], "value": summary.get("records", "–")}]
    cards.append({"cls": "", "label": w["findings_n"], "value": len(findings)})
    cards += [{"cls": s, "label": severity_label(s, lang), "value": sev_counts.get(s, 0)} for s in SEVERITIES]
    cards += [{"cls": "", "label": w["waived"], "value": sum(is_waived(f) for f in findings)}]
    not_judged = units_not_judged(report, lang)
    if not handover:
        cards.append({"cls": "", "label": w["input_errors"], "value": len(report.get("input_errors") or [])})
    if not_judged:
        cards.append({"cls": "high", "label": w["not_judged"], "value": len(not_judged)})
    meta_rows = _meta_rows(report, findings, lang, w)
    title = w["handover_title"] if handover else w["title"]
    if handover and findings:
        title = f"{unit_text(findings[0], lang)} {title}" if lang == "zh" else f"{title}: {unit_text(findings[0], lang)}"
    groups = _groups(findings, lang)
    persons = {scalar(p.get("person")): person_text(p, lang) for f in findings for p in f.get("responsible") or []}
    script, csp = _security()
    return {
        "html_lang": "zh-CN" if lang == "zh" else "en", "w": w, "title": title, "meta_rows": meta_rows,
        "running_head": " · ".join([title] + [v for _, v in meta_rows[:3]]),
        "running_head_right": " · ".join(f"{label}：{value}" if lang == "zh" else f"{label}: {value}"
                                         for label, value in meta_rows[3:]), "cards": cards,
        "charts": [] if handover else [
            _chart(w["by_discipline"], Counter(discipline_label(f.get("discipline"), lang).split("·")[-1].strip()
                                               for f in findings)),
            _chart(w["by_unit"], Counter(unit_text(f, lang) for f in findings))],
        "groups": groups, "flat": [_finding_view(f, lang) for f in sorted(findings, key=_severity_order)],
        "findings_total": len(findings), "people": _people(report, lang),
        "filters": {"units": [(g["code"], g["label"]) for g in groups],
                    "severities": [(s, severity_label(s, lang)) for s in SEVERITIES if sev_counts.get(s)],
                    "disciplines": sorted({(scalar(f.get("discipline")), discipline_label(f.get("discipline"), lang))
                                           for f in findings}, key=lambda kv: kv[1]),
                    "people": sorted(persons.items(), key=lambda kv: kv[1])},
        "not_run": [{"id": r.get("id"), "title": tr(r.get("title"), lang) or r.get("id"),
                     "reason": tr(r.get("reason_i18n") or r.get("reason"), lang)} for r in meta.get("rules_not_run") or []],
        "errors": _errors(report, lang, w), "handover": handover,
        "incomplete": incompleteness(report, lang), "not_judged": not_judged, "css": _asset("report.css"), "script": script,
        "csp": csp, "footer": w["footer"].format(version=scalar(meta.get("version"))),
        "rules_version": scalar(meta.get("rules_version")),
    }


def render(report: dict, lang: str = "zh", handover: bool = False) -> str:
    lang = norm_lang(lang, report)
    ctx = context(report, lang, handover)
    ctx["script"], ctx["css"] = Markup(ctx["script"]), Markup(ctx["css"])  # ours, not the report's
    return _template().render(**ctx)
