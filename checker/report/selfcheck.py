"""The secretary's pre-meeting self-check: for one unit (and its subordinates), every obligation of
the current year's periods as done / due / overdue, and the unit's open findings."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from checker.data.records import DataSet
from checker.data.values import zh_date
from checker.report.build import coverage_section
from checker.run import check
from checker.text.vocabulary import SEVERITY_RANK, STATE_LABEL

MARK = {"done": "✔", "due": "·", "due_soon": "⏰", "overdue": "✖", "late": "!", "upcoming": " "}


@dataclass
class SelfCheck:
    units: list[str]
    as_of: dt.date
    before: dt.date | None
    obligations: list[dict[str, Any]]
    findings: list[dict[str, Any]]
    input_errors: list[dict[str, Any]]
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
        return 2 if any(e["level"] == "error" for e in self.input_errors) else 0

    @property
    def _obligation_rules(self) -> set[str]:
        return {o["rule_id"] for o in self.obligations}

    def as_dict(self) -> dict[str, Any]:
        return {"units": self.units, "as_of": self.as_of.isoformat(),
                "before": self.before.isoformat() if self.before else None,
                "obligations": self.obligations, "findings": self.findings, "input_errors": self.input_errors,
                "coverage": self.coverage or []}


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
    titles = {r.rule.id: r.rule.title for r in result.rules}
    standards = {r.rule.id: r.standards for r in result.rules}
    obligations = []
    for unit_id, state in result.findings.obligations():
        if state["state"] == "upcoming" and dt.date.fromordinal(state["period_start"]) > (before or as_of):
            continue
        due = dt.date.fromordinal(state["due"])
        shown = state["state"]
        if shown == "due" and before and due <= before:
            shown = "due_soon"
        obligations.append({
            "unit": unit_id, "rule_id": state["rule"], "title": getattr(titles[state["rule"]], lang),
            "period": state["period"], "state": shown, "due": due.isoformat(), "required": state["required"],
            "count": state["count"], "records": state["satisfied_by"], "person": state.get("person_name"),
            "lead": standards[state["rule"]][state["standard"]].lead,
        })
    order = ["overdue", "due_soon", "late", "due", "upcoming", "done"]
    obligations.sort(key=lambda o: (o["unit"], order.index(o["state"]), o["due"], o["rule_id"]))
    findings = [f.as_dict(lang) for f in result.findings]
    coverage, _ = coverage_section(result)
    return SelfCheck(chosen, as_of, before, obligations, findings, [e.as_dict() for e in result.data.errors], coverage)


def render_table(listed: SelfCheck, lang: str = "zh") -> str:
    labels = STATE_LABEL[lang]
    when = zh_date if lang == "zh" else dt.date.isoformat
    head = (f"自查：{'、'.join(listed.units)}，截至{when(listed.as_of)}" if lang == "zh"
            else f"Self-check: {', '.join(listed.units)} as of {when(listed.as_of)}")
    if listed.before:
        head += f"（会议日期{when(listed.before)}）" if lang == "zh" else f" (meeting on {when(listed.before)})"
    lines = [head, ""]
    lines.append("一、应做事项" if lang == "zh" else "1. Obligations")
    for o in listed.obligations:
        due = when(dt.date.fromisoformat(o["due"]))
        who = f" {o['person']}" if o.get("person") else ""
        detail = (f"{o['count']}/{o['required']}，期限{due}" if lang == "zh"
                  else f"{o['count']}/{o['required']}, due {due}")
        records = f" — {', '.join(o['records'])}" if o["records"] else ""
        lines.append(f"  {MARK[o['state']]} [{labels[o['state']]}] {o['unit']} {o['period']}{who} "
                     f"{o['title']}（{detail}）{records}" if lang == "zh" else
                     f"  {MARK[o['state']]} [{labels[o['state']]}] {o['unit']} {o['period']}{who} "
                     f"{o['title']} ({detail}){records}")
    if not listed.obligations:
        lines.append("  （无）" if lang == "zh" else "  (none)")
    lines += ["", "二、发现的问题" if lang == "zh" else "2. Findings"]
    for f in listed.findings:
        lead = ("[线索] " if lang == "zh" else "[lead] ") if f.get("lead") else ""
        lines.append(f"  {lead}[{f['severity']}] {f['unit']} {f['rule_id']} {f['message']}")
    if not listed.findings:
        lines.append("  （无）" if lang == "zh" else "  (none)")
    overdue = sum(o["state"] == "overdue" for o in listed.obligations)
    soon = sum(o["state"] in ("due", "due_soon") for o in listed.obligations)
    lines += ["", (f"逾期 {overdue} 项，待完成 {soon} 项，问题 {len(listed.findings)} 个。" if lang == "zh"
                   else f"{overdue} overdue, {soon} due, {len(listed.findings)} findings.")]
    return "\n".join(lines) + "\n"
