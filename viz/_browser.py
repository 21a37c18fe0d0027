"""Headless Chromium with the network cut off: open a view, wait for the first draw, read counts.

Used by the views benchmark and by the browser tests. Needs Playwright's Python package and a
Chromium binary (Debian's ``/usr/bin/chromium``, or ``$FENJIE_CHROMIUM``); no browser is ever
downloaded. Every request that is not ``file:`` or ``data:`` is aborted and recorded.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["LAUNCH_ARGS", "OfflinePage", "chromium", "chromium_path", "offline_page"]

LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def chromium_path() -> str | None:
    """``$FENJIE_CHROMIUM``, else Debian's chromium, else whatever ``chromium`` is on the PATH."""
    for candidate in (os.environ.get("FENJIE_CHROMIUM"), "/usr/bin/chromium"):
        if candidate and Path(candidate).exists():
            return candidate
    return shutil.which("chromium") or shutil.which("chromium-browser")


@contextmanager
def chromium() -> Iterator[Any]:
    """A headless Chromium browser (Playwright), closed on exit."""
    from playwright.sync_api import sync_playwright

    path = chromium_path()
    if path is None:
        raise RuntimeError("no Chromium found: install Debian's chromium or set $FENJIE_CHROMIUM")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=path, args=LAUNCH_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class OfflinePage:
    """A page whose network is cut off; what it tried and what it logged is recorded."""

    page: Any
    blocked: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def open(self, path: str | os.PathLike[str], *, timeout_ms: float = 30_000) -> float:
        """Open a view file; returns ms from navigation start to its first complete draw."""
        self.page.goto(Path(path).resolve().as_uri())
        self.page.wait_for_function(
            "window.fenjieView && window.fenjieView.drawn", timeout=timeout_ms
        )
        return float(self.page.evaluate("window.fenjieView.drawnAt"))

    def counts(self) -> dict[str, int]:
        """Nodes and edges held by the page's vis DataSets."""
        counts = self.page.evaluate(
            "({nodes: window.fenjieView.nodes.length, edges: window.fenjieView.edges.length})"
        )
        return {"nodes": int(counts["nodes"]), "edges": int(counts["edges"])}

    def moving(self, *, wait_ms: int = 300) -> bool:
        """Whether any node moves within ``wait_ms`` (physics still running)."""
        positions = "JSON.stringify(window.fenjieView.network.getPositions())"
        before = str(self.page.evaluate(positions))
        self.page.wait_for_timeout(wait_ms)
        after = str(self.page.evaluate(positions))
        return before != after


@contextmanager
def offline_page(browser: Any, *, width: int = 1280, height: int = 800) -> Iterator[OfflinePage]:
    """A fresh context and page with every non-file request aborted and recorded."""
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    record = OfflinePage(page)

    def route(r: Any) -> None:
        url = r.request.url
        if url.startswith(("file:", "data:")):
            r.continue_()
        else:
            record.blocked.append(url)
            r.abort()

    context.route("**/*", route)
    page.on(
        "request",
        lambda req: (
            None if req.url.startswith(("file:", "data:")) else record.blocked.append(req.url)
        ),
    )
    page.on(
        "console", lambda m: record.console_errors.append(m.text) if m.type == "error" else None
    )
    page.on("pageerror", lambda e: record.console_errors.append(f"pageerror: {e}"))

    def dialog(d: Any) -> None:
        record.dialogs.append(d.message)
        d.dismiss()

    page.on("dialog", dialog)
    try:
        yield record
    finally:
        context.close()
