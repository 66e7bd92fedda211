"""The facts and the durable-rules side of the peer comparison (runs in the project's venv).

    python -m bench.peers.facts export FOLDER FACTS.json [--period P] [--rules DIR]  # untimed: the check's stages
    python -m bench.peers.facts tables TABLES.json [--period P] [--rules DIR]        # the same, without the facts
    python -m bench.peers.facts durable FACTS.json                       # timed: durable-rules, five rules
    python -m bench.peers.facts reference FACTS.json                     # checker.engine.reference's answer

`export` runs the check's own stages (checker.run.check.unit_batches: partition → validate → derive →
obligations) on FOLDER under the audit period --period, keeps the facts of the record types the five
rules read (only the fields they read) per unit, and writes them with the tables the peers take
every number from instead of copying it: the five rules' parameter values under profile `speech`
and their editions (day numbers; no rule tests them since matching no longer reads `day`), the audit period, the rank levels (checker.facts.derive) and the
statutory holidays of the period's years (the project's chinesecalendar, which the peers' venv does
not have). `tables` writes only those tables: what DuckDB's SQL over the raw files reads.

`durable` compiles only the five rules (untimed), loads the facts and times what bench/engine_only.py
times: create_ruleset, one session per unit (assert, drain, sentinel, delete) and delete_ruleset.
Both print one JSON line; matches are `[rule_id, unit, record id, ...]` (ids in alias order).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import sys
import time
from pathlib import Path
from typing import Any

AS_OF = dt.date(2021, 3, 31)
PROFILE = "speech"
RULES = ("EP-REC-LETTER", "EP-REC-ESCORTS", "EP-TRV-SEAT", "EP-TRV-OVERLAP", "EP-VEH-FUEL-HOLIDAY")
# The peers translate these rules by hand. If a rule file changes shape (another alternative, a new
# field), the translation is stale: refuse rather than compare engines on different rules.
# No rule reads `day`: the edition that applies is decided after matching, for every match, so the
# engine (and each peer) reports a match whatever the record's day.
SHAPE: dict[str, tuple[int, int, frozenset[str]]] = {  # alternatives, parts, fields read
    "EP-REC-LETTER": (1, 1, frozenset({"t", "official_letter"})),
    "EP-REC-ESCORTS": (2, 1, frozenset({"t", "guests", "escorts"})),
    "EP-TRV-SEAT": (2, 1, frozenset({"t", "person_rank_level", "seat_class"})),
    "EP-TRV-OVERLAP": (1, 2, frozenset({"t", "rid", "person", "depart", "return"})),
    "EP-VEH-FUEL-HOLIDAY": (1, 1, frozenset({"t", "statutory_holiday", "vehicle_on_duty"})),
}


def five_matchers(rules_dir: Path | None) -> list:
    from checker.ruleset import conditions as expr
    from checker.ruleset import matchers as compiler
    from checker.ruleset.catalogue import activate, load_profile, load_rules

    found = [m for m in compiler.matchers(activate(load_rules(rules_dir), load_profile(PROFILE, rules_dir)))
             if m.id in RULES]
    if sorted(m.id for m in found) != sorted(RULES):
        raise SystemExit(f"not all of {RULES} are active under profile {PROFILE!r}")
    for m in found:
        parts = {len(a.parts) for a in m.alternatives}
        fields = frozenset(name for a in m.alternatives for p in a.parts for c in p.conditions
                           for _, name in expr.fields_of(c))
        if (len(m.alternatives), max(parts), fields) != SHAPE[m.id] or any(a.unless for a in m.alternatives):
            raise SystemExit(f"{m.id} changed shape ({len(m.alternatives)} alternatives, fields {sorted(fields)}): "
                             "bench/peers/clips_peer.py and zen_peer.py translate the old one; update them and SHAPE")
    return found


def _day(value: dt.date | None) -> int | None:
    return value.toordinal() if value else None


def parameters(found: list) -> dict[str, Any]:
    """Per rule: its parameter values under the profile and its edition as day numbers."""
    return {m.id: {"values": m.rule.values, "valid_from": _day(m.rule.rule.citation.valid_from),
                   "valid_to": _day(m.rule.rule.citation.valid_to)} for m in found}


def tables(rules_dir: Path | None, period: str | None) -> dict[str, Any]:
    """What the peers read besides the facts: parameters and editions, the audit period, rank levels,
    statutory holidays (ISO dates) of the period's years."""
    from checker.facts.by_type import RANK_LEVEL
    from checker.facts.periods import is_statutory_holiday, parse_period

    span = parse_period(period or str(AS_OF.year))
    first, last = dt.date(span.start.year, 1, 1), dt.date(span.end.year, 12, 31)
    days = (first + dt.timedelta(days=i) for i in range((last - first).days + 1))
    return {"profile": PROFILE, "as_of": AS_OF.isoformat(), "rules_dir": str(rules_dir) if rules_dir else None,
            "rules": list(RULES), "parameters": parameters(five_matchers(rules_dir)),
            "period": {"start": span.start.isoformat(), "end": span.end.isoformat(), "label": span.label},
            "rank_level": RANK_LEVEL, "statutory_holidays": [d.isoformat() for d in days if is_statutory_holiday(d)]}


