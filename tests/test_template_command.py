"""The entry workbook's instructions show a command that gives the intended result on the demo."""

from __future__ import annotations

import json
import shlex

import openpyxl
from click.testing import CliRunner

from checker.cli import main
from checker.data.template import DEMO_COMMAND, build_template
from tests.conftest import ROOT


def test_the_template_shows_the_demo_command_and_it_gives_the_demo_s_findings(tmp_path):
    book = openpyxl.load_workbook(build_template(tmp_path / "录入模板.xlsx"))
    shown = [row[1] for row in book["说明"].iter_rows(values_only=True) if row[0] == "示例"]
    assert shown and shown[0].startswith(DEMO_COMMAND) and "92个问题" in shown[0]
    words = shlex.split(DEMO_COMMAND)
    assert words[:2] == ["lianjian", "check"]
    args = [*words[1:2], str(ROOT / words[2]), *words[3:], "--format", "json", "-o", str(tmp_path / "r.json")]
    assert CliRunner().invoke(main, args, catch_exceptions=False).exit_code == 1
    assert len(json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))["findings"]) == 67
