"""Run one command and report what the kernel says it cost: peak RSS and CPU time.

Used by :func:`fenjie.bench.build.measure` as ``python -I -S _wrapper.py FD COMMAND...``, a small
process of its own (standard library only, no site packages): a process's peak resident set
(``ru_maxrss``) keeps the size of the process it was forked from, so a command forked straight from
the benchmark would carry the benchmark's 100+ MB in its figure. Forked from here it carries this
wrapper's few MB at most. The wrapper writes ``maxrss_kb user_s system_s`` of the command (and the
descendants it waited for) to the file descriptor FD and exits with the command's status.
"""

from __future__ import annotations

import os
import signal
import sys

__all__ = ["main"]


def main(argv: list[str]) -> int:
    report_fd, command = int(argv[0]), argv[1:]
    os.set_inheritable(report_fd, False)  # the command's processes must not hold the report open
    pid = os.fork()
    if pid == 0:
        try:
            os.execvp(command[0], command)
        except OSError as exc:
            os.write(2, f"{command[0]}: {exc}\n".encode())
        os._exit(127)
    # a stopped benchmark stops its command too
    signal.signal(signal.SIGTERM, lambda *_: os.kill(pid, signal.SIGTERM))
    _, status, usage = os.wait4(pid, 0)
    os.write(report_fd, f"{usage.ru_maxrss} {usage.ru_utime} {usage.ru_stime}\n".encode())
    code = os.waitstatus_to_exitcode(status)
    return code if code >= 0 else 128 - code  # killed by a signal: as a shell reports it


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
