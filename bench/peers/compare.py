"""durable-rules, CLIPS, zen-engine and DuckDB SQL on the same five rules and the same facts, in one command.

    python -m bench.peers.compare FOLDER [--period 2020] [--peers-python /tmp/lianjian-peers/bin/python] [--json OUT]
    python -m bench.peers.compare /tmp/data-100k --generate 100000     # writes the data set first
    python -m bench.peers.compare /tmp/heavy --period 2016-01-01..2020-12-31   # bench.heavy's data set

Run from the repository root in the project's venv. It exports the facts once (bench.peers.facts
export), then runs each engine in its own fresh process on that file — durable-rules in this venv, the
peers in the peers' venv (created from bench/requirements-peers.txt if missing; the peer packages never
go into setup.cfg) — so every peak RSS is one process holding the same facts and one engine. Before
timing, every engine and checker.engine.reference judge the hand-made corner cases of bench/peers/edge_cases.py.
DuckDB runs twice on FOLDER: SQL over the same exported facts (an engine like the others, edge cases
included) and SQL over FOLDER's own JSON Lines files, timed end to end (raw files have no edge-case
form: they are the generator's valid records). It fails (exit 1) unless all report exactly the same
matches, there and on FOLDER. With --repeat N each engine runs N times and the fastest run counts.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from bench.peers import edge_cases

ROOT = Path(__file__).resolve().parents[2]
PEERS = Path(__file__).resolve().parent
DEFAULT_PEERS_PYTHON = Path("/tmp/lianjian-peers/bin/python")


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def ensure_peers(python: Path) -> None:
    if python.exists():
        return
    venv = python.parent.parent
    base = shutil.which("python3.11") or sys.executable
    log(f"creating the peers' venv {venv} from bench/requirements-peers.txt")
    subprocess.run([base, "-m", "venv", str(venv)], check=True)
    subprocess.run([str(python), "-m", "pip", "install", "-q", "-r", str(ROOT / "bench" / "requirements-peers.txt")],
                   check=True)


def generate(folder: Path | str, size: int, rate: float, seed: int) -> set[tuple[str, ...]]:
    """Write the data set; return the planted violations of the five rules as match keys."""
    from bench.generate import generate as make
    from bench.generate import write_dataset
    from bench.peers.facts import RULES

    records, manifest = make(max(10, size // 1000), size, rate, seed)  # one unit per 1,000 records, as bench/run.py
    write_dataset(records, folder)
    return {(m["rule_id"], m["unit"], *m["record_ids"]) for m in manifest if m["rule_id"] in RULES}


def run_json(argv: list[str]) -> dict[str, Any]:
    done = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def best_of(argv: list[str], repeat: int) -> dict[str, Any]:
    runs = [run_json(argv) for _ in range(repeat)]
    best = min(runs, key=lambda r: r["seconds"])
    best["all_seconds"] = [r["seconds"] for r in runs]
    best["peak_rss_kb"] = max(r["peak_rss_kb"] for r in runs)
    return best


RAW = "DuckDB (raw JSON Lines)"


def engines(zen_per_fact: bool) -> list[str]:
    """Those that read the exported facts (and so also judge the edge cases)."""
    return ["durable-rules", "CLIPS", "zen-engine", *(["zen-engine (per fact)"] if zen_per_fact else []),
            "DuckDB (facts)"]


def command(name: str, facts: Path, peers_python: Path, folder: Path | None = None,
            tables: Path | None = None) -> list[str]:
    return {"durable-rules": [sys.executable, "-m", "bench.peers.facts", "durable", str(facts)],
            "CLIPS": [str(peers_python), str(PEERS / "clips_peer.py"), str(facts)],
            "zen-engine": [str(peers_python), str(PEERS / "zen_peer.py"), str(facts)],
            "zen-engine (per fact)": [str(peers_python), str(PEERS / "zen_peer.py"), str(facts), "--mode", "fact"],
            "DuckDB (facts)": [str(peers_python), str(PEERS / "duckdb_peer.py"), "facts", str(facts)],
            RAW: [str(peers_python), str(PEERS / "duckdb_peer.py"), "raw", str(folder), str(tables)],
            }[name]


def agree(matches: dict[str, list[list[str]]], where: str) -> None:
    """Exit 1, showing the differences, unless every engine reports the first one's matches."""
    (first, expected), *others = matches.items()
    failed = {}
    for name, found in others:
        if found != expected:
            ours, theirs = {tuple(m) for m in expected}, {tuple(m) for m in found}
            failed[name] = {f"only_{first}": sorted(ours - theirs)[:20], f"only_{name}": sorted(theirs - ours)[:20],
                            f"count_{first}": len(expected), f"count_{name}": len(found)}
    if failed:
        print(json.dumps({"error": f"the engines disagree {where}", "disagreements": failed}, indent=1,
                         ensure_ascii=False))
        raise SystemExit(1)


