"""The inspector's and the secretary's commands: `check` (an audit over units and a period) and
`selfcheck` (one unit's pre-meeting list)."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

import click

from checker.cli.options import (
    DATE,
    as_of_option,
    fail_on_option,
    lang_option,
    period_option,
    profile_option,
    rules_errors,
    rules_option,
    table_or_json_option,
)
from checker.report.render import FORMATS
from checker.ruleset.catalogue import load_rules


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



@click.command()
@click.argument("path", type=click.Path(path_type=Path))
@rules_option
@profile_option
@period_option
@as_of_option("Judge obligations as of this date (default: today).")
@click.option("--unit", "units", multiple=True, help="Only these units (repeatable).")
@click.option("--format", "fmt", default="table", show_default=True,
              type=click.Choice(list(FORMATS)))
@click.option("-o", "--output", "outputs", multiple=True,
              help="Write to a file; FORMAT:FILE writes another format too (repeatable).")
@fail_on_option
@click.option("--fail-on-leads", is_flag=True,
              help="Exit 1 on a lead (线索) too; leads are not violations and --fail-on ignores them.")
@lang_option
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
@rules_errors
def check(path: Path, rules_dir, profile, period, as_of, units, fmt, outputs, fail_on, fail_on_leads, lang, group_by,
          strict, evaluator, waiver_file, baseline, new_only, workers, scheduler) -> None:
    """Audit the data set at PATH (a folder of record files or an XLSX workbook)."""
    from checker.report import build as report
    from checker.report.render import BINARY, render, write
    from checker.run import check as run
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

    result = run.run(path, run.Options(rules_dir, profile, period, as_of, selection, evaluator, workers, scheduler,
                                       mark=mark))
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
        if sep and kind in FORMATS:
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
    code = report.exit_code(built, fail_on, fail_on_leads)
    if built["summary"]["input_errors"]:
        click.echo(f"{built['summary']['input_errors']} input errors: see input_errors / 输入数据有误", err=True)
    for unit in built["meta"]["units_not_judged"]:
        click.echo(f"unit {unit['unit']} not judged: {unit['reason']}", err=True)
    sys.exit(code)


@click.command()
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--unit", required=True, help="The unit to check (its id).")
@as_of_option("Today, for the check (default: today).")
@click.option("--before", type=DATE, help="The meeting date: flags what falls due before it.")
@click.option("--tree", is_flag=True, help="Include the unit's subordinate units.")
@profile_option
@rules_option
@table_or_json_option
@fail_on_option
@lang_option
@rules_errors
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


