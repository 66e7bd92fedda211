"""`lianjian init`: write a commented settings file (lianjian.toml) that a check then reads.

Every example in it is a valid setting (a test uncomments them all and loads the file), so a user
who removes a `#` gets a file that works."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from checker.cli.config import FILE_NAME
from checker.cli.help import command
from checker.report.atomic import atomic
from checker.text.exits import Exit

TEMPLATE = '''\
# 廉检 lianjian 设置文件 / settings file
#
# `lianjian check` 和 `lianjian selfcheck` 从当前文件夹向上查找本文件（或 pyproject.toml 中的
# [tool.lianjian]），把其中的设置作为默认值；命令行上给出的选项优先。相对路径相对于本文件所在文件夹。
# `lianjian check --show-config` 列出生效的设置及其来源。去掉行首的 # 即启用该项。
# Settings for check and selfcheck, found from the current folder upward; command-line options win;
# relative paths are relative to this file. `lianjian check --show-config` shows what is in force.

# 数据：一个文件夹（各类记录文件）或一个 XLSX 工作簿 / the data: a folder or an XLSX workbook
{data}

# 规则配置：central（仅中央规定）、transport（交通运输系统）、speech（市局讲话要求），或配置文件路径
# profile: central, transport, speech, or a profile YAML file
{profile}

# 检查期间：2020、2020H1、2020Q3、2020-07，或 2020-01-01..2020-06-30 / the period judged
# period = "2020H1"

# 基准日（判断应做事项是否到期），默认今天 / judge obligations as of this day (default: today)
# as-of = 2020-07-10

# 只检查这些单位（编号或名称）/ only these units (ids or names)
# units = ["GH", "LQ"]

# 报告：格式:文件，或按扩展名定格式；以 / 结尾的文件夹为每个单位一份 / reports: FORMAT:FILE, or by extension
# outputs = ["html:报告.html", "xlsx:问题清单.xlsx", "json:报告.json"]

# 终端或标准输出的格式 / format of standard output: table, json, jsonl, sarif, junit, csv, html
# format = "table"

# 达到此严重程度即以退出码 1 结束：high、medium、low、info、never / exit 1 at or above this severity
# fail-on = "medium"

# 豁免文件（见 docs/waivers.md）和上次的 JSON 报告（基线）/ waivers file and a baseline report
# waivers = "豁免.yaml"
# baseline = "上次报告.json"

# 规则文件夹（默认：内置规则）/ rule folder (default: the built-in catalogue)
# rules = "规则"

# 只运行或不运行某些规则（编号，可用通配符），或只运行某纪律类别 / rule selection
# rule = ["EP-REC-*"]
# skip-rule = ["EP-TRV-SEAT"]
# discipline = ["eight_point"]

# 报告语言：zh、en / report language
# lang = "zh"

# 并行进程数（默认：CPU 核数）/ worker processes (default: the number of cores)
# workers = 4

# 终端表格的分组：unit、discipline、person / group the table by
# group-by = "unit"
'''


def render(data: str | None, profile: str | None) -> str:
    """The file's text; `data` and `profile` active when given, commented examples otherwise."""
    def line(key: str, value: str | None, example: str) -> str:
        return f'{key} = "{value}"' if value else f'# {key} = "{example}"'

    return TEMPLATE.format(data=line("data", data, "台账"), profile=line("profile", profile, "central"))


@command(short_help="写设置文件 lianjian.toml / Write a settings file.")
@click.option("--data", help="数据文件夹或工作簿，写入设置文件 / The data folder or workbook to name in the file.")
@click.option("--profile", help="规则配置 / The profile to name in the file: central, transport, speech.")
@click.option("-o", "--output", default=FILE_NAME, show_default=True, type=click.Path(dir_okay=False, path_type=Path),
              help="写到哪里 / Where to write it.")
@click.option("--force", is_flag=True, help="覆盖已有文件 / Replace an existing file.")
def init(data: str | None, profile: str | None, output: Path, force: bool) -> None:
    """写一个带注释的设置文件 lianjian.toml。

    Write a commented settings file (lianjian.toml) that check and selfcheck read."""
    if output.exists() and not force:
        click.echo(f"{output} 已存在，未改动（--force 覆盖） / {output} exists; left as it is (--force replaces it)",
                   err=True)
        sys.exit(Exit.USAGE)
    if data and not Path(data).is_absolute():  # relative to the file, as the file's paths are read
        data = Path(os.path.relpath(os.path.abspath(data), os.path.abspath(output.parent))).as_posix()
    with atomic(output, False) as handle:
        handle.write(render(data, profile))
    click.echo(f"已写出 {output}：`lianjian check --show-config` 查看生效的设置 / wrote {output}")
