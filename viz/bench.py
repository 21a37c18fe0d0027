"""Views benchmark: HTML size, write time and time to settle in headless Chromium.

Run ``python -m fenjie.viz.bench [--sizes 100,500,2000]``. For each size it writes a synthetic
decomposition table (units and work items adding up to about that many nodes; names generated,
nothing taken from the bundled table), builds it into an in-memory store, writes the
``responsibility`` view and opens it in headless Chromium with the network cut off. "settle" is
the time from navigation start to the first complete draw, after which no node moves (physics
is off; checked). This is a measurement, not a test.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

__all__ = ["main", "synthetic_table"]


def synthetic_table(path: Path, nodes: int, *, seed: int = 5) -> Path:
    """A table whose responsibility view has about ``nodes`` nodes (units + work items)."""
    rng = random.Random(seed)
    n_units = max(8, nodes // 10)
    n_items = nodes - n_units
    units = [f"测试第{k}局" for k in range(1, n_units + 1)]
    lines = ["合成分解表（基准测试）", ""]
    lines.append(
        "主要任务\t工作内容\t前期工作基础\t2017年目标\t2018年目标\t责任单位\t配合/参与单位"
    )
    per_category = 40
    for i in range(n_items):
        category = f"第{i // per_category + 1}类任务" if i % per_category == 0 else ""
        chosen = rng.sample(units, 4)
        lines.append(
            "\t".join(
                [
                    category,
                    f"{i % per_category + 1}、工作内容{i + 1}",
                    "已有工作基础。",
                    f"1、完成事项{i + 1}甲；2、完成事项{i + 1}乙。",
                    f"推进事项{i + 1}。",
                    "、".join(chosen[:2]),
                    "、".join(chosen[2:]),
                ]
            )
        )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,500,2000", help="comma-separated node counts")
    args = parser.parse_args(argv)
    from fenjie.graph import FenjieStore, build_sources
    from fenjie.queries import LocalBackend
    from fenjie.viz import build_view, render_page, write_html
    from fenjie.viz._browser import chromium, offline_page

    rows = []
    with tempfile.TemporaryDirectory() as tmp, chromium() as browser:
        for size in (int(s) for s in args.sizes.split(",")):
            table = synthetic_table(Path(tmp) / f"t{size}.tsv", size)
            store = FenjieStore.in_memory()
            build_sources([table], store=store)
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
