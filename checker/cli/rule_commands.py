"""Commands about the rule catalogue and waiver files: list, show, test and lint rules; lint waivers."""

from __future__ import annotations

import datetime as dt
import difflib
import json
import sys
from pathlib import Path

import click

from checker.cli.help import group
from checker.cli.options import (
    as_of_option,
    lang_option,
    profile_option,
    rules_errors,
    rules_option,
    table_or_json_option,
)
from checker.ruleset.catalogue import load_rules, profile_names
from checker.text.exits import Exit


@group(short_help="豁免文件 / Approved exceptions.")
def waivers() -> None:
    """豁免（经批准的例外）文件。

    Approved exceptions."""


@waivers.command("lint", short_help="检查豁免文件 / Check a waiver file.")
@click.argument("file", type=click.Path(exists=True, path_type=Path))
@rules_option
@as_of_option("报告到此日已过期的豁免（默认今天）/ Report waivers expired by this date (default: today).")
@rules_errors
def waivers_lint(file, rules_dir, as_of) -> None:
    """使用前检查豁免文件：格式、申请人与审批人不同、规则存在、有效期。

    Check a waiver file before use: schema, four eyes, known rules, expiry."""
    from checker.verdict.marks import WaiverError, load_waivers

    try:
        found = load_waivers(file, {r.id for r in load_rules(rules_dir)})
    except WaiverError as exc:
        click.echo(str(exc))
        sys.exit(Exit.BAD_RULES)
    today = as_of or dt.date.today()
    for waiver in found:
        if waiver.expires < today:
            click.echo(f"{file}:{waiver.line}：豁免 {waiver.id} 已于 {waiver.expires} 到期 / expired")
    click.echo(f"共 {len(found)} 项豁免，其中 {sum(w.expires < today for w in found)} 项已到期 "
               f"/ {len(found)} waivers, {sum(w.expires < today for w in found)} expired")


@group(short_help="查看和测试规则 / Inspect and test the rules.")
def rules() -> None:
    """查看和测试规则目录。

    Inspect and test the rule catalogue."""


def _active(rules_dir, profile):
    """The rules under the profile, rules and profile checked as a whole (as a check does)."""
    from checker.run.check import Options, active_rules

    return active_rules(Options(rules_dir, profile))[0]


@rules.command("list", short_help="列出规则 / List the rules.")
@rules_option
@profile_option
@table_or_json_option
@lang_option
@click.option("--editions", is_flag=True,
              help="列出每条规则的版本时间线（各版本约束谁）和空档 / Print each rule's timeline: editions (whom each "
                   "binds) and gaps.")
@rules_errors
def rules_list(rules_dir, profile, fmt, lang, editions) -> None:
    """列出规则及其在该规则配置下是否运行；--editions 列出每条规则的版本时间线。

    List the rules, with whether each runs under the profile; --editions prints each timeline."""
    from checker.ruleset.standards import timeline

    active = _active(rules_dir, profile)
    if fmt == "json":
        click.echo(json.dumps([{
            "id": a.rule.id, "title": a.rule.title.model_dump(), "severity": a.rule.severity,
            "discipline": a.rule.discipline, "ccdi_category": a.rule.ccdi_category,
            "citation": a.rule.citation.model_dump(mode="json", exclude_none=True),
            "editions": [c.model_dump(mode="json", exclude_none=True) for c in a.rule.editions],
            "gaps": [g.model_dump(mode="json", by_alias=True) for g in a.rule.gaps],
            "scope": a.rule.scope.describe(), "lead": a.rule.lead,
            "runs": a.skipped is None, "skipped": a.skipped,
            "examples": {"fire": len(a.rule.examples.fire), "pass": len(a.rule.examples.not_fire)},
            "location": a.rule.location} for a in active], ensure_ascii=False, indent=2))
        return
    for a in active:
        state = "" if a.skipped is None else f"  ({a.skipped})"
        click.echo(f"{a.rule.id:<28} {a.rule.severity:<7} {a.rule.discipline:<34} "
                   f"{getattr(a.rule.title, lang)}{state}")
        if editions:
            for start, end, what in timeline(a.rule):
                first = "…" if start == dt.date.min else start.isoformat()
                click.echo(f"    {first:>10} – {end.isoformat() if end else 'today':<10}  {what}")
            for standard in a.standards:
                if standard.profile is not None:
                    c = standard.citation
                    click.echo(f"    {'local':>10}   {standard.profile:<10}  {c.regulation} {c.article or ''} "
                               f"({standard.scope.describe()}; {c.valid_from or '…'} – {c.valid_to or 'today'})")
    click.echo(f"{len(active)} rules, {sum(a.skipped is None for a in active)} run under profile {profile}")


