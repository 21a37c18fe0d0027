"""Test-only fault injection: kill the build at a named point to prove a crash loses nothing.

Set ``FENJIE_TEST_KILL_AT`` to one of :data:`POINTS` and the process sends itself ``SIGKILL`` when the
build reaches that point, exactly as ``kill -9`` from outside would. Unset (always, outside the crash
tests), :func:`kill_point` is one dictionary lookup.
"""

from __future__ import annotations

import os
import signal

__all__ = ["ENV", "POINTS", "kill_point"]

ENV = "FENJIE_TEST_KILL_AT"

POINTS = (
    "locked",  # the lock is held, nothing written yet
    "staging",  # the staging copy exists, the first table is being written
    "table-written",  # after the first table went into the staging copy
    "staged",  # the new version is complete, the pointer not yet switched
    "pointer-made",  # the new pointer exists beside the old one, not yet renamed over it
    "migrated",  # an old-layout store moved into the versions folder, the pointer not yet made
    "switched",  # the pointer names the new version, old versions not yet removed
)


def kill_point(name: str) -> None:
    """Die here, by SIGKILL, if the test hook names this point."""
    assert name in POINTS, name
    if os.environ.get(ENV) == name:
        os.kill(os.getpid(), signal.SIGKILL)
