"""The secretary's pre-meeting self-check: for one unit (and its subordinates), every obligation of
the current year's periods as done / due / overdue, and the unit's open findings.

An obligation is listed by what it asks (its rule's `duty`, 书记每年讲党课), not by the rule's title,
which names the failure (书记全年未讲党课): a done item must read as done."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from checker.data.records import DataSet
from checker.report.build import coverage_section
from checker.run import check
from checker.text import formats
from checker.text.formats import both_languages
from checker.text.vocabulary import (
    NOT_JUDGED_WORDS,
    SEVERITY_RANK,
    STATE_LABEL,
    discipline_label,
    severity_label,
)

MARK = {"done": "✔", "due": "·", "due_soon": "⏰", "overdue": "✖", "late": "!", "upcoming": " "}
SHOWN_ERRORS = 20  # input errors listed in the table; the JSON form has them all


@dataclass
class SelfCheck:
    units: list[str]
    as_of: dt.date
    before: dt.date | None
    obligations: list[dict[str, Any]]
    findings: list[dict[str, Any]]
    input_errors: list[dict[str, Any]]
    unit_names: dict[str, str] = field(default_factory=dict)
    not_judged: list[dict[str, Any]] = field(default_factory=list)  # units the engine could not judge
    coverage: list[dict[str, Any]] = None  # type: ignore[assignment]  # the units' rows (report.build coverage)

    def exit_code(self, fail_on: str) -> int:
        """1 when an obligation is overdue or a violation is at or above `fail_on`; leads (线索: an
        obligation counted under a working assumption, an unconfirmed text) never fail the check."""
        if any(o["state"] == "overdue" and not o.get("lead") for o in self.obligations):
            return 1
        if fail_on != "never" and any(
                SEVERITY_RANK[f["severity"]] >= SEVERITY_RANK[fail_on] for f in self.findings
                if f["rule_id"] not in self._obligation_rules and not f.get("lead")):
            return 1
        return 2 if self.not_judged or any(e["level"] == "error" for e in self.input_errors) else 0

    @property
    def _obligation_rules(self) -> set[str]:
        return {o["rule_id"] for o in self.obligations}

    def as_dict(self) -> dict[str, Any]:
        return {"units": self.units, "as_of": self.as_of.isoformat(),
                "before": self.before.isoformat() if self.before else None,
                "obligations": self.obligations, "findings": self.findings, "input_errors": self.input_errors,
                "units_not_judged": self.not_judged, "coverage": self.coverage or []}


def subordinates(unit: str, parents: dict[str, str | None]) -> list[str]:
    found, frontier = [unit], [unit]
    while frontier:
        frontier = [u for u, p in parents.items() if p in frontier and u not in found]
        found += frontier
    return found


def run(path: Path, unit: str, as_of: dt.date, before: dt.date | None = None, tree: bool = False,
        profile: str = "central", rules_dir: Path | None = None, lang: str = "zh") -> SelfCheck:
    """The unit (and, with `tree`, its subordinates) judged over the calendar year of `as_of`.
    Raises KeyError for a unit the registry does not hold."""
    chosen: list[str] = []

    def select(registry: DataSet) -> set[str]:
        parents = {r.id: r.record.parent for r in registry.records if r.type == "unit"}
        if unit not in parents:
            raise KeyError(unit)
        chosen.extend(subordinates(unit, parents) if tree else [unit])
        return set(chosen)

    year = f"{as_of.year}-01-01..{as_of.year}-12-31"
    result = check.run(Path(path), check.Options(rules_dir, profile, year, as_of, units=select))
    names = {r.id: r.record.name for r in result.data.records if r.type == "unit"}
    obligations = _obligations(result, before or as_of, before, lang)
    findings = [f.as_dict(lang) for f in result.findings]
    not_judged = [{"unit": u, "name": names.get(u) or u, "reason": why, "reason_i18n": both_languages(why)}
                  for u, why in sorted(result.not_judged.items())]
    coverage, _ = coverage_section(result)  # a unit and those under it: held as a list
    return SelfCheck(chosen, as_of, before, obligations, findings, [e.as_dict() for e in result.data.errors],
                     names, not_judged, list(coverage))


def _obligations(result: check.CheckResult, horizon: dt.date, before: dt.date | None,
                 lang: str) -> list[dict[str, Any]]:
    rules = {r.rule.id: r.rule for r in result.rules}
    standards = {r.rule.id: r.standards for r in result.rules}
    posts = {r.id: r.record.post for r in result.data.records if r.type == "person"}
    listed = []
    for unit_id, state in result.findings.obligations():
        if state["state"] == "upcoming" and dt.date.fromordinal(state["period_start"]) > horizon:
            continue
        due = dt.date.fromordinal(state["due"])
        shown = state["state"]
        if shown == "due" and before and due <= before:
            shown = "due_soon"
        rule = rules[state["rule"]]
        listed.append({
            "unit": unit_id, "rule_id": state["rule"], "title": getattr(rule.title, lang),
            "duty": getattr(rule.duty, lang) if rule.duty else discipline_label(rule.discipline, lang),
            "period": state["period"], "state": shown, "due": due.isoformat(), "required": state["required"],
            "count": state["count"], "records": state["satisfied_by"], "person": state.get("person_name"),
            "person_post": posts.get(state.get("person")),
            "lead": standards[state["rule"]][state["standard"]].lead,
        })
    order = ["overdue", "due_soon", "late", "due", "upcoming", "done"]
    listed.sort(key=lambda o: (o["unit"], order.index(o["state"]), o["due"], o["rule_id"]))
    return listed


def _obligation_line(o: dict[str, Any], listed: SelfCheck, lang: str) -> str:
    """✔ [已完成] 宣州市路桥工程处 2020年 书记每年讲党课：2次，应1次，期限2020年12月31日 — MTG-LQ-PL1."""
    unit = formats.unit(listed.unit_names.get(o["unit"]), o["unit"], lang) if len(listed.units) > 1 else ""
    who = formats.person(o["person"], o.get("person_post"), lang) if o.get("person") else ""
    head = " ".join(x for x in (unit, formats.period(o["period"], lang), who, o["duty"]) if x)
    due = formats.day(o["due"], lang)
    detail = (f"{o['count']}次，应{o['required']}次，期限{due}" if lang == "zh"
              else f"{o['count']} of {o['required']}, due {due}")
    records = f" — {', '.join(o['records'])}" if o["records"] else ""
    label = STATE_LABEL[lang][o["state"]]
    return f"  {MARK[o['state']]} [{label}] {head}{'：' if lang == 'zh' else ': '}{detail}{records}"


def _not_judged_lines(listed: SelfCheck, lang: str) -> list[str]:
    """What this list could not cover: units the engine could not judge and input errors (their
    records were not judged), so a short list is never taken for a clean one."""
    words = NOT_JUDGED_WORDS[lang]
    errors = [e for e in listed.input_errors if e["level"] == "error"]
    if not listed.not_judged and not errors:
        return []
    lines = ["", "三、未能检查" if lang == "zh" else "3. Not judged"]
    for unit in listed.not_judged:
        name = formats.unit(unit["name"], unit["unit"], lang, with_code=True)
        lines.append("  ✖ " + words["unit_line"].format(unit=name, reason=unit["reason_i18n"][lang]))
    for error in errors[:SHOWN_ERRORS]:
        where = error["source"] + (f":{error['row']}" if error["row"] is not None else "")
        field_name = f" [{error['field']}]" if error["field"] else ""
        lines.append(f"  ✖ {words['errors']} {where}{field_name}: {error['message']}")
    if len(errors) > SHOWN_ERRORS:
        more = len(errors) - SHOWN_ERRORS
        lines.append(f"  …另有{more}条输入错误（--format json 列出全部）" if lang == "zh"
                     else f"  … {more} more input errors (--format json lists them all)")
    return lines


def render_table(listed: SelfCheck, lang: str = "zh") -> str:
    zh = lang == "zh"
    names = "、" if zh else ", "
    units = names.join(formats.unit(listed.unit_names.get(u), u, lang, with_code=True) for u in listed.units)
    head = (f"自查：{units}，截至{formats.day(listed.as_of, lang)}" if zh
            else f"Self-check: {units} as of {formats.day(listed.as_of, lang)}")
    if listed.before:
        meeting = formats.day(listed.before, lang)
        head += f"（会议日期{meeting}）" if zh else f" (meeting on {meeting})"
    lines = [head, "", "一、应做事项" if zh else "1. Obligations"]
    lines += [_obligation_line(o, listed, lang) for o in listed.obligations] or ["  （无）" if zh else "  (none)"]
    lines += ["", "二、发现的问题" if zh else "2. Findings"]
    for f in listed.findings:
        rule = f"（{f['rule_id']}）" if zh else f" ({f['rule_id']})"
        lead = ("[线索] " if zh else "[lead] ") if f.get("lead") else ""
        lines.append(f"  {lead}[{severity_label(f['severity'], lang)}] {f['message']}{rule}")
    if not listed.findings:
        lines.append("  （无）" if zh else "  (none)")
    lines += _not_judged_lines(listed, lang)
    overdue = sum(o["state"] == "overdue" for o in listed.obligations)
    soon = sum(o["state"] in ("due", "due_soon") for o in listed.obligations)
    tail = (f"逾期 {overdue} 项，待完成 {soon} 项，问题 {len(listed.findings)} 个" if zh
            else f"{overdue} overdue, {soon} due, {len(listed.findings)} findings")
    if listed.not_judged:
        tail += (f"，{len(listed.not_judged)} 个单位未检查" if zh else f", {len(listed.not_judged)} unit(s) not judged")
    lines += ["", tail + ("。" if zh else ".")]
    return "\n".join(lines) + "\n"
