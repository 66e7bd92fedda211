"""What the renderers share: localised text, and evidence, records, citations, persons and
waivers formatted for a cell. Renderers read only the report dict (checker.report.build)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from checker.text.vocabulary import ROLE_LABEL, severity_label

STATUS_LABEL = {
    "zh": {"new": "新发现", "persisting": "持续存在"},
    "en": {"new": "new", "persisting": "persisting"},
}
WAIVED_LABEL = {"zh": "已豁免", "en": "waived"}

HEADERS = {
    "zh": ["规则编号", "规则名称", "严重程度", "纪律类别", "单位", "期间", "日期", "记录", "说明", "证据",
           "依据", "责任人", "指纹", "状态", "豁免"],
    "en": ["rule_id", "rule_title", "severity", "discipline", "unit", "period", "date", "records",
           "message", "evidence", "citation", "responsible", "fingerprint", "status", "waiver"],
}

# waiver.state -> SARIF suppression status. As in checker.report.build, only an "active" waiver takes
# effect ("accepted"); any other state (expired, revoked...) is a waiver that no longer holds.
_WAIVER_STATES = {"active": "accepted", "pending": "underReview", "under_review": "underReview"}


def norm_lang(lang: str | None, report: dict | None = None) -> str:
    if not lang and report:
        lang = (report.get("meta") or {}).get("lang")
    return "en" if str(lang or "zh").lower().startswith("en") else "zh"


def tr(value: Any, lang: str) -> str:
    """Localised text: a {zh, en} dict picks the language (falling back to the other), else str()."""
    if value is None:
        return ""
    if isinstance(value, dict):
        for key in (lang, "zh", "en"):
            if value.get(key):
                return str(value[key])
        return next((str(v) for v in value.values() if v), "")
    return str(value)


def text_of(finding: dict, key: str, lang: str) -> str:
    """A finding's title/message in `lang`: the pipeline puts both languages in `<key>_i18n` and the
    report language's text in `<key>`; a `<key>` that is itself a {zh, en} dict works too."""
    both = finding.get(f"{key}_i18n")
    return tr(both, lang) if isinstance(both, dict) and any(both.values()) else tr(finding.get(key), lang)


def scalar(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list, tuple)):
        return json.dumps(value, ensure_ascii=False, default=str, sort_keys=True)
    return str(value)


def fmt_period(period: Any) -> str:
    if isinstance(period, dict):
        start = period.get("from") or period.get("start")
        end = period.get("to") or period.get("end")
        span = f"{scalar(start)}~{scalar(end)}" if start or end else ""
        if period.get("label"):
            return f"{period['label']} ({span})" if span else scalar(period["label"])
        if span:
            return span
    return scalar(period)


def fmt_evidence(evidence: Any) -> str:
    if isinstance(evidence, dict):
        return "; ".join(f"{k}={scalar(v)}" for k, v in evidence.items())
    return scalar(evidence)


def fmt_record(rec: dict) -> str:
    head = ":".join(str(x) for x in (rec.get("type"), rec.get("id")) if x not in (None, ""))
    src = rec.get("source")
    return f"{head} @ {src}" if src else head


def fmt_records(records: Iterable[dict] | None) -> str:
    return "; ".join(fmt_record(r) for r in records or [])


def fmt_citation(citation: dict | None) -> str:
    if not citation:
        return ""
    text = " ".join(str(citation[k]) for k in ("regulation", "article") if citation.get(k))
    if citation.get("edition"):
        text += f" ({citation['edition']})"
    return text


def fmt_person(person: dict, lang: str) -> str:
    pid = person.get("person") or ""
    name = person.get("name") or ""
    who = f"{name}({pid})" if name and pid else (name or str(pid))
    role = person.get("role")
    if role:
        who += f"[{ROLE_LABEL[lang].get(role, role)}]"
    return who


def fmt_responsible(responsible: Iterable[dict] | None, lang: str) -> str:
    return "; ".join(fmt_person(p, lang) for p in responsible or [])


def waiver_state(finding: dict) -> str | None:
    """None (no waiver), 'accepted' (in force), 'underReview' or 'rejected' (expired, revoked...)."""
    waiver = finding.get("waiver")
    if not waiver:
        return None
    state = waiver.get("state") if isinstance(waiver, dict) else None
    return _WAIVER_STATES.get(str(state or "").lower(), "rejected")


def is_waived(finding: dict) -> bool:
    return waiver_state(finding) == "accepted"


def fmt_waiver(finding: dict, lang: str) -> str:
    waiver = finding.get("waiver")
    if not waiver:
        return ""
    if not isinstance(waiver, dict):
        return scalar(waiver)
    parts = [str(waiver.get("id") or ""), str(waiver.get("state") or "")]
    if waiver.get("justification"):
        parts.append(str(waiver["justification"]))
    if waiver.get("approved_by"):
        parts.append(("审批人:" if lang == "zh" else "approved by: ") + str(waiver["approved_by"]))
    if waiver.get("expires"):
        parts.append(("到期:" if lang == "zh" else "expires: ") + str(waiver["expires"]))
    return " | ".join(p for p in parts if p)


def split_source(source: Any) -> tuple[str, int | None]:
    """'path/file.json:12' -> ('path/file.json', 12); a source without a row gives (source, None)."""
    text = scalar(source)
    head, sep, tail = text.rpartition(":")
    if sep and head and tail.strip().isdigit():
        return head, int(tail)
    return text, None


def status_label(status: Any, lang: str) -> str:
    return STATUS_LABEL[lang].get(str(status), scalar(status)) if status else ""


def finding_row(f: dict, lang: str) -> list[str]:
    return [
        scalar(f.get("rule_id")), text_of(f, "title", lang), severity_label(f.get("severity"), lang),
        scalar(f.get("discipline")), scalar(f.get("unit")), fmt_period(f.get("period")),
        scalar(f.get("date")), fmt_records(f.get("records")), text_of(f, "message", lang),
        fmt_evidence(f.get("evidence")), fmt_citation(f.get("citation")),
        fmt_responsible(f.get("responsible"), lang), scalar(f.get("fingerprint")),
        status_label(f.get("status"), lang), fmt_waiver(f, lang),
    ]


def responsibility(report: dict) -> list[dict]:
    """Per (person, role): name, finding count, waived count and the rule ids involved."""
    table: dict[tuple[str, str], dict] = {}
    for f in report.get("findings") or []:
        for p in f.get("responsible") or []:
            key = (scalar(p.get("person")), scalar(p.get("role")))
            row = table.setdefault(key, {"person": key[0], "role": key[1], "name": "", "count": 0,
                                         "waived": 0, "rules": []})
            row["name"] = row["name"] or scalar(p.get("name"))
            row["count"] += 1
            row["waived"] += is_waived(f)
            rid = scalar(f.get("rule_id"))
            if rid not in row["rules"]:
                row["rules"].append(rid)
    return sorted(table.values(), key=lambda r: (-r["count"], r["person"], r["role"]))


