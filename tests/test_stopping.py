"""A stop (SIGTERM, Ctrl-C) raised where Python drops exceptions — a callback from a C or Rust
extension, a finalizer — is not lost: it is raised again between units and before a report replaces
an earlier one, and the command ends with the stop's exit code, the earlier report unchanged."""

from __future__ import annotations

import datetime as dt
import os
import signal
import sys
import weakref

import pytest
from click.testing import CliRunner

from checker.cli import main
from checker.report.atomic import atomic
from checker.run import check as run_module
from checker.run.stopping import Terminated, raise_if_stopped, stopping
from checker.text.exits import Exit
from tests.conftest import DEMO


class _Held:
    pass


def stop_where_it_is_dropped(sent: int) -> None:
    """`sent` delivered inside a finalizer: its handler's exception is printed and dropped there,
    as pydantic-core drops one raised while it matches a pattern with Python's `re`."""
    def deliver() -> None:
        os.kill(os.getpid(), sent)
        for _ in range(1000):  # the handler runs here, between two bytecodes
            pass
    held = _Held()
    weakref.finalize(held, deliver)
    del held  # the finalizer runs now


@pytest.mark.parametrize("sent, stop", [(signal.SIGTERM, Terminated), (signal.SIGINT, KeyboardInterrupt)])
def test_a_dropped_stop_is_raised_again_before_a_report_replaces_the_earlier_one(tmp_path, sent, stop):
    earlier = tmp_path / "report.json"
    earlier.write_text("previous", encoding="utf-8")
    printed = []
    hook, sys.unraisablehook = sys.unraisablehook, printed.append
    try:
        with stopping():
            stop_where_it_is_dropped(sent)  # no exception here: it was dropped
            held = _Held()
            weakref.finalize(held, lambda: 1 / 0)  # any other exception dropped is still printed
            del held
            with pytest.raises(stop), atomic(earlier, binary=False) as handle:
                handle.write("new")
    finally:
        sys.unraisablehook = hook
    assert [type(u.exc_value) for u in printed] == [ZeroDivisionError], "the stop is not printed, others are"
    assert earlier.read_text(encoding="utf-8") == "previous"
    assert list(tmp_path.iterdir()) == [earlier], "the partial report is removed"
    raise_if_stopped()  # outside `stopping`, nothing is remembered


def test_a_check_whose_stop_was_dropped_ends_terminated_with_the_earlier_report(monkeypatch, tmp_path):
    report = tmp_path / "r.json"
    report.write_text("previous", encoding="utf-8")
    real = run_module.audit_period

    def dropped_on_the_way(*args, **kwargs):
        stop_where_it_is_dropped(signal.SIGTERM)
        return real(*args, **kwargs)

    monkeypatch.setattr(run_module, "audit_period", dropped_on_the_way)
    done = CliRunner().invoke(main, ["check", str(DEMO), "--profile", "speech", "--as-of", str(dt.date(2020, 7, 10)),
                                     "--workers", "2", "-o", str(report)])
    assert done.exit_code == Exit.TERMINATED, done.output
    assert report.read_text(encoding="utf-8") == "previous"
    assert signal.getsignal(signal.SIGTERM) is not None and signal.getsignal(signal.SIGINT) is signal.default_int_handler
