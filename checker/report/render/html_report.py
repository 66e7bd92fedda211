"""Self-contained HTML report: summary figures, inline-SVG charts, filterable/sortable findings table,
per-person responsibility and input errors. No external resources; every report string is escaped
with html.escape, and the page's Content-Security-Policy only lets its own inline script run."""

from __future__ import annotations

import base64
import hashlib
import html
import re
from collections import Counter

from checker.report.render.common import (
    fmt_citation,
    fmt_period,
    fmt_waiver,
    is_waived,
    norm_lang,
    responsibility,
    scalar,
    status_label,
    text_of,
    tr,
)
from checker.text.vocabulary import ROLE_LABEL, SEVERITIES, discipline_label, severity_label

L = {
    "zh": {"title": "廉检审查报告", "as_of": "基准日", "period": "检查期间", "version": "版本",
           "rules_version": "规则版本", "summary": "概况", "records": "检查记录", "findings": "问题",
           "waived": "已豁免", "input_errors": "输入错误", "charts": "分布", "by_discipline": "按纪律类别",
           "by_unit": "按单位", "by_month": "按月份", "unknown": "未知", "filter": "筛选（规则、单位、说明…）",
           "all_sev": "全部严重程度", "shown": "显示", "severity": "严重程度", "rule": "规则", "rule_title": "规则名称",
           "discipline": "纪律类别", "unit": "单位", "date": "日期", "message": "说明（点击展开）",
           "responsible": "责任人", "status": "状态", "evidence": "证据", "records_h": "记录",
           "citation": "依据", "valid": "有效期", "confidence": "可信度", "source": "出处", "waiver": "豁免",
           "fingerprint": "指纹", "people": "责任人汇总", "person": "责任人编号", "name": "姓名", "role": "角色",
           "count": "问题数", "rules": "规则编号", "row": "行", "field": "字段", "level": "级别",
           "none": "无", "other": "其他", "sort_hint": "点击表头排序", "error": "错误", "warning": "警告"},
    "en": {"title": "lianjian audit report", "as_of": "as of", "period": "period", "version": "version",
           "rules_version": "rules version", "summary": "Summary", "records": "records checked",
           "findings": "findings", "waived": "waived", "input_errors": "input errors", "charts": "Distribution",
           "by_discipline": "by discipline", "by_unit": "by unit", "by_month": "by month",
           "unknown": "unknown", "filter": "filter (rule, unit, message…)", "all_sev": "all severities",
           "shown": "shown", "severity": "severity", "rule": "rule", "rule_title": "title",
           "discipline": "discipline", "unit": "unit", "date": "date", "message": "message (click to expand)",
           "responsible": "responsible", "status": "status", "evidence": "evidence", "records_h": "records",
           "citation": "citation", "valid": "valid", "confidence": "confidence", "source": "source",
           "waiver": "waiver", "fingerprint": "fingerprint", "people": "Responsibility by person",
           "person": "person", "name": "name", "role": "role", "count": "findings", "rules": "rule ids",
           "row": "row", "field": "field", "level": "level", "none": "none", "other": "other",
           "sort_hint": "click a header to sort", "error": "error", "warning": "warning"},
}

CSS = """body{font-family:system-ui,"PingFang SC","Microsoft YaHei","Noto Sans CJK SC","Source Han Sans SC","WenQuanYi Micro Hei",sans-serif;margin:1.5em;color:#222}
h1{font-size:1.5em}h2{border-bottom:2px solid #b22;padding-bottom:.2em;margin-top:1.6em}
.meta{color:#555}.cards{display:flex;flex-wrap:wrap;gap:.8em}
.card{border:1px solid #ddd;border-radius:6px;padding:.6em 1em;min-width:7em;background:#fafafa}
.card b{display:block;font-size:1.6em}.sev-high b,.badge.high{color:#b00}.sev-medium b,.badge.medium{color:#c60}
.sev-low b,.badge.low{color:#06c}.charts{display:flex;flex-wrap:wrap;gap:1.5em}
table{border-collapse:collapse;width:100%;font-size:.92em}th,td{border:1px solid #ddd;padding:.3em .5em;
vertical-align:top;text-align:left}thead th{background:#f3f3f3;cursor:pointer;user-select:none}
th[aria-sort=ascending]::after{content:" ▲"}th[aria-sort=descending]::after{content:" ▼"}
tr.waived{opacity:.55}.controls{margin:.6em 0;display:flex;gap:.6em;align-items:center}
.controls input{flex:1;max-width:30em;padding:.3em}details summary{cursor:pointer}
dl{margin:.4em 0}dt{font-weight:bold;margin-top:.3em}dd{margin-left:1em}
.ev td,.ev th{border:none;padding:.1em .6em .1em 0;background:none;cursor:auto}"""

