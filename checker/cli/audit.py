"""The inspector's and the secretary's commands: `check` (an audit over units and a period) and
`selfcheck` (one unit's pre-meeting list)."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

import click
from click.core import ParameterSource

from checker.cli.help import command
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
from checker.cli.output import parse_targets, write_report
from checker.cli.terminal import (
    print_lines,
    print_report,
    print_settings,
    progress_line,
    tell_after_run,
    terminal_options,
)
from checker.report.render import FORMATS
from checker.ruleset.catalogue import load_rules
from checker.text.exits import Exit


@command(short_help="审查数据：按单位和期间逐条判断 / Audit a data set.")
@click.argument("path", type=click.Path(path_type=Path), required=False)
@rules_option
@profile_option
@period_option
@as_of_option("基准日，判断应做事项是否到期（默认今天）/ Judge obligations as of this date (default: today).")
@click.option("--unit", "units", multiple=True,
              help="只检查这些单位（编号或名称，可重复）/ Only these units (id or name; repeatable).")
@click.option("--format", "fmt", default="table", show_default=True, type=click.Choice(list(FORMATS)),
              help="标准输出的格式 / Format of standard output.")
@click.option("-o", "--output", "outputs", multiple=True,
              help="写入文件，格式随扩展名，或写成 格式:文件；以 / 结尾为每个单位一份（可重复）/ Write to a file, "
                   "its format from the extension or FORMAT:FILE; a FOLDER/ gets one file per unit (repeatable).")
@fail_on_option
@click.option("--fail-on-leads", is_flag=True,
              help="线索（待核实的疑点）也按 --fail-on 返回 1；线索不是违规，默认不计 / Exit 1 on a lead (线索) too; "
                   "leads are not violations and --fail-on ignores them.")
@lang_option
@click.option("--group-by", "--by", "group_by", default="unit", show_default=True,
              type=click.Choice(["unit", "discipline", "person"]),
              help="表格按单位、纪律类别或责任人（一岗双责）分组 / Group the table by unit, discipline or "
                   "responsible person.")
@click.option("--split-by", type=click.Choice(["unit"]),
              help="每个单位一份报告（交给各单位的问题清单）：-o html:文件夹/ 每单位一份可打印清单，-o xlsx:文件 "
                   "每单位一个工作表 / One report per unit: -o html:FOLDER/ a printable list each, -o xlsx:FILE a "
                   "sheet each.")
@click.option("--rule", "only_rules", multiple=True, metavar="PATTERN",
              help="只运行编号匹配的规则（通配符，可重复），如 'EP-REC-*' / Only rules whose id matches (glob, "
                   "repeatable).")
@click.option("--skip-rule", "skip_rules", multiple=True, metavar="PATTERN",
              help="不运行这些规则（通配符，可重复）/ Leave out rules (glob, repeatable).")
@click.option("--discipline", "disciplines", multiple=True,
              help="只运行某纪律类别的规则（可重复），如 eight_point、eight_point.reception / Only rules of a "
                   "discipline or family (repeatable).")
@click.option("--strict", is_flag=True,
              help="输入有错误时不出报告，只列错误（退出码 2）/ Write no report, only the errors (exit 2), when the "
                   "input has errors.")
@click.option("--engine", "evaluator", default="durable", type=click.Choice(["durable", "reference"]),
              help="规则引擎：durable-rules（默认）或 Python 参考实现 / durable-rules (default) or the reference "
                   "evaluator.")
@click.option("--waivers", "waiver_file", type=click.Path(exists=True, path_type=Path),
              help="豁免文件（YAML，见 docs/waivers.md）/ YAML file of approved exceptions.")
@click.option("--baseline", type=click.Path(exists=True, path_type=Path),
              help="上次的 JSON 报告：标出新发现和持续存在的问题，列出已整改的 / An earlier JSON report: mark "
                   "findings new or persisting, list resolved ones.")
@click.option("--new-only", is_flag=True,
              help="与 --baseline 一起：只报告新发现的问题 / With --baseline: report only new findings.")
@click.option("--workers", type=click.IntRange(min=1),
              help="并行进程数（默认：CPU 核数）/ Processes judging units in parallel (default: cores).")
@click.option("--scheduler",
              help="在 Dask 集群上检查（tcp://HOST:8786，需 pip install lianjian[dask]）/ Judge on a Dask cluster.")
@terminal_options
@click.option("--full", is_flag=True,
              help="在终端列出全部问题（默认只列最严重的20个）/ On a terminal, list every finding (default: the 20 "
                   "most severe when there are more than 30).")
@click.option("--show-config", is_flag=True,
              help="列出生效的设置及其来源（命令行、设置文件的行、默认值），不检查 / Print the settings in force "
                   "and where each came from, and stop.")
@rules_errors
def check(path: Path, rules_dir, profile, period, as_of, units, fmt, outputs, fail_on, fail_on_leads, lang,
          group_by, split_by,
          only_rules, skip_rules, disciplines, strict, evaluator, waiver_file, baseline, new_only, workers,
          scheduler, no_color, quiet, verbose, full, show_config) -> None:
    """审查 PATH 处的数据（记录文件的文件夹或一个 XLSX 工作簿），列出问题及其证据、依据和责任人。
    PATH 可在 lianjian.toml 中设为 data。

    Audit the data set at PATH (a folder of record files or an XLSX workbook): findings with their
    evidence, citation and responsible persons. PATH may be set as data in lianjian.toml."""
    from checker.report import build as report
    from checker.report import split
    from checker.run import check as run
    from checker.run import heap
    from checker.run.processes import default_workers

    if show_config:
        print_settings(click.get_current_context(), lang, no_color)
        sys.exit(Exit.CLEAN)
    if path is None:
        raise click.UsageError("缺少数据路径 PATH（或在 lianjian.toml 中设 data） / missing PATH (or set data in "
                               "lianjian.toml)")
    if new_only and not baseline:
        raise click.UsageError("--new-only 需要 --baseline / --new-only needs --baseline")
    explicit = click.get_current_context().get_parameter_source("fmt") is not ParameterSource.DEFAULT
    targets = parse_targets(outputs, fmt, explicit, bool(split_by))  # before any work: a bad -o is a usage error
    as_of = as_of or dt.date.today()
    marks = Marks(waiver_file, baseline, new_only, rules_dir, as_of)
    options = run.Options(rules_dir, profile, period, as_of, set(units) or None, evaluator,
                          workers or default_workers(), scheduler, mark=marks,
                          rules=run.RuleSelection(only_rules, skip_rules, disciplines),
                          # a whole JSON report to write: its findings' lines are made as units are judged
                          report_lines=lang if not split_by and any(t.fmt == "json" and not t.folder
                                                                    for t in targets) else None,
                          lines_only=not split_by and all(t.fmt == "json" and not t.folder for t in targets))
    try:
        with progress_line(lang, quiet, verbose, no_color) as progress:
            options.progress = progress
            result = run.run(path, options)
    except run.RuleSelectionError as exc:
        raise click.UsageError(str(exc)) from None
    except run.SelectionError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(Exit.BAD_INPUT)
    if strict:  # one pass: clean data (the usual case in CI) is read once; with errors, nothing is reported
        errors = [e for e in result.data.errors if e.level == "error"]
        if errors:
            for error in errors:
                click.echo(f"error: {error}", err=True)
            click.echo(f"{len(errors)} input errors; no report (--strict) / 输入有误，不出报告", err=True)
            sys.exit(Exit.BAD_INPUT)
    with heap.few_collections():  # a report reads every finding back: the result it reads is held throughout
        heap.set_aside()
        built = {**report.build(result, lang, rules_dir), **marks.sections()}
        written = []
        for target in targets:
            if split_by or target.folder:
                files = split.write_split(built, target.fmt, str(target.path) + ("/" if target.folder else ""), lang)
                written.append(f"{target.path}/（{len(files)} 个文件）" if lang == "zh" else
                               f"{target.path}/ ({len(files)} files)")
            elif target.path is None and target.fmt == "table" and sys.stdout.isatty():
                print_report(built, lang, group_by, full, no_color)
            else:
                write_report(built, target, lang, group_by)
                written += [str(target.path)] if target.path is not None else []
    tell_after_run(built, lang, written, on_stdout=any(t.path is None for t in targets), quiet=quiet,
                   no_color=no_color)
    if verbose:
        click.echo(progress.closing_line(), err=True)
    sys.exit(report.exit_code(built, fail_on, fail_on_leads))


class Marks:
    """Waivers, then the baseline, then --new-only, applied to each unit's findings as they come."""

    def __init__(self, waiver_file: Path | None, baseline: Path | None, new_only: bool, rules_dir: Path | None,
                 as_of: dt.date):
        from checker.verdict.marks import BaselineMarks, WaiverError, WaiverMarks, load_waivers

        self.waivers = self.baseline = None
        self.new_only = new_only
        try:
            if waiver_file:
                self.waivers = WaiverMarks(load_waivers(waiver_file, {r.id for r in load_rules(rules_dir)}), as_of)
            if baseline:
                self.baseline = BaselineMarks(baseline)
        except WaiverError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(Exit.BAD_RULES)

    def __bool__(self) -> bool:
        """Whether there is anything to mark: without, the run stores each unit's findings as they come."""
        return self.waivers is not None or self.baseline is not None

    def __call__(self, found: list) -> list:
        if self.waivers is not None:
            found = self.waivers(found)
        if self.baseline is not None:
            found = self.baseline(found)
            if self.new_only:
                found = [f for f in found if f.status == "new"]
        return found

    def sections(self) -> dict:
        """The report sections the marks add: waiver states, the baseline's summary."""
        extra = {}
        if self.waivers is not None:
            extra["waivers"] = self.waivers.states()
        if self.baseline is not None:
            extra["baseline"] = self.baseline.summary()
        return extra


