"""A terminal report: findings grouped by unit (or discipline), Chinese by default."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from checker.text.vocabulary import SEVERITIES, role_label, severity_label

WORDS = {
    "zh": {"unit": "单位", "findings": "问题", "none": "未发现问题。", "cite": "依据", "records": "记录",
           "resp": "责任人", "errors": "输入错误", "summary": "共检查记录 {records} 条，发现问题 {findings} 个",
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
        lines.append(f"■ {person['name'] or person['person']}（{person['person']}）：{roles}")
        for item in person["findings"]:
            role = role_label(item["role"], lang)
            lines.append(f"    [{severity_label(item['severity'], lang)}] {item['unit']} {item['rule_id']} — {role}")
        lines.append("")
    return lines


def render(report: dict[str, Any], lang: str = "zh", group_by: str = "unit") -> str:
    words = WORDS[lang]
    meta, summary = report["meta"], report["summary"]
    lines = [f"廉检 lianjian {meta['version']} — {words['period']} {meta['period']['label']} "
             f"({meta['period']['start']} – {meta['period']['end']}), {words['as_of']} {meta['as_of']}, "
             f"{words['profile']} {' → '.join(meta['profile'])}", ""]
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    if group_by == "person":
        lines += render_by_person(report, lang)
    for finding in report["findings"] if group_by != "person" else []:
        groups[finding[group_by]].append(finding)
    for key in sorted(groups):
        items = groups[key]
        lines.append(f"■ {key}（{len(items)} {words['findings']}）" if lang == "zh"
                     else f"■ {key} ({len(items)} {words['findings']})")
        for f in sorted(items, key=lambda x: SEVERITIES.index(x["severity"])):
            waiver = f.get("waiver") or {}
            waived = f" [{words['waived']} {waiver['id']}]" if waiver.get("state") == "active" else ""
            waived += f" [{f['status']}]" if f.get("status") else ""
            lines.append(f"  [{severity_label(f['severity'], lang)}] {f['rule_id']} "
                         f"{_text(f.get('title_i18n', f['title']), lang)}{waived}")
            lines.append(f"      {_text(f.get('message_i18n', f['message']), lang)}")
            cite = f["citation"]
            lines.append(f"      {words['cite']}: {cite['regulation']} {cite.get('article') or ''}".rstrip())
            lines.append(f"      {words['records']}: " + ", ".join(f"{r['type']}/{r['id']} @ {r['source']}"
                                                           for r in f["records"]))
            if f["responsible"]:
                lines.append(f"      {words['resp']}: " + "；".join(
                    f"{p.get('name', p['person'])}（{p.get('role_label', p['role'])}）" for p in f["responsible"]))
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
    for unit in meta.get("units_not_judged", []):
        lines.append(f"!! {unit['unit']}: {unit['reason']}")
    for waiver in report.get("waivers", []):
        if waiver["state"] != "active":
            lines.append(f"waiver {waiver['id']} ({waiver['rule']}): {waiver['state']}")
    if "baseline" in report:
        base = report["baseline"]
        lines.append(f"baseline {base['path']}: new {base['new']}, persisting {base['persisting']}, "
                     f"resolved {len(base['resolved'])}")
    if meta["rules_not_run"]:
        lines.append(f"{words['not_run']}: " + ", ".join(f"{r['id']} ({r['reason']})" for r in meta["rules_not_run"]))
    lines.append(words["summary"].format(records=summary["records"], findings=summary["findings"]))
    lines += _leads_and_coverage(report, words)
    return "\n".join(lines) + "\n"


def _leads_and_coverage(report: dict[str, Any], words: dict[str, str]) -> list[str]:
    """The leads, one line each, then one line of coverage (what was not judged, and why)."""
    lines = []
    leads = report.get("leads") or []
    if leads:
        lines.append(words["leads"].format(n=len(leads)))
        lines += [f"  [线索] {f['unit']} {f['rule_id']}: {_text(f.get('message_i18n', f['message']), report['meta']['lang'])}"
                  for f in leads]
    cover = report.get("coverage_summary")
    if cover:
        reasons = ", ".join(f"{reason} {count}" for reason, count in cover["not_judged_by_reason"].items()) or "—"
        lines.append(words["coverage"].format(records=cover["records_in_period"], judged=cover["judged_by_some_rule"],
                                              unjudged=cover["judged_by_no_rule"],
                                              obligations=cover["for_obligations_only"], reasons=reasons))
        if cover.get("period_note"):
            lines.append(f"!! {cover['period_note']}")
    return lines
