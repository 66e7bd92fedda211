"""The five-rule subset in CLIPS (clipspy), unit by unit; run with the peers' venv, not the project's.

    /tmp/lianjian-peers/bin/python bench/peers/clips_peer.py FACTS.json [--assert-mode template|text]

FACTS.json comes from `python -m bench.peers.facts export`. The rules are written natively, one
deftemplate per record type and one defrule per alternative of the compiled rule (EP-REC-ESCORTS and
EP-TRV-SEAT have two), with the parameter values taken from FACTS.json (no rule tests the record's
day against its edition: the checker decides the applicable standard after matching). EP-TRV-OVERLAP is
a real CLIPS join: two `travel` patterns sharing `?p`, which the Rete network joins on.

Semantics copied from checker/expr.py: a missing field is CLIPS' default `nil`, and every comparison
with a missing (non-numeric) value is false — hence the `numberp` guards, without which CLIPS would
raise instead; `/` on two integers truncates (deffunction lj-div).

Timed: for each unit, turning its facts into CLIPS input, asserting them (pattern matching and the join
happen here), `(run)` (firing, collecting matches through a Python callback) and `(reset)`, which empties
working memory the way our engine deletes a unit's session, and the rebuild of the environment every
--fresh-env-every units (see run()). Not timed: reading FACTS.json, building the first environment.
Prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from importlib.metadata import version
from pathlib import Path
from typing import Any

import clips

SLOTS = {  # the fields the five rules read, per record type
    "reception": ("rid", "official_letter", "guests", "escorts"),
    "travel": ("rid", "person", "depart", "return", "seat_class", "person_rank_level"),
    "fuel": ("rid", "statutory_holiday", "vehicle_on_duty"),
}


def _num(var: str, *tests: tuple[str, Any]) -> str:
    """Numeric tests that are false, not an error, when a slot holds nil or a string."""
    guards = [var, *(v for _, v in tests if str(v).startswith("?"))]
    return "".join(f"&:(numberp {g})" for g in guards) + "".join(f"&:({op} {var} {v})" for op, v in tests)


def _string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def constructs(params: dict[str, dict[str, Any]]) -> str:
    escorts, seat = params["EP-REC-ESCORTS"], params["EP-TRV-SEAT"]
    small, cap, ratio = (escorts["values"][k] for k in ("small_group", "small_group_escorts", "large_group_ratio"))
    text = [f"(deftemplate {t} {' '.join(f'(slot {s})' for s in slots)})" for t, slots in SLOTS.items()]
    text.append("(deffunction lj-div (?a ?b) (if (and (integerp ?a) (integerp ?b)) then (div ?a ?b) else (/ ?a ?b)))")
    text.append("(defrule EP-REC-LETTER#0 (reception (rid ?r) (official_letter nil)) "
                '=> (lj-hit "EP-REC-LETTER" ?r))')
    text.append(f"(defrule EP-REC-ESCORTS#0 (reception (rid ?r) (guests ?g{_num('?g', ('<=', small))}) "
                f'(escorts ?e{_num("?e", (">", cap))})) => (lj-hit "EP-REC-ESCORTS" ?r))')
    text.append(f"(defrule EP-REC-ESCORTS#1 (reception (rid ?r) (guests ?g{_num('?g', ('>', small))}) "
                f'(escorts ?e{_num("?e", (">", f"(lj-div ?g {ratio})"))})) => (lj-hit "EP-REC-ESCORTS" ?r))')
    # a row banning no seat can never match (the compiled rule has no alternative for it)
    for index, row in enumerate(r for r in seat["values"]["seat_limits"] if r["banned"]):
        banned = "|".join(_string(s) for s in row["banned"])
        text.append(f"(defrule EP-TRV-SEAT#{index} (travel (rid ?r) "
                    f"(person_rank_level ?l{_num('?l', ('>=', row['min_level']), ('<=', row['max_level']))}) "
                    f'(seat_class {banned})) => (lj-hit "EP-TRV-SEAT" ?r))')
    # a: every trip with the fields the join reads; b: a later-id trip of the same person sharing a day
    text.append("(defrule EP-TRV-OVERLAP#0 "
                "(travel (rid ?ra&~nil) (person ?p&~nil) (depart ?da&~nil) (return ?ea&~nil)) "
                "(travel (rid ?rb&:(stringp ?rb)&:(stringp ?ra)&:(> (str-compare ?rb ?ra) 0)) (person ?p) "
                f"(depart ?db{_num('?db', ('<=', '?ea'))}) (return ?eb{_num('?eb', ('>=', '?da'))})) "
                '=> (lj-hit "EP-TRV-OVERLAP" ?ra ?rb))')
    # both present: an absent slot is nil, neither TRUE nor FALSE
    text.append('(defrule EP-VEH-FUEL-HOLIDAY#0 (fuel (rid ?r) (statutory_holiday TRUE) (vehicle_on_duty FALSE)) '
                '=> (lj-hit "EP-VEH-FUEL-HOLIDAY" ?r))')
    return "\n".join(text)


def _value(value: Any) -> str:
    if value is True or value is False:
        return "TRUE" if value else "FALSE"
    if isinstance(value, str):
        return _string(value)
    return repr(value)


def fact_text(facts: list[dict[str, Any]]) -> str:
    # Absent fields are left out: the slot keeps its default nil, which is how "missing" reads here.
    return "\n".join(f"({f['t']} " + " ".join(f"({s} {_value(f[s])})" for s in SLOTS[f["t"]] if s in f) + ")"
                     for f in facts if f["t"] in SLOTS)


def environment(params: dict[str, dict[str, Any]], on_hit: Any) -> tuple[clips.Environment, dict[str, Any]]:
    env = clips.Environment()
    env.define_function(on_hit, "lj-hit")
    for construct in constructs(params).split("\n"):
        env.build(construct)
    return env, {t: env.find_template(t) for t in SLOTS}


def run(facts_file: Path, assert_mode: str, fresh_every: int) -> dict[str, Any]:
    data = json.loads(facts_file.read_text(encoding="utf-8"))
    hits: list[list[str]] = []
    current = [""]

    def lj_hit(rule_id: str, *rids: str) -> None:
        hits.append([str(rule_id), current[0], *(str(r) for r in rids)])

    env, templates = environment(data["parameters"], lj_hit)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started, cpu_started = time.perf_counter(), time.process_time()
    for index, (unit, facts) in enumerate(data["units"]):
        # Within one environment, (run) and (reset) slow down with every distinct string ever asserted
        # (measured: 1M records took 21.9 s with one environment, time per unit growing linearly; not so
        # with integer slots only). A fresh environment every few units bounds that; its build is timed.
        if fresh_every and index and index % fresh_every == 0:
            env, templates = environment(data["parameters"], lj_hit)
        current[0] = unit
        if assert_mode == "text":
            env.load_facts(fact_text(facts))
        else:
            for fact in facts:
                if fact["t"] in SLOTS:
                    templates[fact["t"]].assert_fact(**{s: _slot(fact[s]) for s in SLOTS[fact["t"]] if s in fact})
        env.run()
        env.reset()
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    return {"engine": "CLIPS", "version": f"clipspy {version('clipspy')}", "seconds": seconds, "cpu_seconds": cpu_seconds,
            "facts": sum(len(f) for _, f in data["units"]), "units": len(data["units"]), "matches": sorted(hits),
            "rss_before_kb": rss_before, "peak_rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
            "timed": f"per unit: facts to CLIPS ({assert_mode}), assert (Rete match and join), run (fire, "
                     f"Python callback per match), reset; a new environment (rules rebuilt) every "
                     f"{fresh_every or 'no'} units"}


def _slot(value: Any) -> Any:
    # clipspy maps str to STRING and bool to the symbols TRUE/FALSE, as the text form does.
    return clips.Symbol("TRUE" if value else "FALSE") if isinstance(value, bool) else value


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="clips_peer.py")
    parser.add_argument("facts", type=Path)
    parser.add_argument("--assert-mode", choices=("template", "text"), default="template",
                        help="template: assert_fact per fact (default; ~10x faster here); text: one load-facts "
                             "string per unit, which CLIPS parses at ~0.1 ms a fact")
    parser.add_argument("--fresh-env-every", type=int, default=50, metavar="UNITS",
                        help="build a new environment every UNITS units (0: never); see run()")
    parser.add_argument("--print-rules", action="store_true")
    args = parser.parse_args(argv)
    if args.print_rules:
        print(constructs(json.loads(args.facts.read_text(encoding="utf-8"))["parameters"]))
        return
    json.dump(run(args.facts, args.assert_mode, args.fresh_env_every), sys.stdout, ensure_ascii=False)
    print()


if __name__ == "__main__":
    main()
