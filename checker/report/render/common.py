"""What the renderers share: localised text, and evidence, records, citations, persons and
waivers formatted for a cell. Renderers read only the report dict (checker.report.build)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from checker.data.models import TYPE_LABELS
from checker.text import formats
from checker.text.citations import citation_reference
from checker.text.vocabulary import NOT_JUDGED_WORDS, ROLE_LABEL, discipline_label, severity_label

STATUS_LABEL = {
    "zh": {"new": "新发现", "persisting": "持续存在"},
    "en": {"new": "new", "persisting": "persisting"},
}
WAIVED_LABEL = {"zh": "已豁免", "en": "waived"}
WAIVER_STATE_LABEL = {"zh": {"active": "有效", "expired": "已过期", "unused": "未使用"},
                      "en": {"active": "active", "expired": "expired", "unused": "unused"}}

# A findings table's columns: what an inspector reads first, then the ids programs join on.
HEADERS = {
    "zh": ["严重程度", "单位", "纪律类别", "问题表述", "规则名称", "日期", "金额（元）", "期间", "证据", "依据",
           "责任人", "记录", "规则编号", "单位编号", "指纹", "状态", "豁免"],
    "en": ["severity", "unit", "discipline", "problem", "rule_title", "date", "amount_yuan", "period", "evidence",
           "citation", "responsible", "records", "rule_id", "unit_id", "fingerprint", "status", "waiver"],
}
ID_COLUMNS = {"记录", "规则编号", "单位编号", "指纹", "records", "rule_id", "unit_id", "fingerprint"}

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


def evidence_rows(finding: dict, lang: str) -> list[list[str]]:
    """[label, value] rows of a finding's evidence (labelled, money in 元), as the report gives them."""
    view = finding.get("evidence_view")
    if isinstance(view, dict) and lang in view:
        return [list(row) for row in view[lang]]
    evidence = finding.get("evidence") or {}
    return [[str(k), scalar(v)] for k, v in evidence.items() if k != "parameters"] if isinstance(evidence, dict) else []


def parameter_rows(finding: dict, lang: str) -> list[dict[str, str]]:
    view = finding.get("parameters_view")
    return list(view.get(lang) or []) if isinstance(view, dict) else []


def fmt_parameter(row: dict[str, str], lang: str) -> str:
    """陪餐人数上限：3（依据：接待规定 第十条；规则配置：中央规定）."""
    notes = [row.get("basis") or "", row.get("profile") or ""]
    if lang == "zh":
        labelled = [f"依据：{notes[0]}" if notes[0] else "", f"来源：{notes[1]}" if notes[1] else ""]
        extra = "；".join(x for x in labelled if x)
        return f"{row['label']}：{row['value']}" + (f"（{extra}）" if extra else "")
    extra = "; ".join(x for x in notes if x)
    return f"{row['label']}: {row['value']}" + (f" ({extra})" if extra else "")


def fmt_evidence(finding: Any, lang: str = "zh") -> str:
    """The evidence and the parameters in one cell."""
    if not isinstance(finding, dict) or ("evidence_view" not in finding and "evidence" not in finding):
        return scalar(finding)
    sep, colon = ("；", "：") if lang == "zh" else ("; ", ": ")
    parts = [f"{label}{colon}{value}" for label, value in evidence_rows(finding, lang)]
    parts += [fmt_parameter(row, lang) for row in parameter_rows(finding, lang)]
    return sep.join(parts)


def type_label(record_type: Any, lang: str) -> str:
    text = scalar(record_type)
    return TYPE_LABELS.get(text, text) if lang == "zh" else text.replace("_", " ")


def fmt_record(rec: dict, lang: str = "zh") -> str:
    """公务接待 REC-GH-V8（reception.json 第48行）: the record's kind, its id, where it came from."""
    head = " ".join(x for x in (type_label(rec.get("type"), lang), scalar(rec.get("id"))) if x)
    path, row = split_source(rec.get("source"))
    if not path:
        return head
    name = path.replace("\\", "/").rsplit("/", 1)[-1]
    if lang == "zh":
        return f"{head}（{name}" + (f" 第{row}行）" if row is not None else "）")
    return f"{head} ({name}" + (f", row {row})" if row is not None else ")")


def fmt_records(records: Iterable[dict] | None, lang: str = "zh") -> str:
    return ("；" if lang == "zh" else "; ").join(fmt_record(r, lang) for r in records or [])


def fmt_citation(citation: dict | None, lang: str = "zh") -> str:
    return citation_reference(citation, lang)


def person_text(person: dict, lang: str) -> str:
    """姓名（职务）, or the id when the name is not known."""
    return formats.person(person.get("name") or person.get("person") or "", person.get("post"), lang)


def fmt_person(person: dict, lang: str) -> str:
    """姓名（职务）·第一责任人."""
    role = person.get("role")
    who = person_text(person, lang)
    if not role:
        return who
    return f"{who}·{ROLE_LABEL[lang].get(role, role)}" if lang == "zh" else f"{who}, {ROLE_LABEL[lang].get(role, role)}"


