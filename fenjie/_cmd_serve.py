"""``fenjie serve`` (and ``fenjie bench-serve``): the SPARQL endpoint, JSON API and web page."""

from __future__ import annotations

import contextlib
import errno
import socket
import threading
import time
from pathlib import Path
from typing import NoReturn

import click

from fenjie._cli_common import echo, store_option
from fenjie.errors import StoreError

__all__ = ["COMMANDS"]


@click.command("serve")
@store_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind to.")
@click.option(
    "--port",
    default=8000,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="Port to listen on (0: any free port, printed at start).",
)
@click.option(
    "--workers", default=4, show_default=True, type=click.IntRange(1, 64), help="Query processes."
)
@click.option(
    "--timeout",
    default=10.0,
    show_default=True,
    type=click.FloatRange(0.05),
    help="Seconds a query may run before it is stopped (503).",
)
@click.option(
    "--queue-timeout",
    default=30.0,
    show_default=True,
    type=click.FloatRange(0.05),
    help="Seconds a request may wait for a free query process (503 beyond).",
)
@click.option(
    "--reserved-workers",
    default=1,
    show_default=True,
    type=click.IntRange(0),
    help="Query processes kept for work that finishes within --cheap-timeout (so heavy queries "
    "cannot starve cheap ones).",
)
@click.option(
    "--cheap-timeout",
    default=1.0,
    show_default=True,
    type=click.FloatRange(0.01),
    help="Seconds a task may run on a reserved process; past that it is requeued as heavy.",
)
@click.option(
    "--request-timeout",
    default=10.0,
    show_default=True,
    type=click.FloatRange(0.1),
    help="Seconds a client has to send a whole request (408 and closed beyond).",
)
@click.option(
    "--max-connections",
    default=1000,
    show_default=True,
    type=click.IntRange(16),
    help="Open connections kept; past that the oldest one still waiting for its request is closed.",
)
@click.option(
    "--max-rows", default=10_000, show_default=True, type=click.IntRange(1), help="Rows per answer."
)
@click.option(
    "--max-body",
    default=1_000_000,
    show_default=True,
    type=click.IntRange(1),
    help="Largest request body in bytes (413 beyond).",
)
@click.option(
    "--update-token",
    envvar="FENJIE_UPDATE_TOKEN",
    default=None,
    help="Accept SPARQL updates carrying 'Authorization: Bearer TOKEN' (read-only without).",
)
@click.option(
    "--allow-service",
    multiple=True,
    metavar="URL",
    help="An endpoint SERVICE clauses may call (repeatable; none by default).",
)
@click.option(
    "--cors", "cors", multiple=True, metavar="ORIGIN", help="Allow this origin (repeatable; '*')."
)
@click.option(
    "--accounts",
    type=click.Path(dir_okay=False, exists=True),
    help="Report accounts (fenjie account add): accept POST /api/reports from them.",
)
@click.option("--audit", help="Audit trail of report writes (default: STORE.audit.jsonl).")
@click.option("--log-level", default="info", show_default=True, help="uvicorn log level.")
@click.option(
    "--open", "open_page", is_flag=True, help="Open the web page once the server answers."
)
def serve_command(
    store_path: str,
    host: str,
    port: int,
    workers: int,
    timeout: float,
    queue_timeout: float,
    reserved_workers: int,
    cheap_timeout: float,
    request_timeout: float,
    max_connections: int,
    max_rows: int,
    max_body: int,
    update_token: str | None,
    allow_service: tuple[str, ...],
    cors: tuple[str, ...],
    accounts: str | None,
    audit: str | None,
    log_level: str,
    open_page: bool,
) -> None:
    """Serve the graph: SPARQL endpoint (/sparql), JSON API (/api), web page (/)."""
    from fenjie.server import ServerSettings, serve

    if not (Path(store_path) / "CURRENT").exists():
        raise StoreError(
            f"{store_path} 处没有 fenjie 存储：请先运行 fenjie build（或用 --store 指定） "
            f"(no fenjie store at {store_path}: run `fenjie build` first, or pass --store)"
        )
    settings = ServerSettings(
        store=store_path,
        host=host,
        port=port,
        workers=workers,
        timeout=timeout,
        queue_timeout=queue_timeout,
        reserved_workers=reserved_workers,
        cheap_timeout=cheap_timeout,
        request_timeout=request_timeout,
        max_connections=max_connections,
        max_rows=max_rows,
        max_body=max_body,
        update_token=update_token,
        allow_service=allow_service,
        cors_origins=cors,
        accounts=accounts,
        audit=audit,
    )
    sock = _listen(host, port)
    port = sock.getsockname()[1]  # the one the system picked for --port 0
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{port}/"
    echo(f"fenjie 正在服务 {store_path}：{url}", err=True)
    if open_page:
        threading.Thread(target=_open_when_ready, args=(url,), daemon=True).start()
    serve(settings, log_level=log_level, sock=sock)


