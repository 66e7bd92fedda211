"""Commands about the rule catalogue and waiver files: list, show, test and lint rules; lint waivers."""

from __future__ import annotations

import datetime as dt
import difflib
import json
import sys
from pathlib import Path

import click

from checker.cli.options import (
    as_of_option,
    lang_option,
    profile_option,
    rules_errors,
    rules_option,
    table_or_json_option,
)
from checker.ruleset.catalogue import load_rules


@click.group()
def waivers() -> None:
    """Approved exceptions."""


@waivers.command("lint")
@click.argument("file", type=click.Path(exists=True, path_type=Path))
@rules_option
@as_of_option("Report waivers expired by this date (default: today).")
@rules_errors
def waivers_lint(file, rules_dir, as_of) -> None:
    """Check a waiver file before use: schema, four eyes, known rules, expiry."""
    from checker.verdict.marks import WaiverError, load_waivers

    try:
        found = load_waivers(file, {r.id for r in load_rules(rules_dir)})
    except WaiverError as exc:
        click.echo(str(exc))
        sys.exit(2)
    today = as_of or dt.date.today()
    for waiver in found:
        if waiver.expires < today:
            click.echo(f"{file}:{waiver.line}: waiver {waiver.id} expired on {waiver.expires}")
    click.echo(f"{len(found)} waivers, {sum(w.expires < today for w in found)} expired")


@click.group()
def rules() -> None:
    """Inspect and test the rule catalogue."""


def _active(rules_dir, profile):
    """The rules under the profile, rules and profile checked as a whole (as a check does)."""
    from checker.run.check import Options, active_rules

    return active_rules(Options(rules_dir, profile))[0]


@rules.command("list")
@rules_option
@profile_option
@table_or_json_option
@lang_option
@rules_errors
def rules_list(rules_dir, profile, fmt, lang) -> None:
    """List the rules, with whether each runs under the profile."""
    active = _active(rules_dir, profile)
    if fmt == "json":
        click.echo(json.dumps([{
            "id": a.rule.id, "title": a.rule.title.model_dump(), "severity": a.rule.severity,
            "status": a.rule.status, "discipline": a.rule.discipline, "ccdi_category": a.rule.ccdi_category,
            "citation": a.rule.citation.model_dump(mode="json"), "runs": a.skipped is None, "skipped": a.skipped,
            "examples": {"fire": len(a.rule.examples.fire), "pass": len(a.rule.examples.not_fire)},
            "location": a.rule.location} for a in active], ensure_ascii=False, indent=2))
        return
    for a in active:
        state = "" if a.skipped is None else f"  ({a.skipped})"
        click.echo(f"{a.rule.id:<28} {a.rule.severity:<7} {a.rule.status:<9} {a.rule.discipline:<34} "
                   f"{getattr(a.rule.title, lang)}{state}")
    click.echo(f"{len(active)} rules, {sum(a.skipped is None for a in active)} run under profile {profile}")


@rules.command("show")
@click.argument("rule_id")
@rules_option
@profile_option
@rules_errors
def rules_show(rule_id, rules_dir, profile) -> None:
    """Show one rule: citation, parameters (with their source), examples."""
    import yaml

    for a in _active(rules_dir, profile):
        if a.rule.id == rule_id:
            data = a.rule.model_dump(mode="json", by_alias=True, exclude_none=True)
            data["resolved_parameters"] = {n: p.as_dict() for n, p in a.parameters.items()}
            data["runs_under_profile"] = a.skipped or "yes"
            click.echo(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
            return
    click.echo(f"no rule {rule_id}", err=True)
    sys.exit(2)


@rules.command("test")
@rules_option
@click.option("-k", "only", help="Only rules whose id contains this.")
@click.option("-v", "--verbose", is_flag=True)
@rules_errors
def rules_test(rules_dir, only, verbose) -> None:
    """Run every rule's examples through the real engine. A rule needs both kinds of example.

    Rules are tested in worker processes: if the engine crashes, the rules of the dead process are
    tried again one at a time, then in a fresh interpreter; a rule whose examples crash it there too
    fails, by name."""
    from checker.run.examples import judge_rules
    from checker.run.processes import default_workers

    every = load_rules(rules_dir)
    chosen = [rule for rule in every if not only or only in rule.id]
    if not chosen:
        near = difflib.get_close_matches(only, [rule.id for rule in every], n=3, cutoff=0.4)
        raise click.UsageError(f"没有编号含 {only!r} 的规则" + (f"；相近的有：{'、'.join(near)}" if near else "")
                               + f" / no rule id contains {only!r}")
    run = judge_rules(chosen, rules_dir, default_workers())
    passed = failed = 0
    for rule in chosen:
        if rule.id in run.retried:
            click.echo(f"note {rule.id}: the rule engine crashed on its examples in a worker; "
                       f"a fresh process ran them / 规则引擎曾崩溃，重新运行")
        if rule.id in run.crashed:
            failed += 1
            click.echo(f"FAIL {rule.id}: the rule engine crashed running its examples, in a fresh "
                       f"process too / 规则引擎崩溃")
        for result in run.results.get(rule.id, ()):
            if result.ok:
                passed += 1
                if verbose:
                    click.echo(f"ok   {result.rule} {result.kind}#{result.index}: {result.detail}")
            else:
                failed += 1
                click.echo(f"FAIL {result.rule} {result.kind}#{result.index}: {result.detail}")
    click.echo(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


@rules.command("lint")
@rules_option
@rules_errors
def rules_lint(rules_dir) -> None:
    """Check rule files: schema, fields, profiles, conditions compile for the engine, citations,
    examples present."""
    from checker.engine import check_engine_limits
    from checker.ruleset.matchers import matchers

    problems = []
    for profile in ("central", "transport", "speech"):
        check_engine_limits(matchers(_active(rules_dir, profile)))
    for rule in load_rules(rules_dir):
        if not rule.examples.fire or not rule.examples.not_fire:
            problems.append(f"{rule.location}: {rule.id} needs an example that fires and one that does not")
        if rule.citation.confidence in ("unconfirmed", "local", "speech"):
            hard = [n for n, p in rule.parameters.items() if p.default is not None and p.confidence != "confirmed"]
            if hard:
                problems.append(f"{rule.location}: {rule.id} hard-codes non-central values {hard}: move to a profile")
    for problem in problems:
        click.echo(problem)
    click.echo(f"{len(problems)} problems")
    sys.exit(3 if problems else 0)