@rules.command("show", short_help="显示一条规则 / Show one rule.")
@click.argument("rule_id")
@rules_option
@profile_option
@rules_errors
def rules_show(rule_id, rules_dir, profile) -> None:
    """显示一条规则：依据文本约束谁、各版本与空档、在该配置下据以判断的标准（地方文本优先）、参数（及其来源）、示例。

    Show one rule: whom its texts bind, each edition and gap, the standards it judges by under the
    profile (local texts first), parameters (with their source), examples."""
    import yaml

    for a in _active(rules_dir, profile):
        if a.rule.id == rule_id:
            data = a.rule.model_dump(mode="json", by_alias=True, exclude_none=True)
            data["binds"] = a.rule.scope.describe()
            data["standards_under_profile"] = [
                {**s.as_dict(), "values": {n: p.as_dict() for n, p in s.values.items()},
                 "findings_are": f"leads: {s.lead}" if s.lead else "violations"} for s in a.standards]
            data["resolved_parameters"] = {n: p.as_dict() for n, p in a.parameters.items()}
            data["runs_under_profile"] = a.skipped or "yes"
            click.echo(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
            return
    click.echo(f"no rule {rule_id}", err=True)
    sys.exit(2)


@rules.command("test", short_help="用引擎运行规则示例 / Run the rules' examples.")
@rules_option
@click.option("-k", "only", help="只测编号含此文字的规则 / Only rules whose id contains this.")
@click.option("-v", "--verbose", is_flag=True, help="列出每个通过的示例 / List every passing example.")
@rules_errors
def rules_test(rules_dir, only, verbose) -> None:
    """用真实引擎运行每条规则的示例；每条规则都要有应触发和不应触发的示例。引擎崩溃时，
    该进程的规则逐条重试，再在新进程中重试；仍崩溃的规则按名称判为失败。

    Run every rule's examples through the real engine. A rule needs both kinds of example. Rules are
    tested in worker processes: if the engine crashes, the rules of the dead process are tried again
    one at a time, then in a fresh interpreter; a rule whose examples crash it there too fails, by
    name."""
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


@rules.command("lint", short_help="检查规则文件 / Check the rule files.")
@rules_option
@click.option("--today", type=click.DateTime(["%Y-%m-%d"]),
              help="检查时间线至该日（默认今天）/ Check timelines up to this day (default: today).")
@rules_errors
def rules_lint(rules_dir, today) -> None:
    """检查规则文件：格式、字段、规则配置、条件能否编译、2013年1月1日至今每条规则的版本时间线（无未声明的空档）、示例是否齐全。

    Check rule files: schema, fields, profiles, conditions compile for the engine, every rule's
    timeline from 2013-01-01 to today (editions and declared gaps, no undeclared gap), examples (one
    that fires, pinned to its records; one that passes; one dated inside every edition)."""
    from checker.engine import check_engine_limits
    from checker.ruleset.matchers import matchers
    from checker.ruleset.standards import timeline_problems

    problems = []
    for profile in profile_names(rules_dir):
        check_engine_limits(matchers(_active(rules_dir, profile)))
    for rule in load_rules(rules_dir):
        problems += [f"{rule.location}: {rule.id}: {p}" for p in timeline_problems(rule, today.date() if today else None)]
        problems += [f"{rule.location}: {rule.id}: {p}" for p in example_problems(rule)]
    for problem in problems:
        click.echo(problem)
    click.echo(f"{len(problems)} problems")
    sys.exit(3 if problems else 0)


def example_problems(rule) -> list[str]:
    """A firing example pinned to its records, a passing one, and an example dated inside each edition."""
    from checker.run.examples import example_days

    problems = []
    if not rule.examples.fire or not rule.examples.not_fire:
        problems.append("needs an example that fires and one that does not")
    if rule.examples.fire and all(e.fires_on is None for e in rule.examples.fire):
        problems.append("no firing example names the records it fires on (fires_on)")
    if rule.match.obligation is None:
        days = [day for e in [*rule.examples.fire, *rule.examples.not_fire] for day in example_days(rule, e)]
        for c in rule.editions:
            if not any((c.valid_from is None or c.valid_from <= d) and (c.valid_to is None or d <= c.valid_to)
                       for d in days):
                problems.append(f"no example dated inside edition {c.edition} ({c.valid_from} – {c.valid_to})")
    return problems