SCRIPT = """(function(){var t=document.getElementById('ft');if(!t)return;
var tb=t.tBodies[0],q=document.getElementById('q'),s=document.getElementById('sev'),c=document.getElementById('shown');
function f(){var v=q.value.toLowerCase(),sv=s.value,n=0;for(var i=0;i<tb.rows.length;i++){var r=tb.rows[i];
var ok=(!sv||r.getAttribute('data-sev')===sv)&&(!v||r.textContent.toLowerCase().indexOf(v)>=0);
r.hidden=!ok;if(ok)n++;}c.textContent=n;}
function key(r,k){var d=r.cells[k].getAttribute('data-sort');if(d===null)d=r.cells[k].textContent.trim();
return(d!==''&&!isNaN(d))?Number(d):d;}
var hs=t.tHead.rows[0].cells;Array.prototype.forEach.call(hs,function(h,k){h.addEventListener('click',function(){
var asc=h.getAttribute('aria-sort')!=='ascending';Array.prototype.forEach.call(hs,function(x){x.removeAttribute('aria-sort');});
h.setAttribute('aria-sort',asc?'ascending':'descending');var rows=Array.prototype.slice.call(tb.rows);
rows.sort(function(a,b){var x=key(a,k),y=key(b,k);var d=(typeof x==='number'&&typeof y==='number')?x-y:
String(x).localeCompare(String(y),'zh');return asc?d:-d;});rows.forEach(function(r){tb.appendChild(r);});});});
q.addEventListener('input',f);s.addEventListener('change',f);f();})();"""

MONTH_RE = re.compile(r"^(\d{4})-(\d{2})")
CHART_MAX_BARS = 15


def esc(value: object) -> str:
    return html.escape(scalar(value), quote=True)


def _month(f: dict) -> str | None:
    for candidate in (f.get("date"), f.get("period")):
        if isinstance(candidate, dict):
            candidate = candidate.get("from") or candidate.get("start")
        m = MONTH_RE.match(scalar(candidate))
        if m:
            return f"{m.group(1)}-{m.group(2)}"
    return None


def bar_chart(title: str, items: list[tuple[str, int]], lang: str) -> str:
    """Horizontal bar chart as inline SVG; labels are escaped and the full label is in <title>."""
    if len(items) > CHART_MAX_BARS:
        rest = sum(n for _, n in items[CHART_MAX_BARS - 1:])
        items = items[:CHART_MAX_BARS - 1] + [(L[lang]["other"], rest)]
    row_h, label_w, bar_w = 22, 190, 260
    height = row_h * max(len(items), 1) + 30
    top = max((n for _, n in items), default=0) or 1
    parts = [f'<figure><svg xmlns="http://www.w3.org/2000/svg" width="{label_w + bar_w + 50}" '
             f'height="{height}" role="img" aria-label="{esc(title)}">',
             f'<text x="0" y="16" font-size="14" font-weight="bold">{esc(title)}</text>']
    if not items:
        parts.append(f'<text x="0" y="40" font-size="12" fill="#777">{esc(L[lang]["none"])}</text>')
    for i, (label, n) in enumerate(items):
        y = 28 + i * row_h
        short = label if len(label) <= 14 else label[:13] + "…"
        w = max(round(bar_w * n / top), 1)
        parts.append(f'<g><title>{esc(label)}: {n}</title>'
                     f'<text x="{label_w - 6}" y="{y + 14}" font-size="12" text-anchor="end">{esc(short)}</text>'
                     f'<rect x="{label_w}" y="{y + 2}" width="{w}" height="{row_h - 6}" fill="#c33"></rect>'
                     f'<text x="{label_w + w + 4}" y="{y + 14}" font-size="12">{n}</text></g>')
    parts.append("</svg></figure>")
    return "".join(parts)


