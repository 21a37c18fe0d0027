"""The web page: ``index.html`` and its static files, served by fenjie itself (nothing from a CDN)."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, Response

__all__ = ["STATIC", "index"]

STATIC = Path(str(files("fenjie.server") / "static"))


async def index(request: Request) -> Response:
    """``/``: the page."""
    return FileResponse(STATIC / "index.html", media_type="text/html; charset=utf-8")