def summary(results: dict[str, dict[str, Any]], export: dict[str, Any]) -> dict[str, Any]:
    base = results["durable-rules"]
    rows = {}
    for name, r in results.items():
        rows[name] = {
            "seconds": round(r["seconds"], 4), "facts_per_s": round(r["facts"] / r["seconds"]),
            # CPU of the process in the timed part (threads added up: DuckDB uses both cores)
            "cpu_seconds": round(r["cpu_seconds"], 4),
            "peak_rss_mb": round(r["peak_rss_kb"] / 1024, 1), "rss_before_mb": round(r["rss_before_kb"] / 1024, 1),
            "matches": len(r["matches"]), "version": r["version"], "timed": r["timed"],
            "seconds_vs_durable": round(r["seconds"] / base["seconds"], 2),
            "facts_per_s_vs_durable": round(base["seconds"] / r["seconds"], 2),
            "peak_rss_vs_durable": round(r["peak_rss_kb"] / base["peak_rss_kb"], 2),
            **({"all_seconds": [round(s, 4) for s in r["all_seconds"]]} if len(r["all_seconds"]) > 1 else {}),
            **({"candidate_pairs": r["candidate_pairs"]} if "candidate_pairs" in r else {}),
            **({k: round(r[k], 4) for k in ("load_s", "query_s") if k in r}),
        }
    return {"records": export["records"], "units": export["units"], "facts": export["facts"],
            "fact_types": export["types"], "same_matches": True, "engines": rows}


def table(report: dict[str, Any]) -> str:
    lines = [f"{report['records']:,} records, {report['units']} units, {report['facts']:,} facts "
             f"({', '.join(report['fact_types'])}); all engines report the same "
             f"{report['engines']['durable-rules']['matches']:,} matches",
             f"{'engine':<22}{'seconds':>9}{'facts/s':>11}{'peak RSS MB':>13}{'time vs durable':>17}"]
    for name, e in report["engines"].items():
        lines.append(f"{name:<22}{e['seconds']:>9.3f}{e['facts_per_s']:>11,}{e['peak_rss_mb']:>13.1f}"
                     f"{e['seconds_vs_durable']:>16.2f}x")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.peers.compare")
    parser.add_argument("folder", type=Path)
    parser.add_argument("--peers-python", type=Path, default=DEFAULT_PEERS_PYTHON)
    parser.add_argument("--json", type=Path, help="also write the summary here")
    parser.add_argument("--rules", type=Path)
    parser.add_argument("--period", default="2020",
                        help="the audit period, as lianjian check --period (default 2020: bench.generate's year)")
    parser.add_argument("--facts", type=Path, help="keep the exported facts here (default: a temp file)")
    parser.add_argument("--generate", type=int, metavar="RECORDS", help="first write a synthetic data set to FOLDER")
    parser.add_argument("--rate", type=float, default=0.01)
    parser.add_argument("--seed", type=int, default=20200715)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--zen-per-fact", action="store_true",
                        help="also time zen with one evaluate call per fact and pair (slow: ~0.1 ms a call)")
    args = parser.parse_args(argv)

    ensure_peers(args.peers_python)
    planted = None
    with tempfile.TemporaryDirectory(prefix="lianjian-peers-") as tmp:
        if args.generate:
            log(f"generating {args.generate:,} records into {args.folder}")
            # In a child: a parent grown by generating would pass its peak RSS on to every engine's
            # process (Linux keeps ru_maxrss across fork and exec), as a first 1M run showed.
            code = ("import json, sys; from bench.peers.compare import generate; "
                    "json.dump(sorted(generate(sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]))), "
                    "open(sys.argv[5], 'w'))")
            subprocess.run([sys.executable, "-c", code, str(args.folder), str(args.generate), str(args.rate),
                            str(args.seed), str(Path(tmp) / "planted.json")], cwd=ROOT, check=True)
            planted = {tuple(k) for k in json.loads((Path(tmp) / "planted.json").read_text())}
        facts = args.facts or Path(tmp) / "facts.json"
        log(f"exporting facts of {args.folder}")
        rules = ["--rules", str(args.rules)] if args.rules else []
        export = run_json([sys.executable, "-m", "bench.peers.facts", "export", str(args.folder), str(facts),
                           "--period", args.period, *rules])
        tables = Path(tmp) / "tables.json"
        run_json([sys.executable, "-m", "bench.peers.facts", "tables", str(tables), "--period", args.period, *rules])
        edge = Path(tmp) / "edge.json"
        edge_cases.write(facts, edge)
        expected = run_json([sys.executable, "-m", "bench.peers.facts", "reference", str(edge)])["matches"]
        agree({"checker.engine.reference": expected,
               **{name: run_json(command(name, edge, args.peers_python))["matches"] for name in engines(args.zen_per_fact)}},
              "on the edge cases (bench/peers/edge_cases.py)")
        log(f"edge cases: all engines agree with checker.engine.reference ({len(expected)} matches)")
        log(f"{export['facts']:,} facts in {export['units']} units; running the engines")
        results = {}
        for name in [*engines(args.zen_per_fact), RAW]:
            results[name] = best_of(command(name, facts, args.peers_python, args.folder, tables), args.repeat)
            log(f"  {name}: {results[name]['seconds']:.3f} s, {len(results[name]['matches']):,} matches")
        # The raw SQL counts the records in the period it read; the engines' figure is the facts'.
        results[RAW]["facts"] = export["facts"]
    agree({name: r["matches"] for name, r in results.items()}, f"on {args.folder}")
    reference = results["durable-rules"]["matches"]
    report = summary(results, export)
    report["folder"] = str(args.folder)
    report["edge_cases"] = {"matches": len(expected), "all_agree_with_reference": True}
    if planted is not None:
        # Not a condition of the comparison (the engines must agree with each other), but a check that
        # the shared answer is the right one: the generator's ground truth for these five rules.
        found = {tuple(m) for m in reference}
        report["planted"] = {"count": len(planted), "all_found": planted <= found, "missed": sorted(planted - found)[:20],
                             "unplanted": sorted(found - planted)[:20]}
        if planted != found:
            log(f"warning: matches differ from the generator's planted violations: {report['planted']}")
    print(table(report))
    if args.json:
        args.json.write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        log(f"wrote {args.json}")


if __name__ == "__main__":
    main()