def export(folder: Path, out: Path, rules_dir: Path | None, period: str | None = None) -> dict[str, Any]:
    from checker.run.check import Options, unit_batches

    found = five_matchers(rules_dir)
    types = {p.record for m in found for a in m.alternatives for p in a.parts}
    fields = sorted({"rid"}.union(*(f for _, _, f in SHAPE.values())))  # rid: every match names its records
    units = []
    records = 0
    # Without --period, the calendar year of the as-of date, as the tables say (and the check will).
    options = Options(rules_dir, PROFILE, period=period or str(AS_OF.year), as_of=AS_OF)
    for _, batch in unit_batches(folder, options):
        records += len(batch.origin)
        facts = [{k: f[k] for k in fields if k in f} for f in batch.facts if f["t"] in types]
        if facts:
            units.append([batch.unit, facts])
    document = {**tables(rules_dir, period), "folder": str(folder), "records": records, "fields": fields,
                "units": units}
    out.write_text(json.dumps(document, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    return {"records": records, "facts": sum(len(f) for _, f in units), "units": len(units),
            "types": sorted(types)}


def durable(facts_file: Path) -> dict[str, Any]:
    from importlib.metadata import version

    from checker.engine.durable import Engine
    from checker.facts.derive import UnitBatch

    data = json.loads(facts_file.read_text(encoding="utf-8"))
    found = five_matchers(Path(data["rules_dir"]) if data["rules_dir"] else None)
    batches = [UnitBatch(unit, facts) for unit, facts in data["units"]]
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started, cpu_started = time.perf_counter(), time.process_time()
    per_unit = []
    with Engine(found, screen=False) as engine:  # every fact, as the peers are given: the engines compared, not our screen
        for batch in batches:
            per_unit.append((batch.unit, engine.judge(batch)))
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    matches = sorted([m.rule_id, unit, *(rid for _, _, rid in m.records)] for unit, found_ in per_unit
                     for m in found_)
    return {"engine": "durable-rules", "version": version("durable_rules"), "seconds": seconds, "cpu_seconds": cpu_seconds,
            "facts": sum(len(b.facts) for b in batches), "units": len(batches), "matches": matches,
            "rss_before_kb": rss_before, "peak_rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
            "timed": "create_ruleset; per unit: field selection, to_json, assert_fact(s), drain actions, "
                     "sentinel, delete_state; delete_ruleset"}


def reference(facts_file: Path) -> dict[str, Any]:
    """The project's plain-Python evaluator on the same facts: the expected answer, untimed."""
    from checker.engine import reference as ref
    from checker.facts.derive import UnitBatch

    data = json.loads(facts_file.read_text(encoding="utf-8"))
    found = five_matchers(Path(data["rules_dir"]) if data["rules_dir"] else None)
    by_unit = ref.evaluate(found, [UnitBatch(unit, facts) for unit, facts in data["units"]])
    return {"engine": "reference", "matches": sorted([m.rule_id, unit, *(rid for _, _, rid in m.records)]
                                                     for unit, found_ in by_unit.items() for m in found_)}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.peers.facts")
    sub = parser.add_subparsers(dest="command", required=True)
    e = sub.add_parser("export")
    e.add_argument("folder", type=Path)
    e.add_argument("out", type=Path)
    t = sub.add_parser("tables")
    t.add_argument("out", type=Path)
    for command in (e, t):
        command.add_argument("--rules", type=Path)
        command.add_argument("--period", help="the audit period, as lianjian check --period (default: the as-of year)")
    for name in ("durable", "reference"):
        sub.add_parser(name).add_argument("facts", type=Path)
    args = parser.parse_args(argv)
    if args.command == "export":
        report = export(args.folder, args.out, args.rules, args.period)
    elif args.command == "tables":
        document = tables(args.rules, args.period)
        args.out.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
        report = {"statutory_holidays": len(document["statutory_holidays"]), "period": document["period"]}
    else:
        report = durable(args.facts) if args.command == "durable" else reference(args.facts)
    json.dump(report, sys.stdout, ensure_ascii=False)
    print()


if __name__ == "__main__":
    main()
