"""Where the time of one `lianjian check` goes: each pipeline stage timed, then a cProfile of the run.

    python -m bench.stages FOLDER [--rules DIR] [--profile-out FILE] [--top 25]

Stages are timed with the pipeline's own functions, in the order `checker.run.pipeline.run_check` and
the `check` command call them (single process: the engine stage here is `engine.evaluate`). The
cProfile pass runs the `check` command itself (`--format json -o /dev/null`) in this process.
Prints one JSON line.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import io
import json
import pstats
import sys
import time
from pathlib import Path

AS_OF = dt.date(2021, 3, 31)
PROFILE = "speech"


def stage_times(folder: Path, rules_dir: Path | None) -> dict[str, float]:
    from checker.data import validate
    from checker.data.load import load_path
    from checker.engine import durable as engine
    from checker.facts import derive, obligations
    from checker.facts.audit_period import data_span
    from checker.report import build as report
    from checker.report.render import render
    from checker.ruleset import matchers as compiler
    from checker.ruleset.catalogue import activate, load_profile, load_rules
    from checker.run.pipeline import CheckResult
    from checker.verdict import findings

    times: dict[str, float] = {}

    def timed(name, fn, *args):
        started = time.perf_counter()
        value = fn(*args)
        times[name] = time.perf_counter() - started
        return value

    data = timed("load (read + parse + pydantic)", load_path, folder)
    data = timed("validate (cross-record)", validate.check, data)
    chain = load_profile(PROFILE, rules_dir)
    active = timed("rules (load + activate)", lambda: activate(load_rules(rules_dir), chain))
    span = data_span(data, AS_OF)
    batches = timed("derive facts", derive.batches, data, AS_OF, span, None)
    timed("obligations", obligations.add_obligations, batches, data, active, span, AS_OF)
    found = timed("compile matchers", compiler.matchers, active)
    matches = timed("engine (durable-rules, 1 process)", engine.evaluate, found, list(batches.values()))
    by_id = {r.rule.id: r for r in active}
    result = CheckResult(data, active, chain, span, AS_OF, batches, inputs=data.inputs)
    result.findings = timed("findings", findings.build, matches, batches, by_id, data)
    built = timed("report", report.build, result, "zh", rules_dir)
    timed("render json", render, built, "json", "zh")
    times["findings_count"] = len(result.findings)
    return times


def profile_cli(folder: Path, rules_dir: Path | None, out: Path | None, top: int) -> str:
    from checker.cli import main

    args = [str(folder), "--profile", PROFILE, "--as-of", AS_OF.isoformat(), "--format", "json", "-o", "/dev/null",
            "--fail-on", "never", "--workers", "1"]
    if rules_dir:
        args += ["--rules", str(rules_dir)]
    profiler = cProfile.Profile()
    profiler.enable()
    try:
        main(["check", *args], standalone_mode=False)
    except SystemExit:
        pass
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
    parser.add_argument("--profile-out", type=Path)
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args(argv)
    times = stage_times(args.folder, args.rules)
    profile = profile_cli(args.folder, args.rules, args.profile_out, args.top)
    json.dump({"stages": times, "profile": profile}, sys.stdout, ensure_ascii=False)
    print()


if __name__ == "__main__":
    main()
