"""The standards a rule judges by, and which one applies to a record.

A rule's *standards* are the editions of its cited text (each with the dates it was in force, whom it
binds and, if they differ, its own values) and the local texts a profile supplies for it (each with
whom it binds). For a record of a unit on a day, the standard that applies is the first, in that
order (local texts first), that was in force on the day and binds the unit (and the record's person,
for texts that bind party members only). When none applies the record is not judged, for a reason:
the texts in force that day bind other bodies (`not_binding`), no edition could be confirmed for the
day (`no_edition`, a declared gap) or nothing was required then (`not_in_force`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from checker.ruleset.schema import LEAD_CONFIDENCE, TIMELINE_START, Citation, Gap, Rule, Scope

NOT_BINDING, NO_EDITION, NOT_IN_FORCE = "not_binding", "no_edition", "not_in_force"
PARTY_MEMBERSHIP_UNKNOWN = "party_membership_unknown"  # a text for party members only, and no person known


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
class Standard:
    """One edition of the rule's text, or a local text supplied by a profile, with its values."""
    index: int
    citation: Citation
    scope: Scope
    values: dict[str, ResolvedParameter]
    profile: str | None = None  # the profile that supplied a local text; None for the rule's own edition
    lead: str | None = None  # why findings under this standard are leads, if they are
    start: int = field(init=False)
    end: int = field(init=False)

    def __post_init__(self) -> None:
        self.start = self.citation.valid_from.toordinal() if self.citation.valid_from else dt.date.min.toordinal()
        self.end = self.citation.valid_to.toordinal() if self.citation.valid_to else dt.date.max.toordinal()

    def covers(self, day: int) -> bool:
        return self.start <= day <= self.end

    @property
    def plain_values(self) -> dict[str, Any]:
        return {name: p.value for name, p in self.values.items()}

    def as_dict(self) -> dict[str, Any]:
        """The finding's citation: the keys the report always had, plus whom the text binds and the
        texts in force alongside it."""
        c = self.citation
        return {"regulation": c.regulation, "article": c.article, "edition": c.edition,
                "valid_from": c.valid_from.isoformat() if c.valid_from else None,
                "valid_to": c.valid_to.isoformat() if c.valid_to else None,
                "confidence": c.confidence, "source": c.source, "scope": self.scope.describe(),
                "local": self.profile is not None,
                "also": [a.model_dump(exclude_none=True) for a in c.also]}


def lead_reason(rule: Rule, citation: Citation, values: dict[str, ResolvedParameter]) -> str | None:
    """Why findings judged by this standard are leads (线索) rather than violations, or None."""
    if rule.lead:
        return rule.lead
    if citation.confidence in LEAD_CONFIDENCE:
        return f"the cited text is not confirmed ({citation.confidence}): {citation.regulation} {citation.article or ''}".strip()
    assumed = [f"{name} = {p.value!r} ({p.confidence}: {p.source})" for name, p in values.items()
               if p.confidence in LEAD_CONFIDENCE]
    return "; ".join(assumed) or None


def gap_on(rule: Rule, day: int) -> Gap | None:
    for gap in rule.gaps:
        if gap.start.toordinal() <= day <= (gap.end or dt.date.max).toordinal():
            return gap
    return None


Answers = dict[tuple[bool, ...], dict[tuple[int, Any], int | str]]  # a Resolver's, by the standards binding
_ANSWERS: dict[int, tuple[Any, Answers]] = {}


def shared_answers(active: Any) -> Answers:
    """An active rule's resolver answers, one store for the run (Resolver `shared`): every unit bound
    by the same standards, in obligations and in findings, has each day's standard decided once."""
    cached = _ANSWERS.get(id(active))
    if cached is None or cached[0] is not active:  # an id is reused once its rule is freed
        cached = _ANSWERS[id(active)] = (active, {})
    return cached[1]


