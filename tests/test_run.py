"""The one run gives the same report whichever source holds the rows: files partitioned by unit on
disk, or the same tables read into memory first — on every input form, with bad input, with
selections, and with a crashing unit."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from checker.cli import main
from checker.data.files import read_all
from checker.data.plain import PlainRecord
from checker.engine.durable import CRASH_UNIT_VARIABLE
from checker.report import build as report
from checker.report.render import render
from checker.run.check import CheckResult, Options, run
from checker.run.partition import partition
from tests.conftest import DEMO, ROOT

AS_OF = dt.date(2020, 7, 20)


def materialized(result) -> dict:
    built = json.loads(render(report.build(result), "json"))
    built["input_errors"].sort(key=lambda e: json.dumps(e, sort_keys=True))
    return built


def check(source, **options) -> CheckResult:
    return run(source, Options(**{"profile": "speech", "as_of": AS_OF, **options}))


def same_report(folder: Path, **options) -> CheckResult:
    memory = check(read_all(folder), isolate=False, **options)  # in this process: the other executor
    streamed = check(folder, **options)
    assert [f.as_dict() for f in streamed.findings] == [f.as_dict() for f in memory.findings]
    assert materialized(streamed) == materialized(memory)  # by_person, obligations, summary, errors too
    assert streamed.span == memory.span
    return streamed


def as_jsonl(source: Path, dest: Path) -> Path:
    """The demo as JSON Lines: the partition pass's fast path (unit and id read without parsing)."""
    dest.mkdir()
    for file in source.glob("*.json"):
        rows = json.loads(file.read_text(encoding="utf-8"))
        text = "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
        (dest / f"{file.stem}.jsonl").write_text(text, encoding="utf-8")
    return dest


@pytest.mark.parametrize("workers", [1, 2])
def test_demo_streamed_equals_in_memory(workers):
    result = same_report(DEMO, workers=workers)
    assert result.findings and not result.not_judged


def test_a_check_of_files_keeps_each_units_coverage_on_disk_until_the_report():
    """A coverage row is a rule × unit (over a million at 10M records): held in the parent they had
    made it the largest process (1.37 GB at 10M); a check of files keeps only each unit's place."""
    streamed, memory = check(DEMO), check(read_all(DEMO), isolate=False)
    assert len(streamed.coverage) == len(memory.coverage) > 1
    assert all(isinstance(place, tuple) for place in streamed.coverage._index.values())
    assert list(streamed.coverage.items()) == list(memory.coverage.items())
    assert [unit for unit, _ in streamed.coverage.items()] == sorted(streamed.units)
    rows = report.build(streamed)["coverage"]
    assert len(rows) == len(list(rows)) == len(list(rows)) > len(streamed.coverage)  # made again, same count


def test_demo_as_json_lines_takes_the_fast_path_and_gives_the_same_report(tmp_path):
    from checker.data.plain import PlainRecord

    folder = as_jsonl(DEMO, tmp_path / "jsonl")
    parts = partition(folder, tmp_path / "spool")
    spooled = [row for unit in parts.spool_rows for _, _, row in parts.rows_of(unit)]
    taken = [row for row in spooled if isinstance(row, PlainRecord)]  # by the columnar path
    assert spooled and all(isinstance(row, str | PlainRecord) for row in spooled), "rows spooled as read, not parsed"
    assert len(taken) > 0.9 * len(spooled)
    assert {r.type for r in parts.registry.records} == {"unit", "person", "vehicle"}, "only registries held"
    assert same_report(folder, workers=2).findings


@pytest.mark.parametrize("case", sorted(p.name for p in (ROOT / "fixtures" / "bad").iterdir() if p.is_dir()))
def test_bad_input_is_reported_alike(case):
    result = same_report(ROOT / "fixtures" / "bad" / case)
    assert result.data.errors


@pytest.mark.parametrize("form", ["csv-gb18030", "宣州市交通运输局2020上半年.xlsx"])
@pytest.mark.parametrize("workers", [1, 2])
def test_other_input_forms(form, workers):
    same_report(ROOT / "fixtures" / "demo-forms" / form, workers=workers)  # 2: CSV files read by helpers


