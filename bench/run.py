"""Benchmark: `lianjian check` end to end against the bare durable-rules engine, at several sizes.

    python -m bench.run [--sizes 10000,100000,1000000,10000000] [--peers] [--out bench/RESULTS.md]

For each size: `checker.generate` writes a data set (jsonl, one unit per 1,000 records, unit by unit)
to a temp folder; then, each in its own subprocess under `/usr/bin/time -v` (peak RSS):
  (a) `lianjian check FOLDER --profile speech --as-of 2021-03-31 --format json -o /dev/null --fail-on never`;
  (b) `bench.engine_only`: facts derived by the check's own stages (untimed, another process), then only
      the engine calls timed on the same compiled rules (create_ruleset, per-unit sessions, drain, delete);
  (c) with --peers, for sizes up to 1M: `bench.peers.compare` — durable-rules, CLIPS and zen-engine on the
      same five rules and facts (bench/peers/README.md).
The rules are a snapshot of rules/ taken at start (the working tree, or HEAD's if it does not load),
passed to both with `--rules`, so a rule edited during the run cannot skew one side.
One mid-size run is profiled (`bench.stages`). Results go to bench/RESULTS.md; the text between the
`<!-- analysis -->` markers of an existing file is kept.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
LIANJIAN = str(Path(PY).parent / "lianjian")
GNU_TIME = "/usr/bin/time"
TIMEOUT = 1800  # a step taking longer is reported as not run
PEERS_UP_TO = 1_000_000  # the peers' comparison holds its facts in memory
MARK = "<!-- analysis -->"


def log(text: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


def timed_run(cmd: list[str], timeout: float | None = None) -> dict:
    """Run `cmd` in a subprocess; wall seconds, peak RSS (MB), exit code and stdout."""
    use_time = os.path.exists(GNU_TIME)
    full = [GNU_TIME, "-v", *cmd] if use_time else cmd
    before = None
    if not use_time:
        import resource
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    timeout = timeout or TIMEOUT
    started = time.perf_counter()
    try:
        proc = subprocess.run(full, capture_output=True, text=True, timeout=timeout, cwd=ROOT)
    except subprocess.TimeoutExpired:
        return {"seconds": time.perf_counter() - started, "rss_mb": None, "code": "timeout", "stdout": "",
                "stderr": f"timed out after {timeout} s"}
    seconds = time.perf_counter() - started
    rss_mb = None
    if use_time:
        found = re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr)
        rss_mb = int(found.group(1)) / 1024 if found else None
    else:
        import resource
        after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        rss_mb = after / 1024 if after > (before or 0) else None  # a high-water mark over all children
    return {"seconds": seconds, "rss_mb": rss_mb, "code": proc.returncode, "stdout": proc.stdout,
            "stderr": proc.stderr[-3000:]}


def snapshot_rules(dest: Path) -> str:
    """Copy rules/ (working tree) to `dest`; if it does not load, HEAD's rules instead."""
    shutil.copytree(ROOT / "rules", dest)
    check = [PY, "-c", "import sys; from checker.ruleset.catalogue import load_rules, load_profile, activate; "
             "d=sys.argv[1]; activate(load_rules(d), load_profile('speech', d))", str(dest)]
    if subprocess.run(check, capture_output=True, cwd=ROOT).returncode == 0:
        return "working tree"
    shutil.rmtree(dest)
    archive = subprocess.run(["git", "archive", "HEAD", "rules"], capture_output=True, cwd=ROOT, check=True).stdout
    unpack = dest.parent / "head"
    unpack.mkdir()
    subprocess.run(["tar", "-x", "-C", str(unpack)], input=archive, check=True)
    (unpack / "rules").rename(dest)
    return "git HEAD (working tree did not load)"


def machine() -> dict:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
        mem = f"{kb / 1024 / 1024:.1f} GB"
    except (OSError, AttributeError):
        pass
    import durable_rules_engine  # noqa: F401  (fails loudly if the engine is missing)
    return {"uname": " ".join(platform.uname()), "cpu": cpu, "nproc": os.cpu_count(), "memory": mem,
            "python": sys.version.split()[0], "date": dt.datetime.now().strftime("%Y-%m-%d %H:%M"),
            "durable_rules": _version("durable-rules")}


def _version(name: str) -> str:
    from importlib.metadata import PackageNotFoundError, version
    try:
        return version(name)
    except PackageNotFoundError:
        return "?"


