"""What each cross-record pattern (rules/patterns/) costs, on a generated data set.

    python -m bench.patterns_cost [--records 100000] [--repeat 3]

Generates the benchmark's data (`bench.generate`, rate 1 %, one unit per 1,000 records), derives the
facts once with the check's own stages, then times, in this one process:
- the derivation of a unit's facts with and without the cross-record context (checker/facts/context.py);
- the bare engine (create the ruleset, judge every unit, delete it) with each pattern rule alone, with
  all rules, and with all rules but the patterns. A rule alone costs what asserting the record types it
  reads costs (joined types go one fact at a time) plus its own matching; the difference between all
  rules and all but the patterns is what the patterns add to a check.
Fastest of `--repeat` runs each. Prints a Markdown table (docs/rule-format.md quotes it).
"""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
import time
from pathlib import Path

from bench.generate import write_generated

AS_OF = dt.date(2021, 3, 31)
PROFILE = "speech"


def _facts(folder: Path) -> list:
    from checker.run.check import Options, unit_batches

    return [batch for _, batch in unit_batches(folder, Options(None, PROFILE, as_of=AS_OF))]


def _engine_seconds(found: list, batches: list, repeat: int) -> tuple[float, int]:
    from checker.engine.durable import Engine

    best, matches = float("inf"), 0
    for _ in range(repeat):
        started = time.perf_counter()
        with Engine(found) as engine:
            matches = sum(len(engine.judge(batch)) for batch in batches)
        best = min(best, time.perf_counter() - started)
    return best, matches


def _derive_seconds(folder: Path, repeat: int) -> tuple[float, float]:
    from checker.facts import context

    real = context.add
    timings = []
    for add in (real, lambda facts: None):
        context.add = add
        best = float("inf")
        for _ in range(repeat):
            started = time.perf_counter()
            _facts(folder)
            best = min(best, time.perf_counter() - started)
        timings.append(best)
    context.add = real
    return timings[0], timings[1]


def main(argv: list[str] | None = None) -> None:
    from checker.ruleset import matchers as compiler
    from checker.ruleset.catalogue import activate, load_profile, load_rules

    parser = argparse.ArgumentParser(prog="python -m bench.patterns_cost")
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as work:
        folder = Path(work) / "data"
        rows, manifest = write_generated(folder, max(1, args.records // 1000), args.records, 0.01, 20200715)
        with_context, without_context = _derive_seconds(folder, args.repeat)
        batches = _facts(folder)
    facts = sum(len(b.facts) for b in batches)
    active = [a for a in activate(load_rules(), load_profile(PROFILE)) if a.skipped is None]
    patterns = [a for a in active if "/patterns/" in a.rule.file.replace("\\", "/")]
    every, _ = _engine_seconds(compiler.matchers(active), batches, args.repeat)
    others, _ = _engine_seconds(compiler.matchers([a for a in active if a not in patterns]), batches, args.repeat)
    print(f"{rows:,} rows, {facts:,} facts, {len(batches)} units, {len(manifest):,} planted; profile {PROFILE}\n")
    print(f"- derivation of every unit's facts: {with_context:.2f} s, of which the cross-record context "
          f"{with_context - without_context:+.2f} s")
    print(f"- bare engine, all {len(active)} rules: {every:.2f} s; without the {len(patterns)} patterns: "
          f"{others:.2f} s; the patterns add {every - others:+.2f} s ({(every - others) / facts * 1e6:+.2f} µs a fact)\n")
    print("| rule | status | engine alone s | µs a fact | matches |")
    print("|---|---|---:|---:|---:|")
    for active_rule in patterns:
        seconds, matches = _engine_seconds(compiler.matchers([active_rule]), batches, args.repeat)
        print(f"| {active_rule.rule.id} | {active_rule.rule.status} | {seconds:.3f} | {seconds / facts * 1e6:.2f} | "
              f"{matches} |")


if __name__ == "__main__":
    main()
