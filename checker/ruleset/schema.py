"""Rule files and profiles: the pydantic schema of a rule block, loading with file:line errors,
and resolution of parameters from profiles.

A rule file is a YAML list of rule blocks. A profile is a YAML mapping that sets parameters (each
value with its source and confidence) and can switch rules on or off; profiles extend each other.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from checker.data.models import RECORD_TYPES
from checker.ruleset import conditions as expr

Severity = Literal["high", "medium", "low", "info"]
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
    """Records on which the rule must fire (or must not). A firing example may name the ids its
    findings are about (`fires_on`: the records of all its findings together, as a set) and a phrase
    each finding's message contains (`message_has`, in either language)."""
    description: str | None = None
    records: dict[str, list[dict[str, Any]]]
    as_of: dt.date | None = None
    profile: str | None = None
    fires_on: list[str] | None = None
    message_has: str | None = None

    def name(self, kind: str, index: int) -> str:
        """The example's test id: its kind and description, or its kind and position."""
        words = re.sub(r"[^0-9A-Za-z\u4e00-\u9fff]+", "-", self.description or "").strip("-").lower()
        return f"{kind}-{words[:60].rstrip('-')}" if words else f"{kind}-{index}"


class Examples(Strict):
    fire: list[Example] = []
    not_fire: list[Example] = Field([], alias="pass")


class Rule(Strict):
    id: str = Field(pattern=r"^[A-Z][A-Z0-9]*(-[A-Z0-9]+)+$")
    title: Text
    severity: Severity
    # a violation is established by the records; a lead (线索) is a suspicion for the inspector to verify
    status: Literal["violation", "lead"] = "violation"
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
