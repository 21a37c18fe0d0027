"""Benchmarks and synthetic data: measurements, kept out of the library parts.

- :mod:`fenjie.bench.synthetic` — realistic synthetic tables at any size
- :mod:`fenjie.bench.queries` — ``fenjie bench``: named queries on synthetic graphs
- :mod:`fenjie.bench.server` — ``fenjie serve --bench``: the HTTP endpoint under load
- :mod:`fenjie.bench.views` — ``python -m fenjie.bench.views``: views in headless Chromium
- :mod:`fenjie.bench.page` — ``python -m fenjie.bench.page --store STORE``: every tab of the web
  page through ``fenjie serve`` (another interpreter's server beside it with ``--python``)
"""

__all__: list[str] = []
