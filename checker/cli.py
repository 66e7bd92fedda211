"""The `lianjian` command: a thin layer over the pipeline, the rule catalogue and the renderers.

Exit codes (data contract): 0 no finding at or above --fail-on; 1 findings at or above it;
2 bad input or usage; 3 a rule or profile file is invalid.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

import click

from checker import __version__
from checker.data.values import parse_date
from checker.facts.periods import parse_period
from checker.ruleset.catalogue import activate, load_profile, load_rules
from checker.ruleset.schema import RuleFileError

SEVERITIES = ["high", "medium", "low", "info", "never"]


class _Date(click.ParamType):
    name = "date"

    def convert(self, value, param, ctx):  # noqa: ANN001 - click's signature
        if isinstance(value, dt.date):
            return value
        try:
            return parse_date(value)
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


DATE = _Date()


def _period(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is not None:
        try:
            parse_period(value)
        except ValueError as exc:
            raise click.BadParameter(str(exc)) from None
    return value


def _write(text: str | bytes, output: str | None) -> None:
    if output in (None, "-"):
        if isinstance(text, bytes):
            sys.stdout.buffer.write(text)
        else:
            click.echo(text, nl=False)
        return
    path = Path(output)
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")


def _rules_errors(func):
    """Turn an invalid rule or profile file into a located message and exit code 3."""
    import functools

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except RuleFileError as exc:
            click.echo(f"rule error / 规则文件错误: {exc}", err=True)
            sys.exit(3)
    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="lianjian")
def main() -> None:
    """廉检 lianjian — audit activity records against party-discipline and clean-government rules."""


@main.command()
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--rules", "rules_dir", type=click.Path(exists=True, path_type=Path),
              help="Rule folder or file (default: the built-in catalogue).")
@click.option("--profile", default="central", show_default=True,
              help="Parameter profile: central, transport, speech, or a profile YAML file.")
@click.option("--period", callback=_period, help="2020, 2020H1, 2020Q3, 2020-07 or 2020-01-01..2020-06-30.")
@click.option("--as-of", type=DATE, help="Judge obligations as of this date (default: today).")
@click.option("--unit", "units", multiple=True, help="Only these units (repeatable).")
@click.option("--format", "fmt", default="table", show_default=True,
              type=click.Choice(["table", "json", "jsonl", "sarif", "junit", "csv", "xlsx", "html"]))
@click.option("-o", "--output", "outputs", multiple=True,
              help="Write to a file; FORMAT:FILE writes another format too (repeatable).")
@click.option("--fail-on", default="info", show_default=True, type=click.Choice(SEVERITIES),
              help="Exit 1 when a finding has this severity or higher.")
@click.option("--lang", default="zh", show_default=True, type=click.Choice(["zh", "en"]))
@click.option("--group-by", "--by", "group_by", default="unit", show_default=True,
              type=click.Choice(["unit", "discipline", "person"]),
              help="Group the table by unit, by discipline, or by responsible person (一岗双责 chain).")
@click.option("--strict", is_flag=True, help="Write no report, only the errors (exit 2), when the input has errors.")
@click.option("--engine", "evaluator", default="durable", type=click.Choice(["durable", "reference"]),
              help="durable-rules (default) or the pure-Python reference evaluator.")
@click.option("--waivers", "waiver_file", type=click.Path(exists=True, path_type=Path),
              help="YAML file of approved exceptions (see `lianjian waivers lint`).")
@click.option("--baseline", type=click.Path(exists=True, path_type=Path),
              help="An earlier JSON report: mark findings new or persisting, list resolved ones.")
@click.option("--new-only", is_flag=True, help="With --baseline: report only new findings.")
@click.option("--workers", type=click.IntRange(min=1), help="Processes judging units in parallel (default: cores).")
@click.option("--scheduler", help="Judge the unit partitions on a Dask cluster (tcp://HOST:8786); needs "
                                  "`pip install lianjian[dask]`.")
@_rules_errors
def check(path: Path, rules_dir, profile, period, as_of, units, fmt, outputs, fail_on, lang, group_by, strict,
          evaluator, waiver_file, baseline, new_only, workers, scheduler) -> None:
    """Audit the data set at PATH (a folder of record files or an XLSX workbook)."""
    from checker.report import build as report
    from checker.report.render import BINARY, render, write
    from checker.run import pipeline, stream
    from checker.run.processes import default_workers
    from checker.verdict.marks import BaselineMarks, WaiverError, WaiverMarks, load_waivers

    as_of = as_of or dt.date.today()
    selection = set(units) or None
    workers = workers or default_workers()
    marks: list = []
    try:
        if waiver_file:
            waiver_marks = WaiverMarks(load_waivers(waiver_file, {r.id for r in load_rules(rules_dir)}), as_of)
            marks.append(waiver_marks)
        if baseline:
            baseline_marks = BaselineMarks(baseline)
            marks.append(baseline_marks)
            if new_only:
                marks.append(lambda found: [f for f in found if f.status == "new"])
    except WaiverError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)

    def mark(found: list) -> list:
        for step in marks:
            found = step(found)
        return found

    if evaluator == "reference":
        result = pipeline.run_check(path, rules_dir, profile, period, as_of, selection, evaluator)
        result.findings = mark(result.findings)
    else:
        result = stream.run(path, rules_dir, profile, period, as_of, selection, workers, scheduler, mark=mark)
    if strict:  # one pass: clean data (the usual case in CI) is read once; with errors, nothing is reported
        errors = [e for e in result.data.errors if e.level == "error"]
        if errors:
            for error in errors:
                click.echo(f"error: {error}", err=True)
            click.echo(f"{len(errors)} input errors; no report (--strict) / 输入有误，不出报告", err=True)
            sys.exit(2)
    extra = {}
    if waiver_file:
        extra["waivers"] = waiver_marks.states()
    if baseline:
        extra["baseline"] = baseline_marks.summary()
    built = {**report.build(result, lang, rules_dir), **extra}
    targets = []
    for output in outputs:
        kind, sep, file = output.partition(":")
        if sep and kind in ("table", "json", "jsonl", "sarif", "junit", "csv", "xlsx", "html"):
            targets.append((kind, file))
        else:
            targets.append((fmt, output))
    if not targets:
        targets.append((fmt, None))
    for kind, file in targets:
        if kind == "table":
            from checker.report.render.table import render as table
            _write(table(built, lang, group_by), file)
        elif file in (None, "-") or kind in BINARY:
            _write(render(built, kind, lang), file)
        else:  # written as it is rendered: a large report is never held twice
            Path(file).parent.mkdir(parents=True, exist_ok=True)
            with Path(file).open("w", encoding="utf-8") as handle:
                write(built, kind, handle, lang)
    code = report.exit_code(built, fail_on)
    if built["summary"]["input_errors"]:
        click.echo(f"{built['summary']['input_errors']} input errors: see input_errors / 输入数据有误", err=True)
    for unit in built["meta"]["units_not_judged"]:
        click.echo(f"unit {unit['unit']} not judged: {unit['reason']}", err=True)
    sys.exit(code)


@main.command()
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--format", "fmt", default="table", type=click.Choice(["table", "json"]), show_default=True)
def validate(path: Path, fmt: str) -> None:
    """Only check the input data (types, references, dates); judge nothing."""
    from checker.run import stream
    from checker.run.processes import default_workers

    checked = stream.run(path, units=set(), workers=default_workers())  # every unit validated, none judged
    data = checked.data
    if fmt == "json":
        click.echo(json.dumps({"records": checked.records, "rows_read": data.rows_read,
                               "input_errors": [e.as_dict() for e in data.errors]}, ensure_ascii=False, indent=2))
    else:
        for error in data.errors:
            click.echo(f"{error.level}: {error}")
        click.echo(f"{data.rows_read} rows read, {checked.records} records valid, "
                   f"{sum(e.level == 'error' for e in data.errors)} errors, "
                   f"{sum(e.level == 'warning' for e in data.errors)} warnings")
    sys.exit(2 if data.has_errors else 0)


@main.command()
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--unit", required=True, help="The unit to check (its id).")
@click.option("--as-of", type=DATE, help="Today, for the check (default: today).")
@click.option("--before", type=DATE, help="The meeting date: flags what falls due before it.")
@click.option("--tree", is_flag=True, help="Include the unit's subordinate units.")
@click.option("--profile", default="central", show_default=True)
@click.option("--rules", "rules_dir", type=click.Path(exists=True, path_type=Path))
@click.option("--format", "fmt", default="table", type=click.Choice(["table", "json"]), show_default=True)
@click.option("--fail-on", default="info", show_default=True, type=click.Choice(SEVERITIES))
@click.option("--lang", default="zh", show_default=True, type=click.Choice(["zh", "en"]))
@_rules_errors
def selfcheck(path, unit, as_of, before, tree, profile, rules_dir, fmt, fail_on, lang) -> None:
    """A unit's pre-meeting checklist: obligations done, due and overdue, and its open findings.

    Exits 0 only when nothing is overdue and no finding is at or above --fail-on."""
    from checker.report import selfcheck as checklist

    try:
        result = checklist.run(path, unit, as_of or dt.date.today(), before, tree, profile, rules_dir, lang)
    except KeyError:
        click.echo(f"unknown unit {unit!r} / 单位不存在", err=True)
        sys.exit(2)
    if fmt == "json":
        click.echo(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
    else:
        click.echo(checklist.render_table(result, lang), nl=False)
    sys.exit(result.exit_code(fail_on))


@main.command()
@click.option("-o", "--output", default="录入模板.xlsx", show_default=True, type=click.Path(path_type=Path))
def template(output: Path) -> None:
    """Write an entry workbook: a sheet per record type, Chinese headers, drop-down lists."""
    from checker.data.template import build_template

    build_template(output)
    click.echo(f"wrote {output}")


@main.command()
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option("-o", "--output", required=True, type=click.Path(path_type=Path),
              help="A .xlsx file, or a folder for CSV files.")
@click.option("--encoding", default="gb18030", show_default=True, help="CSV encoding (gb18030, utf-8-sig, utf-8).")
def convert(path: Path, output: Path, encoding: str) -> None:
    """Rewrite a data set as one XLSX workbook or as CSV files with Chinese headers."""
    from checker.data import export
    from checker.data import validate as checks
    from checker.data.load import load_path

    data = checks.check(load_path(path))
    for error in data.errors:
        click.echo(f"{error.level}: {error}", err=True)
    if output.suffix.lower() == ".xlsx":
        export.write_xlsx(data, output)
    else:
        export.write_csv(data, output, encoding)
    click.echo(f"wrote {len(data.records)} records to {output}")
    sys.exit(2 if data.has_errors else 0)


@main.command()
@click.argument("record_type", required=False)
def schema(record_type: str | None) -> None:
    """Print the JSON Schema of one record type (or of all)."""
    from checker.data.models import RECORD_TYPES
    from checker.data.template import json_schema

    if record_type and record_type not in RECORD_TYPES:
        click.echo(f"unknown record type {record_type!r}; one of {', '.join(RECORD_TYPES)}", err=True)
        sys.exit(2)
    click.echo(json.dumps(json_schema(record_type), ensure_ascii=False, indent=2))


@main.group()
def waivers() -> None:
    """Approved exceptions."""


@waivers.command("lint")
@click.argument("file", type=click.Path(exists=True, path_type=Path))
@click.option("--rules", "rules_dir", type=click.Path(exists=True, path_type=Path))
@click.option("--as-of", type=DATE, help="Report waivers expired by this date (default: today).")
@_rules_errors
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


@main.group()
def rules() -> None:
    """Inspect and test the rule catalogue."""


def _active(rules_dir, profile):
    return activate(load_rules(rules_dir), load_profile(profile, rules_dir))


@rules.command("list")
@click.option("--rules", "rules_dir", type=click.Path(exists=True, path_type=Path))
@click.option("--profile", default="central", show_default=True)
@click.option("--format", "fmt", default="table", type=click.Choice(["table", "json"]), show_default=True)
@click.option("--lang", default="zh", type=click.Choice(["zh", "en"]), show_default=True)
@_rules_errors
def rules_list(rules_dir, profile, fmt, lang) -> None:
    """List the rules, with whether each runs under the profile."""
    active = _active(rules_dir, profile)
    if fmt == "json":
        click.echo(json.dumps([{
            "id": a.rule.id, "title": a.rule.title.model_dump(), "severity": a.rule.severity,
            "discipline": a.rule.discipline, "ccdi_category": a.rule.ccdi_category,
            "citation": a.rule.citation.model_dump(mode="json"), "runs": a.skipped is None, "skipped": a.skipped,
            "examples": {"fire": len(a.rule.examples.fire), "pass": len(a.rule.examples.not_fire)},
            "location": a.rule.location} for a in active], ensure_ascii=False, indent=2))
        return
    for a in active:
        state = "" if a.skipped is None else f"  ({a.skipped})"
        click.echo(f"{a.rule.id:<28} {a.rule.severity:<7} {a.rule.discipline:<34} "
                   f"{getattr(a.rule.title, lang)}{state}")
    click.echo(f"{len(active)} rules, {sum(a.skipped is None for a in active)} run under profile {profile}")


@rules.command("show")
@click.argument("rule_id")
@click.option("--rules", "rules_dir", type=click.Path(exists=True, path_type=Path))
@click.option("--profile", default="central", show_default=True)
@_rules_errors
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
@click.option("--rules", "rules_dir", type=click.Path(exists=True, path_type=Path))
@click.option("-k", "only", help="Only rules whose id contains this.")
@click.option("-v", "--verbose", is_flag=True)
@_rules_errors
def rules_test(rules_dir, only, verbose) -> None:
    """Run every rule's examples through the real engine. A rule needs both kinds of example.

    Rules are tested in worker processes: if the engine crashes, the rules of the dead process are
    tried again one at a time, then in a fresh interpreter; a rule whose examples crash it there too
    fails, by name."""
    from checker.run.examples import test_rules
    from checker.run.processes import default_workers

    chosen = [rule for rule in load_rules(rules_dir) if not only or only in rule.id]
    run = test_rules(chosen, rules_dir, default_workers())
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
@click.option("--rules", "rules_dir", type=click.Path(exists=True, path_type=Path))
@_rules_errors
def rules_lint(rules_dir) -> None:
    """Check rule files: schema, conditions compile for the engine, citations, examples present."""
    from checker.ruleset import matchers as compiler

    problems = []
    for profile in ("central", "transport", "speech"):
        compiler.durable_ruleset(compiler.matchers(_active(rules_dir, profile)))
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


if __name__ == "__main__":  # pragma: no cover
    main()
