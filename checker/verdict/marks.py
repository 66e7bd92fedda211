"""Approved exceptions (waivers) and baselines, both keyed on business data rather than file lines.

A waiver names a rule and a scope (unit, record ids, period) and carries who asked, who approved
(a different person), the approval document and an expiry date. A waived finding stays in the
report, marked, and does not count for --fail-on; an expired waiver no longer applies and is
reported as expired; a waiver that matched nothing is reported as unused.

A baseline is an earlier JSON report: each finding is `new` or `persisting` by fingerprint, and the
earlier findings that are gone are listed as resolved.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from checker import __version__
from checker.data import yamlio
from checker.data.encoding import read_text
from checker.facts.periods import parse_period
from checker.verdict.findings import Finding


class WaiverError(ValueError):
    pass


# The JSON report's format: a baseline is comparable (its fingerprints mean the same) only when it
# was written in the same one. Raise it when fingerprints or the findings' shape change.
REPORT_FORMAT = 1


# A justification must say why the finding may stand: a few words at least, not "自批" or "同意".
JUSTIFICATION_MIN = 6
JUSTIFICATION_RULE = (f"豁免理由须写明为什么这项问题可以不作整改（如“经市纪委同意的联合检查工作餐，见宣交党〔2020〕12号”），"
                      f"不少于{JUSTIFICATION_MIN}个字；“自批”“同意”之类不算理由")
FIELD_LABELS = {"id": "编号", "rule": "规则", "scope": "范围", "unit": "单位", "records": "记录", "period": "期间",
                "justification": "理由", "requested_by": "申请人", "approved_by": "审批人",
                "approval_document": "审批文件", "expires": "有效期至"}
FIELDS = "id、rule、scope（unit、records、period）、justification、requested_by、approved_by、approval_document、expires"


def _field(loc: tuple) -> str:
    """`approved_by` → 审批人（approved_by）: the Chinese name and the key to write in the file."""
    path = ".".join(str(p) for p in loc)
    last = str(loc[-1]) if loc else ""
    return f"{FIELD_LABELS[last]}（{path}）" if last in FIELD_LABELS else (path or "豁免")


def _problem(error: dict[str, Any]) -> str:
    """One validation error of a waiver, in Chinese."""
    kind, where = error["type"], _field(error["loc"])
    if kind == "missing":
        return f"缺少{where}"
    if kind == "extra_forbidden":
        return f"不认识的字段 {'.'.join(str(p) for p in error['loc'])}；可用的字段：{FIELDS}"
    if error["loc"] and error["loc"][-1] == "justification":
        return f"{where}“{error.get('input')}”太短：{JUSTIFICATION_RULE}"
    if kind.startswith("date"):
        return f"{where}不是日期：{error.get('input')!r}（应写作 2020-12-31）"
    if kind == "value_error" and "four eyes" in error["msg"]:
        return "审批人（approved_by）与申请人（requested_by）是同一人：豁免须由申请人以外的人审批"
    if kind == "value_error" and "period" in error["msg"]:
        return f"{where}不是期间：{error.get('input')!r}（应写作 2020、2020H1、2020Q3 或 2020-07）"
    if kind.startswith("string") or kind.startswith("list"):
        return f"{where}应为文字" if kind.startswith("string") else f"{where}应为列表"
    return f"{where}：{error['msg']}"


class Scope(BaseModel):
    model_config = ConfigDict(extra="forbid")
    unit: str | None = None
    records: list[str] = []
    period: str | None = None

    @model_validator(mode="after")
    def _period_parses(self) -> Scope:
        if self.period:
            try:
                parse_period(self.period)
            except ValueError:
                raise ValueError(f"period {self.period!r} is not a period") from None
        return self


class Waiver(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    rule: str
    scope: Scope = Scope()
    justification: str = Field(min_length=JUSTIFICATION_MIN)
    requested_by: str
    approved_by: str
    approval_document: str = Field(min_length=1)
    expires: dt.date
    line: int = 0

    @model_validator(mode="after")
    def _four_eyes(self) -> Waiver:
        if self.requested_by.strip() == self.approved_by.strip():
            raise ValueError("four eyes: approved_by must be someone other than requested_by")
        return self

    def covers(self, finding: Finding) -> bool:
        if finding.rule.rule.id != self.rule:
            return False
        if self.scope.unit and finding.unit != self.scope.unit:
            return False
        if self.scope.records and not {r["id"] for r in finding.records} & set(self.scope.records):
            return False
        if self.scope.period and finding.date:
            return parse_period(self.scope.period).contains(dt.date.fromisoformat(finding.date))
        return True


def _read(path: Path, what: str) -> str:
    """A waiver or baseline file's text, or a WaiverError saying why it cannot be read."""
    try:
        return read_text(Path(path))  # UTF-8 or GB18030, decided from the whole file
    except IsADirectoryError:
        zh = {"waiver": "豁免", "baseline": "基线报告"}[what]
        raise WaiverError(f"{path}: 是文件夹，不是{zh}文件 / a folder, not a {what} file") from None
    except ValueError as exc:  # a line in another encoding (TextDecodeError), located
        raise WaiverError(str(exc) if str(exc).startswith(str(path)) else f"{path}: {exc}") from None
    except OSError as exc:
        raise WaiverError(f"{path}: 无法读取 / cannot read: {exc.strerror or exc}") from None


