"""The encoding scan's sample of UTF-8 lines (checker/data/encoding.py `_sample_lines`), split a window
at a time, holds what splitting the whole chunk into lines gave it."""

from __future__ import annotations

import random

from checker.data import encoding


def _sampled_by_whole_split(chunk: bytes, sample: bytearray) -> bytearray:
    for line in chunk.split(b"\n"):
        if not line.isascii() and not encoding._sampled(sample, line):
            break
    return sample


def test_the_sample_is_the_whole_chunks_lines_one_window_or_many() -> None:
    pieces = ["接待", "abc", "", "x" * 3000, "，" * 2000, "é", " ", '"k":1,"v":"值"']
    rng = random.Random(18)
    windows = 0
    for trial in range(300):
        lines = [rng.choice(pieces) * rng.randint(1, 40) for _ in range(rng.randint(0, 400))]
        chunk = "\n".join(lines).encode() + (b"\n" if trial % 2 else b"")
        start = bytearray(b"s" * rng.choice([0, 0, 1000, encoding.SAMPLE_BYTES - 5, encoding.SAMPLE_BYTES]))
        expected = _sampled_by_whole_split(chunk, bytearray(start))
        sample = bytearray(start)
        encoding._sample_lines(sample, chunk)
        assert sample == expected
        windows += len(chunk) > encoding.SAMPLE_BYTES and len(expected) < encoding.SAMPLE_BYTES
    assert windows  # some chunks took more than one window (lines too few or too ASCII to fill the first)
