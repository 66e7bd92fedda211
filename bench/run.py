"""Benchmark: `lianjian check` end to end against the bare durable-rules engine, at several sizes,
and on a findings-heavy data set.

    python -m bench.run [--sizes 10000,100000,1000000,10000000] [--no-heavy] [--peers] [--out bench/RESULTS.md]

For each size: `bench.generate` writes a data set (jsonl, one unit per 1,000 records, unit by unit,
dated in 2020) to a temp folder; then, unless --no-heavy, `bench.heavy` writes the findings-heavy set
(1,000 small units, 2016–2020, findings ≈ records). Each is timed in subprocesses under
`/usr/bin/time -v` (wall and CPU seconds, peak RSS):
  (a) `lianjian check FOLDER --profile speech --as-of 2021-03-31 --period P --format json -o FILE --fail-on never`
      (P: 2020 for the generated sets, 2016-01-01..2020-12-31 for the heavy one; given explicitly,
      because the default audit period is the calendar year of --as-of);
  (b) `bench.engine_only`: facts derived by the check's own stages (untimed, another process), then only
      the engine calls timed on the same compiled rules (create_ruleset, per-unit sessions, drain, delete);
  (c) `bench.stages` on the sizes in --stage-sizes and the heavy set: seconds by stage in one process,
      reported as µs per record and per finding; the --profile-size run also under cProfile;
  (c') for the sizes in --csv-sizes (default 1M): the same set written as plain CSV
      (`bench.generate.write_plain_csv`), timed end to end by the columnar path and, once, by the general
      path (LIANJIAN_COLUMNAR=0);
  (d) with --peers, for sizes up to 1M and the heavy set: `bench.peers.compare` — durable-rules, CLIPS,
      zen-engine and DuckDB SQL on the same five rules and facts (bench/peers/README.md).
The rules are a snapshot of rules/ taken at start (the working tree, or HEAD's if it does not load),
passed to every step with `--rules`, so a rule edited during the run cannot skew one side.
Results go to bench/RESULTS.md (bench/results.py writes it); the text between the
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

from bench.results import write_results

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
LIANJIAN = str(Path(PY).parent / "lianjian")
GNU_TIME = "/usr/bin/time"
TIMEOUT = 1800  # a step taking longer is reported as not run
PEERS_UP_TO = 1_000_000  # the peers' comparison holds its facts in memory
AS_OF = "2021-03-31"
GENERATED_PERIOD = "2020"  # bench/generate.py dates every record in 2020 (reports due in 2021 too)


def log(text: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


def timed_run(cmd: list[str], timeout: float | None = None, env: dict[str, str] | None = None) -> dict:
    """Run `cmd` in a subprocess; wall seconds, CPU seconds (user + system, its waited-for children
    included: the check's workers), peak RSS (MB) of the largest process, exit code and stdout."""
    use_time = os.path.exists(GNU_TIME)
    full = [GNU_TIME, "-v", *cmd] if use_time else cmd
    before = None
    if not use_time:
        import resource
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    timeout = timeout or TIMEOUT
    started = time.perf_counter()
    try:
        proc = subprocess.run(full, capture_output=True, text=True, timeout=timeout, cwd=ROOT,
                              env={**os.environ, **env} if env else None)
    except subprocess.TimeoutExpired:
        return {"seconds": time.perf_counter() - started, "cpu_s": None, "rss_mb": None, "code": "timeout",
                "stdout": "", "stderr": f"timed out after {timeout} s"}
    seconds = time.perf_counter() - started
    rss_mb = cpu_s = None
    if use_time:
        found = re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr)
        rss_mb = int(found.group(1)) / 1024 if found else None
        cpu = re.findall(r"(?:User|System) time \(seconds\): ([\d.]+)", proc.stderr)
        cpu_s = sum(float(c) for c in cpu) if len(cpu) == 2 else None
    else:
        import resource
        after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        rss_mb = after / 1024 if after > (before or 0) else None  # a high-water mark over all children
    return {"seconds": seconds, "cpu_s": cpu_s, "rss_mb": rss_mb, "code": proc.returncode, "stdout": proc.stdout,
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


def time_check(folder: Path, rules: Path, period: str, repeat: int, tag: str,
               env: dict[str, str] | None = None) -> dict:
    """`lianjian check` end to end, `repeat` times: the fastest run is the figure (this machine's
    neighbours make single runs vary by ±20 %); every run's seconds and CPU seconds are kept."""
    report = folder.parent / f"report-{folder.name}.json"
    command = [LIANJIAN, "check", str(folder), "--rules", str(rules), "--profile", "speech", "--as-of", AS_OF,
               "--period", period, "--format", "json", "-o", str(report), "--fail-on", "never"]
    runs = [timed_run(command, env=env) for _ in range(repeat)]
    best = min(runs, key=lambda run: (run["code"] != 0, run["seconds"]))
    e2e = {k: best[k] for k in ("seconds", "cpu_s", "rss_mb", "code")}
    e2e.update(runs=[run["seconds"] for run in runs], cpu_runs=[run["cpu_s"] for run in runs],
               rss_mb=max(run["rss_mb"] or 0 for run in runs), period=period)
    if best["code"] != 0:
        e2e["error"] = best["stderr"]
    else:
        summary = report_summary(report)
        e2e["summary"] = {k: summary.get(k) for k in ("records", "findings", "counted", "leads", "by_severity",
                                                      "input_errors")}
        # what the generator plants is all violations under speech; a lead found counts as found too
        e2e["summary"]["findings"] = (summary.get("findings") or 0) + (summary.get("leads") or 0)
    report.unlink(missing_ok=True)
    log(f"{tag}: end to end {best['seconds']:.1f} s (runs: {_runs(e2e['runs'])}; CPU {_runs(e2e['cpu_runs'])}), "
        f"{e2e['rss_mb']:.0f} MB, exit {best['code']}, {e2e.get('summary', {}).get('findings')} findings")
    return e2e


def time_engine(folder: Path, rules: Path, period: str, repeat: int, tag: str) -> dict:
    """The bare engine (bench.engine_only) on the facts the check derives, `repeat` times."""
    facts = folder.parent / f"facts-{folder.name}.pickle"
    prep = timed_run([PY, "-m", "bench.engine_only", "prepare", str(folder), str(facts), "--rules", str(rules),
                      "--period", period])
    if prep["code"] != 0:
        return {"error": prep["stderr"]}
    judged = [timed_run([PY, "-m", "bench.engine_only", "judge", str(facts), "--rules", str(rules)])
              for _ in range(repeat)]
    facts.unlink(missing_ok=True)
    if any(run["code"] != 0 for run in judged):
        return {"error": next(run["stderr"] for run in judged if run["code"] != 0)}
    reports = [json.loads(run["stdout"]) for run in judged]
    report, bare = min(zip(reports, judged, strict=True), key=lambda pair: pair[0]["seconds"])
    engine = {"seconds": report["seconds"], "runs": [r["seconds"] for r in reports],
              "cpu_s": report.get("cpu_seconds"), "cpu_runs": [r.get("cpu_seconds") for r in reports],
              "rss_mb": max(run["rss_mb"] or 0 for run in judged), "process_s": bare["seconds"],
              "facts": report["facts"], "matches": report["matches"], "engine_rules": report["engine_rules"],
              "rss_before_mb": report["rss_before_kb"] / 1024}
    log(f"{tag}: bare engine {report['seconds']:.2f} s (runs: {_runs(engine['runs'], '.2f')}) "
        f"for {report['facts']:,} facts, {engine['rss_mb']:.0f} MB")
    return engine


def bench_size(size: int, work: Path, rules: Path, rate: float, seed: int, repeat: int = 1) -> dict:
    """Generate `size` records (bench.generate, all dated in 2020), then time the check and the bare engine."""
    from bench.generate import write_generated

    units = max(10, size // 1000)
    folder = work / f"data-{size}"
    started = time.perf_counter()
    rows, manifest = write_generated(folder, units, size, rate, seed)
    gen_seconds = time.perf_counter() - started
    log(f"{size:,}: generated {rows:,} rows for {units} units in {gen_seconds:.1f} s")
    return {"size": size, "units": units, "rows": rows, "planted": len(manifest), "generate_s": gen_seconds,
            "folder": str(folder), "period": GENERATED_PERIOD,
            "e2e": time_check(folder, rules, GENERATED_PERIOD, repeat, f"{size:,}"),
            "engine": time_engine(folder, rules, GENERATED_PERIOD, repeat, f"{size:,}")}


def bench_csv(row: dict, work: Path, rules: Path, repeat: int) -> dict:
    """A generated set again as plain CSV (bench.generate.write_plain_csv): end to end through the
    columnar path, and through the general path (LIANJIAN_COLUMNAR=0) for comparison."""
    from bench.generate import write_plain_csv

    folder = work / f"csv-{row['size']}"
    started = time.perf_counter()
    write_plain_csv(row["folder"], folder)
    convert_s = time.perf_counter() - started
    tag = f"{row['size']:,} as CSV"
    result = {"convert_s": convert_s,
              "fast": time_check(folder, rules, row["period"], repeat, tag),
              "general": time_check(folder, rules, row["period"], 1, tag + " (general path)",
                                    env={"LIANJIAN_COLUMNAR": "0"})}
    shutil.rmtree(folder, ignore_errors=True)
    return result


def bench_heavy(work: Path, rules: Path, seed: int, repeat: int) -> dict:
    """The findings-heavy set (bench.heavy: 1,000 small units over 2016–2020), timed like a size."""
    from bench.heavy import PERIOD, write_heavy

    folder = work / "data-heavy"
    started = time.perf_counter()
    by_type = write_heavy(folder, seed=seed)
    gen_seconds = time.perf_counter() - started
    rows = sum(by_type.values())
    log(f"heavy: generated {rows:,} rows for {by_type['unit']} units in {gen_seconds:.1f} s")
    return {"size": "heavy", "units": by_type["unit"], "rows": rows, "by_type": by_type, "generate_s": gen_seconds,
            "folder": str(folder), "period": PERIOD, "e2e": time_check(folder, rules, PERIOD, repeat, "heavy"),
            "engine": time_engine(folder, rules, PERIOD, repeat, "heavy")}


def stage_costs(row: dict, rules: Path, profile: bool) -> dict:
    """bench.stages on a data set: seconds by stage in one process (and, with `profile`, cProfile)."""
    command = [PY, "-m", "bench.stages", row["folder"], "--rules", str(rules), "--period", row["period"],
               *([] if profile else ["--no-profile"])]
    result = timed_run(command)
    if result["code"] != 0:
        return {"name": str(row["size"]), "error": result["stderr"][-500:]}
    return {"name": str(row["size"]), **json.loads(result["stdout"])}


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


def main(argv: list[str] | None = None) -> None:
    global TIMEOUT
    parser = argparse.ArgumentParser(prog="python -m bench.run")
    parser.add_argument("--sizes", default="10000,100000,1000000,10000000")
    parser.add_argument("--no-heavy", action="store_true", help="leave out the findings-heavy set (bench.heavy)")
    parser.add_argument("--peers", action="store_true",
                        help="also compare with CLIPS, zen-engine and DuckDB (sizes ≤ 1M and the heavy set)")
    parser.add_argument("--rate", type=float, default=0.01)
    parser.add_argument("--seed", type=int, default=20200715)
    parser.add_argument("--profile-size", type=int, default=100000, help="size profiled with cProfile (0: none)")
    parser.add_argument("--stage-sizes", default="100000,1000000", help="sizes timed stage by stage (bench.stages)")
    parser.add_argument("--csv-sizes", default="1000000",
                        help="sizes also timed as plain CSV, by the columnar and the general path")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds allowed per timed step")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "RESULTS.md")
    parser.add_argument("--keep", action="store_true", help="keep the generated data sets")
    parser.add_argument("--repeat", type=int, default=3,
                        help="timed runs per size up to --repeat-up-to records (the fastest is the figure)")
    parser.add_argument("--repeat-up-to", type=int, default=1_000_000)
    args = parser.parse_args(argv)
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    stage_sizes = {int(s.replace("_", "")) for s in args.stage_sizes.split(",") if s.strip()}
    csv_sizes = {int(s.replace("_", "")) for s in args.csv_sizes.split(",") if s.strip()}
    TIMEOUT = args.timeout
    info = machine()
    work = Path(tempfile.mkdtemp(prefix="lianjian-bench-"))
    rows, heavy, stages, peers = [], None, [], {}
    try:
        rules_from = snapshot_rules(work / "rules")
        log(f"rules from the {rules_from}; work folder {work}")
        for size in [*sizes, *([] if args.no_heavy else ["heavy"])]:
            if size == "heavy":
                row = heavy = bench_heavy(work, work / "rules", args.seed, args.repeat)
            else:
                repeat = args.repeat if size <= args.repeat_up_to else 1
                row = bench_size(size, work, work / "rules", args.rate, args.seed, repeat)
                rows.append(row)
                if size in csv_sizes:
                    row["csv"] = bench_csv(row, work, work / "rules", repeat)
            if size == "heavy" or size in stage_sizes or size == args.profile_size:
                log(f"{size}: stage by stage{' and cProfile' if size == args.profile_size else ''}")
                stages.append(stage_costs(row, work / "rules", profile=size == args.profile_size))
            if args.peers and (size == "heavy" or size <= PEERS_UP_TO):
                log(f"{size}: peers")
                peers[str(size)] = compare_peers(row, work)
            if not args.keep:
                shutil.rmtree(row["folder"], ignore_errors=True)
        write_results(args.out, info, rows, heavy, stages, rules_from, peers)
        (args.out.with_suffix(".json")).write_text(json.dumps(
            {"machine": info, "rows": rows, "heavy": heavy, "stages": stages, "peers": peers}, indent=1,
            ensure_ascii=False, default=str))
        log(f"wrote {args.out}")
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


def compare_peers(row: dict, work: Path) -> dict:
    out = work / f"peers-{row['size']}.json"
    result = timed_run([PY, "-m", "bench.peers.compare", row["folder"], "--rules", str(work / "rules"),
                        "--period", row["period"], "--repeat", "3", "--json", str(out)])
    return json.loads(out.read_text()) if result["code"] == 0 else {"error": result["stdout"] + result["stderr"]}


if __name__ == "__main__":
    main()
