"""The HTML report in headless Chromium: screenshots of the screen at 1280 and 400 px wide, and the
printed A4 PDF (pages counted, evidence and citations in the text).

Chromium and the Noto CJK fonts are installed by the test setup where they are missing and this
runs as root with apt-get (Debian's `chromium` and `fonts-noto-cjk`: about 30 s on a machine with
the package lists, once); the tests are skipped only where that cannot be done. Set
LIANJIAN_SHOTS=DIR to keep the screenshots and the PDF (docs/img holds the committed ones).
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest

from checker.report import build as report
from checker.report.render import html_report
from tests.conftest import DEMO, check

PACKAGES = ("chromium", "fonts-noto-cjk")


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


def _fonts_missing() -> bool:
    listed = subprocess.run(["fc-list"], capture_output=True, text=True).stdout if shutil.which("fc-list") else ""
    return "Noto Sans CJK" not in listed


def _install() -> str | None:
    """apt-get install what is missing, where this can (root, Debian); the lists are fetched only
    when the first attempt finds nothing to install."""
    if _chromium() and not _fonts_missing():
        return None
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        return "Chromium or the CJK fonts are missing and cannot be installed here (needs root and apt-get)"
    command = ["apt-get", "install", "-y", "--no-install-recommends", *PACKAGES]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    if subprocess.run(command, capture_output=True, env=env, timeout=900).returncode != 0:
        subprocess.run(["apt-get", "update"], capture_output=True, env=env, timeout=600)
        if subprocess.run(command, capture_output=True, env=env, timeout=900).returncode != 0:
            return "apt-get could not install chromium and fonts-noto-cjk"
    return None if _chromium() else "Chromium is still missing after apt-get"


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    reason = _install()
    if reason:
        pytest.skip(reason)
    folder = Path(os.environ.get("LIANJIAN_SHOTS") or tmp_path_factory.mktemp("browser"))
    folder.mkdir(parents=True, exist_ok=True)
    result = check(DEMO, profile="speech", as_of=dt.date(2020, 7, 10), workers=1)
    built = report.build(result)
    page = folder / "report.html"
    page.write_text(html_report.render(built, "zh"), encoding="utf-8")
    unit = [f for f in built["findings"] if f["unit"] == "GH"]
    handover = folder / "handover.html"
    handover.write_text(html_report.render({**built, "findings": unit}, "zh", handover=True), encoding="utf-8")
    return folder, page, handover, len(built["findings"])


def _run(folder: Path, *args: str) -> None:
    subprocess.run([_chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars",
                    f"--user-data-dir={folder / 'profile'}", *args],
                   check=True, capture_output=True, timeout=120)


@pytest.mark.parametrize("width", [1280, 400])
def test_the_demo_report_renders_on_screen(browser, width):
    folder, page, _, _ = browser
    shot = folder / f"report-{width}.png"
    _run(folder, f"--screenshot={shot}", f"--window-size={width},1800", page.as_uri())
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and int.from_bytes(data[16:20], "big") == width
    assert shot.stat().st_size > 40_000  # text and colour, not a blank page


def _pdf(folder: Path, page: Path, name: str) -> tuple[int, str]:
    pypdf = pytest.importorskip("pypdf")
    pdf = folder / name
    _run(folder, f"--print-to-pdf={pdf}", "--no-pdf-header-footer", page.as_uri())
    reader = pypdf.PdfReader(pdf)
    text = "\n".join(p.extract_text() or "" for p in reader.pages)
    return len(reader.pages), unicodedata.normalize("NFKC", text)  # Kangxi radicals back to 月, 日


def test_the_demo_report_prints_to_a4_with_evidence_and_page_numbers(browser):
    folder, page, _, findings = browser
    pages, text = _pdf(folder, page, "report.pdf")
    assert findings == 67 and 5 <= pages <= 25  # the old report printed 40 pages of two findings each
    assert f"1 / {pages}" in text and f"{pages} / {pages}" in text  # page numbers
    assert "证据" in text and "违反了《党政机关国内公务接待管理规定》" in text and "元" in text
    assert "基准日" in text and "规则配置" in text and "查找" not in text  # controls are not printed


def test_the_hand_over_list_prints_with_its_deadline_column(browser):
    folder, _, handover, _ = browser
    pages, text = _pdf(folder, handover, "handover.pdf")
    assert pages <= 3 and "整改时限" in text and "宣州市港航管理处" in text
