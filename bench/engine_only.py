"""The bare engine on the same compiled rules and the same facts as `lianjian check`.

    python -m bench.engine_only prepare FOLDER FACTS.pickle [--rules DIR]   # untimed: load, validate, derive
    python -m bench.engine_only judge FACTS.pickle [--rules DIR]            # timed: the engine calls only

`prepare` runs the pipeline's own stages (checker.pipeline.prepare: load → validate → derive →
obligations) and pickles each unit's facts. `judge` (a fresh process, so its peak RSS is the facts
and the engine, not the pydantic records) compiles the rules, unpickles the facts, and then times
only `Engine(found)` (create_ruleset), `Engine.judge` for every unit (assert each fact in the unit's
session, drain the actions, fire the sentinel, delete the session) and `close()` (delete_ruleset).
It prints one JSON line.
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


def prepare(folder: Path, out: Path, rules_dir: Path | None) -> dict:
    from checker import pipeline

    result = pipeline.prepare(folder, rules_dir, PROFILE, None, AS_OF)
    units = [(b.unit, b.facts) for b in result.batches.values()]
    with out.open("wb") as handle:
        pickle.dump({"records": len(result.data.records), "units": units}, handle, protocol=pickle.HIGHEST_PROTOCOL)
    return {"records": len(result.data.records), "facts": sum(len(f) for _, f in units), "units": len(units),
            "errors": len(result.data.errors)}


def judge(facts_file: Path, rules_dir: Path | None) -> dict:
    from checker import compile as compiler
    from checker.derive import UnitBatch
    from checker.engine import Engine
    from checker.rules import activate, load_profile, load_rules

    found = compiler.matchers(activate(load_rules(rules_dir), load_profile(PROFILE, rules_dir)))
    with facts_file.open("rb") as handle:
        data = pickle.load(handle)
    batches = [UnitBatch(unit, facts) for unit, facts in data["units"]]
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    matches = 0
    with Engine(found) as engine:
        for batch in batches:
            matches += len(engine.judge(batch))
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "records": data["records"], "facts": sum(len(b.facts) for b in batches),
            "units": len(batches), "matches": matches, "engine_rules": len(found),
            "rss_before_kb": rss_before, "peak_rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.engine_only")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("prepare")
    p.add_argument("folder", type=Path)
    p.add_argument("out", type=Path)
    p.add_argument("--rules", type=Path)
    j = sub.add_parser("judge")
    j.add_argument("facts", type=Path)
    j.add_argument("--rules", type=Path)
    args = parser.parse_args(argv)
    if args.command == "prepare":
        report = prepare(args.folder, args.out, args.rules)
    else:
        report = judge(args.facts, args.rules)
    json.dump(report, sys.stdout)
    print()


if __name__ == "__main__":
    main()