def test_duplicate_ids_within_and_across_units_and_rows_without_a_unit(tmp_path):
    folder = as_jsonl(DEMO, tmp_path / "jsonl")
    lines = (folder / "reception.jsonl").read_text(encoding="utf-8").splitlines()
    first, other_unit = json.loads(lines[0]), next(json.loads(x) for x in lines if json.loads(x)["unit"] !=
                                                   json.loads(lines[0])["unit"])
    moved = {**other_unit, "id": first["id"], "venue": "private_club"}  # the same id in another unit
    again = dict(first)  # the same id in the same unit
    keyed_in_chinese = {("单位" if k == "unit" else k): v for k, v in {**first, "id": "R-ZH-KEYS"}.items()}
    no_unit = {k: v for k, v in {**first, "id": "R-NO-UNIT"}.items() if k != "unit"}
    padded = {("单位" if k == "unit" else k): v for k, v in {**first, "id": "R-PAD", "unit": f" {first['unit']}"}.items()}
    extra = [moved, again, keyed_in_chinese, no_unit, {**first, "id": "R-ESC", "unit": first["unit"]}, padded]
    text = "\n".join(lines + [json.dumps(r, ensure_ascii=True) for r in extra]) + "\n"
    (folder / "reception.jsonl").write_text(text, encoding="utf-8")
    result = same_report(folder, workers=2)
    duplicates = [e for e in result.data.errors if "duplicate" in e.message]
    assert len(duplicates) == 2 and all("first at" in e.message for e in duplicates)
    across, within = sorted(duplicates, key=lambda e: e.row)
    assert "each is judged in its own unit" in across.message and "only the first" in within.message
    judged_again = [f for f in result.findings if f.unit == other_unit["unit"]
                    and first["id"] in {r["id"] for r in f.records}]
    assert judged_again, "the record in the other unit is judged, as the message says"
    missing = [e.row for e in result.data.errors if e.field == "unit" and "missing" in e.message]
    assert missing == [len(lines) + 4]
    unknown = [e.row for e in result.data.errors if e.field == "unit" and "unknown" in e.message]
    assert unknown == [], "ids are compared trimmed (and NFKC-normalised): a padded unit is the unit"


def test_a_duplicate_of_a_row_the_columnar_path_took_in_a_row_it_did_not(tmp_path):
    """The columnar path's ids are hashed and bucketed in bulk, the other rows' one by one: the same
    key either way, or a duplicate between them would go unseen."""
    folder = as_jsonl(DEMO, tmp_path / "jsonl")
    lines = (folder / "reception.jsonl").read_text(encoding="utf-8").splitlines()
    firsts = [json.loads(line) for line in lines[:5]]
    in_chinese = [{("单位" if k == "unit" else k): v for k, v in row.items()} for row in firsts]  # the general path's
    text = "\n".join(lines + [json.dumps(r, ensure_ascii=False) for r in in_chinese]) + "\n"
    (folder / "reception.jsonl").write_text(text, encoding="utf-8")
    parts = partition(folder, tmp_path / "spool")
    taken = {row.id for unit in parts.spool_rows for _, _, row in parts.rows_of(unit) if isinstance(row, PlainRecord)}
    assert {r["id"] for r in firsts} <= taken
    duplicates = sorted(e.row for e in parts.registry.errors if "duplicate" in e.message)
    assert duplicates == list(range(len(lines) + 1, len(lines) + 6))


def test_id_keys_added_in_bulk_by_bucket_are_those_added_one_by_one():
    from checker.data import blocks, columnar
    from checker.run.duplicates import BUCKETS, IdIndex, keys_of

    pl = columnar.load_polars()
    ids = [f"R-{k}" for k in range(2000)]
    taken = pl.DataFrame({"__row": pl.Series(range(1, 2001), dtype=pl.UInt32), "id": ids})
    one_by_one, in_bulk = IdIndex(None), IdIndex(None)
    for row_number, ident in enumerate(ids, 1):
        one_by_one.add("reception", ident, 3, row_number)
    in_bulk.add_by_bucket(*blocks.by_bucket(keys_of("reception", ids), taken, 3, BUCKETS))
    assert any(key < 0 for bucket in in_bulk.hashes for key in bucket)  # buckets of negative keys too
    for bucket in range(BUCKETS):
        assert sorted(zip(one_by_one.hashes[bucket], one_by_one.places[bucket], strict=True)) == \
            sorted(zip(in_bulk.hashes[bucket], in_bulk.places[bucket], strict=True))
    in_bulk.add("reception", "R-7", 4, 1)
    assert in_bulk.repeats() == [(3 << 32 | 8, 4 << 32 | 1)]


