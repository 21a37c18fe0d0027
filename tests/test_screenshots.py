"""docs/make_screenshots.py makes every screenshot of docs/screenshots.md from the bundled table."""

from __future__ import annotations

import re
import struct
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(900)]


def png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n", path
    width, height = struct.unpack(">II", head[16:24])
    return width, height


def test_one_command_makes_every_screenshot(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "docs" / "make_screenshots.py"), "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    made = sorted(p.name for p in tmp_path.glob("*.png"))
    shown = sorted(
        set(
            re.findall(
                r"\(screenshots/([\w-]+\.png)\)",
                (ROOT / "docs" / "screenshots.md").read_text("utf-8"),
            )
        )
    )
    assert made == shown and len(made) == 9
    committed = sorted(p.name for p in (ROOT / "docs" / "screenshots").glob("*.png"))
    assert committed == made
    for path in tmp_path.glob("*.png"):
        assert png_size(path) == (1280, 860)
        assert path.stat().st_size > 20_000  # a drawn screen, not a blank one
