"""The HTML report renders in headless Chromium (skipped where Chromium is not installed)."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from checker.report import build as report
from checker.report.render import render
from tests.conftest import DEMO, check

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (apt-get install chromium)")
def test_the_demo_report_renders_to_a_screenshot(tmp_path):
    import datetime as dt

    result = check(DEMO, profile="speech", as_of=dt.date(2020, 7, 10), workers=1)
    page = tmp_path / "report.html"
    page.write_text(render(report.build(result), "html", "zh"), encoding="utf-8")
    shot = tmp_path / "report.png"
    subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--no-first-run",
                    f"--user-data-dir={tmp_path / 'profile'}", f"--screenshot={shot}", "--window-size=1280,2000",
                    page.as_uri()], check=True, capture_output=True, timeout=120)
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000