def test_only_selected_units_are_judged_but_every_row_is_validated(tmp_path):
    result = same_report(ROOT / "fixtures" / "bad" / "bad_date", units={"JTJ"})
    assert {f.unit for f in result.findings} <= {"JTJ"}
    assert result.data.errors, "the bad row is reported although its unit is not judged"


def test_a_unit_that_crashes_the_engine_is_reported_not_judged_and_the_run_exits_2(monkeypatch, tmp_path):
    monkeypatch.setenv(CRASH_UNIT_VARIABLE, "ZF")  # the engine adapter's fault injection: a real SIGSEGV
    out = tmp_path / "report.json"
    run = CliRunner().invoke(main, ["check", str(DEMO), "--profile", "speech", "--as-of", AS_OF.isoformat(),
                                    "--workers", "2", "--format", "json", "-o", str(out)])
    assert run.exit_code == 2, run.output
    report = json.loads(out.read_text(encoding="utf-8"))
    assert [u["unit"] for u in report["meta"]["units_not_judged"]] == ["ZF"]
    units = {f["unit"] for f in report["findings"]}
    assert "ZF" not in units and {"JTJ", "LQ"} <= units


def test_by_person_turns_every_findings_chain_around():
    """The section is built from counts per unit and read unit by unit; it must equal the plain inversion."""
    built = materialized(check(DEMO, workers=2))
    people: dict[str, dict] = {}
    for finding in built["findings"]:
        for link in finding["responsible"]:
            entry = people.setdefault(link["person"], {"person": link["person"], "name": link.get("name"), "post": link.get("post"),
                                                       "roles": {}, "findings": []})
            entry["roles"][link["role"]] = entry["roles"].get(link["role"], 0) + 1
            entry["findings"].append({"fingerprint": finding["fingerprint"], "rule_id": finding["rule_id"],
                                      "unit": finding["unit"], "severity": finding["severity"], "role": link["role"]})
    expected = sorted(people.values(), key=lambda p: (-len(p["findings"]), p["person"]))
    assert built["by_person"] == expected and len(expected) > 3


def test_the_default_period_is_the_as_of_year_and_no_stray_record_widens_it(tmp_path):
    """Without --period: 1 January of the as-of date's year up to it. A stray 2013 record changes
    nothing (it used to stretch the audit to 2013–2020 and make every unit owe seven years of
    meetings); it is counted as outside the period."""
    folder = as_jsonl(DEMO, tmp_path / "jsonl")
    receptions = (folder / "reception.jsonl").read_text(encoding="utf-8").splitlines()
    stray = {**json.loads(receptions[0]), "id": "REC-STRAY-2013", "date": "2013-05-20"}
    (folder / "reception.jsonl").write_text("\n".join([*receptions, json.dumps(stray, ensure_ascii=False)]) + "\n",
                                            encoding="utf-8")
    memory = check(read_all(folder), as_of=dt.date(2020, 7, 10))
    streamed = check(folder, as_of=dt.date(2020, 7, 10))
    for result in (memory, streamed):
        assert (result.span.start, result.span.end) == (dt.date(2020, 1, 1), dt.date(2020, 7, 10))
        assert result.period_note is None
        assert all(not o["period"].startswith("2013") for _, o in result.findings.obligations())
    assert list(report.build(memory)["coverage"]) == list(report.build(streamed)["coverage"])
    outside = sum(unit["rules"].get("EP-REC-LETTER", {}).get("not_judged", {}).get("outside_period", 0)
                  for unit in streamed.coverage.values())
    assert outside == 1


def test_a_period_with_no_record_is_named_with_a_suggestion_and_nothing_is_owed_in_it():
    """The demo (2020) as of 2021-03-31 without --period: no record in 2021, so the report says so and
    suggests --period 2020, and no unit owes 2021's meetings (missing data is not a missed meeting)."""
    result = check(DEMO, profile="speech", as_of=dt.date(2021, 3, 31))
    assert result.span.label == "2021"
    built = report.build(result)
    assert "--period 2020" in result.period_note and built["meta"]["period"]["note"] == result.period_note
    assert not built["findings"] and not built["leads"]
    assert built["coverage_summary"]["not_judged_by_reason"].get("no_data", 0) > 0
    chosen = check(DEMO, profile="speech", as_of=dt.date(2021, 3, 31), period="2021")  # asked: judged as asked
    assert chosen.period_note and any(o["state"] == "overdue" for _, o in chosen.findings.obligations())


