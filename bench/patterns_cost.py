"""What each cross-record pattern (rules/patterns/) costs, on a generated data set.

    python -m bench.patterns_cost [--records 100000] [--repeat 3]

Generates the benchmark's data (`bench.generate`, rate 1 %, one unit per 1,000 records), derives the
facts once with the check's own stages, then times, in this one process:
- the derivation of the units' facts, and the part of it spent in the cross-record context
  (checker/facts/context.py);
- the bare engine (create the ruleset, judge every unit, delete it) with each pattern rule alone, with
  all rules, and with all rules but the patterns. A rule alone costs what asserting the record types it
  reads costs (joined types go one fact at a time) plus its own matching; the difference between all
  rules and all but the patterns is what the patterns add to a check.
CPU seconds of this process (the engine never releases the GIL, so it is all here; other programs on the
machine count much less than in wall time), fastest of `--repeat` runs each. Prints a Markdown table
(docs/rule-format.md quotes it).
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
        started = time.process_time()
        with Engine(found) as engine:
            matches = sum(len(engine.judge(batch)) for batch in batches)
        best = min(best, time.process_time() - started)
    return best, matches


class _Timed:
    """A function that adds up the CPU time spent in it."""

    def __init__(self, function):
        self.function, self.seconds = function, 0.0

    def __call__(self, *args, **kwargs):
        started = time.process_time()
        try:
            return self.function(*args, **kwargs)
        finally:
            self.seconds += time.process_time() - started


def _derive_seconds(folder: Path, repeat: int) -> tuple[float, float]:
    """(deriving every unit's facts, of which the cross-record context), fastest of `repeat`."""
    from checker.facts import context, derive

    real_batch, real_add = derive.unit_batch, context.add
    best = (float("inf"), 0.0)
    for _ in range(repeat):
        derive.unit_batch, context.add = _Timed(real_batch), _Timed(real_add)
        try:
            _facts(folder)
            best = min(best, (derive.unit_batch.seconds, context.add.seconds))
        finally:
            derive.unit_batch, context.add = real_batch, real_add
    return best


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
        deriving, in_context = _derive_seconds(folder, args.repeat)
        batches = _facts(folder)
    facts = sum(len(b.facts) for b in batches)
    active = [a for a in activate(load_rules(), load_profile(PROFILE)) if a.skipped is None]
    patterns = [a for a in active if Path(a.rule.file).parent.name == "patterns"]
    every, _ = _engine_seconds(compiler.matchers(active), batches, args.repeat)
    others, _ = _engine_seconds(compiler.matchers([a for a in active if a not in patterns]), batches, args.repeat)
    print(f"{rows:,} rows, {facts:,} facts, {len(batches)} units, {len(manifest):,} planted; profile {PROFILE}\n")
    print(f"- deriving every unit's facts (derive.unit_batch): {deriving:.2f} s, of which the cross-record "
          f"context (checker/facts/context.py) {in_context:.2f} s ({in_context / facts * 1e6:.2f} µs a fact)")
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
