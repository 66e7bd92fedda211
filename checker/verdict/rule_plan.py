"""What making a finding needs of its rule, made once per rule and standard rather than once per
finding: the parameter values and their listing, the evidence expressions bound to those values, the
citation and the sentence closing the problem statement in each language, and the message template
compiled for the types of the rule's records. A findings-heavy run makes hundreds of thousands of
findings from a few dozen rules; a plan is shared by all of them (read it, don't change it)."""

from __future__ import annotations

import re
from typing import Any

from checker.facts.context import RELATING_FIELDS
from checker.ruleset import conditions as expr
from checker.ruleset.catalogue import ActiveRule
from checker.text.citations import closing_sentence, sentence_ending
from checker.verdict.evidence import evidence_of, evidence_steps
from checker.verdict.messages import Sources, Statement, Template, statement

LANGS = ("zh", "en")


class RulePlan:
    def __init__(self, active: ActiveRule, standard: int | None):
        rule = active.rule
        self.active, self.standard = active, standard
        values = active.standards[standard].values if active.standards else active.parameters
        self.values = {n: p.value for n, p in values.items()}
        self.parameters = {n: p.as_dict() for n, p in values.items()}  # the evidence's `parameters`
        self.lead = active.standards[standard].lead if active.standards else None
        self.citation = citation_of(active, standard)
        self.closing = {lang: closing_sentence(self.citation, lang, self.lead is not None) for lang in LANGS}
        nodes = [(name, expr.bind(expr.parse(text).left, self.values)) for name, text in rule.evidence.items()]
        self.evidence_steps = evidence_steps(active, nodes)
        self.evidence = evidence_of(self.evidence_steps)
        self.for_each = bool(rule.match.for_each and rule.match.record)  # evidence.matched_row has a row to find
        self.reads_related = _reads_related(rule)
        self._statements: dict[tuple[Any, ...], Statement] = {}

    def statement(self, record_type: str, aliases: tuple[tuple[str, str], ...]) -> Statement:
        """The message in Chinese and English, ended with the closing sentence, compiled for the primary
        record's type and the match's aliases and their types ((alias, type) as the match lists them)."""
        key = (record_type, aliases)
        found = self._statements.get(key)
        if found is None:
            message = self.active.rule.message
            joined = tuple(sorted(dict(aliases).items()))
            templates = (Template(message.zh, record_type, joined, "zh"), Template(message.en, record_type, joined, "en"))
            order = tuple(dict.fromkeys(alias for alias, _ in aliases))  # a join's records in the match's order
            sources = Sources(frozenset(step.name for step in self.evidence_steps), order if len(order) > 1 else (),
                              self.values)
            found = self._statements[key] = statement(templates, sources, (
                sentence_ending(self.closing["zh"], "zh"), sentence_ending(self.closing["en"], "en")))
        return found


_PLANS: dict[tuple[int, int | None], RulePlan] = {}


def plan_of(active: ActiveRule, standard: int | None) -> RulePlan:
    key = (id(active), standard)
    plan = _PLANS.get(key)
    if plan is None or plan.active is not active:  # an id is reused once its rule is freed
        plan = _PLANS[key] = RulePlan(active, standard)
    return plan


_CITATIONS: dict[tuple[int, int | None], tuple[Any, dict[str, Any]]] = {}


def citation_of(active: ActiveRule, standard: int | None = None) -> dict[str, Any]:
    """The citation a finding carries, and its problem statement's last sentence is made from: the
    edition (or local text) that judged the record — the one in force on its date — or, for a rule
    with one text, the rule's citation. Made once per rule and standard (shared: read, don't change)."""
    key = (id(active), standard)
    cached = _CITATIONS.get(key)
    if cached is None or cached[0] is not active.rule:  # an id is reused once its rule is freed
        cached = _CITATIONS[key] = (active.rule, _citation(active, standard))
    return cached[1]


def _citation(active: ActiveRule, standard: int | None) -> dict[str, Any]:
    if standard is not None and standard < len(active.standards):
        return active.standards[standard].as_dict()
    citation = active.rule.citation
    return {"regulation": citation.regulation, "article": citation.article, "edition": citation.edition,
            "valid_from": citation.valid_from.isoformat() if citation.valid_from else None,
            "valid_to": citation.valid_to.isoformat() if citation.valid_to else None,
            "confidence": citation.confidence, "source": citation.source}


def _reads_related(rule: Any) -> bool:
    """Whether the rule reads a field that relates its record to another (checker/facts/context.py)."""
    words = set(re.findall(r"[a-z_]+", " ".join(rule.all_conditions())))
    return not words.isdisjoint(RELATING_FIELDS)
