"""JUnit XML renderer (for CI dashboards).

One <testsuite> per discipline; one <testcase> per rule x unit pair with findings (a <failure> listing
them, or <skipped> when every finding of the pair is waived); one passing <testcase> per rule that ran
and found nothing. Input errors go to a suite "input", as <error> test cases, and each unit the engine
could not judge to a last suite, "not_judged", as an <error> test case named by the unit's id.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import defaultdict

from checker.report.render.common import (
    WAIVED_LABEL,
    fmt_citation,
    fmt_evidence,
    fmt_records,
    fmt_responsible,
    is_waived,
    norm_lang,
    scalar,
    text_of,
    tr,
    unit_text,
    units_not_judged,
)
from checker.text.vocabulary import SEVERITIES, severity_label

# Characters XML 1.0 cannot carry at all (control characters other than tab, LF, CR; lone surrogates).
_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
LABELS = {
    "zh": {"findings": "项问题", "waived": "已豁免", "evidence": "证据", "records": "记录",
           "citation": "依据", "responsible": "责任人", "fingerprint": "指纹"},
    "en": {"findings": "finding(s)", "waived": "waived", "evidence": "evidence", "records": "records",
           "citation": "citation", "responsible": "responsible"},
}


def clean(text: object) -> str:
    return _ILLEGAL_XML.sub("\ufffd", scalar(text))


def _worst(findings: list[dict]) -> str:
    ranks = [SEVERITIES.index(f.get("severity")) for f in findings if f.get("severity") in SEVERITIES]
    return SEVERITIES[min(ranks)] if ranks else scalar(findings[0].get("severity"))


def _describe(f: dict, lang: str) -> str:
    lab = LABELS[lang]
    head = " ".join(x for x in (f"[{severity_label(f.get('severity'), lang)}]", unit_text(f, lang)) if x)
    lines = [f"{head} {text_of(f, 'message', lang)}"]
    if is_waived(f):
        lines[0] += f" ({WAIVED_LABEL[lang]}: {scalar((f.get('waiver') or {}).get('justification'))})"
    for key, text in (("evidence", fmt_evidence(f, lang)),
                      ("records", fmt_records(f.get("records"), lang)),
                      ("citation", fmt_citation(f.get("citation"), lang)),
                      ("responsible", fmt_responsible(f.get("responsible"), lang))):
        if text:
            lines.append(f"  {lab[key]}: {text}")
    if f.get("fingerprint"):
        lines.append(f"  {lab.get('fingerprint', 'fingerprint')}: {f['fingerprint']}")
    return "\n".join(lines)


def _attrs(el: ET.Element, **values: object) -> None:
    for key, value in values.items():
        el.set(key, clean(value))


def _finding_case(suite: ET.Element, discipline: str, name: str, title: str, group: list[dict], lang: str) -> str:
    """One rule's findings on one unit as a test case: failed while any is not waived, else skipped.
    Returns which of the suite's counts it adds to."""
    lab = LABELS[lang]
    case = ET.SubElement(suite, "testcase")
    _attrs(case, classname=discipline, name=name, time="0")
    active = [f for f in group if not is_waived(f)]
    body = "\n\n".join(_describe(f, lang) for f in active + [f for f in group if is_waived(f)])
    if active:
        el = ET.SubElement(case, "failure")
        msg = f"{len(active)} {lab['findings']}: {title}"
        if len(active) < len(group):
            msg += f" (+{len(group) - len(active)} {lab['waived']})"
        _attrs(el, message=msg, type=_worst(active))
        outcome = "failures"
    else:
        el = ET.SubElement(case, "skipped")
        reasons = "; ".join(scalar((f.get("waiver") or {}).get("justification")) for f in group)
        _attrs(el, message=f"{WAIVED_LABEL[lang]}: {reasons}")
        outcome = "skipped"
    el.text = clean(body)
    return outcome


def build(report: dict, lang: str = "zh") -> ET.Element:
    lang = norm_lang(lang, report)
    meta = report.get("meta") or {}
    findings = report.get("findings") or []
    rule_info = {r["id"]: r for r in report.get("rules") or [] if r.get("id")}

    pairs: dict[str, dict[tuple[str, str], list[dict]]] = defaultdict(lambda: defaultdict(list))
    for f in findings:
        pairs[scalar(f.get("discipline"))][(scalar(f.get("rule_id")), scalar(f.get("unit")))].append(f)
    with_findings = {scalar(f.get("rule_id")) for f in findings}
    passing: dict[str, list[str]] = defaultdict(list)
    for rid, rule in rule_info.items():
        if rid not in with_findings:
            passing[scalar(rule.get("discipline"))].append(rid)

    root = ET.Element("testsuites")
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for discipline in sorted(set(pairs) | set(passing)):
        suite = ET.SubElement(root, "testsuite")
        counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
        for (rid, unit), group in sorted(pairs.get(discipline, {}).items()):
            title = text_of(group[0], "title", lang) or tr((rule_info.get(rid) or {}).get("title"), lang)
            counts["tests"] += 1
            counts[_finding_case(suite, discipline, f"{rid} {unit}".strip(), title, group, lang)] += 1
        for rid in sorted(passing.get(discipline, [])):
            case = ET.SubElement(suite, "testcase")
            _attrs(case, classname=discipline, name=rid, time="0")
            counts["tests"] += 1
        _attrs(suite, name=discipline, time="0", timestamp=meta.get("as_of") or "",
               **{k: str(v) for k, v in counts.items()})
        for k in totals:
            totals[k] += counts[k]

    errors = report.get("input_errors") or []
    if errors:
        suite = ET.SubElement(root, "testsuite")
        n_err = 0
        for err in errors:
            case = ET.SubElement(suite, "testcase")
            where = scalar(err.get("source"))
            if err.get("row") not in (None, ""):
                where += f" row {err['row']}"
            _attrs(case, classname="input", name=f"{where} {scalar(err.get('field'))}".strip(), time="0")
            is_error = err.get("level", "error") != "warning"
            el = ET.SubElement(case, "error" if is_error else "system-out")
            if is_error:
                _attrs(el, message=tr(err.get("message"), lang), type="input_error")
                n_err += 1
            el.text = clean(tr(err.get("message"), lang))
        _attrs(suite, name="input", time="0", tests=len(errors), failures=0, errors=n_err, skipped=0)
        totals["tests"] += len(errors)
        totals["errors"] += n_err

    not_judged = units_not_judged(report, lang)
    if not_judged:  # each unit the engine could not judge: a test that errored, not one that passed
        suite = ET.SubElement(root, "testsuite")
        for unit in not_judged:
            case = ET.SubElement(suite, "testcase")
            _attrs(case, classname="not_judged", name=unit["unit"], time="0")
            el = ET.SubElement(case, "error")
            _attrs(el, message=unit["text"], type="unit_not_judged")
            el.text = clean(unit["text"])
        _attrs(suite, name="not_judged", time="0", tests=len(not_judged), failures=0, errors=len(not_judged),
               skipped=0)
        totals["tests"] += len(not_judged)
        totals["errors"] += len(not_judged)

    _attrs(root, name=f"lianjian {scalar(meta.get('version'))}".strip(), time="0",
           **{k: str(v) for k, v in totals.items()})
    return root


def render(report: dict, lang: str = "zh") -> str:
    root = build(report, lang)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
