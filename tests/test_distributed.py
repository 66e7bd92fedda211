"""The per-unit partitions on a local Dask cluster give exactly the local findings."""

from __future__ import annotations

import datetime as dt

import pytest

from checker import pipeline
from tests.conftest import DEMO

distributed = pytest.importorskip("distributed")


def test_a_local_dask_cluster_gives_the_local_findings():
    as_of = dt.date(2020, 7, 10)
    local = pipeline.run_check(DEMO, profile="speech", as_of=as_of, workers=1)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        remote = pipeline.run_check(DEMO, profile="speech", as_of=as_of, scheduler=cluster.scheduler_address)
    assert not remote.not_judged
    assert [f.as_dict() for f in remote.findings] == [f.as_dict() for f in local.findings]
