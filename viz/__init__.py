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

from fenjie.viz._render import VIEWS, build_view, render_view

__all__ = ["VIEWS", "build_view", "render_view"]