@command(short_help="单位会前自查：应做事项和问题 / A unit's pre-meeting checklist.")
@click.argument("path", type=click.Path(path_type=Path), required=False)
@click.option("--unit", required=True, help="自查的单位（编号）/ The unit to check (its id).")
@as_of_option("今天的日期（默认今天）/ Today, for the check (default: today).")
@click.option("--before", type=DATE, help="会议日期：标出会前到期的事项 / The meeting date: flags what falls due before it.")
@click.option("--tree", is_flag=True, help="包括下属单位 / Include the unit's subordinate units.")
@profile_option
@rules_option
@table_or_json_option
@fail_on_option
@lang_option
@click.option("--no-color", is_flag=True, help="不用颜色（或设环境变量 NO_COLOR）/ No colour (or set NO_COLOR).")
@rules_errors
def selfcheck(path, unit, as_of, before, tree, profile, rules_dir, fmt, fail_on, lang, no_color) -> None:
    """单位会前自查：应做事项（已完成、待完成、已逾期）和本单位的问题。无逾期事项且无达到 --fail-on
    级别的问题时退出码为 0。

    A unit's pre-meeting checklist: obligations done, due and overdue, and its open findings. Exits 0
    only when nothing is overdue and no finding is at or above --fail-on."""
    from checker.report import selfcheck as checklist

    if path is None:
        raise click.UsageError("缺少数据路径 PATH（或在 lianjian.toml 中设 data） / missing PATH (or set data in "
                               "lianjian.toml)")
    try:
        result = checklist.run(path, unit, as_of or dt.date.today(), before, tree, profile, rules_dir, lang)
    except KeyError:
        click.echo(f"unknown unit {unit!r} / 单位不存在", err=True)
        sys.exit(2)
    if fmt == "json":
        click.echo(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
    elif sys.stdout.isatty():
        print_lines(checklist.render_table(result, lang), no_color)
    else:
        click.echo(checklist.render_table(result, lang), nl=False)
    sys.exit(result.exit_code(fail_on))


