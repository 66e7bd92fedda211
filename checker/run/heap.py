"""How a check asks Python's cyclic garbage collector to behave.

A check makes millions of short-lived objects (rows, records, facts, findings) that reference
counting frees as soon as they are dropped; cycles are rare. Python's cyclic collector, left at its
defaults, walks the young objects every 700 allocations and, every so often, every object alive —
the registries, the spool index, the summaries the report counts, and in a forked worker the whole
heap it inherited (writing to those pages, which the fork had shared). Measured end to end, CPU of
the check and its workers, on the findings-heavy set: 32–36 s with the defaults, 24 s with the
collector run less often and the heap held before the workers fork set aside (bench/RESULTS.md).

So while a check runs the collector runs every 50,000 allocations instead of every 700 (cycles are
still collected; they wait a little longer), and what the run holds for its whole length is set
aside (`gc.freeze`) before the workers fork and before the report is written: it is never walked
again. Both are undone when the block ends, so a caller that runs many checks in one process (the
rule examples, the tests) keeps its collector as it was and its frozen objects collectable.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

# young objects between two collections; young collections between two middle ones; middle ones
# between two full ones (Python's defaults: 700, 10, 10)
BATCH_THRESHOLDS = (50_000, 20, 100)


@contextmanager
def few_collections() -> Iterator[None]:
    """The collector run less often for the block; what `set_aside` froze in it is thawed after."""
    before, frozen = gc.get_threshold(), gc.get_freeze_count()
    gc.set_threshold(*BATCH_THRESHOLDS)
    try:
        yield
    finally:
        if not frozen and gc.get_freeze_count():  # (what a caller froze before, it thaws itself)
            gc.unfreeze()
        gc.set_threshold(*before)


def set_aside() -> None:
    """What is alive now is kept for the rest of the block: the collector no longer walks it (and a
    worker forked after this does not write to the pages it shares with its parent to walk it)."""
    gc.freeze()