# sysexits.h EX_UNAVAILABLE: the address cannot be served (port taken, address not ours)
EXIT_UNAVAILABLE = 69


def _listen(host: str, port: int) -> socket.socket:
    """Bind ``host:port`` before the server starts, so that a busy port is one clear message."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
    except socket.gaierror as exc:
        _fail(f"无法解析监听地址 {host}：{exc.strerror}（--host）")
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            free = _next_free_port(host, port)
            hint = f"请换用 --port {free}" if free else "请换用其他端口"
            _fail(f"端口 {port} 已被占用；{hint}（或用 --port 0 自动选择空闲端口）")
        _fail(f"无法在 {host}:{port} 上监听：{exc.strerror}")
    sock.set_inheritable(True)
    return sock


def _next_free_port(host: str, port: int, *, tries: int = 20) -> int | None:
    for candidate in range(port + 1, min(port + 1 + tries, 65536)):
        with contextlib.suppress(OSError), socket.create_server((host, candidate)):
            return candidate
    return None


def _fail(message: str) -> NoReturn:
    echo(f"错误：{message}", err=True)
    raise SystemExit(EXIT_UNAVAILABLE)


def _open_when_ready(url: str, *, wait: float = 60.0) -> None:
    """Open ``url`` in the user's browser as soon as the server answers its health check."""
    import urllib.request
    import webbrowser

    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url + "api/health", timeout=2) as response:
                if response.status == 200:
                    break
        except OSError:
            time.sleep(0.2)
    if not webbrowser.open(url):
        echo(f"请在浏览器中打开 {url} 查看页面 (open it in a browser)", err=True)


@click.command("bench-serve")
@store_option
@click.option("--seconds", default=5, show_default=True, help="wrk run per query and server.")
@click.option("--connections", default=16, show_default=True, help="wrk connections.")
@click.option("--workers", default=4, show_default=True, help="fenjie query processes.")
@click.option(
    "--baseline",
    type=click.Path(exists=True, file_okay=False),
    default=None,
    help="Folder with another version of fenjie's source (a git worktree of an older commit): "
    "its server is measured too, in the same run.",
)
@click.option(
    "--queries",
    "only",
    default="",
    help="只测这些命名查询（逗号分隔；默认全部无需参数的命名查询）"
    " (only these named queries, comma-separated).",
)
def bench_command(
    store_path: str,
    seconds: int,
    connections: int,
    workers: int,
    baseline: str | None,
    only: str,
) -> None:
    """Benchmark fenjie's /sparql against `oxigraph serve-read-only` with wrk (cheap, named,
    heavy queries)."""
    from fenjie.bench.server import run_benchmark

    echo(
        run_benchmark(
            store_path,
            seconds=seconds,
            connections=connections,
            workers=workers,
            baseline=baseline,
            only=tuple(name.strip() for name in only.split(",") if name.strip()),
        )
    )


COMMANDS = (serve_command, bench_command)
