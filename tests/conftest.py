from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "fixtures" / "demo"


@pytest.fixture
def run_python(tmp_path):
    """Run a snippet in a fresh interpreter: engine crashes must not take the test process down."""
    import subprocess

    def run(code: str) -> subprocess.CompletedProcess:
        script = tmp_path / "snippet.py"
        script.write_text(code, encoding="utf-8")
        return subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120)

    return run


def check(source, **options):
    """The one run, as every caller makes it (options as in checker.run.check.Options)."""
    from checker.run.check import Options, run

    return run(source, Options(**options))


def values_of(record):
    """A validated record's values by field: its `__dict__` (a pydantic model's, or the columnar path's
    PlainRecord's) or, for a registry record kept compact by the partition pass, its slots."""
    try:
        return record.__dict__
    except AttributeError:
        return {name: getattr(record, name) for name in record.__slots__}
