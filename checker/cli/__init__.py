"""The `lianjian` command: a thin layer over the run, the rule catalogue and the renderers.

Exit codes (data contract): 0 no finding at or above --fail-on; 1 findings at or above it;
2 bad input or usage; 3 a rule or profile file is invalid.
"""

from __future__ import annotations

import click

from checker import __version__
from checker.cli.audit import check, selfcheck
from checker.cli.data_commands import convert, schema, template, validate
from checker.cli.rule_commands import rules, waivers


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="lianjian")
def main() -> None:
    """廉检 lianjian — audit activity records against party-discipline and clean-government rules."""


for _command in (check, validate, selfcheck, template, convert, schema, waivers, rules):
    main.add_command(_command)

if __name__ == "__main__":  # pragma: no cover
    main()
