"""Options several commands share, declared once (as sqlite-utils' cli.py does), and the value
types they parse."""

from __future__ import annotations

import datetime as dt
import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from checker.data.values import parse_date
from checker.facts.periods import parse_period
from checker.ruleset.schema import RuleFileError
from checker.text.vocabulary import FAIL_ON


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


Decorator = Callable[[Callable[..., Any]], Callable[..., Any]]

rules_option: Decorator = click.option(
    "--rules", "rules_dir", type=click.Path(exists=True, path_type=Path),
    help="规则文件夹或文件（默认：内置规则）/ Rule folder or file (default: the built-in catalogue).")
profile_option: Decorator = click.option(
    "--profile", default="central", show_default=True,
    help="规则配置：central（中央规定）、transport（交通运输系统）、speech（市局讲话要求）或配置文件 / Parameter "
         "profile: central, transport, speech, or a profile YAML file.")
period_option: Decorator = click.option(
    "--period", callback=_period,
    help="检查期间 / Period: 2020, 2020H1, 2020Q3, 2020-07 or 2020-01-01..2020-06-30.")
lang_option: Decorator = click.option("--lang", default="zh", show_default=True, type=click.Choice(["zh", "en"]),
                                      help="报告语言 / Report language.")
fail_on_option: Decorator = click.option(
    "--fail-on", default="info", show_default=True, type=click.Choice(FAIL_ON),
    help="有此严重程度或更高的问题时退出码为 1 / Exit 1 when a finding has this severity or higher.")
table_or_json_option: Decorator = click.option(
    "--format", "fmt", default="table", type=click.Choice(["table", "json"]), show_default=True,
    help="输出格式 / Output format.")


def as_of_option(help_text: str) -> Decorator:
    return click.option("--as-of", type=DATE, help=help_text)


def rules_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn an invalid rule or profile file into a located message and exit code 3."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except RuleFileError as exc:
            click.echo(f"rule error / 规则文件错误: {exc}", err=True)
            sys.exit(3)
    return wrapper
