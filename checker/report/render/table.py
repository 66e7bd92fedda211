"""A terminal report: findings grouped by unit (or discipline), Chinese by default."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from checker.report.render.common import (
    fmt_citation,
    fmt_person,
    fmt_records,
    incompleteness,
    person_text,
    tr,
    unit_text,
    units_not_judged,
)
from checker.text import formats
from checker.text.vocabulary import SEVERITIES, coverage_reason_label, role_label, severity_label

WORDS = {
    "zh": {"unit": "单位", "findings": "问题", "none": "未发现问题。", "cite": "依据", "records": "记录",
           "resp": "责任人", "errors": "输入错误", "summary": "共检查记录 {records} 条，发现问题 {findings} 个。",
           "not_run": "未运行的规则", "period": "期间", "as_of": "截至", "profile": "规则配置",
           "waived": "已豁免", "leads": "线索 {n} 条（有待核实，不计为问题）：",
           "coverage": "覆盖：期间内记录 {records} 条，经规则判断 {judged} 条，无规则判断 {unjudged} 条，"
                       "仅计入义务 {obligations} 条；未判断（规则×记录或期间）：{reasons}"},
    "en": {"unit": "Unit", "findings": "findings", "none": "No findings.", "cite": "Cited", "records": "Records",
           "resp": "Responsible", "errors": "Input errors", "summary": "{records} records checked, {findings} findings",
           "not_run": "Rules not run", "period": "Period", "as_of": "as of", "profile": "Profile",
           "waived": "waived", "leads": "{n} leads (to verify; not counted as findings):",
           "coverage": "Coverage: {records} records in the period, {judged} judged by some rule, {unjudged} by none, "
                       "{obligations} counted for obligations only; not judged (rule × record or period): {reasons}"},
}


def _text(value: Any, lang: str) -> str:
    return value.get(lang, "") if isinstance(value, dict) else str(value)


def render_by_person(report: dict[str, Any], lang: str = "zh") -> list[str]:
    lines = []
    for person in report.get("by_person", []):
        roles = "，".join(f"{role_label(r, lang)} {n}" for r, n in person["roles"].items())
        lines.append(f"■ {person_text(person, lang)}：{roles}")
        for item in person["findings"]:
            role = role_label(item["role"], lang)
            unit = (report.get("units") or {}).get(item["unit"], {}).get("name") or item["unit"]
            lines.append(f"    [{severity_label(item['severity'], lang)}] {unit}（{item['rule_id']}）— {role}")
        lines.append("")
    return lines


def heading(report: dict[str, Any], lang: str = "zh") -> str:
    """廉检 lianjian 0.1.0 — 期间 2020年上半年，截至 2020年7月10日，规则配置 中央规定 → 讲话要求."""
    words, meta = WORDS[lang], report["meta"]
    profiles = " → ".join(tr(p["title"], lang) for p in meta.get("profile_titles") or []) or " → ".join(meta["profile"])
    sep = "，" if lang == "zh" else ", "
    return (f"廉检 lianjian {meta['version']} — {words['period']} {formats.report_period(meta['period'], lang)}{sep}"
            f"{words['as_of']} {formats.day(meta['as_of'], lang)}{sep}{words['profile']} {profiles}")


def render(report: dict[str, Any], lang: str = "zh", group_by: str = "unit") -> str:
    words = WORDS[lang]
    meta, summary = report["meta"], report["summary"]
    lines = [heading(report, lang), ""]
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    if group_by == "person":
        lines += render_by_person(report, lang)
    for finding in report["findings"] if group_by != "person" else []:
        key = unit_text(finding, lang) if group_by == "unit" else finding[group_by]
        groups[key].append(finding)
    for key in sorted(groups):
        items = groups[key]
        lines.append(f"■ {key}（{len(items)} 个{words['findings']}）" if lang == "zh"
                     else f"■ {key} ({len(items)} {words['findings']})")
        for f in sorted(items, key=lambda x: SEVERITIES.index(x["severity"])):
            waiver = f.get("waiver") or {}
            waived = f" [{words['waived']} {waiver['id']}]" if waiver.get("state") == "active" else ""
            waived += f" [{f['status']}]" if f.get("status") else ""
            colon = "：" if lang == "zh" else ": "
            title = _text(f.get('title_i18n', f['title']), lang)
            lines.append(f"  [{severity_label(f['severity'], lang)}] {title}"
                         + (f"（{f['rule_id']}）" if lang == "zh" else f" ({f['rule_id']})") + waived)
            lines.append(f"      {_text(f.get('message_i18n', f['message']), lang)}")
            lines.append(f"      {words['cite']}{colon}{fmt_citation(f['citation'], lang)}")
            if f["records"]:
                lines.append(f"      {words['records']}{colon}{fmt_records(f['records'], lang)}")
            if f["responsible"]:
                lines.append(f"      {words['resp']}{colon}" + ("；" if lang == "zh" else "; ").join(
                    fmt_person(p, lang) for p in f["responsible"]))
        lines.append("")
    if not report["findings"]:
        lines += [words["none"], ""]
    if report["input_errors"]:
        lines.append(f"{words['errors']} ({len(report['input_errors'])}):")
        for e in report["input_errors"][:200]:
            where = e["source"] + (f":{e['row']}" if e["row"] is not None else "")
            field = f" [{e['field']}]" if e["field"] else ""
            lines.append(f"  {e['level']}: {where}{field}: {e['message']}")
        if len(report["input_errors"]) > 200:
            lines.append(f"  … {len(report['input_errors']) - 200} more")
        lines.append("")
    for unit in units_not_judged(report, lang):
        lines.append(f"!! {unit['text']}")
    for waiver in report.get("waivers", []):
        if waiver["state"] != "active":
            lines.append(f"waiver {waiver['id']} ({waiver['rule']}): {waiver['state']}")
    if "baseline" in report:
        base = report["baseline"]
        lines.append(f"baseline {base['path']}: new {base['new']}, persisting {base['persisting']}, "
                     f"resolved {len(base['resolved'])}")
    if meta["rules_not_run"]:
        if lang == "zh":
            lines.append(f"{words['not_run']}：" + "；".join(
                f"{tr(r.get('title'), lang)}（{r['id']}）：{tr(r.get('reason_i18n') or r['reason'], lang)}"
                for r in meta["rules_not_run"]))
        else:
            lines.append(f"{words['not_run']}: " + ", ".join(
                f"{r['id']} ({tr(r.get('reason_i18n') or r['reason'], lang)})" for r in meta["rules_not_run"]))
    lines.append(words["summary"].format(records=summary["records"], findings=summary["findings"]))
    if sentence := incompleteness(report, lang):
        lines.append(f"!! {sentence}")
    lines += _leads_and_coverage(report, words)
    return "\n".join(lines) + "\n"


def _leads_and_coverage(report: dict[str, Any], words: dict[str, str]) -> list[str]:
    """The leads, one line each, then one line of coverage (what was not judged, and why)."""
    lines = []
    leads = report.get("leads") or []
    if leads:
        lines.append(words["leads"].format(n=len(leads)))
        lang = report["meta"]["lang"]
        tag = "[线索]" if lang == "zh" else "[lead]"
        lines += [f"  {tag} {_text(f.get('message_i18n', f['message']), lang)}"
                  + (f"（{f['rule_id']}）" if lang == "zh" else f" ({f['rule_id']})") for f in leads]
    cover = report.get("coverage_summary")
    if cover:
        lang = report["meta"]["lang"]
        reasons = ("，" if lang == "zh" else ", ").join(
            f"{coverage_reason_label(reason, lang)} {count}" for reason, count in cover["not_judged_by_reason"].items()) or "—"
        lines.append(words["coverage"].format(records=cover["records_in_period"], judged=cover["judged_by_some_rule"],
                                              unjudged=cover["judged_by_no_rule"],
                                              obligations=cover["for_obligations_only"], reasons=reasons))
        if cover.get("period_note"):
            lines.append(f"!! {cover['period_note']}")
    return lines
