"""The per-unit partitions on a local Dask cluster give exactly the local findings."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.conftest import DEMO, check

distributed = pytest.importorskip("distributed")


def test_a_local_dask_cluster_gives_the_local_findings():
    as_of = dt.date(2020, 7, 10)
    local = check(DEMO, profile="speech", as_of=as_of, workers=1)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        remote = check(DEMO, profile="speech", as_of=as_of, scheduler=cluster.scheduler_address)
    assert not remote.not_judged
    assert [f.as_dict() for f in remote.findings] == [f.as_dict() for f in local.findings]


def test_a_unit_that_kills_its_dask_worker_is_reported_not_judged_and_the_rest_completes(monkeypatch):
    """A real segfault in a worker process (not an exception): Dask reports KilledWorker, the chunk is
    retried unit by unit, and only the unit that keeps killing its worker is left out."""
    import dask

    from checker.engine.durable import CRASH_UNIT_VARIABLE
    from checker.run.processes import CRASHED

    as_of = dt.date(2020, 7, 10)
    local = check(DEMO, profile="speech", as_of=as_of, workers=1)
    monkeypatch.setenv(CRASH_UNIT_VARIABLE, "ZF")  # inherited by the worker processes the cluster starts
    with dask.config.set({"distributed.scheduler.allowed-failures": 0}), \
            distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                     dashboard_address=None) as cluster:
        remote = check(DEMO, profile="speech", as_of=as_of, scheduler=cluster.scheduler_address)
    assert remote.not_judged == {"ZF": CRASHED}
    expected = [f.as_dict() for f in local.findings if f.unit != "ZF"]
    assert [f.as_dict() for f in remote.findings] == expected and expected
