"""The `lianjian` command: a thin layer over the run, the rule catalogue and the renderers.

How a run ends is its exit code (checker/text/exits.py, listed by `lianjian --help`): a usage error
is 4 (click's own would be 2, which here means bad input), an interrupt 130 or 143 with the
workers stopped and the spool removed, and anything unexpected one line and the path of a log
with the traceback, exit 5 — never a traceback on the terminal.
"""

from __future__ import annotations

import datetime as dt
import gc
import os
import sys
import tempfile
import traceback
from pathlib import Path
from typing import Any

import click

from checker import __version__
from checker.cli.audit import check, selfcheck
from checker.cli.config import apply as apply_config
from checker.cli.data_commands import convert, schema, template, validate
from checker.cli.help import Group
from checker.cli.init_command import init
from checker.cli.rule_commands import rules, waivers
from checker.run.stopping import Terminated, raise_if_stopped, stopping
from checker.text.exits import Exit, help_text

# A check makes millions of objects that live until its report is written (records, facts, findings,
# their evidence and messages); at the default thresholds (700, 10, 10) the cyclic collector walks
# them again every few hundred allocations: a quarter of the CPU time of a findings-heavy check
# (221,000 records, 226,635 findings: 50 → 37 s). Collections still run, only rarely; forked workers
# inherit the setting.
GC_THRESHOLDS = (50_000, 20, 100)


def _log_internal_error(exc: BaseException) -> str:
    fd, path = tempfile.mkstemp(prefix=f"lianjian-error-{dt.datetime.now():%Y%m%d-%H%M%S}-", suffix=".log")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(f"lianjian {__version__}\nargv: {sys.argv}\n\n")
        handle.write("".join(traceback.format_exception(exc)))
    return path


class Lianjian(Group):
    def main(self, args: Any = None, prog_name: str | None = None, complete_var: str | None = None,
             standalone_mode: bool = True, **extra: Any) -> Any:
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        thresholds = gc.get_threshold()
        gc.set_threshold(*GC_THRESHOLDS)
        try:
            with stopping():
                try:
                    code = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
                finally:  # (a command may end in sys.exit)
                    raise_if_stopped()  # a stop dropped where it was raised (checker/run/stopping.py) still ends it
            sys.exit(code if isinstance(code, int) else Exit.CLEAN)  # click returns ctx.exit()'s code
        except click.UsageError as exc:
            exc.show()
            sys.exit(Exit.USAGE)
        except click.ClickException as exc:
            exc.show()
            sys.exit(Exit.USAGE)
        except (KeyboardInterrupt, click.exceptions.Abort):
            click.echo("\n已中断，原有报告未改动 / interrupted; earlier reports unchanged", err=True)
            sys.exit(Exit.INTERRUPTED)
        except Terminated:
            click.echo("已终止，原有报告未改动 / terminated; earlier reports unchanged", err=True)
            sys.exit(Exit.TERMINATED)
        except Exception as exc:  # noqa: BLE001 - the last line of defence: one line and a log, not a traceback
            log = _log_internal_error(exc)
            click.echo(f"内部错误 / internal error: {type(exc).__name__}: {exc} — 详见日志 / log: {log}", err=True)
            sys.exit(Exit.INTERNAL)
        finally:
            gc.set_threshold(*thresholds)


@click.group(cls=Lianjian, context_settings={"help_option_names": ["-h", "--help"]},
             epilog="\b\n退出码 / exit codes:\n" + help_text())
@click.version_option(__version__, prog_name="lianjian", help="显示版本并退出 / Show the version and exit.")
@click.option("--config", "config_file", type=click.Path(dir_okay=False, path_type=Path),
              help="设置文件（默认：从当前文件夹向上找 lianjian.toml 或 pyproject.toml 的 [tool.lianjian]）/ "
                   "Settings file (default: the nearest lianjian.toml, or [tool.lianjian] in pyproject.toml, "
                   "from the current folder up).")
@click.option("--no-config", is_flag=True, help="不读设置文件 / Read no settings file.")
@click.pass_context
def main(ctx: click.Context, config_file: Path | None, no_config: bool) -> None:
    """廉检 lianjian：按党风廉政和纪律规则审查各单位的活动记录（公务接待、差旅、会议、公车、人事……），
    列出问题及其证据、依据条款和责任人。

    Audit units' activity records against party-discipline and clean-government rules: findings with
    their evidence, cited article and responsible persons.

    \b
    常用 / Common:
      lianjian check 台账/ --profile speech --as-of 2020-07-10
      lianjian check 台账/ -o 报告.html -o 问题清单.xlsx
      lianjian selfcheck 台账/ --unit LQ --before 2020-07-15
      lianjian init   # 写 lianjian.toml，之后只需 lianjian check / then: check"""
    apply_config(ctx, config_file, no_config)


for _command in (check, validate, selfcheck, template, convert, schema, waivers, rules, init):
    main.add_command(_command)

if __name__ == "__main__":  # pragma: no cover
    main()
