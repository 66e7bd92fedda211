"""The rule catalogue: rule files and profiles read with file:line errors, and each rule activated
under a profile chain (its parameters resolved, each with its source, or why it does not run)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from checker.data import yamlio
from checker.data.encoding import read_text
from checker.ruleset.schema import Citation, Profile, ProfileValue, Rule, RuleFileError
from checker.ruleset.standards import ResolvedParameter, Standard, lead_reason


def load_rule_file(path: Path) -> list[Rule]:
    try:
        text = read_text(path)
    except (ValueError, OSError) as exc:  # a line in another encoding (located), an unreadable file
        raise RuleFileError(str(exc) if str(exc).startswith(str(path)) else f"{path}: {exc}") from None
    try:
        data, lines = yamlio.load_with_item_lines(text)
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
    here = Path(__file__).resolve().parent.parent  # the checker package
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


@dataclass
class ActiveRule:
    rule: Rule
    parameters: dict[str, ResolvedParameter] = field(default_factory=dict)
    skipped: str | None = None  # why the rule does not run under this profile
    # what it judges by: local texts the profiles supply (most specific profile first), then the
    # rule's own editions, oldest first; each with its values (see checker.ruleset.standards)
    standards: list[Standard] = field(default_factory=list)

    @property
    def values(self) -> dict[str, Any]:
        return {name: p.value for name, p in self.parameters.items()}


# --- profiles -------------------------------------------------------------------------------------

def profiles_dir(rules_dir: Path | None = None) -> Path:
    base = Path(rules_dir) if rules_dir else default_rules_dir()
    return (base if base.is_dir() else base.parent) / "profiles"


def profile_names(rules_dir: Path | None = None) -> list[str]:
    directory = profiles_dir(rules_dir)
    if not directory.is_dir():
        directory = default_rules_dir() / "profiles"
    return sorted(p.stem for p in directory.glob("*.yaml"))


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
            profile = Profile.model_validate(yamlio.load(read_text(path)))
        except (ValueError, OSError, yamlio.YAMLError) as exc:  # schema, encoding, unreadable
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
        by_edition: dict[str, dict[str, ResolvedParameter]] = {}  # profile values for one edition (name@edition)
        for name, param in rule.parameters.items():
            if param.default is not None:
                resolved[name] = ResolvedParameter(param.default, param.source or rule.citation.regulation,
                                                   param.confidence, "rule default")
        for profile in chain:
            if rule.id in profile.enable:
                enabled = True
            if rule.id in profile.disable:
                enabled = False
            overrides = {**{k: v for k, v in profile.parameters.items() if k.partition("@")[0] in rule.parameters},
                         **profile.rules.get(rule.id, {})}
            for key, value in overrides.items():
                name, _, edition = key.partition("@")
                if name not in rule.parameters:
                    raise RuleFileError(f"profile {profile.id}: rule {rule.id} has no parameter {name}")
                target = by_edition.setdefault(edition, {}) if edition else resolved
                target[name] = ResolvedParameter(value.value, value.source, value.confidence, profile.id)
        standards = _local_standards(rule, chain, resolved) + [
            _edition_standard(rule, citation, resolved, by_edition.get(citation.edition or "", {}))
            for citation in rule.editions]
        for index, standard in enumerate(standards):
            standard.index = index
        complete = [s for s in standards if all(n in s.values for n in rule.parameters)]
        skipped = None
        if not enabled:
            skipped = "disabled in this profile"
        elif not complete:
            missing = [n for n in rule.parameters if n not in resolved]
            skipped = f"needs a profile value for {', '.join(missing)}"
        active.append(ActiveRule(rule, resolved, skipped, complete if enabled else []))
    return active


def _edition_standard(rule: Rule, citation: Citation, base: dict[str, ResolvedParameter],
                      for_edition: dict[str, ResolvedParameter]) -> Standard:
    """One of the rule's own editions: the values in force (its own values, then a profile's values
    for that edition) over the rule's resolved ones."""
    values = dict(base)
    for name, value in citation.parameters.items():
        if name not in rule.parameters:
            raise RuleFileError(f"{rule.location}: rule {rule.id}: edition {citation.edition} sets unknown "
                                f"parameter {name}")
        values[name] = ResolvedParameter(value, f"{citation.regulation} {citation.article or ''} "
                                                f"({citation.edition})".strip(), citation.confidence, "rule edition")
    values.update(for_edition)
    return Standard(0, citation, citation.scope or rule.scope, values, None, lead_reason(rule, citation, values))


def _local_standards(rule: Rule, chain: list[Profile], base: dict[str, ResolvedParameter]) -> list[Standard]:
    """The local texts the profiles supply for the rule, the most specific profile's first."""
    found = []
    for profile in reversed(chain):
        for local in profile.local.get(rule.id, []):
            values = dict(base)
            for name, value in local.values().items():
                if name not in rule.parameters:
                    raise RuleFileError(f"profile {profile.id}: rule {rule.id} has no parameter {name}")
                values[name] = ResolvedParameter(value.value, value.source, value.confidence, profile.id)
            citation = Citation(regulation=local.regulation, article=local.article, edition=local.edition,
                                valid_from=local.valid_from, valid_to=local.valid_to, confidence=local.confidence,
                                source=local.source)
            found.append(Standard(0, citation, local.scope, values, profile.id, lead_reason(rule, citation, values)))
    return found


__all__ = ["ActiveRule", "ProfileValue", "ResolvedParameter", "activate", "load_profile", "load_rules"]
