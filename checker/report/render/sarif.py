"""SARIF 2.1.0 renderer (for code-scanning dashboards and generic SARIF viewers)."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import quote

from checker.report.render.common import (
    fmt_citation,
    is_waived,
    norm_lang,
    scalar,
    split_source,
    text_of,
    tr,
    units_not_judged,
    waiver_state,
)

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
FINGERPRINT_KEY = "lianjian/v1"
LEVELS = {"high": "error", "medium": "warning", "low": "note", "info": "note"}
BASELINE = {"new": "new", "persisting": "unchanged"}
LANGUAGE = {"zh": "zh-CN", "en": "en-US"}


def level(severity: Any) -> str:
    return LEVELS.get(str(severity), "warning")


def to_uri(path: str) -> str:
    """A file path as a URI reference (RFC 3986): '/' separators, non-ASCII percent-encoded.

    A workbook source 'book.xlsx#sheet' keeps the sheet as the URI fragment."""
    path, hash_, sheet = path.replace("\\", "/").partition("#")
    fragment = hash_ + quote(sheet, safe="")
    if re.match(r"^[A-Za-z]:/", path):
        return "file:///" + path[:2] + quote(path[2:], safe="/") + fragment
    return quote(path, safe="/") + fragment


def physical_location(source: Any) -> dict | None:
    path, row = split_source(source)
    if not path:
        return None
    loc: dict = {"artifactLocation": {"uri": to_uri(path)}}
    if row is not None and row >= 1:
        loc["region"] = {"startLine": row}
    return loc


def _descriptor(rule: dict, lang: str) -> dict:
    title = tr(rule.get("title"), lang) or scalar(rule.get("id"))
    help_text = tr(rule.get("help"), lang) or title
    citation = rule.get("citation") or {}
    props: dict = {
        "severity": scalar(rule.get("severity")),
        "discipline": scalar(rule.get("discipline")),
        "citation": citation,
        "tags": [t for t in (scalar(rule.get("discipline")), scalar(rule.get("severity"))) if t],
    }
    if isinstance(rule.get("title"), dict):
        props["title"] = rule["title"]
    full = f"{help_text} [{fmt_citation(citation, lang)}]" if citation else help_text
    return {
        "id": scalar(rule.get("id")),
        "name": title,
        "shortDescription": {"text": title},
        "fullDescription": {"text": full},
        "help": {"text": help_text},
        "defaultConfiguration": {"level": level(rule.get("severity"))},
        "properties": props,
    }


def _rules(report: dict) -> list[dict]:
    """Rules that ran, plus any rule that only appears in findings (so every ruleIndex resolves)."""
    rules = [r for r in report.get("rules") or [] if r.get("id")]
    known = {r["id"] for r in rules}
    for f in [*(report.get("findings") or []), *(report.get("leads") or [])]:
        rid = f.get("rule_id")
        if rid and rid not in known:
            known.add(rid)
            rules.append({"id": rid, "title": f.get("title_i18n") or f.get("title"), "severity": f.get("severity"),
                          "discipline": f.get("discipline"), "citation": f.get("citation") or {}})
    return rules


def _result(f: dict, index: dict[str, int], lang: str) -> dict:
    records = f.get("records") or []
    unit = scalar(f.get("unit"))
    location: dict = {}
    if records and (phys := physical_location(records[0].get("source"))):
        location["physicalLocation"] = phys
    if unit:
        location["logicalLocations"] = [{"name": unit, "kind": "module"}]
    result: dict = {
        "ruleId": scalar(f.get("rule_id")),
        "ruleIndex": index.get(f.get("rule_id"), -1),
        "level": level(f.get("severity")),
        "message": {"text": text_of(f, "message", lang) or text_of(f, "title", lang) or "-"},
        "locations": [location] if location else [],
    }
    related = []
    for i, rec in enumerate(records[1:], start=1):
        if phys := physical_location(rec.get("source")):
            text = ":".join(scalar(rec.get(k)) for k in ("type", "id") if rec.get(k))
            related.append({"id": i, "physicalLocation": phys, "message": {"text": text or "-"}})
    if related:
        result["relatedLocations"] = related
    if f.get("fingerprint"):
        result["partialFingerprints"] = {FINGERPRINT_KEY: scalar(f["fingerprint"])}
    if f.get("status") in BASELINE:
        result["baselineState"] = BASELINE[f["status"]]
    state = waiver_state(f)
    if state:
        waiver = f["waiver"] if isinstance(f["waiver"], dict) else {}
        sup: dict = {"kind": "external", "status": state,
                     "justification": scalar(waiver.get("justification"))}
        extra = {k: waiver[k] for k in ("id", "approved_by", "expires", "state") if waiver.get(k)}
        if extra:
            sup["properties"] = {k: scalar(v) for k, v in extra.items()}
        result["suppressions"] = [sup]
    result["properties"] = {
        "evidence": f.get("evidence") or {},
        "responsible": f.get("responsible") or [],
        "period": f.get("period"),
        "date": f.get("date"),
        "severity": f.get("severity"),
        "discipline": f.get("discipline"),
        "ccdi_category": f.get("ccdi_category"),
        "citation": f.get("citation") or {},
        "records": records,
        "waived": is_waived(f),
    }
    return result


def _notification(err: dict, lang: str) -> dict:
    text = tr(err.get("message"), lang)
    if err.get("field"):
        text = f"{err['field']}: {text}"
    note: dict = {"message": {"text": text or "-"},
                  "level": "warning" if err.get("level") == "warning" else "error"}
    source = scalar(err.get("source"))
    if err.get("row") not in (None, "") and split_source(source)[1] is None:
        source = f"{source}:{err['row']}"
    if phys := physical_location(source):
        note["locations"] = [{"physicalLocation": phys}]
    note["descriptor"] = {"id": "lianjian/input-error" if note["level"] == "error" else "lianjian/input-warning"}
    return note


def _not_judged_notification(unit: dict) -> dict:
    """A unit the engine could not judge: an error of the run, located at the unit (a logical location,
    as findings are), so a dashboard never reads its silence as a clean unit."""
    return {"message": {"text": unit["text"]}, "level": "error", "descriptor": {"id": "lianjian/unit-not-judged"},
            "locations": [{"logicalLocations": [{"name": unit["unit"], "kind": "module"}]}],
            "properties": {"unit": unit["unit"], "reason": unit["reason"]}}


def _lead(f: dict, index: dict[str, int], lang: str) -> dict:
    """A lead (线索) is for an inspector to review, not a failure: SARIF's kind `review`."""
    result = _result(f, index, lang)
    result.update({"kind": "review", "level": "none"})
    result["properties"]["lead_reason"] = f.get("lead_reason")
    return result