def load_waivers(path: Path, known_rules: set[str] | None = None) -> list[Waiver]:
    text = _read(path, "waiver")
    try:
        data, lines = yamlio.load_with_item_lines(text)
        data = data or []
    except (yamlio.YAMLError, ValueError) as exc:  # ValueError: a date like 2030-13-01
        raise WaiverError(f"{path}：不是有效的 YAML / not valid YAML: {exc}") from None
    if not isinstance(data, list):
        raise WaiverError(f"{path}:1：豁免文件应是一个豁免列表（每项以“- id:”开头），见 docs/waivers.md")
    waivers, problems, seen = [], [], set()
    for index, block in enumerate(data):
        line = lines[index] if index < len(lines) else 0
        try:
            waiver = Waiver.model_validate({**(block if isinstance(block, dict) else {}), "line": line})
        except ValidationError as exc:
            problems += [f"{path}:{line}：{_problem(e)}" for e in exc.errors()]
            continue
        if waiver.id in seen:
            problems.append(f"{path}:{line}：豁免编号 {waiver.id} 重复使用")
        if known_rules is not None and waiver.rule not in known_rules:
            problems.append(f"{path}:{line}：豁免 {waiver.id} 的规则 {waiver.rule} 不存在（lianjian rules list 可查规则编号）")
        seen.add(waiver.id)
        waivers.append(waiver)
    if problems:
        raise WaiverError("\n".join(problems))
    return waivers


class WaiverMarks:
    """Marks findings covered by a waiver, as many batches as come (one unit's at a time), counting use."""

    def __init__(self, waivers: list[Waiver], as_of: dt.date):
        self.waivers, self.as_of = waivers, as_of
        self.used: dict[str, int] = {w.id: 0 for w in waivers}

    def __call__(self, findings: list[Finding]) -> list[Finding]:
        for finding in findings:
            for waiver in self.waivers:
                if waiver.covers(finding):
                    self.used[waiver.id] += 1
                    state = "active" if waiver.expires >= self.as_of else "expired"
                    finding.waiver = {"id": waiver.id, "state": state, "justification": waiver.justification,
                                      "approved_by": waiver.approved_by,
                                      "approval_document": waiver.approval_document,
                                      "expires": waiver.expires.isoformat()}
                    if state == "active":
                        break
        return findings

    def states(self) -> list[dict[str, Any]]:
        """Each waiver's state: active, expired or unused."""
        states = []
        for waiver in self.waivers:
            if waiver.expires < self.as_of:
                state = "expired"
            else:
                state = "active" if self.used[waiver.id] else "unused"
            states.append({"id": waiver.id, "rule": waiver.rule, "state": state, "matched": self.used[waiver.id],
                           "expires": waiver.expires.isoformat(), "line": waiver.line})
        return states


def apply_waivers(findings: list[Finding], waivers: list[Waiver], as_of: dt.date) -> list[dict[str, Any]]:
    """Mark findings; return each waiver's state: active, expired or unused."""
    marks = WaiverMarks(waivers, as_of)
    marks(findings)
    return marks.states()


class BaselineMarks:
    """Marks findings new or persisting against an earlier report, batch by batch."""

    def __init__(self, baseline_path: Path):
        self.path = baseline_path
        try:
            previous = json.loads(_read(baseline_path, "baseline"))
            meta = previous.get("meta") or {}
            if meta.get("tool") != "lianjian":
                raise ValueError("no meta.tool 'lianjian'")
            if meta.get("report_format", 1) != REPORT_FORMAT:  # reports before the field are format 1
                raise WaiverError(
                    f"{baseline_path}: 基线报告由 lianjian {meta.get('version', '?')}（报告格式 "
                    f"{meta.get('report_format')}）生成，本版本为 {__version__}（报告格式 {REPORT_FORMAT}），"
                    f"指纹不可比 / baseline from lianjian {meta.get('version', '?')}, report format "
                    f"{meta.get('report_format')}; this is {__version__}, format {REPORT_FORMAT}")
            self.earlier = {f["fingerprint"]: f for f in [*previous["findings"], *previous.get("leads", [])]}
        except WaiverError:
            raise
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise WaiverError(f"{baseline_path}: 不是 lianjian 的 JSON 报告 / not a lianjian JSON report: {exc}") from None
        self.current: set[str] = set()
        self.counts = {"new": 0, "persisting": 0}

    def __call__(self, findings: list[Finding]) -> list[Finding]:
        for finding in findings:
            finding.status = "persisting" if finding.fingerprint in self.earlier else "new"
            self.counts[finding.status] += 1
            self.current.add(finding.fingerprint)
        return findings

    def summary(self) -> dict[str, Any]:
        resolved = [{"fingerprint": fp, "rule_id": f.get("rule_id"), "unit": f.get("unit"),
                     "period": f.get("period"), "message": f.get("message")}
                    for fp, f in self.earlier.items() if fp not in self.current]
        return {"path": str(self.path), **self.counts, "resolved": resolved}


def apply_baseline(findings: list[Finding], baseline_path: Path) -> dict[str, Any]:
    marks = BaselineMarks(baseline_path)
    marks(findings)
    return marks.summary()
