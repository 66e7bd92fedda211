"""Exit codes: what a run's end says, for scripts and CI (data contract; README; `lianjian --help`)."""

from __future__ import annotations

from enum import IntEnum


class Exit(IntEnum):
    CLEAN = 0  # no finding at or above --fail-on
    FINDINGS = 1  # findings at or above --fail-on
    BAD_INPUT = 2  # input errors, or a unit that could not be judged (the report says which)
    BAD_RULES = 3  # an invalid rule, profile, settings (lianjian.toml), waiver or baseline file
    USAGE = 4  # a bad option, output path or format, a selection that matches nothing
    INTERNAL = 5  # an unexpected internal error: one line on stderr and the path of a log
    INTERRUPTED = 130  # SIGINT (Ctrl-C): previous reports left as they were
    TERMINATED = 143  # SIGTERM


MEANING = {
    Exit.CLEAN: ("无达到 --fail-on 级别的问题", "no finding at or above --fail-on"),
    Exit.FINDINGS: ("发现达到 --fail-on 级别的问题", "findings at or above --fail-on"),
    Exit.BAD_INPUT: ("输入数据有误，或有单位未能检查（报告中列明）", "bad input, or a unit not judged (the report says which)"),
    Exit.BAD_RULES: ("规则、规则配置、设置文件（lianjian.toml）、豁免或基线文件无效",
                     "an invalid rule, profile, settings, waiver or baseline file"),
    Exit.USAGE: ("用法错误：选项、输出路径或格式有误，或所选对象不存在", "usage error: option, output path or format, or a selection of nothing"),
    Exit.INTERNAL: ("内部错误（日志路径见标准错误输出）", "internal error (the log's path is on stderr)"),
    Exit.INTERRUPTED: ("被中断（Ctrl-C），原报告保持不变", "interrupted (SIGINT); earlier reports unchanged"),
    Exit.TERMINATED: ("被终止（SIGTERM），原报告保持不变", "terminated (SIGTERM); earlier reports unchanged"),
}


def help_text() -> str:
    """The exit codes as `--help` lists them: Chinese, then English below it (a line each fits 80 columns)."""
    return "\n".join(f"{int(code):>3}  {zh}\n     {en}" for code, (zh, en) in MEANING.items())