def bench_size(size: int, work: Path, rules: Path, rate: float, seed: int, repeat: int = 1) -> dict:
    """Generate `size` records, then time the end-to-end check and the bare engine, each `repeat`
    times: the fastest run is the figure (this machine's neighbours make single runs vary by ±20 %),
    every run's seconds are kept in `runs`."""
    from bench.generate import write_generated

    units = max(10, size // 1000)
    folder = work / f"data-{size}"
    started = time.perf_counter()
    rows, manifest = write_generated(folder, units, size, rate, seed)
    gen_seconds = time.perf_counter() - started
    row = {"size": size, "units": units, "rows": rows, "planted": len(manifest), "generate_s": gen_seconds,
           "folder": str(folder)}
    log(f"{size:,}: generated {rows:,} rows for {units} units in {gen_seconds:.1f} s")

    report = work / f"report-{size}.json"
    command = [LIANJIAN, "check", str(folder), "--rules", str(rules), "--profile", "speech",
               "--as-of", "2021-03-31", "--format", "json", "-o", str(report), "--fail-on", "never"]
    runs = [timed_run(command) for _ in range(repeat)]
    e2e = min(runs, key=lambda run: (run["code"] != 0, run["seconds"]))
    row["e2e"] = {k: e2e[k] for k in ("seconds", "rss_mb", "code")}
    row["e2e"]["runs"] = [run["seconds"] for run in runs]
    row["e2e"]["rss_mb"] = max(run["rss_mb"] for run in runs)
    if e2e["code"] != 0:
        row["e2e"]["error"] = e2e["stderr"]
    else:
        summary = report_summary(report)
        row["e2e"]["summary"] = {k: summary.get(k) for k in ("records", "findings", "counted", "by_severity",
                                                               "input_errors")}
    report.unlink(missing_ok=True)
    log(f"{size:,}: end to end {e2e['seconds']:.1f} s (runs: {_runs(row['e2e']['runs'])}), "
        f"{row['e2e']['rss_mb']} MB, exit {e2e['code']}, "
        f"{row['e2e'].get('summary', {}).get('findings')} findings for {len(manifest):,} planted")

    facts = work / f"facts-{size}.pickle"
    prep = timed_run([PY, "-m", "bench.engine_only", "prepare", str(folder), str(facts), "--rules", str(rules)])
    if prep["code"] != 0:
        row["engine"] = {"error": prep["stderr"]}
        return row
    row["prepare"] = json.loads(prep["stdout"])
    judged = [timed_run([PY, "-m", "bench.engine_only", "judge", str(facts), "--rules", str(rules)])
              for _ in range(repeat)]
    facts.unlink(missing_ok=True)
    if any(run["code"] != 0 for run in judged):
        row["engine"] = {"error": next(run["stderr"] for run in judged if run["code"] != 0)}
        return row
    reports = [json.loads(run["stdout"]) for run in judged]
    report, bare = min(zip(reports, judged, strict=True), key=lambda pair: pair[0]["seconds"])
    row["engine"] = {"seconds": report["seconds"], "runs": [r["seconds"] for r in reports],
                     "rss_mb": max(run["rss_mb"] for run in judged), "process_s": bare["seconds"],
                     "facts": report["facts"], "matches": report["matches"], "engine_rules": report["engine_rules"],
                     "rss_before_mb": report["rss_before_kb"] / 1024}
    log(f"{size:,}: bare engine {report['seconds']:.1f} s (runs: {_runs(row['engine']['runs'], '.2f')}) "
        f"for {report['facts']:,} facts, {row['engine']['rss_mb']} MB")
    return row


def _runs(seconds: list[float], fmt: str = ".1f") -> str:
    return ", ".join(format(s, fmt) for s in seconds)


def report_summary(report: Path) -> dict:
    """The report's `summary` section, read from the top of the file (the findings follow it, one a line)."""
    lines: list[str] = []
    with report.open(encoding="utf-8") as handle:
        for line in handle:
            if lines or line.startswith('  "summary": '):
                lines.append(line)
                if line.startswith("  }"):
                    break
    text = "".join(lines).split(":", 1)[1].rstrip().rstrip(",")
    return json.loads(text)


# --- report ---------------------------------------------------------------------------------------

def _f(value, fmt: str = ",.0f", none: str = "—") -> str:
    return none if value is None else format(value, fmt)


def write_results(out: Path, info: dict, rows: list[dict], stages: dict | None, rules_from: str,
                  notes: list[str], peers: dict | None) -> None:
    old = out.read_text(encoding="utf-8") if out.exists() else ""
    analysis = old.split(MARK)[1] if old.count(MARK) >= 2 else "\n(analysis to be written)\n"
    lines = ["# Benchmark results", "",
             "Generated by `python -m bench.run` (see bench/README.md). Targets (from the issue, not tests): "
             "≥ 200k records/s end to end at 1M; end to end ≤ 1.5× the bare engine; 10× records ≤ 11× time; "
             "peak RSS ≤ 500 MB.", "",
             "## Machine", "",
             f"- date: {info['date']}", f"- uname: `{info['uname']}`", f"- CPU: {info['cpu']}; nproc {info['nproc']}; "
             f"memory {info['memory']}", f"- Python {info['python']}, durable-rules {info['durable_rules']}",
             f"- rules: snapshot of rules/ from the {rules_from}; profile `speech`, as of 2021-03-31", "",
             "## Figures", "",
             "Records = rows in the data set (units, persons, vehicles and activity records); facts = what the "
             "engine is given (one per record in the period, plus obligation states); planted = violations the "
             "generator planted, findings = what the end-to-end report found (equal when every plant is found and "
             "nothing else is reported). End to end is the CLI with "
             f"its default `--workers` (= cores: {info['nproc']} processes judge units); the bare engine is one "
             "process, so the last column compares end to end with the bare engine's time shared among as many "
             "processes. Peak RSS is the largest single process (`/usr/bin/time -v`). Each time is the fastest of "
             "the runs listed below the table (other programs share this machine's cores).", "",
             "| records | units | facts | planted | findings | e2e s | e2e records/s | e2e peak RSS MB | engine s | "
             "engine records/s | engine facts/s | engine peak RSS MB | e2e / engine | e2e / (engine ÷ workers) |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for row in rows:
        e2e, eng = row.get("e2e", {}), row.get("engine", {})
        e2e_ok = e2e.get("code") == 0
        eng_ok = "seconds" in eng
        e2e_s = e2e.get("seconds") if e2e_ok else None
        eng_s = eng.get("seconds") if eng_ok else None
        lines.append("| " + " | ".join([
            _f(row["rows"]), _f(row["units"]), _f(eng.get("facts")), _f(row["planted"]),
            _f(e2e.get("summary", {}).get("findings")),
            _f(e2e_s, ".1f") if e2e_ok else f"failed ({e2e.get('code')})",
            _f(row["rows"] / e2e_s if e2e_s else None), _f(e2e.get("rss_mb") if e2e_ok else None),
            _f(eng_s, ".1f") if eng_ok else "failed",
            _f(row["rows"] / eng_s if eng_s else None), _f(eng.get("facts", 0) / eng_s if eng_s else None),
            _f(eng.get("rss_mb")), _f(e2e_s / eng_s if e2e_s and eng_s else None, ".2f"),
            _f(e2e_s / (eng_s / info["nproc"]) if e2e_s and eng_s else None, ".2f")]) + " |")
    lines += ["", "Runs (seconds, in order):", ""]
    for row in rows:
        e2e_runs, eng_runs = row.get("e2e", {}).get("runs"), row.get("engine", {}).get("runs")
        if e2e_runs or eng_runs:
            lines.append(f"- {row['rows']:,}: end to end {_runs(e2e_runs or [])}; bare engine {_runs(eng_runs or [], '.2f')}")
    lines += ["", "Scaling, time(10×) / time(1×):", ""]
    by_size = {r["size"]: r for r in rows}
    for size, row in sorted(by_size.items()):
        big = by_size.get(size * 10)
        if not big:
            continue
        parts = []
        for key in ("e2e", "engine"):
            a, b = row.get(key, {}).get("seconds"), big.get(key, {}).get("seconds")
            ok = row.get(key, {}).get("code", 0) == 0 and big.get(key, {}).get("code", 0) == 0
            parts.append(f"{key} {b / a:.2f}×" if a and b and ok else f"{key} —")
        lines.append(f"- {size:,} → {size * 10:,}: " + ", ".join(parts))
    lines += ["", "Other columns: bare-engine process RSS before the timed part (facts unpickled, rules compiled): " +
              ", ".join(f"{r['rows']:,}: {_f(r.get('engine', {}).get('rss_before_mb'))} MB" for r in rows) +
              "; generation time: " + ", ".join(f"{r['rows']:,}: {r['generate_s']:.1f} s" for r in rows) + "."]
    for note in notes:
        lines += ["", note]
    if stages:
        lines += ["", f"## Where the time goes ({stages['rows']:,} records, one process)", "",
                  "| stage | seconds | share |", "|---|---:|---:|"]
        total = sum(v for k, v in stages["stages"].items() if k != "findings_count")
        for name, seconds in stages["stages"].items():
            if name != "findings_count":
                lines.append(f"| {name} | {seconds:.2f} | {seconds / total:.0%} |")
        lines += [f"| total | {total:.2f} | |", "",
                  f"Findings: {stages['stages'].get('findings_count', 0):,}. cProfile of `lianjian check --workers 1` "
                  "(top functions by own time, then cumulative):", "", "```",
                  _trim_profile(stages["profile"]), "```"]
    if peers:
        lines += ["", "## Peers (same five-rule subset, same facts; bench/peers/README.md)", "",
                  "Engine work only, one process each, fastest of 3 runs; every engine reports the same matches "
                  "(the comparison fails otherwise).", "",
                  "| records | facts | engine | seconds | facts/s | peak RSS MB | time vs durable-rules |",
                  "|---:|---:|---|---:|---:|---:|---:|"]
        for size, report in sorted(peers.items()):
            if "error" in report:
                lines.append(f"| {size:,} | | failed: {report['error'][:200]} | | | | |")
                continue
            for name, e in report["engines"].items():
                lines.append(f"| {report['records']:,} | {report['facts']:,} | {name} | {e['seconds']:.3f} | "
                             f"{e['facts_per_s']:,} | {e['peak_rss_mb']:.0f} | {e['seconds_vs_durable']:.2f}× |")
    lines += ["", "## Analysis", "", MARK + analysis + MARK, ""]
    out.write_text("\n".join(lines), encoding="utf-8")


def _trim_profile(text: str) -> str:
    keep = []
    for line in text.splitlines():
        line = line.replace(str(ROOT) + "/", "").replace(str(Path(PY).parent.parent) + "/", "")
        line = re.sub(r"/\S*/site-packages/", "", line)
        if line.strip() and not line.lstrip().startswith(("Ordered by", "List reduced")):
            keep.append(line.rstrip())
    return "\n".join(keep)


def main(argv: list[str] | None = None) -> None:
    global TIMEOUT
    parser = argparse.ArgumentParser(prog="python -m bench.run")
    parser.add_argument("--sizes", default="10000,100000,1000000,10000000")
    parser.add_argument("--peers", action="store_true", help="also compare with CLIPS and zen-engine (sizes ≤ 1M)")
    parser.add_argument("--rate", type=float, default=0.01)
    parser.add_argument("--seed", type=int, default=20200715)
    parser.add_argument("--profile-size", type=int, default=100000, help="size profiled with cProfile (0: none)")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds allowed per timed step")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "RESULTS.md")
    parser.add_argument("--keep", action="store_true", help="keep the generated data sets")
    parser.add_argument("--repeat", type=int, default=3,
                        help="timed runs per size up to --repeat-up-to records (the fastest is the figure)")
    parser.add_argument("--repeat-up-to", type=int, default=1_000_000)
    args = parser.parse_args(argv)
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    TIMEOUT = args.timeout
    info = machine()
    work = Path(tempfile.mkdtemp(prefix="lianjian-bench-"))
    rows, notes, stages, peers = [], [], None, {}
    try:
        rules_from = snapshot_rules(work / "rules")
        log(f"rules from the {rules_from}; work folder {work}")
        for size in sizes:
            repeat = args.repeat if size <= args.repeat_up_to else 1
            row = bench_size(size, work, work / "rules", args.rate, args.seed, repeat)
            rows.append(row)
            if size == args.profile_size:
                log(f"{size:,}: profiling")
                result = timed_run([PY, "-m", "bench.stages", row["folder"], "--rules", str(work / "rules")])
                if result["code"] == 0:
                    stages = {"rows": row["rows"], **json.loads(result["stdout"])}
                else:
                    notes.append(f"Profiling failed: {result['stderr'][-500:]}")
            if args.peers and size <= PEERS_UP_TO:
                log(f"{size:,}: peers")
                out = work / f"peers-{size}.json"
                result = timed_run([PY, "-m", "bench.peers.compare", row["folder"], "--rules", str(work / "rules"),
                                    "--repeat", "3", "--json", str(out)])
                peers[size] = json.loads(out.read_text()) if result["code"] == 0 else {"error": result["stdout"]
                                                                                       + result["stderr"]}
            if not args.keep:
                shutil.rmtree(row["folder"], ignore_errors=True)
        write_results(args.out, info, rows, stages, rules_from, notes, peers)
        (args.out.with_suffix(".json")).write_text(json.dumps({"machine": info, "rows": rows, "peers": peers}, indent=1,
                                                              ensure_ascii=False, default=str))
        log(f"wrote {args.out}")
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
