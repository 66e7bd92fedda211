"""Draw docs/img/terminal-check.png: `lianjian check` as a 100-column colour terminal shows it.

The command runs in a pseudo-terminal (so it colours and wraps as it would for a user); its output
is replayed into rich's recording console, exported as SVG and photographed by headless Chromium
(`PYTHONPATH=. .venv/bin/python docs/termshot.py`)."""

from __future__ import annotations

import fcntl
import os
import pty
import shutil
import struct
import subprocess
import sys
import tempfile
import termios
from pathlib import Path

from rich.console import Console
from rich.text import Text

ROOT = Path(__file__).resolve().parent.parent
COLUMNS, LINES = 100, 46
WIDTH_PX, HEIGHT_PX = 840, 915
PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><style>
body {{ margin: 0; background: #1e1e1e; }}
pre {{ margin: 0; padding: 14px 18px; color: #d4d4d4; background: #1e1e1e;
       font: 15px/1.3 "Noto Sans Mono CJK SC", "DejaVu Sans Mono", monospace; }}
code {{ font: inherit; }}
</style></head><body><pre><code>{code}</code></pre></body></html>"""
COMMAND = ["check", "fixtures/demo", "--profile", "speech", "--as-of", "2020-07-10"]


def terminal_output(args: list[str]) -> str:
    main, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", LINES, COLUMNS, 0, 0))
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "COLUMNS")} | {"TERM": "xterm-256color"}
    process = subprocess.Popen([sys.executable, "-m", "checker.cli", *args], cwd=ROOT, stdin=subprocess.DEVNULL,
                               stdout=follower, stderr=subprocess.DEVNULL, env=env)
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(main, 65536)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    process.wait()
    return b"".join(chunks).decode("utf-8").replace("\r\n", "\n")


def main() -> None:
    shown = terminal_output(COMMAND).split("\n")[: LINES - 2]
    console = Console(record=True, width=COLUMNS, file=open(os.devnull, "w"), color_system="truecolor")
    console.print(Text("$ lianjian " + " ".join(COMMAND), style="bold green"))
    console.print(Text.from_ansi("\n".join(shown)))
    console.print(Text("…", style="dim"))
    # HTML in a monospace font whose Chinese glyphs are exactly two columns wide (rich's SVG export
    # squeezes CJK glyphs into its own font's cells)
    html = console.export_html(inline_styles=True, code_format=PAGE)
    with tempfile.TemporaryDirectory() as folder:
        page = Path(folder) / "terminal.html"
        page.write_text(html, encoding="utf-8")
        out = ROOT / "docs" / "img" / "terminal-check.png"
        browser = shutil.which("chromium") or shutil.which("chromium-browser")
        subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                        f"--screenshot={out}", f"--window-size={WIDTH_PX},{HEIGHT_PX}", page.as_uri()], check=True,
                       capture_output=True, timeout=120)
    print(out)


if __name__ == "__main__":  # pragma: no cover
    main()