def amount_text(finding: dict) -> str:
    """The finding's sum in yuan with two decimals and no grouping (a number for a spreadsheet)."""
    fen = finding.get("amount_fen")
    return f"{fen / 100:.2f}" if isinstance(fen, int | float) and not isinstance(fen, bool) else ""


def unit_text(finding: dict, lang: str = "zh") -> str:
    return formats.unit(finding.get("unit_name"), finding.get("unit"), lang)


def fmt_responsible(responsible: Iterable[dict] | None, lang: str) -> str:
    return ("；" if lang == "zh" else "; ").join(fmt_person(p, lang) for p in responsible or [])


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
    state = str(waiver.get("state") or "")
    parts = [str(waiver.get("id") or ""), WAIVER_STATE_LABEL[lang].get(state, state)]
    if waiver.get("justification"):
        parts.append(str(waiver["justification"]))
    if waiver.get("approved_by"):
        parts.append(("审批人：" if lang == "zh" else "approved by: ") + str(waiver["approved_by"]))
    if waiver.get("expires"):
        parts.append(("有效期至：" if lang == "zh" else "expires: ") + formats.day(waiver["expires"], lang))
    return ("，" if lang == "zh" else " | ").join(p for p in parts if p)


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
    """One finding in the columns of HEADERS."""
    return [
        severity_label(f.get("severity"), lang), unit_text(f, lang), discipline_label(f.get("discipline"), lang),
        text_of(f, "message", lang), text_of(f, "title", lang), formats.day(f.get("date"), lang),
        amount_text(f), formats.period(f.get("period"), lang), fmt_evidence(f, lang), fmt_citation(f.get("citation"), lang),
        fmt_responsible(f.get("responsible"), lang), fmt_records(f.get("records"), lang), scalar(f.get("rule_id")),
        scalar(f.get("unit")), scalar(f.get("fingerprint")), status_label(f.get("status"), lang),
        fmt_waiver(f, lang),
    ]


def responsibility(report: dict) -> list[dict]:
    """Per (person, role): name, finding count, waived count and the rule ids involved."""
    table: dict[tuple[str, str], dict] = {}
    for f in report.get("findings") or []:
        for p in f.get("responsible") or []:
            key = (scalar(p.get("person")), scalar(p.get("role")))
            row = table.setdefault(key, {"person": key[0], "role": key[1], "name": "", "post": "", "count": 0,
                                         "waived": 0, "rules": [], "units": []})
            row["name"] = row["name"] or scalar(p.get("name"))
            row["post"] = row["post"] or scalar(p.get("post"))
            unit = unit_text(f)
            if unit not in row["units"]:
                row["units"].append(unit)
            row["count"] += 1
            row["waived"] += is_waived(f)
            rid = scalar(f.get("rule_id"))
            if rid not in row["rules"]:
                row["rules"].append(rid)
    return sorted(table.values(), key=lambda r: (-r["count"], r["person"], r["role"]))




def units_not_judged(report: dict, lang: str) -> list[dict[str, str]]:
    """The units the engine could not judge, each with its label (name and code) and its reason in
    `lang`, and the sentence every format prints: 宣州市交通综合执法支队（ZF）未检查：规则引擎崩溃."""
    rows = []
    for entry in (report.get("meta") or {}).get("units_not_judged") or []:
        unit = scalar(entry.get("unit"))
        label = formats.unit(entry.get("name") or ((report.get("units") or {}).get(unit) or {}).get("name"),
                             unit, lang, with_code=True)
        reason = tr(entry.get("reason_i18n"), lang) or formats.both_languages(entry.get("reason"))[lang]
        rows.append({"unit": unit, "label": label, "reason": reason,
                     "text": NOT_JUDGED_WORDS[lang]["unit_line"].format(unit=label, reason=reason)})
    return rows


def input_error_count(report: dict) -> int:
    return sum(1 for e in report.get("input_errors") or [] if (e.get("level") or "error") == "error")


def incompleteness(report: dict, lang: str) -> str:
    """One sentence saying what the report does not cover, or '' when every unit was judged and the
    input had no errors: 本报告不完整：1个单位未检查、3条输入错误（有错误的记录未检查）。…"""
    words = NOT_JUDGED_WORDS[lang]
    parts = []
    if units := units_not_judged(report, lang):
        parts.append(words["units_n"].format(n=len(units)))
    if errors := input_error_count(report):
        parts.append(words["errors_n"].format(n=errors))
    return words["incomplete"].format(parts=("、" if lang == "zh" else "; ").join(parts)) if parts else ""


def error_where(error: dict, lang: str) -> str:
    """reception.json 第2行 [date] / reception.json row 2 [date]: where an input error is."""
    where = scalar(error.get("source"))
    if error.get("row") not in (None, ""):
        where += f" 第{error['row']}行" if lang == "zh" else f" row {error['row']}"
    if error.get("field"):
        where += f" [{error['field']}]"
    return where
