"""Views benchmark: HTML size, write time and time to settle in headless Chromium.

Run ``python -m fenjie.bench.views [--sizes 100,500,2000]``. For each size it writes a synthetic
decomposition table with :mod:`fenjie.bench.synthetic` (units and work items adding up to about
that many nodes; unit names generated), builds it into an in-memory store, writes the
``responsibility`` view and opens it in headless Chromium with the network cut off. "settle" is
the time from navigation start to the first complete draw, after which no node moves (physics
is off; checked). This is a measurement, not a test.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

__all__ = ["main"]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,500,2000", help="comma-separated node counts")
    args = parser.parse_args(argv)
    from fenjie.bench.synthetic import network_vocabulary, write_synthetic
    from fenjie.graph import FenjieStore, build_sources
    from fenjie.graph._limits import Limits
    from fenjie.queries import LocalBackend
    from fenjie.viz import build_view, render_page, write_html
    from fenjie.viz._browser import chromium, offline_page

    rows = []
    with tempfile.TemporaryDirectory() as tmp, chromium() as browser:
        for size in (int(s) for s in args.sizes.split(",")):
            # about one unit per ten work items, so the view has about ``size`` nodes
            units = max(8, size // 10)
            vocab = network_vocabulary(units)
            tables = write_synthetic(
                Path(tmp) / f"t{size}", size - units, seed=5, rows_per_table=size, vocab=vocab
            )
            store = FenjieStore.in_memory()
            # one table of ``size`` rows: 2,000 rows make about 365,000 triples, over the default
            # --max-triples (200,000); raised here as a user with such a plan would
            build_sources(tables, store=store, limits=Limits(triples=2_000_000))
            backend = LocalBackend(store)
            started = time.perf_counter()
            view = build_view(backend, "responsibility")
            out = write_html(render_page(view), Path(tmp) / f"v{size}.html")
            write_s = time.perf_counter() - started
            with offline_page(browser) as page:
                settle_ms = page.open(out)
                moving = page.moving()
                counts = page.counts()
                clean = not (page.blocked or page.console_errors)
            rows.append(
                (
                    view.graph.number_of_nodes(),
                    counts["edges"],
                    out.stat().st_size,
                    write_s,
                    settle_ms / 1000,
                    moving,
                    clean,
                )
            )
    print(
        "| nodes | edges | HTML size | write (s) | settle in Chromium (s) | moving after | clean |"
    )
    print("|---:|---:|---:|---:|---:|:---:|:---:|")
    for nodes, edges, size, write_s, settle_s, moving, clean in rows:
        print(
            f"| {nodes:,} | {edges:,} | {size / 1024:,.0f} KiB | {write_s:.2f} | {settle_s:.2f} |"
            f" {'yes' if moving else 'no'} | {'yes' if clean else 'no'} |"
        )


if __name__ == "__main__":  # pragma: no cover
    main()
