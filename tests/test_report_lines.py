"""The JSON report's findings and leads written by the processes that judged their units
(checker.verdict.report_lines) give, byte for byte, the report made from the stored findings after
the check: with one worker or two, in this process, marked by waivers or a baseline, with a unit that
crashes, in the other language, to a file or to a text stream."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
from pathlib import Path

import pytest

from checker.cli.audit import Marks
from checker.engine.durable import CRASH_UNIT_VARIABLE
from checker.report import build as report
from checker.report.render import json_report
from checker.run.check import CheckResult, Options, run
from checker.verdict import trip
from checker.verdict.report_lines import SECTIONS, LineFiles, ParameterViews, entry, line, obligation_row
from checker.verdict.store import FindingStore
from tests.conftest import DEMO, ROOT

AS_OF = dt.date(2020, 7, 10)
WAIVERS = ROOT / "fixtures" / "waivers" / "demo.yaml"


def check(source: Path = DEMO, **options) -> CheckResult:
    return run(source, Options(**{"profile": "speech", "as_of": AS_OF, **options}))


def written(result: CheckResult, lang: str, folder: Path) -> tuple[bytes, str]:
    """The JSON report written to a file (its bytes go under the text layer) and to a text stream."""
    built = report.build(result, lang)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"report-{lang}.json"
    with path.open("w", encoding="utf-8") as handle:
        json_report.write(built, handle, lang)
    stream = io.StringIO()
    json_report.write(built, stream, lang)
    return path.read_bytes(), stream.getvalue()


def lines_used(result: CheckResult, lang: str) -> bool:
    return all(result.findings.report_lines(section, lang) is not None for section in SECTIONS)


@pytest.mark.parametrize("options", [{"workers": 2}, {"workers": 1}, {"workers": 1, "isolate": False}],
                         ids=["two-workers", "one-worker", "in-this-process"])
def test_report_from_written_lines_equals_report_made_after(tmp_path, options):
    made_after = check(**options)
    from_lines = check(report_lines="zh", **options)
    assert lines_used(from_lines, "zh") and not lines_used(made_after, "zh")
    expected = written(made_after, "zh", tmp_path / "after")
    got = written(from_lines, "zh", tmp_path)
    assert got == expected
    report_json = json.loads(got[0])
    assert report_json["findings"] and report_json["leads"] and report_json["obligations"], \
        "the demo has violations, leads and obligation states: every section copied"
    assert got[1].encode("utf-8") == got[0]


@pytest.mark.parametrize("marking", ["waivers", "baseline", "new-only"])
def test_units_marked_after_judging_have_their_lines_written_again_as_marked(tmp_path, marking):
    baseline = None
    if marking != "waivers":
        earlier = json.loads(written(check(units={"LQ", "ZF"}), "zh", tmp_path)[0])
        baseline = tmp_path / "before.json"
        baseline.write_text(json.dumps(earlier, ensure_ascii=False), encoding="utf-8")
    marks = Marks(WAIVERS if marking == "waivers" else None, baseline, marking == "new-only", None, AS_OF)
    made_after = check(workers=2, mark=marks)
    from_lines = check(workers=2, mark=marks, report_lines="zh")
    assert lines_used(from_lines, "zh")
    assert os.listdir(from_lines.findings.lines.folder) == [f"lines-{os.getpid()}"], \
        "written once, by the collector after marking, not first by the judging processes"
    assert written(from_lines, "zh", tmp_path) == written(made_after, "zh", tmp_path / "after")
    shown = json.loads(written(from_lines, "zh", tmp_path)[0])
    if marking == "waivers":
        assert any(f["waiver"] for f in shown["findings"])
    else:
        assert {f["status"] for f in shown["findings"]} == ({"new"} if marking == "new-only" else {"new", "persisting"})


def test_lines_in_another_language_than_the_report_are_not_used(tmp_path):
    in_english = check(workers=2, report_lines="en")
    assert lines_used(in_english, "en") and not lines_used(in_english, "zh")
    assert written(in_english, "en", tmp_path) == written(check(workers=2), "en", tmp_path / "after")
    assert written(in_english, "zh", tmp_path) == written(check(workers=2), "zh", tmp_path / "after")


def test_a_unit_that_crashes_has_no_lines_and_the_report_is_made_from_the_others(monkeypatch, tmp_path):
    monkeypatch.setenv(CRASH_UNIT_VARIABLE, "ZF")  # the engine adapter's fault injection: a real SIGSEGV
    from_lines = check(workers=2, report_lines="zh")
    made_after = check(workers=2)
    assert from_lines.not_judged == made_after.not_judged == {"ZF": from_lines.not_judged["ZF"]}
    assert lines_used(from_lines, "zh")
    assert written(from_lines, "zh", tmp_path) == written(made_after, "zh", tmp_path / "after")


def test_the_store_gives_lines_only_if_every_unit_with_findings_or_obligations_has_them():
    result = check(workers=2)
    units = [u for u in result.findings.units() if result.findings.unit_summaries(u)]
    assert len(units) >= 2
    states = {}
    for unit, state in result.findings.obligations():
        states.setdefault(unit, []).append(state)
    assert states, "the demo's units owe meetings and reports"

    def store_of(with_lines: set[str]) -> FindingStore:
        store = FindingStore(result.findings.by_id, lines=LineFiles("zh", {}))
        for unit in result.findings.units():
            found = result.findings.of_unit(unit)
            summaries, blob = trip.pack(found)
            owed = states.get(unit, [])
            lines = store.lines.write(found, unit, unit, owed) if unit in with_lines else None
            store.add_packed(unit, summaries, blob, trip.pack_obligations(owed), len(owed),
                             result.findings.responsible(unit), lines)
        return store

    every_unit = set(result.findings.units())
    assert store_of(every_unit - {units[0]}).report_lines("findings", "zh") is None
    owing = next(iter(states))
    assert store_of(every_unit - {owing}).report_lines("obligations", "zh") is None
    every = store_of(every_unit)
    assert every.report_lines("findings", "en") is None, "lines in one language are not another's"
    views = ParameterViews({})
    for section, leads in (("findings", False), ("leads", True)):
        expected = b"".join(line(entry(f, "zh", u, views)) for u in result.findings.units()
                            for f in result.findings.of_unit(u, leads))
        assert b"".join(every.report_lines(section, "zh")) == expected
    assert b"".join(every.report_lines("obligations", "zh")) == b"".join(
        line(obligation_row(unit, state)) for unit, state in result.findings.obligations())


def test_the_lines_folder_is_removed_with_the_store_and_not_by_the_workers():
    result = check(workers=2, report_lines="zh")
    folder = result.findings.lines.folder
    assert os.path.isdir(folder) and os.listdir(folder), "the workers' files are there until the report"
    result.findings.close()
    assert not os.path.exists(folder)


@pytest.mark.parametrize("args, wanted", [
    (["--format", "json", "-o", "{out}/r.json"], ("zh", True)),
    (["--lang", "en", "-o", "json:{out}/r.json", "-o", "{out}/r.csv"], ("en", False)),
    (["--format", "csv", "-o", "{out}/r.csv"], (None, False)),
    (["--format", "json", "--split-by", "unit", "-o", "{out}/units/"], (None, False)),
], ids=["json", "json-among-others", "no-json", "json-split-by-unit"])
def test_the_command_asks_for_lines_only_for_a_whole_json_report(monkeypatch, tmp_path, args, wanted):
    from click.testing import CliRunner

    from checker.cli import main
    from checker.run import check as run_module

    asked = []
    real = run_module.run

    def recording(source, options, *rest):
        asked.append((options.report_lines, options.lines_only))
        return real(source, options, *rest)

    monkeypatch.setattr(run_module, "run", recording)
    given = [a.format(out=tmp_path) for a in args]
    done = CliRunner().invoke(main, ["check", str(DEMO), "--profile", "speech", "--as-of", AS_OF.isoformat(), *given])
    assert done.exit_code == 1, done.output
    assert asked == [wanted]


@pytest.mark.parametrize("workers", [2, 1])
def test_findings_kept_only_as_lines_give_the_same_report_and_cannot_be_read_as_findings(tmp_path, workers):
    only_lines = check(workers=workers, report_lines="zh", lines_only=True)
    assert lines_used(only_lines, "zh") and not only_lines.findings.kept
    assert written(only_lines, "zh", tmp_path) == written(check(workers=workers), "zh", tmp_path / "after")
    unit = next(u for u in only_lines.findings.units() if only_lines.findings.unit_summaries(u))
    with pytest.raises(RuntimeError, match="only as the JSON report's lines"):
        only_lines.findings.of_unit(unit)
    with pytest.raises(RuntimeError, match="only as the JSON report's lines"):
        list(only_lines.findings.obligations())
    with pytest.raises(RuntimeError):
        report.build(only_lines, "en")["findings"][0]  # lines in Chinese: English entries would need the findings


def test_marks_read_the_findings_so_they_are_kept_with_lines_only():
    marked = check(workers=2, report_lines="zh", lines_only=True, mark=Marks(WAIVERS, None, False, None, AS_OF))
    assert marked.findings.kept and lines_used(marked, "zh")


def test_a_check_leaves_no_lines_behind_in_the_temporary_folder(tmp_path):
    """The lines folder goes with the finding store: the command does not close it, the end of the
    process does (checker.verdict.report_lines `LineFiles`, a finalizer in the process that made it)."""
    import subprocess
    import sys

    temporary = tmp_path / "tmp"
    temporary.mkdir()
    report = tmp_path / "r.json"
    done = subprocess.run([sys.executable, "-m", "checker.cli", "check", str(DEMO), "--profile", "speech",
                           "--as-of", AS_OF.isoformat(), "--workers", "2", "--format", "json", "-o", str(report)],
                          cwd=ROOT, env={**os.environ, "TMPDIR": str(temporary)}, capture_output=True, timeout=300)
    assert done.returncode == 1, done.stderr.decode("utf-8", "replace")[-2000:]
    assert json.loads(report.read_text(encoding="utf-8"))["findings"]
    assert not list(temporary.iterdir()), f"left behind: {list(temporary.iterdir())}"
