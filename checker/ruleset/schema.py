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
# confirmed ✅ · partial ◐ (text confirmed, article number or edition day not) · unconfirmed ❓ · local (a
# confirmed local text that binds the unit) · speech (the bureau's own speech) · assumption (a working
# assumption of this catalogue, e.g. an example number from another place). Unconfirmed and assumed
# values make a finding a lead (线索), never a violation.
Confidence = Literal["confirmed", "partial", "unconfirmed", "local", "speech", "assumption"]
LEAD_CONFIDENCE = ("unconfirmed", "assumption")
LEVELS = ("central", "provincial", "municipal", "county", "township")
ORG_KINDS = ("party_group", "party_committee", "general_branch", "branch")
TIMELINE_START = dt.date(2013, 1, 1)  # the eight-point regulation: every rule covers its span from here
PERIODS = ("month", "quarter", "half", "year")
DISCIPLINE = re.compile(r"^(eight_point|reform|reporting|formalism|accountability)\.[a-z_]+$")


class RuleFileError(Exception):
    """A rule or profile file is invalid (exit code 3)."""


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class Text(Strict):
    zh: str
    en: str


class Scope(Strict):
    """Whom a text binds, as its scope article says: unit levels, systems (unit.system), kinds of party
    organisation, regions (unit.region, for local texts), and whether only party members are bound.
    An empty scope binds every unit."""
    levels: list[Literal[LEVELS]] | None = None  # type: ignore[valid-type]
    systems: list[str] | None = None
    org_kinds: list[Literal[ORG_KINDS]] | None = None  # type: ignore[valid-type]
    regions: list[str] | None = None
    party_members: bool = False
    text: str | None = Field(None, description="the scope article, verbatim, with its number")

    def binds_unit(self, unit: Any) -> bool:
        """Whether the text binds this unit (a registry record); a unit without the attribute a
        dimension names (no system, no region) is not shown to be bound."""
        for name, allowed in (("level", self.levels), ("system", self.systems), ("org_kind", self.org_kinds),
                              ("region", self.regions)):
            if allowed is not None and getattr(unit, name, None) not in allowed:
                return False
        return True

    def describe(self) -> str:
        parts = [f"{name}: {', '.join(values)}" for name, values in (
            ("levels", self.levels), ("systems", self.systems), ("org_kinds", self.org_kinds),
            ("regions", self.regions)) if values is not None]
        if self.party_members:
            parts.append("party members only")
        return "; ".join(parts) or "every unit"


class AlsoCited(Strict):
    """A text in force alongside the edition for the same act (e.g. the party rules for members)."""
    regulation: str
    article: str | None = None
    edition: str | None = None
    confidence: Confidence = "confirmed"
    source: str | None = None
    note: str | None = None


class Citation(Strict):
    """One edition of the text a rule cites: in force from valid_from to valid_to (inclusive)."""
    regulation: str
    article: str | None = None
    edition: str | None = None
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    confidence: Confidence = "confirmed"
    ref: str | None = Field(None, description="item number in regulations.md")
    source: str | None = None
    scope: Scope | None = Field(None, description="whom this edition binds, if not the rule's scope")
    also: list[AlsoCited] = []
    parameters: dict[str, Any] = Field({}, description="this edition's own values (e.g. an earlier quota)")

    @model_validator(mode="after")
    def _ordered(self) -> Citation:
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            raise ValueError(f"edition {self.edition}: valid_to {self.valid_to} is before valid_from {self.valid_from}")
        return self


class Gap(Strict):
    """A span with no edition to judge by. `unconfirmed`: a text applied but no edition of it could be
    confirmed (records dated here are 'not judged: no edition'); `no_requirement`: no such requirement
    existed then (records are 'not judged: not in force')."""
    start: dt.date = Field(alias="from")
    end: dt.date | None = Field(None, alias="to")
    reason: str
    kind: Literal["unconfirmed", "no_requirement"] = "unconfirmed"


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
    # Which records the rule speaks about at all (coverage counts only these as in scope); conditions
    # using $row.* pick the row of a for_each table that applies: a record no row applies to is
    # 'not judged: no standard'. They are part of the match as well.
    applies: list[str] = []
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
    period: str | None = None  # the audit period (default: 1 January of the first record's year to as_of)
    profile: str | None = None
    fires_on: list[str] | None = None
    message_has: str | None = None
    cites: str | None = None  # a phrase each finding's citation (regulation, article or edition) contains

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
    duty: Text | None = None  # an obligation in its positive form (书记每年讲党课): how the self-check lists it
    severity: Severity
    discipline: str
    ccdi_category: str | None = None
    editions: list[Citation] = Field(description="the cited text, edition by edition, oldest first")
    gaps: list[Gap] = []
    scope: Scope = Scope()
    enabled: bool = True
    supersedes: list[str] = Field([], description="rules this one specialises: on the same records one finding")
    lead: str | None = Field(None, description="why every finding of the rule is a lead (线索), not a violation")
    match: Match
    parameters: dict[str, Parameter] = {}
    evidence: dict[str, str] = {}
    message: Text
    help: Text | None = None
    examples: Examples = Examples()
    file: str = ""
    line: int = 0

    @model_validator(mode="before")
    @classmethod
    def _one_citation_is_one_edition(cls, data: Any) -> Any:
        if isinstance(data, dict) and "citation" in data:
            data = dict(data)
            citation = data.pop("citation")
            if "editions" in data:
                raise ValueError("give either citation (one edition) or editions, not both")
            data["editions"] = [citation]
        return data

    @property
    def citation(self) -> Citation:
        """The latest edition (the one in force today, or the last one known)."""
        return self.editions[-1]

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
        texts = list(m.applies) + list(m.where) + [c for alt in m.any for c in alt]
        for part in m.join + ([m.unless] if m.unless else []):
            texts += part.where
        if m.obligation:
            texts += m.obligation.where + m.obligation.quorum
        return texts

    @property
    def location(self) -> str:
        return f"{self.file}:{self.line}"


# Facts made by the derivation stage rather than read from input.
DERIVED_TYPES = {"obligation_status", "unit_stats", "pattern"}


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


class LocalStandard(Strict):
    """A local text a profile supplies for a rule, with whom it binds: the rule then also runs for
    those units, citing this text, with these values (a value without its own source takes the
    text's). Where it binds, it wins over the rule's own editions."""
    regulation: str
    article: str | None = None
    edition: str | None = None
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    confidence: Confidence = "local"
    source: str
    scope: Scope
    parameters: dict[str, Any] = {}

    def values(self) -> dict[str, ProfileValue]:
        return {name: ProfileValue.model_validate(v) if isinstance(v, dict) and "value" in v
                else ProfileValue(value=v, source=self.source, confidence=self.confidence)
                for name, v in self.parameters.items()}


class Profile(Strict):
    id: str
    title: Text
    extends: list[str] = []
    description: str | None = None
    parameters: dict[str, ProfileValue] = {}
    enable: list[str] = []
    disable: list[str] = []
    rules: dict[str, dict[str, ProfileValue]] = {}
    local: dict[str, list[LocalStandard]] = {}