def _coverage_notes(report: dict) -> list[dict]:
    """What was not judged, by reason, and a period with no record: notes, so nothing is silent."""
    summary = report.get("coverage_summary") or {}
    notes = [{"message": {"text": f"not judged ({reason}): {count}"}, "level": "note",
              "descriptor": {"id": f"coverage/{reason}"}}
             for reason, count in (summary.get("not_judged_by_reason") or {}).items()]
    if summary.get("judged_by_no_rule"):
        notes.append({"message": {"text": f"records no rule judged: {summary['judged_by_no_rule']}"},
                      "level": "note", "descriptor": {"id": "coverage/judged_by_no_rule"}})
    if summary.get("period_note"):
        notes.append({"message": {"text": summary["period_note"]}, "level": "warning",
                      "descriptor": {"id": "coverage/period"}})
    return notes


def build(report: dict, lang: str = "zh") -> dict:
    lang = norm_lang(lang, report)
    meta = report.get("meta") or {}
    rules = _rules(report)
    index = {r["id"]: i for i, r in enumerate(rules)}
    errors = report.get("input_errors") or []
    not_judged = units_not_judged(report, lang)
    driver: dict = {"name": "lianjian", "language": LANGUAGE[lang],
                    "rules": [_descriptor(r, lang) for r in rules]}
    if meta.get("version"):
        driver["version"] = scalar(meta["version"])
    run: dict = {
        "tool": {"driver": driver},
        "invocations": [{
            # false when a unit was not judged or a record was rejected: the results do not cover them
            "executionSuccessful": not not_judged and not any(e.get("level", "error") == "error" for e in errors),
            "toolExecutionNotifications": [*(_not_judged_notification(u) for u in not_judged),
                                           *(_notification(e, lang) for e in errors), *_coverage_notes(report)],
        }],
        "results": [_result(f, index, lang) for f in report.get("findings") or []]
        + [_lead(f, index, lang) for f in report.get("leads") or []],
        "properties": {
            "rules_version": meta.get("rules_version"), "as_of": meta.get("as_of"),
            "period": meta.get("period"), "inputs": meta.get("inputs") or [],
            "summary": report.get("summary") or {},
        },
    }
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def render(report: dict, lang: str = "zh") -> str:
    return json.dumps(build(report, lang), ensure_ascii=False, indent=2, default=str) + "\n"
