"""Interactive network views of inter-agency responsibility (pyvis, offline, escaped).

>>> from fenjie.graph import FenjieStore, build_sources
>>> from fenjie.config import bundled_example
>>> store = FenjieStore.in_memory()
>>> _ = build_sources([bundled_example()], store=store)
>>> html = render_view(store, "coordination")
>>> html.startswith("<!DOCTYPE html>") and "协同关系网络" in html
True
"""

from __future__ import annotations

from fenjie.viz._chart import write_load_chart
from fenjie.viz._diff_report import diff_report
from fenjie.viz._export import export_network, networks, write_view_graph
from fenjie.viz._levels_tree import levels_tree_html
from fenjie.viz._model import MAX_NODES, View
from fenjie.viz._page import render_page, write_html
from fenjie.viz._render import VIEWS, as_backend, build_view, render_view

__all__ = [
    "MAX_NODES",
    "VIEWS",
    "View",
    "as_backend",
    "build_view",
    "diff_report",
    "export_network",
    "levels_tree_html",
    "networks",
    "render_page",
    "render_view",
    "write_html",
    "write_load_chart",
    "write_view_graph",
]
