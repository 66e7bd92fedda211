"""The SHA-256 of each input file, for the report's `meta.inputs`, worked out beside the check.

The report names each input by its digest, so an audit can show which files it judged. Hashing is
one more pass over every byte of the data (218 MB for the 1M benchmark set, 2.2 GB for 10M: seconds,
at a few hundred MB/s), and done when the report is built it came after everything else, in one
process. With more than one process allowed, a forked process hashes the files while the units are
judged, and the report takes its answer (or hashes here what it was not given).
"""

from __future__ import annotations

import hashlib
import multiprocessing
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path

from checker.run.processes import worker_signals

FORK_FROM_BYTES = 32 << 20  # below this, hashing takes a few milliseconds: not worth a process


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _send_all(paths: list[Path], sending: Connection) -> None:
    worker_signals()
    sending.send({str(path): sha256_of(path) for path in paths})
    sending.close()


class InputDigests:
    """The digests of the input files: asked for now (`begin`), read when the report is built."""

    def __init__(self) -> None:
        self._process: BaseProcess | None = None
        self._receiving: Connection | None = None
        self._known: dict[str, str] = {}

    @classmethod
    def begin(cls, paths: list[Path], workers: int) -> InputDigests:
        """Hashing `paths` started in a forked process when `workers` > 1 and they are big; else
        nothing is started (each is hashed when asked for).
        A process and a pipe, not a pool: a pool's threads would be running when the workers fork."""
        digests = cls()
        files = [path for path in paths if path.is_file()]
        if workers > 1 and sum(path.stat().st_size for path in files) >= FORK_FROM_BYTES:
            context = multiprocessing.get_context("fork")
            digests._receiving, sending = context.Pipe(duplex=False)
            digests._process = context.Process(target=_send_all, args=(files, sending), daemon=True)
            digests._process.start()
            sending.close()  # this process only receives
        return digests

    def of(self, path: Path) -> str:
        if self._process is not None and self._receiving is not None:
            try:
                self._known.update(self._receiving.recv())
            except (EOFError, OSError):  # the process died (killed, out of memory): hashed here instead
                pass
            self._receiving.close()
            self._process.join()
            self._process = self._receiving = None
        key = str(path)
        if key not in self._known:
            self._known[key] = sha256_of(path)
        return self._known[key]
