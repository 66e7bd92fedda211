"""The five-rule subset as a GoRules JDM graph on zen-engine; run with the peers' venv, not the project's.

    /tmp/lianjian-peers/bin/python bench/peers/zen_peer.py FACTS.json [--mode unit|fact]

FACTS.json comes from `python -m bench.peers.facts export`. The graph has two decision tables (hit
policy `collect`, one row per alternative of a compiled rule, parameter values taken from FACTS.json;
no row tests the record's day: the checker decides the applicable edition after matching): `records`
for the single-record rules, `pairs` for EP-TRV-OVERLAP.

The join. JDM evaluates a table against one input at a time and has no join; zen's expression
language cannot reach the outer item from a nested closure, and it cannot order strings ('a' < 'b' is a
"Compare: Unsupported type" error). So the join is split: Python, inside the timed part, forms the
candidate pairs — trips of the same person (a hash join on `person`), ordered so that a.rid < b.rid —
and zen evaluates each pair {a, b} against the rule's remaining conditions (presence, a.person ==
b.person again, the two interval comparisons). Pairs with equal ids are never formed.

Semantics: a missing field is null in zen and a comparison with null does not match, as in
checker/expr.py. `guests / 3` is decimal in zen; the engine truncates integer division, so the cell is
`trunc(guests / 3)` (guests is an integer count in checker/models.py).

--mode unit (default): one evaluate per unit, the tables in `loop` mode over the unit's facts and pairs
(like one engine session per unit). --mode fact: one evaluate per fact and per pair (single mode).
Timed: forming the pairs, building each context (json.dumps in unit mode), evaluate, collecting the hits. Not timed:
reading FACTS.json, create_decision. Prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from importlib.metadata import version
from itertools import combinations
from pathlib import Path
from typing import Any

import zen

RECORD_COLUMNS = ("t", "official_letter", "guests", "escorts", "person_rank_level", "seat_class",
                  "statutory_holiday", "vehicle_on_duty")
PAIR_COLUMNS = ("a.rid", "a.person", "a.depart", "a.return", "b.person", "b.depart", "b.return")


def _table(node_id: str, columns: tuple[str, ...], outputs: dict[str, str], rows: list[tuple[dict, str]],
           loop_over: str | None) -> dict[str, Any]:
    """A collect table; each row is ({column: unary cell}, rule id). Empty cells match anything."""
    content: dict[str, Any] = {
        "hitPolicy": "collect", "passThrough": False,
        "inputs": [{"id": f"i{n}", "name": c, "field": c} for n, c in enumerate(columns)],
        "outputs": [{"id": "o_rule", "name": "rule", "field": "rule"},
                    *({"id": f"o_{k}", "name": k, "field": k} for k in outputs)],
        "rules": [{"_id": f"{node_id}{n}", **{f"i{i}": cells.get(c, "") for i, c in enumerate(columns)},
                   "o_rule": json.dumps(rule_id), **{f"o_{k}": v for k, v in outputs.items()}}
                  for n, (cells, rule_id) in enumerate(rows)]}
    if loop_over:
        content.update(executionMode="loop", inputField=loop_over, outputPath=f"{loop_over}_hits")
    return {"id": node_id, "name": node_id, "type": "decisionTableNode", "content": content}


def tables(params: dict[str, dict[str, Any]], loop: bool) -> tuple[dict, dict]:
    escorts, seat = params["EP-REC-ESCORTS"], params["EP-TRV-SEAT"]
    small, cap, ratio = (escorts["values"][k] for k in ("small_group", "small_group_escorts", "large_group_ratio"))
    reception = {"t": '"reception"'}
    rows = [({**reception, "official_letter": "== null"}, "EP-REC-LETTER"),
            ({**reception, "guests": f"<= {small}", "escorts": f"> {cap}"}, "EP-REC-ESCORTS"),
            ({**reception, "guests": f"> {small}",
              "escorts": f"> trunc(guests / {ratio})"}, "EP-REC-ESCORTS")]
    # a row banning no seat never matches (no compiled alternative); its empty cell would match any seat
    for row in (r for r in seat["values"]["seat_limits"] if r["banned"]):
        rows.append(({"t": '"travel"', "person_rank_level": f"[{row['min_level']}..{row['max_level']}]",
                      "seat_class": ", ".join(json.dumps(s) for s in row["banned"])}, "EP-TRV-SEAT"))
    # `false` matches only the boolean false, not null: vehicle_on_duty must be present
    rows.append(({"t": '"fuel"', "statutory_holiday": "true", "vehicle_on_duty": "false"}, "EP-VEH-FUEL-HOLIDAY"))
    pair = ({"a.rid": "!= null", "a.person": "!= null", "a.depart": "!= null", "a.return": "!= null",
             "b.person": "== a.person", "b.depart": "<= a.return", "b.return": ">= a.depart"},
            "EP-TRV-OVERLAP")
    return (_table("records", RECORD_COLUMNS, {"rid": "rid"}, rows, "facts" if loop else None),
            _table("pairs", PAIR_COLUMNS, {"a": "a.rid", "b": "b.rid"}, [pair], "pairs" if loop else None))


def _graph(*nodes: dict) -> str:
    edges = []
    for node in nodes:
        edges += [{"id": f"in-{node['id']}", "sourceId": "in", "targetId": node["id"]},
                  {"id": f"{node['id']}-out", "sourceId": node["id"], "targetId": "out"}]
    return json.dumps({"nodes": [{"id": "in", "name": "request", "type": "inputNode"}, *nodes,
                                 {"id": "out", "name": "response", "type": "outputNode"}], "edges": edges})


def candidate_pairs(facts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    by_person: dict[Any, list[dict[str, Any]]] = {}
    for fact in facts:
        if fact["t"] == "travel" and fact.get("person") is not None and fact.get("rid") is not None:
            by_person.setdefault(fact["person"], []).append(fact)
    pairs = []
    for trips in by_person.values():
        trips.sort(key=lambda f: f["rid"])
        pairs += [{"a": a, "b": b} for a, b in combinations(trips, 2) if a["rid"] < b["rid"]]
    return pairs


def run(facts_file: Path, mode: str) -> dict[str, Any]:
    data = json.loads(facts_file.read_text(encoding="utf-8"))
    engine = zen.ZenEngine()
    records, pairs_table = tables(data["parameters"], loop=mode == "unit")
    if mode == "unit":
        decision = engine.create_decision(_graph(records, pairs_table))
    else:
        one, two = engine.create_decision(_graph(records)), engine.create_decision(_graph(pairs_table))
    hits: list[list[str]] = []
    candidates = 0
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started, cpu_started = time.perf_counter(), time.process_time()
    for unit, facts in data["units"]:
        pairs = candidate_pairs(facts)
        candidates += len(pairs)
        if mode == "unit":
            result = decision.evaluate(json.dumps({"facts": facts, "pairs": pairs}, ensure_ascii=False))["result"]
            found = [h for per_fact in result["facts_hits"] for h in per_fact]
            found += [h for per_pair in result["pairs_hits"] for h in per_pair]
        else:
            # dict contexts here: per call, zen converts a dict faster than it parses a JSON string
            found = [h for fact in facts for h in one.evaluate(fact)["result"]]
            found += [h for pair in pairs for h in two.evaluate(pair)["result"]]
        hits += [[h["rule"], unit, h["rid"]] if "rid" in h else [h["rule"], unit, h["a"], h["b"]] for h in found]
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    return {"engine": "zen-engine", "version": f"zen-engine {version('zen-engine')}", "mode": mode,
            "seconds": seconds, "cpu_seconds": cpu_seconds, "facts": sum(len(f) for _, f in data["units"]), "units": len(data["units"]),
            "candidate_pairs": candidates, "matches": sorted(hits), "rss_before_kb": rss_before,
            "peak_rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
            "timed": f"per unit: candidate pairs in Python (same person, a.rid < b.rid), json.dumps, evaluate "
                     f"({'1 call per unit, tables in loop mode' if mode == 'unit' else '1 call per fact and pair'}), "
                     "collect hits"}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="zen_peer.py")
    parser.add_argument("facts", type=Path)
    parser.add_argument("--mode", choices=("unit", "fact"), default="unit")
    parser.add_argument("--print-graph", action="store_true")
    args = parser.parse_args(argv)
    if args.print_graph:
        print(_graph(*tables(json.loads(args.facts.read_text(encoding="utf-8"))["parameters"], loop=True)))
        return
    json.dump(run(args.facts, args.mode), sys.stdout, ensure_ascii=False)
    print()


if __name__ == "__main__":
    main()
