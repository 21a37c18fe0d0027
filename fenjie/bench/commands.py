"""Where the benchmarks find the ``oxigraph`` command they measure fenjie against.

``pip install oxigraph`` (a test extra) puts the command beside the interpreter, in the virtual
environment's ``bin`` folder, which is not on ``PATH`` unless the environment is activated: the
README's test command runs ``.venv/bin/python`` without activating it. So the folder of
``sys.executable`` is searched after ``PATH``.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

__all__ = ["oxigraph_command", "require_oxigraph"]


def oxigraph_command() -> str | None:
    """The path of the ``oxigraph`` command, or None when it is not installed."""
    folders = [os.environ.get("PATH", ""), str(Path(sys.executable).parent)]
    return shutil.which("oxigraph", path=os.pathsep.join(folders))


def require_oxigraph() -> str:
    """The path of the ``oxigraph`` command; RuntimeError saying how to install it otherwise."""
    binary = oxigraph_command()
    if binary is None:
        raise RuntimeError(
            "未安装 oxigraph 命令 (the oxigraph command is not installed: pip install oxigraph)"
        )
    return binary
