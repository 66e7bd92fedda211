"""What stops a command — SIGTERM, Ctrl-C — and the guarantee that a stop is never lost.

Each is raised in the main thread when it arrives, so that every `finally` runs (the workers
stopped, the spool removed, a partial report deleted). But an exception raised while a C or Rust
extension has called back into Python — pydantic-core matching a pattern with Python's `re`, a
finalizer — is printed as "Exception ignored" and dropped there, and the command went on to write
its report over the earlier one, exit 0 (seen: tests/test_exits.py, one run in a few). So a stop is
also remembered (`stopping`), and raised again (`raise_if_stopped`) between units, before a report
replaces an earlier one (checker.report.atomic) and before the command exits.
"""

from __future__ import annotations

import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


class Terminated(BaseException):
    """SIGTERM, raised in the main thread so that every `finally` (spool, partial reports) runs."""


_stop: type[BaseException] | None = None  # the stop that arrived, if one did


def _on_sigterm(signum: int, frame: Any) -> None:
    global _stop
    _stop = Terminated
    raise Terminated()


def _on_sigint(signum: int, frame: Any) -> None:
    global _stop
    _stop = KeyboardInterrupt
    raise KeyboardInterrupt()


def raise_if_stopped() -> None:
    """The stop that arrived, raised again: where it was raised first, it may have been dropped."""
    if _stop is not None:
        raise _stop()


@contextmanager
def stopping() -> Iterator[None]:
    """SIGTERM and Ctrl-C raised and remembered while the block runs, and not printed where they are
    dropped (they are raised again); the handlers and the hook before restored after."""
    global _stop
    _stop = None
    before = signal.signal(signal.SIGTERM, _on_sigterm), signal.signal(signal.SIGINT, _on_sigint)
    hook = sys.unraisablehook

    def quiet_stops(unraisable: Any) -> None:
        """A dropped stop is not a traceback on the terminal: it is remembered, and raised again."""
        if _stop is None or not isinstance(unraisable.exc_value, (Terminated, KeyboardInterrupt)):
            hook(unraisable)

    sys.unraisablehook = quiet_stops
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, before[0])
        signal.signal(signal.SIGINT, before[1])
        sys.unraisablehook = hook
        _stop = None