class Resolver:
    """Which standard of a rule applies to the records of one unit: the unit's scope is decided
    once, each day's answer is remembered (a unit's records fall on a few hundred days)."""

    def __init__(self, rule: Rule, standards: list[Standard], unit: Any, shared: Answers | None = None):
        self.rule = rule
        self.standards = standards
        self.binding = [s.scope.binds_unit(unit) if unit is not None else False for s in standards]
        # answers depend only on which standards bind the unit: units alike share them (`shared`)
        by_binding = shared if shared is not None else {}
        self._by_day = by_binding.setdefault(tuple(self.binding), {})

    def on(self, day: int, party_member: Any = True) -> int | str:
        """The index of the standard that applies on `day` to a record whose person's party
        membership is `party_member` (None: unknown, when a text binds members only), or a reason."""
        # keyed by membership as `_resolve` reads it (True, None, anything else): 1 == True and
        # hash(1) == hash(True), so keying by the value itself would give 1 the answer made for True
        key = (day, True if party_member is True else None if party_member is None else False)
        found = self._by_day.get(key)
        if found is None:
            found = self._by_day[key] = self._resolve(day, party_member)
        return found

    def _resolve(self, day: int, party_member: Any) -> int | str:
        in_force = unknown = False
        for standard, binds in zip(self.standards, self.binding, strict=True):
            if standard.covers(day):
                in_force = True
                if binds and (not standard.scope.party_members or party_member is True):
                    return standard.index
                unknown = unknown or (binds and party_member is None)
        if unknown:
            return PARTY_MEMBERSHIP_UNKNOWN
        if in_force:
            return NOT_BINDING
        gap = gap_on(self.rule, day)
        return NOT_IN_FORCE if gap is not None and gap.kind == "no_requirement" else NO_EDITION


def timeline(rule: Rule) -> list[tuple[dt.date, dt.date | None, str]]:
    """The rule's own timeline from TIMELINE_START: (from, to, what) for every edition and gap, in
    date order, what being 'edition …' or 'gap (…): reason'."""
    spans = [(c.valid_from or dt.date.min, c.valid_to,
              f"{c.regulation} {c.article or ''} [{c.edition or '?'}] ({(c.scope or rule.scope).describe()})")
             for c in rule.editions]
    spans += [(g.start, g.end, f"gap ({g.kind}): {g.reason}") for g in rule.gaps]
    return sorted(spans, key=lambda s: (s[0], s[1] or dt.date.max))


def timeline_problems(rule: Rule, today: dt.date | None = None) -> list[str]:
    """Undeclared gaps from TIMELINE_START to today, and overlaps (editions of one scope, or a gap
    and an edition)."""
    today = today or dt.date.today()
    problems = []
    editions = [(c.valid_from or dt.date.min, c.valid_to or dt.date.max, c.scope or rule.scope, c) for c in rule.editions]
    gaps = [(g.start, g.end or dt.date.max) for g in rule.gaps]
    for i, (start, end, scope, citation) in enumerate(editions):
        for other_start, other_end, other_scope, other in editions[i + 1:]:
            if start <= other_end and other_start <= end and scope == other_scope:
                problems.append(f"editions {citation.edition} and {other.edition} overlap for the same scope")
        for gap_start, gap_end in gaps:
            if start <= gap_end and gap_start <= end:
                problems.append(f"gap from {gap_start} overlaps edition {citation.edition}")
    covered = sorted([(s, e) for s, e, _, _ in editions] + gaps)
    day = TIMELINE_START
    for start, end in covered:
        if end < day:
            continue
        if start > day:
            problems.append(f"undeclared gap {day} – {start - dt.timedelta(days=1)}: no edition and no declared gap")
        if end >= dt.date.max - dt.timedelta(days=1):
            return problems
        day = max(day, end + dt.timedelta(days=1))
    if day <= today:
        problems.append(f"undeclared gap {day} – today: no edition in force and no declared gap")
    return problems
