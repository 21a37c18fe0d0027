"""Screenshots of the web page and the network views, made from the bundled table.

    .venv/bin/python docs/make_screenshots.py [--out docs/screenshots]

Builds the bundled example into a temporary store, serves it on a free port, drives headless
Chromium (/usr/bin/chromium, through Playwright from the test extras) over the page's tabs and the
four views, and writes one PNG per screen into ``--out``. Run it again after changing the page or
the views; docs/screenshots.md shows the result.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["SHOTS", "main", "take_screenshots"]

CHROMIUM = "/usr/bin/chromium"
WIDTH, HEIGHT = 1280, 860
#: file name → (address under the server, what to do before the picture, selector to wait for)
SHOTS: dict[str, tuple[str, str, str]] = {
    "page-overview.png": ("/#home", "", "#home-documents-table tbody tr"),
    "page-unit.png": ("/#unit", "unit:省科技厅", ".obligation"),
    "page-load.png": ("/#load", "", "#load-table tbody tr"),
    "page-document.png": ("/#doc", "doc:意见", "#doc-table tr.dependent"),
    "page-sparql.png": ("/#sparql", "sparql", "#sparql-table tbody tr"),
    "view-responsibility.png": ("/views/responsibility", "", "body[data-drawn='1']"),
    "view-coordination.png": ("/views/coordination", "", "body[data-drawn='1']"),
    "view-dependency.png": ("/views/dependency?document=意见", "", "body[data-drawn='1']"),
    "view-unit.png": ("/views/unit?unit=省科技厅", "", "body[data-drawn='1']"),
}


@contextmanager
def bundled_server(folder: Path) -> Iterator[str]:
    """``fenjie serve`` over the bundled table on a free port; yields its base address."""
    store = folder / "store"
    subprocess.run(
        [sys.executable, "-m", "fenjie", "build", "--store", str(store)],
        check=True,
        capture_output=True,
    )
    log = folder / "serve.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "fenjie", "serve", "--store", str(store), "--port", "0"]
            + ["--workers", "2", "--timeout", "60", "--log-level", "warning"],
            stdout=subprocess.DEVNULL,
            stderr=out,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and server.poll() is None:
            found = re.search(r"http://127\.0\.0\.1:\d+", log.read_text("utf-8", "replace"))
            if found and _answers(found.group(0) + "/api/health"):
                yield found.group(0)
                return
            time.sleep(0.2)
        raise RuntimeError("fenjie serve did not start:\n" + log.read_text("utf-8", "replace"))
    finally:
        server.terminate()
        server.wait(30)


def _answers(url: str) -> bool:
    import urllib.request

    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return bool(response.status == 200)
    except OSError:
        return False


def _prepare(page: object, action: str) -> None:
    kind, _, value = action.partition(":")
    if kind == "unit":
        page.fill("#unit-input", value)  # type: ignore[attr-defined]
        page.click("#unit-form button[type=submit]")  # type: ignore[attr-defined]
    elif kind == "doc":
        page.fill("#doc-input", value)  # type: ignore[attr-defined]
        page.click("#doc-form button[type=submit]")  # type: ignore[attr-defined]
    elif kind == "sparql":
        page.wait_for_selector("#sparql-text")  # type: ignore[attr-defined]
        page.click("#sparql-form button[type=submit]")  # type: ignore[attr-defined]


def take_screenshots(out: Path) -> list[Path]:
    """Write every screenshot of :data:`SHOTS` into ``out``; returns the files written."""
    from playwright.sync_api import sync_playwright

    from fenjie.viz._browser import LAUNCH_ARGS

    out.mkdir(parents=True, exist_ok=True)
    written = []
    with tempfile.TemporaryDirectory() as folder, bundled_server(Path(folder)) as base:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
            for name, (address, action, ready) in SHOTS.items():
                page = browser.new_page(viewport={"width": WIDTH, "height": HEIGHT}, locale="zh-CN")
                page.goto(base + address)
                _prepare(page, action)
                page.wait_for_selector(ready, timeout=60_000)
                page.wait_for_timeout(400)  # the views' opening zoom, the chart's fonts
                page.screenshot(path=str(out / name))
                page.close()
                written.append(out / name)
            browser.close()
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "screenshots")
    args = parser.parse_args(argv)
    for path in take_screenshots(args.out):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
