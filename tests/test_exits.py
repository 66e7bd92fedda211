"""How a run ends: exit codes, output paths checked before work, reports written whole or not at
all, interrupts that stop the workers and leave no spool, selections that must match something."""

from __future__ import annotations

import json
import os
import pty
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from checker.cli import main
from tests.conftest import DEMO, ROOT

LIANJIAN = [sys.executable, "-m", "checker.cli"]
DEMO_ARGS = ["check", str(DEMO), "--profile", "speech", "--as-of", "2020-07-10"]


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


@pytest.mark.parametrize("args, message", [
    (["-o", "xslx:r.xlsx"], "是否应为 xlsx"),  # a misspelt format prefix
    (["-o", "r.data"], "不认识的扩展名"),  # an extension that names no format
    (["--format", "json", "-o", "r.html"], "扩展名不符"),  # --format and the extension disagree
    (["--bogus"], "No such option"),
    (["--new-only"], "--new-only 需要 --baseline"),
])
def test_usage_errors_exit_4_before_any_work(args, message, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run(*DEMO_ARGS, *args)
    assert result.exit_code == 4, result.output
    assert message in result.output
    assert not list(tmp_path.iterdir()), "nothing written"


def test_output_paths_that_cannot_be_files_exit_4(tmp_path):
    (tmp_path / "a-file").write_text("x", encoding="utf-8")
    for target in (tmp_path / "a-file" / "r.json", f"html:{tmp_path / 'a-file' / 'per-unit'}/"):
        result = run(*DEMO_ARGS, "-o", target)
        assert result.exit_code == 4, result.output
    assert run(*DEMO_ARGS, "--split-by", "unit").exit_code == 4  # per unit needs a folder
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    if os.geteuid() != 0:  # root writes anywhere
        assert run(*DEMO_ARGS, "-o", locked / "r.json").exit_code == 4


def test_format_follows_the_extension(tmp_path):
    result = run(*DEMO_ARGS, "-o", tmp_path / "r.html", "-o", tmp_path / "r.json", "-o", tmp_path / "junit.xml")
    assert result.exit_code == 1, result.output
    assert (tmp_path / "r.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))["findings"]
    assert "<testsuites" in (tmp_path / "junit.xml").read_text(encoding="utf-8")
    assert not list(tmp_path.glob(".*.partial")), "no temporary file left"


def test_a_full_disk_leaves_no_partial_report_and_exits_4():
    result = run(*DEMO_ARGS, "--format", "json", "-o", "/dev/full")
    assert result.exit_code == 4 and "无法写入报告" in result.output


def test_a_failed_write_leaves_the_previous_report(tmp_path, monkeypatch):
    from checker.cli import output

    target = tmp_path / "r.json"
    target.write_text("previous", encoding="utf-8")

    def fail(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(output.os, "fsync", fail)
    result = run(*DEMO_ARGS, "-o", target)
    assert result.exit_code == 4
    assert target.read_text(encoding="utf-8") == "previous"
    assert [p.name for p in tmp_path.iterdir()] == ["r.json"]


def test_binary_output_is_refused_on_a_terminal():
    leader, follower = pty.openpty()
    try:
        done = subprocess.run([*LIANJIAN, *DEMO_ARGS, "--format", "xlsx"], stdout=follower, stderr=subprocess.PIPE,
                              cwd=ROOT, timeout=120)
    finally:
        os.close(follower)
        os.close(leader)
    assert done.returncode == 4
    assert "二进制格式" in done.stderr.decode("utf-8")


def test_a_unit_selection_must_match_a_unit():
    assert run(*DEMO_ARGS, "--unit", "jtj", "--format", "json").exit_code == 1  # any letter case
    named = run(*DEMO_ARGS, "--unit", "宣州市交通运输局", "--format", "json")  # or its name
    assert named.exit_code == 1 and {f["unit"] for f in json.loads(named.stdout)["findings"]} == {"JTJ"}
    typo = run(*DEMO_ARGS, "--unit", "JTK")
    assert typo.exit_code == 2 and "没有单位 JTK" in typo.output and "JTJ" in typo.output


def test_an_internal_error_is_one_line_and_a_log(monkeypatch):
    from checker.run import check

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(check, "run", broken)
    result = run(*DEMO_ARGS)
    assert result.exit_code == 5
    assert "Traceback" not in result.output and "boom" in result.output
    log = Path(result.output.rsplit("log: ", 1)[1].strip())
    assert "Traceback" in log.read_text(encoding="utf-8") and "RuntimeError: boom" in log.read_text(encoding="utf-8")
    log.unlink()


def _children(pid: int) -> list[str]:
    return subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()


@pytest.fixture(scope="module")
def big_data(tmp_path_factory):
    """Enough records that a check takes a few seconds on this machine."""
    from bench.generate import write_generated

    folder = tmp_path_factory.mktemp("big")
    write_generated(folder, units=150, records=150_000, rate=0.02, seed=7)
    return folder


@pytest.mark.parametrize("sent, code", [(signal.SIGTERM, 143), (signal.SIGINT, 130)], ids=["SIGTERM", "SIGINT"])
def test_an_interrupt_stops_the_workers_removes_the_spool_and_keeps_the_report(big_data, tmp_path, sent, code):
    spool = tmp_path / "tmp"
    spool.mkdir()
    report = tmp_path / "r.json"
    report.write_text("previous", encoding="utf-8")
    process = subprocess.Popen([*LIANJIAN, "check", str(big_data), "--profile", "speech", "--as-of", "2021-03-31",
                                "--workers", "2", "-o", str(report)], cwd=ROOT, env={**os.environ, "TMPDIR": str(spool)},
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not (list(spool.glob("lianjian-spool-*")) and _children(process.pid)):
        time.sleep(0.02)  # the spool is made and workers (partition helpers or judges) are running
    time.sleep(0.3)
    assert process.poll() is None, "the check ended before it could be interrupted"
    if sent == signal.SIGINT:
        os.killpg(process.pid, sent)  # Ctrl-C reaches the whole foreground group, workers included
    else:
        process.send_signal(sent)  # SIGTERM to the main process only
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == code, stderr.decode("utf-8", "replace")[-2000:]
    assert report.read_text(encoding="utf-8") == "previous"
    assert not list(spool.iterdir()), f"left behind: {list(spool.iterdir())}"
    assert "Traceback" not in stderr.decode("utf-8", "replace")
    leftovers = subprocess.run(["pgrep", "-s", str(process.pid)], capture_output=True, text=True).stdout.split()
    assert not leftovers, f"worker processes still running: {leftovers}"


def test_rule_selection_runs_only_the_selected_rules_and_says_so():
    result = run(*DEMO_ARGS, "--rule", "EP-REC-*", "--skip-rule", "EP-REC-LETTER", "--format", "json")
    report = json.loads(result.stdout)
    assert {f["rule_id"][:7] for f in report["findings"]} == {"EP-REC-"}
    assert "EP-REC-LETTER" not in {f["rule_id"] for f in report["findings"]}
    assert report["meta"]["rule_selection"] == {"rule": ["EP-REC-*"], "skip_rule": ["EP-REC-LETTER"], "discipline": []}
    reasons = {r["id"]: r["reason"] for r in report["meta"]["rules_not_run"]}
    assert "--skip-rule" in reasons["EP-REC-LETTER"] and "--rule" in reasons["EP-GIFT-CASH"]
    by_discipline = json.loads(run(*DEMO_ARGS, "--discipline", "reform", "--format", "json").stdout)
    assert {f["discipline"].split(".")[0] for f in by_discipline["findings"]} == {"reform"}


@pytest.mark.parametrize("args", [["--rule", "EP-REC-ESCROTS"], ["--skip-rule", "NOPE-*"], ["--discipline", "eight_pont"]])
def test_a_rule_selection_matching_nothing_is_a_usage_error(args):
    result = run(*DEMO_ARGS, *args)
    assert result.exit_code == 4 and "没有" in result.output, result.output


def test_progress_is_reported_unit_by_unit():
    import datetime as dt

    from checker.run.check import Options
    from checker.run.check import run as check_run

    seen = []
    result = check_run(DEMO, Options(profile="speech", as_of=dt.date(2020, 7, 10), progress=lambda *a: seen.append(a)))
    assert [done for done, _, _ in seen] == list(range(1, len(seen) + 1)) and seen[-1][1] == len(seen) >= 8
    assert seen[-1][2] == result.records
