"""Parallel evaluation gives the same findings as one worker, and a crashing unit is isolated."""

from __future__ import annotations

import datetime as dt
import os
import signal

import pytest

from checker.engine.durable import Engine
from tests.conftest import DEMO, ROOT, check

AS_OF = dt.date(2020, 7, 20)


def fingerprints(result):
    return [f.as_dict() for f in result.findings]


def test_two_workers_give_exactly_the_one_worker_report():
    one = check(DEMO, profile="speech", as_of=AS_OF, workers=1)
    two = check(DEMO, profile="speech", as_of=AS_OF, workers=2)
    assert fingerprints(one) == fingerprints(two)
    assert not two.not_judged


def test_a_unit_that_crashes_the_engine_takes_only_itself_down(monkeypatch):
    from checker.engine.durable import CRASH_UNIT_VARIABLE

    baseline = check(DEMO, profile="speech", as_of=AS_OF, workers=1)
    monkeypatch.setenv(CRASH_UNIT_VARIABLE, "ZF")  # a real SIGSEGV, in forked and fresh interpreters alike
    result = check(DEMO, profile="speech", as_of=AS_OF, workers=2)
    assert list(result.not_judged) == ["ZF"]
    units = {f.unit for f in result.findings}
    assert "ZF" not in units and {"JTJ", "LQ"} <= units
    assert [f for f in fingerprints(result)] == [f for f in fingerprints(baseline) if f["unit"] != "ZF"]


@pytest.mark.parametrize("workers", [1, 2])
def test_a_unit_that_crashes_only_forked_workers_is_judged_in_a_fresh_interpreter(monkeypatch, workers):
    """The engine's crashes follow memory layout: a unit that kills every forked worker is tried once
    more in a new interpreter (which the monkeypatch does not reach), and judged there."""
    judge = Engine.judge

    def crash_on_zf(self, batch):
        if batch.unit == "ZF":
            os.kill(os.getpid(), signal.SIGSEGV)
        return judge(self, batch)

    baseline = check(DEMO, profile="speech", as_of=AS_OF, workers=1)
    monkeypatch.setattr(Engine, "judge", crash_on_zf)
    result = check(DEMO, profile="speech", as_of=AS_OF, workers=workers)
    assert not result.not_judged
    assert fingerprints(result) == fingerprints(baseline)


def test_one_worker_isolates_a_crash_too():
    """With --workers 1 (a one-core machine's default) a crashing unit is not judged; the run goes on."""
    import subprocess
    import sys

    code = ("import datetime as dt, os\nfrom checker.engine.durable import CRASH_UNIT_VARIABLE\n"
            "from checker.run.check import Options, run\nos.environ[CRASH_UNIT_VARIABLE] = 'ZF'\n"
            "r = run('fixtures/demo', Options(profile='speech', as_of=dt.date(2020, 7, 20), workers=1))\n"
            "print(sorted(r.not_judged), len(r.findings))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split("\n")[0].startswith("['ZF']")


def test_workers_take_the_default_sigterm_whatever_the_command_installed():
    """The command turns SIGTERM into an exception (to clean up); a worker must not inherit that: when
    a sibling's crash breaks the pool, the pool terminates the others, and a worker that raised instead
    of dying blocked reporting it through a pipe nobody read — the whole run hung."""
    from checker.run.processes import run_units

    previous = signal.signal(signal.SIGTERM, lambda *_: None)
    try:
        seen: dict = {}
        run_units(lambda _evaluator, unit: (signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT)),
                  None, [["a"], ["b"]], 2, seen.__setitem__)
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert seen and all(got == (signal.SIG_DFL, signal.SIG_IGN) for got in seen.values())
