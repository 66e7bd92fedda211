"""The settings file (issue 16 item 7): found from the current folder upward, its values the
options' defaults, the command line winning, paths relative to the file, errors located (exit 3),
`check --show-config`, and `lianjian init` writing a file that passes its own check."""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner

from checker.cli import main
from checker.cli.config import load
from checker.cli.init_command import render
from tests.conftest import DEMO


def run(*args, **kwargs):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False, **kwargs)


def settings(folder, text: str):
    (folder / "lianjian.toml").write_text(text, encoding="utf-8")
    return folder / "lianjian.toml"


DEMO_SETTINGS = f'''
data = "{DEMO}"
profile = "speech"
as-of = 2020-07-10
outputs = ["json:报告/r.json"]
fail-on = "never"
rule = ["EP-REC-*"]
'''


def test_a_settings_file_found_upward_changes_the_run(tmp_path, monkeypatch):
    settings(tmp_path, DEMO_SETTINGS)
    (tmp_path / "sub" / "deeper").mkdir(parents=True)
    monkeypatch.chdir(tmp_path / "sub" / "deeper")  # found from here upward
    result = run("check")
    assert result.exit_code == 0, result.output  # fail-on = "never"
    report = json.loads((tmp_path / "报告" / "r.json").read_text(encoding="utf-8"))  # relative to the file
    assert report["meta"]["profile"][-1] == "speech" and report["meta"]["as_of"] == "2020-07-10"
    assert report["meta"]["rule_selection"]["rule"] == ["EP-REC-*"]
    assert {f["rule_id"][:6] for f in report["findings"]} == {"EP-REC"}
    # the command line wins
    result = run("check", "--fail-on", "high", "--profile", "central", "-o", tmp_path / "cli.json")
    assert result.exit_code == 1
    report = json.loads((tmp_path / "cli.json").read_text(encoding="utf-8"))
    assert report["meta"]["profile"] == ["leads", "central"] and not (tmp_path / "报告" / "r2.json").exists()
    # and --no-config reads none
    assert run("--no-config", "check").exit_code == 4  # no PATH then


def test_show_config_says_where_each_value_came_from(tmp_path, monkeypatch):
    path = settings(tmp_path, DEMO_SETTINGS)
    monkeypatch.chdir(tmp_path)
    result = run("check", "--show-config", "--lang", "zh", "--workers", "2")
    assert result.exit_code == 0
    rows = {line.split()[0]: line.split()[1:] for line in result.output.splitlines()[1:]}
    assert rows["profile"] == ["speech", f"{path}:3"] and rows["as-of"] == ["2020-07-10", f"{path}:4"]
    assert rows["workers"] == ["2", "命令行"] and rows["period"] == ["—", "默认值"]
    assert rows["outputs"][0].startswith(f"json:{tmp_path}")


def test_a_pyproject_table_is_read(tmp_path, monkeypatch):
    (tmp_path / "pyproject.toml").write_text(f'[project]\nname = "x"\n\n[tool.lianjian]\ndata = "{DEMO}"\n'
                                             'fail-on = "never"\nas-of = "2020-07-10"\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = run("check", "--show-config")
    assert "pyproject.toml:6" in result.output and run("check", "--format", "json").exit_code == 0


@pytest.mark.parametrize("text, message", [
    ('profle = "speech"\n', ":1：未知的设置 'profle'；是否应为 profile？"),
    ('\n\nworkers = "4"\n', ":3：workers 的值 '4' 无效：应为整数"),
    ('fail-on = "hgh"\n', ":1：fail-on 的值 'hgh' 无效，应为 'high', 'medium'"),
    ('units = "GH"\n', ":1：units 的值 'GH' 无效：应为列表"),
    ('period = "2020H3"\n', ":1：period 的值 '2020H3' 无效"),
    ('waivers = "nowhere.yaml"\n', ":1：waivers 指向的"),
    ('outputs = ["xslx:r.xlsx"]\n', ":1：outputs 中未知的报告格式 'xslx'，是否应为 xlsx？"),
    ('profile = speech\n', "不是有效的 TOML"),
])
def test_a_bad_settings_file_is_located_and_exits_3(tmp_path, monkeypatch, text, message):
    settings(tmp_path, text)
    monkeypatch.chdir(tmp_path)
    result = run("check", str(DEMO))
    assert result.exit_code == 3 and message in result.stderr, result.stderr
    assert run("init", "--force").exit_code == 0  # init never reads the file it replaces


def test_init_writes_a_file_that_passes_its_own_check(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "数据").symlink_to(DEMO)
    assert run("init", "--data", "数据", "--profile", "speech").exit_code == 0
    assert 'data = "数据"' in (tmp_path / "lianjian.toml").read_text(encoding="utf-8")
    assert run("init").exit_code == 4  # never replaced without --force
    assert run("check", "--show-config").exit_code == 0
    result = run("check", "--as-of", "2020-07-10", "--format", "json")
    assert result.exit_code == 1 and len(json.loads(result.stdout)["findings"]) == 67  # the README's demo audit (violations; 30 leads apart)
    # every commented example is a valid setting too
    uncommented = re.sub(r"^# ([a-z-]+ = )", r"\1", render("台账", "central"), flags=re.MULTILINE)
    for name in ("台账", "规则"):
        (tmp_path / name).mkdir()
    for name in ("豁免.yaml", "上次报告.json"):
        (tmp_path / name).write_text("", encoding="utf-8")
    config = load(settings(tmp_path, uncommented))
    assert set(config.values) >= {"period", "as-of", "units", "outputs", "fail-on", "waivers", "baseline", "rule",
                                  "skip-rule", "discipline", "lang", "workers", "group-by", "format"}
