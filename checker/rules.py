"""Rule files and profiles: the pydantic schema of a rule block, loading with file:line errors,
and resolution of parameters from profiles.

A rule file is a YAML list of rule blocks. A profile is a YAML mapping that sets parameters (each
value with its source and confidence) and can switch rules on or off; profiles extend each other.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from . import expr, yamlio
from .models import RECORD_TYPES

Severity = Literal["high", "medium", "low", "info"]
SEVERITY_ORDER = {"info": 0, "low": 1, "medium": 2, "high": 3}
Confidence = Literal["confirmed", "partial", "unconfirmed", "local", "speech"]
PERIODS = ("month", "quarter", "half", "year")
DISCIPLINE = re.compile(r"^(eight_point|reform|reporting|formalism|accountability)\.[a-z_]+$")


class RuleFileError(Exception):
    """A rule or profile file is invalid (exit code 3)."""


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class Text(Strict):
    zh: str
    en: str


class Citation(Strict):
    regulation: str
    article: str | None = None
    edition: str | None = None
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    confidence: Confidence = "confirmed"
    ref: str | None = Field(None, description="item number in regulations.md")
    source: str | None = None


class Parameter(Strict):
    default: Any = None
    description: str | None = None
    source: str | None = None
    confidence: Confidence = "confirmed"

    @property
    def needs_profile(self) -> bool:
        return self.default is None


class Part(Strict):
    """One record in a match: its type and the conditions on it."""
    record: str
    alias: str | None = Field(None, alias="as")
    where: list[str] = []

    @field_validator("record")
    @classmethod
    def _known(cls, value: str) -> str:
        if value not in RECORD_TYPES and value not in DERIVED_TYPES:
            raise ValueError(f"unknown record type {value!r}")
        return value


class Obligation(Strict):
    """Something a unit owes every period: at least `min_count` matching records, due after the period."""
    record: str
    where: list[str] = []
    quorum: list[str] = []
    owed_by: dict[str, list[str]] = {}
    period: Literal["month", "quarter", "half", "year"]
    min_count: int | str = 1
    due_days: int | str = 0
    due_fixed: str | None = Field(None, description="MM-DD in the year after a yearly period, e.g. 01-31")
    shift_to_workday: bool | str = False
    per_person: dict[str, list[str]] | None = None


class Match(Strict):
    record: str | None = None
    where: list[str] = []
    any: list[list[str]] = []
    join: list[Part] = []
    unless: Part | None = None
    obligation: Obligation | None = None
    for_each: str | None = None

    @model_validator(mode="after")
    def _one_shape(self) -> Match:
        shapes = [self.record is not None, bool(self.join), self.obligation is not None]
        if sum(shapes) != 1:
            raise ValueError("a match is exactly one of: record (+where/any), join, obligation")
        if self.join and (len(self.join) < 2 or any(p.alias is None for p in self.join)):
            raise ValueError("a join names at least two parts, each with 'as'")
        if self.record and self.record not in RECORD_TYPES and self.record not in DERIVED_TYPES:
            raise ValueError(f"unknown record type {self.record!r}")
        return self


class Example(Strict):
    description: str | None = None
    records: dict[str, list[dict[str, Any]]]
    as_of: dt.date | None = None
    profile: str | None = None


class Examples(Strict):
    fire: list[Example] = []
    not_fire: list[Example] = Field([], alias="pass")


class Rule(Strict):
    id: str = Field(pattern=r"^[A-Z][A-Z0-9]*(-[A-Z0-9]+)+$")
    title: Text
    severity: Severity
    discipline: str
    ccdi_category: str | None = None
    citation: Citation
    enabled: bool = True
    match: Match
    parameters: dict[str, Parameter] = {}
    evidence: dict[str, str] = {}
    message: Text
    help: Text | None = None
    examples: Examples = Examples()
    file: str = ""
    line: int = 0

    @field_validator("discipline")
    @classmethod
    def _discipline(cls, value: str) -> str:
        if not DISCIPLINE.match(value):
            raise ValueError("discipline is eight_point.<area>, reform.<d>, reporting.<o>, formalism.<k> "
                             "or accountability.<k>")
        return value

    @model_validator(mode="after")
    def _conditions_parse(self) -> Rule:
        for text in self.all_conditions():
            try:
                cond = expr.parse(text)
            except expr.ExprError as exc:
                raise ValueError(str(exc)) from None
            for node in _params_of(cond):
                if node not in self.parameters and not node.startswith("row."):
                    raise ValueError(f"condition {text!r} uses ${node}, which is not declared in parameters")
        return self

    def all_conditions(self) -> list[str]:
        m = self.match
        texts = list(m.where) + [c for alt in m.any for c in alt]
        for part in m.join + ([m.unless] if m.unless else []):
            texts += part.where
        if m.obligation:
            texts += m.obligation.where + m.obligation.quorum
        return texts

    @property
    def location(self) -> str:
        return f"{self.file}:{self.line}"


# Facts made by the derivation stage rather than read from input.
DERIVED_TYPES = {"obligation_status", "unit_stats"}


def _params_of(node: Any) -> set[str]:
    if isinstance(node, expr.Param):
        return {node.name}
    if isinstance(node, expr.BinOp):
        return _params_of(node.left) | _params_of(node.right)
    if isinstance(node, expr.Cond):
        found = _params_of(node.left)
        for part in node.right if isinstance(node.right, list) else [node.right]:
            found |= _params_of(part)
        return found
    return set()


# --- loading --------------------------------------------------------------------------------------

def load_rule_file(path: Path) -> list[Rule]:
    text = path.read_text(encoding="utf-8")
    try:
        data = yamlio.load(text)
        lines = yamlio.item_lines(text)
    except yamlio.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise RuleFileError(f"{path}:{mark.line + 1 if mark else '?'}: not valid YAML: {exc}") from None
    if data is None:
        return []
    if not isinstance(data, list):
        raise RuleFileError(f"{path}:1: a rule file holds a list of rule blocks")
    rules = []
    for index, block in enumerate(data):
        line = lines[index] if index < len(lines) else 0
        if not isinstance(block, dict):
            raise RuleFileError(f"{path}:{line}: a rule block is a mapping")
        try:
            rules.append(Rule.model_validate({**block, "file": str(path), "line": line}))
        except ValidationError as exc:
            problems = "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'rule'}: {e['msg']}"
                                 for e in exc.errors())
            raise RuleFileError(f"{path}:{line}: rule {block.get('id', '?')}: {problems}") from None
    return rules


def default_rules_dir() -> Path:
    here = Path(__file__).resolve().parent
    installed = here / "catalogue"
    if (installed / "profiles").is_dir():
        return installed
    return here.parent / "rules"


def load_rules(directory: Path | None = None) -> list[Rule]:
    directory = Path(directory) if directory else default_rules_dir()
    if not directory.exists():
        raise RuleFileError(f"{directory}: no such rules folder")
    files = [directory] if directory.is_file() else sorted(
        p for p in directory.rglob("*.y*ml") if "profiles" not in p.relative_to(directory).parts)
    rules: list[Rule] = []
    seen: dict[str, str] = {}
    for path in files:
        for rule in load_rule_file(path):
            if rule.id in seen:
                raise RuleFileError(f"{rule.location}: rule id {rule.id} is also defined at {seen[rule.id]}")
            seen[rule.id] = rule.location
            rules.append(rule)
    return rules


# --- profiles -------------------------------------------------------------------------------------

class ProfileValue(Strict):
    value: Any
    source: str
    confidence: Confidence = "local"


class Profile(Strict):
    id: str
    title: Text
    extends: list[str] = []
    description: str | None = None
    parameters: dict[str, ProfileValue] = {}
    enable: list[str] = []
    disable: list[str] = []
    rules: dict[str, dict[str, ProfileValue]] = {}


@dataclass
class ResolvedParameter:
    value: Any
    source: str
    confidence: str
    profile: str  # "rule default" when the rule's own (central) value applies

    def as_dict(self) -> dict[str, Any]:
        value = self.value.isoformat() if isinstance(self.value, dt.date) else self.value
        return {"value": value, "source": self.source, "confidence": self.confidence, "profile": self.profile}


@dataclass
class ActiveRule:
    rule: Rule
    parameters: dict[str, ResolvedParameter] = field(default_factory=dict)
    skipped: str | None = None  # why the rule does not run under this profile

    @property
    def values(self) -> dict[str, Any]:
        return {name: p.value for name, p in self.parameters.items()}


def profiles_dir(rules_dir: Path | None = None) -> Path:
    base = Path(rules_dir) if rules_dir else default_rules_dir()
    return (base if base.is_dir() else base.parent) / "profiles"


def load_profile(name: str, rules_dir: Path | None = None) -> list[Profile]:
    """The profile and everything it extends, base first."""
    directory = profiles_dir(rules_dir)
    if not directory.is_dir():
        directory = default_rules_dir() / "profiles"
    chain: list[Profile] = []

    def visit(profile_name: str, trail: tuple[str, ...]) -> None:
        if profile_name in trail:
            raise RuleFileError(f"profile {profile_name} extends itself via {' -> '.join(trail)}")
        path = Path(profile_name) if profile_name.endswith((".yaml", ".yml")) else directory / f"{profile_name}.yaml"
        if not path.exists():
            known = sorted(p.stem for p in directory.glob("*.yaml"))
            raise RuleFileError(f"no profile {profile_name!r}; known: {', '.join(known)}")
        try:
            profile = Profile.model_validate(yamlio.load(path.read_text(encoding="utf-8")))
        except (ValidationError, yamlio.YAMLError) as exc:
            raise RuleFileError(f"{path}: invalid profile: {exc}") from None
        for parent in profile.extends:
            visit(parent, (*trail, profile_name))
        if all(p.id != profile.id for p in chain):
            chain.append(profile)

    visit(name, ())
    return chain


def activate(rules: list[Rule], chain: list[Profile]) -> list[ActiveRule]:
    active = []
    for rule in rules:
        enabled = rule.enabled
        resolved: dict[str, ResolvedParameter] = {}
        for name, param in rule.parameters.items():
            if param.default is not None:
                resolved[name] = ResolvedParameter(param.default, param.source or rule.citation.regulation,
                                                   param.confidence, "rule default")
        for profile in chain:
            if rule.id in profile.enable:
                enabled = True
            if rule.id in profile.disable:
                enabled = False
            overrides = {**{k: v for k, v in profile.parameters.items() if k in rule.parameters},
                         **profile.rules.get(rule.id, {})}
            for name, value in overrides.items():
                if name not in rule.parameters:
                    raise RuleFileError(f"profile {profile.id}: rule {rule.id} has no parameter {name}")
                resolved[name] = ResolvedParameter(value.value, value.source, value.confidence, profile.id)
        missing = [n for n in rule.parameters if n not in resolved]
        skipped = None
        if not enabled:
            skipped = "disabled in this profile"
        elif missing:
            skipped = f"needs a profile value for {', '.join(missing)}"
        active.append(ActiveRule(rule, resolved, skipped))
    return active