def _kv_table(data: object) -> str:
    if not isinstance(data, dict):
        return esc(data)
    rows = "".join(f"<tr><th>{esc(k)}</th><td>{esc(v)}</td></tr>" for k, v in data.items())
    return f'<table class="ev">{rows}</table>'


def _details(f: dict, lang: str) -> str:
    lab = L[lang]
    cit = f.get("citation") or {}
    items = [("evidence", _kv_table(f.get("evidence") or {}))]
    recs = "".join(f"<li>{esc(r.get('type'))}:{esc(r.get('id'))} — {esc(r.get('source'))}</li>"
                   for r in f.get("records") or [])
    items.append(("records_h", f"<ul>{recs}</ul>" if recs else esc(lab["none"])))
    cite = esc(fmt_citation(cit))
    if cit.get("valid_from") or cit.get("valid_to"):
        cite += f"<br>{esc(lab['valid'])}: {esc(cit.get('valid_from'))} ~ {esc(cit.get('valid_to'))}"
    if cit.get("confidence"):
        cite += f"<br>{esc(lab['confidence'])}: {esc(cit['confidence'])}"
    if cit.get("source"):
        cite += f"<br>{esc(lab['source'])}: {esc(cit['source'])}"
    items.append(("citation", cite))
    if f.get("waiver"):
        items.append(("waiver", esc(fmt_waiver(f, lang))))
    items.append(("fingerprint", f"<code>{esc(f.get('fingerprint'))}</code>"))
    body = "".join(f"<dt>{esc(lab[k])}</dt><dd>{v}</dd>" for k, v in items)
    return f"<details><summary>{esc(text_of(f, 'message', lang))}</summary><dl>{body}</dl></details>"


def _finding_rows(report: dict, lang: str) -> str:
    out = []
    for f in report.get("findings") or []:
        sev = scalar(f.get("severity"))
        rank = SEVERITIES.index(sev) if sev in SEVERITIES else len(SEVERITIES)
        people = "<br>".join(
            f"{esc(p.get('name') or p.get('person'))} ({esc(ROLE_LABEL[lang].get(p.get('role'), p.get('role')))})"
            for p in f.get("responsible") or [])
        status = status_label(f.get("status"), lang)
        if is_waived(f):
            status = f"{status} {L[lang]['waived']}".strip()
        out.append(
            f'<tr data-sev="{esc(sev)}" class="{"waived" if is_waived(f) else ""}">'
            f'<td data-sort="{rank}"><span class="badge {esc(sev)}">{esc(severity_label(sev, lang))}</span></td>'
            f"<td>{esc(f.get('rule_id'))}</td><td>{esc(text_of(f, 'title', lang))}</td>"
            f"<td>{esc(discipline_label(f.get('discipline'), lang))}</td><td>{esc(f.get('unit'))}</td>"
            f"<td>{esc(fmt_period(f.get('period')))}</td><td>{esc(f.get('date'))}</td>"
            f'<td data-sort="{esc(text_of(f, "message", lang))}">{_details(f, lang)}</td>'
            f"<td>{people}</td><td>{esc(status)}</td></tr>")
    return "\n".join(out)


