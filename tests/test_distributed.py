"""The per-unit partitions on a local Dask cluster give exactly the local findings.

Each test runs its cluster in a fresh interpreter: a Dask client leaves threads (its event loop,
comms) in the process, and a process with threads that later forks — as every check's workers and
the rule-example tests do — can deadlock in the child on a lock one of those threads held."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import ROOT

pytest.importorskip("distributed")

SCRIPT = """
import datetime as dt, json, os, sys
import dask, distributed
from checker.run.check import Options, run

as_of = dt.date(2020, 7, 10)
local = run("fixtures/demo", Options(profile="speech", as_of=as_of, workers=1))
if sys.argv[1] == "crash":
    from checker.engine.durable import CRASH_UNIT_VARIABLE
    os.environ[CRASH_UNIT_VARIABLE] = "ZF"  # inherited by the worker processes the cluster starts
with dask.config.set({"distributed.scheduler.allowed-failures": 0}), \\
        distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
    remote = run("fixtures/demo", Options(profile="speech", as_of=as_of, scheduler=cluster.scheduler_address))
print(json.dumps({"not_judged": remote.not_judged, "remote": [f.as_dict() for f in remote.findings],
                  "local": [f.as_dict() for f in local.findings]}, ensure_ascii=False, default=str))
"""


def _cluster_run(mode: str) -> dict:
    done = subprocess.run([sys.executable, "-c", SCRIPT, mode], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_local_dask_cluster_gives_the_local_findings():
    result = _cluster_run("plain")
    assert not result["not_judged"]
    assert result["remote"] == result["local"] and result["local"]


def test_a_unit_that_kills_its_dask_worker_is_reported_not_judged_and_the_rest_completes():
    """A real segfault in a worker process (not an exception): Dask reports KilledWorker, the chunk is
    retried unit by unit, and only the unit that keeps killing its worker is left out."""
    from checker.run.processes import CRASHED

    result = _cluster_run("crash")
    assert result["not_judged"] == {"ZF": CRASHED}
    expected = [f for f in result["local"] if f["unit"] != "ZF"]
    assert result["remote"] == expected and expected
