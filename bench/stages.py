"""Where the time of one `lianjian check` goes: each pipeline stage timed, then a cProfile of the run.

    python -m bench.stages FOLDER [--period 2020] [--rules DIR] [--no-profile] [--profile-out FILE] [--top 25]

Stages are timed with the run's own functions, in the order `checker.run.check.run` calls them,
in one process. The cProfile pass runs the check itself in this process (`isolate=False`: the
`check` command judges in a worker process, where a profiler here would not see the work), then
builds and renders the JSON report.
Prints one JSON line: `stages` (CPU seconds of this process by stage, added up over units: on this
machine's shared cores wall time also counts the neighbours' work), `wall` (the same in wall
seconds), `records` (rows of the data set: registries and activity), `findings`, `facts` and, unless
--no-profile, `profile`; bench/run.py turns them into µs per record and per finding. The JSON report
is written to /dev/null as `lianjian check -o /dev/null` writes it (rendered as it is written).
Pass --period: the check's default audit period is the calendar year of --as-of, which is not the
year the generated data is dated in.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import gc
import io
import json
import os
import pstats
import sys
import time
from pathlib import Path
from typing import Any

AS_OF = dt.date(2021, 3, 31)
PROFILE = "speech"
PERIOD = "2020"  # the year bench.generate dates its records in (the default period would be 2021's, up to AS_OF)


def stage_times(folder: Path, rules_dir: Path | None, period: str | None) -> dict[str, Any]:
    """The one run's stages, timed in this process: the partition pass, then per unit (added up over
    units) validation, derivation (facts and obligations), the engine and the findings, then the
    report built and rendered as JSON (its findings' lines written as each unit is judged, as the
    check does for a JSON report: checker.verdict.report_lines). Not here: passing units and findings between processes (the
    check's workers pickle them), which only the end-to-end run pays."""
    import tempfile

    from checker.engine import make_evaluator
    from checker.facts.audit_period import audit_period
    from checker.report import build as report
    from checker.ruleset.matchers import matchers
    from checker.run.check import CheckResult, Options, active_rules, unit_name
    from checker.run.partition import partition
    from checker.run.unit import context_of, derive_unit, validate_unit
    from checker.verdict import coverage, findings
    from checker.verdict.report_lines import LineFiles
    from checker.verdict.responsibility import Responsibility
    from checker.verdict.store import FindingStore

    times: dict[str, float] = {}
    wall: dict[str, float] = {}

    def timed(name, fn, *args):
        started, cpu = time.perf_counter(), time.process_time()
        value = fn(*args)
        times[name] = times.get(name, 0.0) + time.process_time() - cpu
        wall[name] = wall.get(name, 0.0) + time.perf_counter() - started
        return value

    active, chain = timed("rules (load + activate)", active_rules, Options(rules_dir, PROFILE, as_of=AS_OF))
    found = timed("compile matchers", matchers, active)
    with tempfile.TemporaryDirectory(prefix="lianjian-stages-") as spool:
        parts = timed("partition (read, route, registries, duplicates)", partition, folder, Path(spool))
        span, _ = audit_period(period, AS_OF)
        context = timed("unit context (lookups)", context_of, parts, active, span, AS_OF)
        # as `lianjian check --format json` does: each unit's report lines written as it is judged
        store = FindingStore(context.by_id, lines=LineFiles("zh", {p.id: p.title.model_dump() for p in chain}))
        responsibility = Responsibility(parts.registry)
        records, facts = len(parts.registry.records), 0
        with make_evaluator("durable", found) as engine:
            for unit in dict.fromkeys([*context.registry_of, *parts.spool_rows]):
                loaded, _, activity = timed("validate (pydantic, references)", validate_unit, context, unit,
                                            parts.rows_of(unit))
                records += activity
                batch = timed("derive facts and obligations", derive_unit, context, unit, loaded)
                facts += len(batch.facts)
                matches = timed("engine (screen, then durable-rules, 1 process)", engine.judge, batch)
                built = timed("findings", findings.build_unit, matches, batch, context.by_id,
                              context.lookups.units.get(batch.unit))
                chain_of = responsibility.chain(unit)
                final = timed("findings", findings.finish, [f.with_rule(f.rule, chain_of) for f in built])
                lines = timed("report lines", store.lines.write, final, unit_name(context, unit), unit,
                              batch.obligations) if final or batch.obligations else None
                store.add(unit, final, batch.obligations, chain_of, lines)
                timed("coverage (rule × record judged or not)", coverage.unit_coverage, context.coverage_plans, batch,
                      context.lookups.units.get(batch.unit))
    result = CheckResult(parts.registry, active, chain, span, AS_OF, store, {}, records)
    document = timed("report", report.build, result, "zh", rules_dir)
    timed("render json", write_json, document)
    store.close()
    return {"stages": times, "wall": wall, "records": records, "findings": len(store), "facts": facts}


def write_json(document: dict[str, Any]) -> None:
    """The JSON report rendered as the CLI writes it to a file (streamed), into /dev/null."""
    from checker.report.render import write

    with open(os.devnull, "w", encoding="utf-8") as handle:
        write(document, "json", handle, "zh")


def profile_cli(folder: Path, rules_dir: Path | None, period: str | None, out: Path | None, top: int) -> str:
    from checker.report import build as report
    from checker.run.check import Options, run

    profiler = cProfile.Profile()
    profiler.enable()
    result = run(folder, Options(rules_dir, PROFILE, period=period, as_of=AS_OF, isolate=False))
    write_json(report.build(result, "zh", rules_dir))
    profiler.disable()
    if out:
        profiler.dump_stats(str(out))
    text = io.StringIO()
    stats = pstats.Stats(profiler, stream=text)
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)
    return text.getvalue()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.stages")
    parser.add_argument("folder", type=Path)
    parser.add_argument("--rules", type=Path)
    parser.add_argument("--period", help="the audit period (--period of lianjian check)")
    parser.add_argument("--no-profile", action="store_true", help="only the stage times, no cProfile pass")
    parser.add_argument("--profile-out", type=Path)
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args(argv)
    from checker.cli import GC_THRESHOLDS

    gc.set_threshold(*GC_THRESHOLDS)  # as the `lianjian` command runs
    report = stage_times(args.folder, args.rules, args.period)
    if not args.no_profile:
        report["profile"] = profile_cli(args.folder, args.rules, args.period, args.profile_out, args.top)
    json.dump(report, sys.stdout, ensure_ascii=False)
    print()


if __name__ == "__main__":
    main()
