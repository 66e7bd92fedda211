"""Parallel evaluation gives the same findings as one worker, and a crashing unit is isolated."""

from __future__ import annotations

import datetime as dt
import os
import signal

from checker.engine.durable import Engine
from tests.conftest import DEMO, check

AS_OF = dt.date(2020, 7, 20)


def fingerprints(result):
    return [f.as_dict() for f in result.findings]


def test_two_workers_give_exactly_the_one_worker_report():
    one = check(DEMO, profile="speech", as_of=AS_OF, workers=1)
    two = check(DEMO, profile="speech", as_of=AS_OF, workers=2)
    assert fingerprints(one) == fingerprints(two)
    assert not two.not_judged


def test_a_unit_that_crashes_the_engine_takes_only_itself_down(monkeypatch):
    judge = Engine.judge

    def crash_on_zf(self, batch):
        if batch.unit == "ZF":
            os.kill(os.getpid(), signal.SIGSEGV)
        return judge(self, batch)

    monkeypatch.setattr(Engine, "judge", crash_on_zf)  # inherited by the forked workers
    result = check(DEMO, profile="speech", as_of=AS_OF, workers=2)
    assert list(result.not_judged) == ["ZF"]
    units = {f.unit for f in result.findings}
    assert "ZF" not in units and {"JTJ", "LQ"} <= units
    monkeypatch.setattr(Engine, "judge", judge)
    baseline = check(DEMO, profile="speech", as_of=AS_OF, workers=1)
    assert [f for f in fingerprints(result)] == [f for f in fingerprints(baseline) if f["unit"] != "ZF"]
