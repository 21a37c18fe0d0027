"""A throw-away Virtuoso Open Source server on 127.0.0.1, for the tests and the store benchmark.

Debian's ``virtuoso-opensource`` package gives ``virtuoso-t`` and ``isql-vt``. The server gets a
temporary database of its own, free ports on the loopback address only, and stops with the
context. Its administrator on a fresh database is ``dba``/``dba``; :meth:`VirtuosoServer.add_user`
makes a user with the role that may write RDF, so that clients never need the administrator.
"""

from __future__ import annotations

import shutil
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from fenjie.bench._serving import free_port

__all__ = ["VirtuosoServer", "available", "virtuoso"]

_INI = """[Database]
DatabaseFile = {dir}/virtuoso.db
ErrorLogFile = {dir}/virtuoso.log
LockFile = {dir}/virtuoso.lck
TransactionFile = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
TempStorage = TempDatabase
[TempDatabase]
DatabaseFile = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx
[Parameters]
ServerPort = 127.0.0.1:{sql}
DisableUnixSocket = 1
CaseMode = 2
DirsAllowed = ., {dir}, {load_dir}
NumberOfBuffers = {buffers}
MaxDirtyBuffers = {dirty}
ThreadsPerQuery = 2
[HTTPServer]
ServerPort = 127.0.0.1:{http}
ServerRoot = {dir}
ServerThreads = 10
Charset = UTF-8
[SPARQL]
ResultSetMaxRows = 10000000
MaxQueryExecutionTime = 600
MaxQueryCostEstimationTime = 600
"""


def available() -> bool:
    """Whether ``virtuoso-t`` and ``isql-vt`` are installed."""
    return shutil.which("virtuoso-t") is not None and shutil.which("isql-vt") is not None


@dataclass
class VirtuosoServer:
    """A running server: its HTTP base URL and SQL port."""

    base: str
    sql_port: int
    folder: Path

    @property
    def query_endpoint(self) -> str:
        return self.base + "/sparql"

    def isql(self, statements: str, *, timeout: float = 3600) -> str:
        """Run SQL ``statements`` as the administrator; their output, or ``RuntimeError``."""
        done = subprocess.run(
            ["isql-vt", str(self.sql_port), "dba", "dba"],
            input=statements,
            text=True,
            capture_output=True,
            timeout=timeout,
        )
        if done.returncode != 0 or "*** Error" in done.stdout:
            raise RuntimeError(f"isql-vt failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
        return done.stdout

    def add_user(self, user: str, password: str) -> None:
        """A user that may read and write RDF (role ``SPARQL_UPDATE``)."""
        self.isql(
            f"DB.DBA.USER_CREATE('{user}', '{password}');\nGRANT SPARQL_UPDATE TO \"{user}\";\n"
        )

    def bulk_load(self, folder: Path, pattern: str, graph: str) -> None:
        """Load files (N-Quads keep their graphs; ``graph`` is for triples) with the bulk loader."""
        self.isql(f"ld_dir('{folder}', '{pattern}', '{graph}');\nrdf_loader_run();\ncheckpoint;\n")


@contextmanager
def virtuoso(
    folder: Path,
    *,
    buffers: int = 10_000,
    load_dir: Path | None = None,
    startup: float = 120,
    shutdown: float = 60,
) -> Iterator[VirtuosoServer]:
    """Start Virtuoso with a new database in ``folder``; stop it when the context ends.

    ``buffers`` are 8 KB pages of cache (10,000 for tests; about 100,000 per million triples for a
    benchmark that should not measure the disk). ``load_dir`` is a folder the bulk loader may read.
    On exit the server is asked to stop and killed after ``shutdown`` seconds (a server busy with
    a query it will not finish answers the request late).
    """
    folder.mkdir(parents=True, exist_ok=True)
    sql, http = free_port(), free_port()
    ini = folder / "virtuoso.ini"
    ini.write_text(
        _INI.format(
            dir=folder,
            sql=sql,
            http=http,
            buffers=buffers,
            dirty=buffers * 3 // 4,
            load_dir=load_dir or folder,
        ),
        encoding="utf-8",
    )
    proc = subprocess.Popen(
        ["virtuoso-t", "+configfile", str(ini), "+foreground"],
        cwd=folder,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    server = VirtuosoServer(f"http://127.0.0.1:{http}", sql, folder)
    try:
        deadline = time.monotonic() + startup
        while True:
            if proc.poll() is not None:
                log = (folder / "virtuoso.log").read_text(errors="replace")[-2000:]
                raise RuntimeError(f"virtuoso-t exited with {proc.returncode}:\n{log}")
            try:
                with urllib.request.urlopen(server.query_endpoint + "?query=ASK%7B%7D", timeout=2):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("Virtuoso did not start in time") from None
                time.sleep(0.2)
        yield server
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=shutdown)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
