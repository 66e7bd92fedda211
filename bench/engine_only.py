"""The bare engine on the same compiled rules and the same facts as `lianjian check`.

    python -m bench.engine_only prepare FOLDER FACTS.pickle [--period P] [--rules DIR]   # untimed: partition, validate, derive
    python -m bench.engine_only judge FACTS.pickle [--rules DIR]            # timed: the engine calls only

`prepare` runs the check's own stages unit by unit (checker.run.check.unit_batches: partition, then
validate → derive → obligations, under --period as `lianjian check --period` would) and appends each unit's facts to the pickle file, one unit at a
time, so any size fits in memory. `judge` (a fresh process) compiles the rules and reads the units
back one at a time; only `Engine(found)` (create_ruleset), `Engine.judge` for every unit (assert its
facts in the unit's session, drain the actions, fire the sentinel, delete the session) and `close()`
(delete_ruleset) are timed. One process: the figure to compare with the end-to-end time is this
divided by the end-to-end run's workers. It prints one JSON line. The engine is sent every fact a rule
reads, as before the check's screen (checker.engine.screen) left out those no rule can bind: this is
durable-rules' own cost on the facts, the yardstick the targets name.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import pickle
import resource
import sys
import time
from pathlib import Path

AS_OF = dt.date(2021, 3, 31)
PROFILE = "speech"


def prepare(folder: Path, out: Path, rules_dir: Path | None, period: str | None = None) -> dict:
    from checker.run.check import Options, unit_batches

    facts = units = 0
    with out.open("wb") as handle:
        for _, batch in unit_batches(folder, Options(rules_dir, PROFILE, period=period, as_of=AS_OF)):
            units, facts = units + 1, facts + len(batch.facts)
            pickle.dump((batch.unit, batch.facts), handle, protocol=pickle.HIGHEST_PROTOCOL)
    return {"facts": facts, "units": units}


def judge(facts_file: Path, rules_dir: Path | None) -> dict:
    from checker.engine.durable import Engine
    from checker.facts.derive import UnitBatch
    from checker.ruleset import matchers as compiler
    from checker.ruleset.catalogue import activate, load_profile, load_rules
    from checker.run.spool import read_pickles

    found = compiler.matchers(activate(load_rules(rules_dir), load_profile(PROFILE, rules_dir)))
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    seconds = cpu = 0.0  # wall and CPU seconds of the engine calls (CPU: steadier on shared cores)
    matches = facts = units = 0

    def timed(call, *args):
        nonlocal seconds, cpu
        started, cpu_started = time.perf_counter(), time.process_time()
        value = call(*args)
        seconds += time.perf_counter() - started
        cpu += time.process_time() - cpu_started
        return value

    engine = timed(Engine, found, False)  # screen=False: every fact, see above
    for unit, unit_facts in read_pickles(facts_file):
        matches += len(timed(engine.judge, UnitBatch(unit, unit_facts)))
        facts, units = facts + len(unit_facts), units + 1
    timed(engine.close)
    return {"seconds": seconds, "cpu_seconds": cpu, "facts": facts, "units": units, "matches": matches,
            "engine_rules": len(found), "rss_before_kb": rss_before,
            "peak_rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.engine_only")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("prepare")
    p.add_argument("folder", type=Path)
    p.add_argument("out", type=Path)
    p.add_argument("--rules", type=Path)
    p.add_argument("--period", help="the audit period (--period of lianjian check)")
    j = sub.add_parser("judge")
    j.add_argument("facts", type=Path)
    j.add_argument("--rules", type=Path)
    args = parser.parse_args(argv)
    if args.command == "prepare":
        report = prepare(args.folder, args.out, args.rules, args.period)
    else:
        report = judge(args.facts, args.rules)
    json.dump(report, sys.stdout)
    print()


if __name__ == "__main__":
    main()