def test_findings_stored_as_packed_equal_findings_marked():
    """Without marks, each unit's findings are stored as the judging process packed them (unread);
    with a mark, they are unpacked, marked and packed again: a mark that changes nothing must leave
    the same report, leads, by-person section and summaries."""
    packed = check(DEMO, workers=2)
    marked = check(DEMO, workers=2, mark=lambda found: found)
    assert packed.findings.lead_count == marked.findings.lead_count
    assert list(packed.findings.summaries()) == list(marked.findings.summaries())
    assert [f.as_dict() for f in packed.findings] == [f.as_dict() for f in marked.findings]
    assert materialized(packed) == materialized(marked)


def test_errors_come_in_one_order_whichever_process_read_their_file(tmp_path):
    """With helpers, the parent checks the registries while the helpers still read the activity files,
    so the registries' errors may be listed before the helpers' (run/partition.py `check_registry`):
    the report's errors are in one order all the same, unsorted here."""
    folder = as_jsonl(DEMO, tmp_path / "jsonl")
    for stem, change in (("person", {"rank": "no_such_rank"}), ("reception", {"date": "2020-13-01"}),
                         ("travel", {"id": None})):
        lines = (folder / f"{stem}.jsonl").read_text(encoding="utf-8").splitlines()
        bad = {**json.loads(lines[1]), **change}
        lines += [lines[0], json.dumps(bad, ensure_ascii=False)]  # a duplicate id, a bad value
        (folder / f"{stem}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    one, two = (json.loads(render(report.build(check(folder, workers=w)), "json")) for w in (1, 2))
    sources = {e["source"] for e in one["input_errors"]}
    assert {"person", "reception", "travel"} <= {Path(s).stem for s in sources}
    assert two["input_errors"] == one["input_errors"]


@pytest.mark.parametrize("isolate", [False, True])
def test_units_are_judged_with_the_collector_quiet_and_the_held_heap_set_aside_then_all_is_restored(isolate):
    """checker/run/heap.py: while units are judged the cyclic collector runs every 50,000 allocations
    and what the run holds is frozen (not walked again, nor written to in forked workers); after the
    run the caller's collector is as it was and nothing stays frozen (the tests run many checks)."""
    import gc

    from checker.run.heap import BATCH_THRESHOLDS

    before = gc.get_threshold()
    seen = []
    check(DEMO, isolate=isolate, progress=lambda *_: seen.append((gc.get_threshold(), gc.get_freeze_count() > 0)))
    assert seen and set(seen) == {(BATCH_THRESHOLDS, True)}
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0


def test_the_report_is_written_with_the_collector_quiet_and_the_result_set_aside(monkeypatch, tmp_path):
    import gc

    import checker.cli.audit as audit
    from checker.run.heap import BATCH_THRESHOLDS

    seen = []
    write = audit.write_report

    def watched(*args, **kwargs):
        seen.append((gc.get_threshold(), gc.get_freeze_count() > 0))
        return write(*args, **kwargs)

    monkeypatch.setattr(audit, "write_report", watched)
    CliRunner().invoke(main, ["check", str(DEMO), "--profile", "speech", "--as-of", "2020-07-20", "--format", "json",
                              "-o", str(tmp_path / "r.json")])
    assert seen == [(BATCH_THRESHOLDS, True)] and (tmp_path / "r.json").stat().st_size > 0
    assert gc.get_freeze_count() == 0


@pytest.mark.parametrize("kill", [False, True])
def test_input_digests_hashed_beside_the_check_are_the_files_sha256(monkeypatch, kill):
    """run/digests.py: a forked process hashes the inputs while units are judged; if it dies, the
    report hashes them itself. Either way the digest is the file's."""
    import hashlib
    import os
    import signal

    from checker.run import digests as digests_module

    monkeypatch.setattr(digests_module, "FORK_FROM_BYTES", 0)
    files = sorted(DEMO.glob("*.json"))
    digests = digests_module.InputDigests.begin(files, workers=2)
    assert digests._process is not None
    if kill:
        os.kill(digests._process.pid, signal.SIGKILL)
        digests._process.join()
    assert [digests.of(f) for f in files] == [hashlib.sha256(f.read_bytes()).hexdigest() for f in files]
    assert digests_module.InputDigests.begin(files, workers=1)._process is None
