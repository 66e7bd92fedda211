"""Report files written whole or not at all: to a temporary file beside the target, renamed over it
when complete, so Ctrl-C, SIGTERM, a full disk or a crash leaves the previous file as it was, and two
runs writing the same path never interleave (the last complete one wins)."""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from checker.run.stopping import raise_if_stopped


def _is_special(path: Path) -> bool:
    """/dev/null, a pipe, a terminal: written in place (a rename would replace the device)."""
    try:
        return not stat.S_ISREG(path.stat().st_mode)
    except FileNotFoundError:
        return False


@contextmanager
def atomic(path: Path, binary: bool) -> Iterator[IO[Any]]:
    """A handle whose content replaces `path` only when the block completes."""
    if _is_special(path):
        with path.open("wb" if binary else "w", **({} if binary else {"encoding": "utf-8"})) as handle:
            yield handle
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial", dir=path.parent)
    try:
        mask = os.umask(0)
        os.umask(mask)
        os.fchmod(descriptor, 0o666 & ~mask)  # as a plain open() would have made it
        with os.fdopen(descriptor, "wb" if binary else "w", **({} if binary else {"encoding": "utf-8"})) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        raise_if_stopped()  # a stop dropped while the report was made: the earlier report stays
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