def _table(headers: list[str], rows: list[list[object]], empty: str) -> str:
    if not rows:
        return f"<p>{esc(empty)}</p>"
    head = "".join(f"<th>{esc(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{esc(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def render(report: dict, lang: str = "zh") -> str:
    lang = norm_lang(lang, report)
    lab = L[lang]
    meta = report.get("meta") or {}
    summary = report.get("summary") or {}
    findings = report.get("findings") or []
    errors = report.get("input_errors") or []

    meta_line = " · ".join(f"{esc(lab[k])}: {esc(fmt_period(meta[k]) if k == 'period' else meta[k])}"
                           for k in ("as_of", "period", "version", "rules_version") if meta.get(k))
    sev_counts = Counter(scalar(f.get("severity")) for f in findings)
    cards = [("", lab["records"], summary.get("records", "–")), ("", lab["findings"], len(findings))]
    cards += [(f"sev-{s}", severity_label(s, lang), sev_counts.get(s, 0)) for s in SEVERITIES]
    cards += [("", lab["waived"], sum(is_waived(f) for f in findings)), ("", lab["input_errors"], len(errors))]
    cards_html = "".join(f'<div class="card {cls}"><b>{esc(n)}</b>{esc(label)}</div>' for cls, label, n in cards)

    def ranked(counter: Counter) -> list[tuple[str, int]]:
        return sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))

    months = Counter(_month(f) or lab["unknown"] for f in findings)
    charts = (bar_chart(lab["by_discipline"], ranked(Counter(discipline_label(f.get("discipline"), lang) for f in findings)), lang)
              + bar_chart(lab["by_unit"], ranked(Counter(scalar(f.get("unit")) for f in findings)), lang)
              + bar_chart(lab["by_month"], sorted(months.items()), lang))

    sev_options = "".join(f'<option value="{s}">{esc(severity_label(s, lang))}</option>' for s in SEVERITIES)
    headers = ["severity", "rule", "rule_title", "discipline", "unit", "period", "date", "message",
               "responsible", "status"]
    thead = "".join(f"<th>{esc(lab[h])}</th>" for h in headers)
    people = _table([lab[k] for k in ("person", "name", "role", "count", "waived", "rules")],
                    [[r["person"], r["name"], ROLE_LABEL[lang].get(r["role"], r["role"]), r["count"],
                      r["waived"], ", ".join(r["rules"])] for r in responsibility(report)], lab["none"])
    errs = _table([lab[k] for k in ("source", "row", "field", "level", "message")],
                  [[e.get("source"), e.get("row"), e.get("field"), lab.get(e.get("level") or "error", e.get("level")),
                    tr(e.get("message"), lang)] for e in errors], lab["none"])
    digest = base64.b64encode(hashlib.sha256(SCRIPT.encode("utf-8")).digest()).decode("ascii")
    csp = f"default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src 'sha256-{digest}'"
    return f"""<!DOCTYPE html>
<html lang="{"zh-CN" if lang == "zh" else "en"}">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(lab["title"])}</title>
<style>{CSS}</style>
</head>
<body>
<header><h1>{esc(lab["title"])}</h1><p class="meta">{meta_line}</p></header>
<section id="summary"><h2>{esc(lab["summary"])}</h2><div class="cards">{cards_html}</div></section>
<section id="charts"><h2>{esc(lab["charts"])}</h2><div class="charts">{charts}</div></section>
<section id="findings"><h2>{esc(lab["findings"])}</h2>
<div class="controls"><input id="q" type="search" placeholder="{esc(lab["filter"])}" aria-label="{esc(lab["filter"])}">
<select id="sev" aria-label="{esc(lab["severity"])}"><option value="">{esc(lab["all_sev"])}</option>{sev_options}</select>
<span>{esc(lab["shown"])}: <b id="shown">{len(findings)}</b> / {len(findings)} · {esc(lab["sort_hint"])}</span></div>
<table id="ft"><thead><tr>{thead}</tr></thead>
<tbody>
{_finding_rows(report, lang)}
</tbody></table></section>
<section id="people"><h2>{esc(lab["people"])}</h2>{people}</section>
<section id="errors"><h2>{esc(lab["input_errors"])}</h2>{errs}</section>
<script>{SCRIPT}</script>
</body>
</html>
"""
