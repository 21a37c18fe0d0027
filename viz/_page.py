"""pyvis networks written through fenjie's own template: offline, escaped, UTF-8, with a legend.

pyvis 0.3.2 collects the nodes, edges and options; everything that pyvis gets wrong is replaced:

==========================================================  =========================================
pyvis 0.3.2 defect                                          workaround here
==========================================================  =========================================
``cdn_resources="local"`` loads vis-network from a CDN;     vis-network (``viz/static``) is inlined;
every mode links Bootstrap from a CDN                       no external URL in the page
``write_html`` opens the file in the locale encoding        :func:`write_html` writes UTF-8 bytes
heading unescaped (and written twice)                       Jinja autoescape; one ``<h1>``
``select_menu`` lists raw, unescaped ids                    menu lists escaped labels
Reset before any selection: ``highlightActive`` undefined   own highlight script, state declared
no legend                                                   legend built from the view
``add_edge`` scans all edges on undirected networks         :class:`FenjieNetwork` keeps sets
``from_nx`` mutates the networkx graph                      :func:`network_from_view` copies
a title containing "href" switches to an ``innerHTML``      tooltips become DOM nodes filled with
popup                                                       ``textContent``; no popup template
==========================================================  =========================================

>>> import networkx as nx
>>> from fenjie.viz._model import View
>>> v = View("t", "<b>标题</b>", nx.MultiDiGraph())
>>> v.add_node("a", kind="unit", label="<img src=x>", title="t", x=0, y=0)
>>> html = render_page(v)
>>> "<img src=x>" in html, "&lt;b&gt;标题&lt;/b&gt;" in html
(False, True)
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

import jinja2
from pyvis.edge import Edge
from pyvis.network import Network
from pyvis.node import Node

from fenjie.viz._model import View

__all__ = ["FONT", "FenjieNetwork", "network_from_view", "render_page", "script_json", "write_html"]

FONT = '"Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", sans-serif'
_SMOOTH_LIMIT = (
    400  # curved edges cost a little per frame; above this many edges draw them straight
)


class FenjieNetwork(Network):
    """A pyvis ``Network`` whose ``add_node`` / ``add_edge`` are O(1) (pyvis scans lists)."""

    def __init__(self) -> None:
        super().__init__(height="100%", width="100%", directed=False, cdn_resources="in_line")
        self._node_set: set[Any] = set()
        self._edge_ids: set[Any] = set()

    # pyvis's ``color`` parameter is one of the ``options`` here
    def add_node(self, n_id: Any, label: Any = None, shape: str = "dot", **options: Any) -> None:  # type: ignore[override]
        if n_id in self._node_set:
            return
        node = Node(n_id, shape, label=n_id if label is None else label, **options)
        self.nodes.append(node.options)
        self.node_ids.append(n_id)
        self.node_map[n_id] = node.options
        self._node_set.add(n_id)

    def add_edge(self, source: Any, to: Any, **options: Any) -> None:
        if source not in self._node_set or to not in self._node_set:
            raise KeyError(f"edge {source!r} → {to!r} joins a node that is not in the network")
        key = options.get("id", (source, to))
        if key in self._edge_ids:
            return
        self._edge_ids.add(key)
        self.edges.append(Edge(source, to, False, **options).options)


def network_from_view(view: View) -> FenjieNetwork:
    """Copy a view into a pyvis network (the view's graph is left untouched, unlike ``from_nx``)."""
    net = FenjieNetwork()
    for node, attrs in view.graph.nodes(data=True):
        opts = {k: v for k, v in attrs.items() if k in _NODE_KEYS}
        if attrs.get("shape") == "box":
            opts["widthConstraint"] = {"maximum": 220}
        net.add_node(node, **opts)
    for i, (a, b, _key, attrs) in enumerate(view.graph.edges(keys=True, data=True)):
        opts = {k: v for k, v in attrs.items() if k in _EDGE_KEYS}
        net.add_edge(a, b, id=f"e{i}", **opts)
    net.options = _options(view)  # a dict: pyvis passes it through as JSON
    return net


_NODE_KEYS = {"label", "title", "color", "shape", "size", "x", "y", "kind", "group", "parent"}
_EDGE_KEYS = {"title", "color", "width", "dashes", "arrows", "kind", "weight"}


def _options(view: View) -> dict[str, Any]:
    big = view.graph.number_of_edges() > _SMOOTH_LIMIT
    return {
        "physics": {"enabled": False},
        "layout": {"improvedLayout": False},
        "interaction": {
            "hover": True,
            "tooltipDelay": 120,
            "hideEdgesOnDrag": big,
            "hideEdgesOnZoom": big,
        },
        "nodes": {"font": {"face": FONT, "size": 14, "color": "#222222"}, "borderWidth": 1},
        "edges": {
            "smooth": False if big else {"enabled": True, "type": "continuous", "roundness": 0.3},
            "color": {"inherit": False},
            "selectionWidth": 2,
        },
    }


def script_json(data: Any) -> str:
    """JSON safe inside a ``<script>`` element: ``<``, ``>``, ``&`` and line separators escaped."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    for raw, esc in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        text = text.replace(raw, esc)
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


@cache
def _static(name: str) -> str:
    return files("fenjie.viz").joinpath("static").joinpath(name).read_text(encoding="utf-8")


@cache
def _script_hashes() -> str:
    """CSP sources allowing exactly the two inline scripts (no inline handlers, no eval)."""
    out = []
    for name in _SCRIPTS:
        text = _static(name)
        if "</script" in text.lower() or "<!--" in text:
            raise RuntimeError(f"{name} cannot be inlined: it contains a script end tag")
        digest = base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode()
        out.append(f"'sha256-{digest}'")
    return " ".join(out)


_SCRIPTS = ("vis-network.min.js", "view.js")


@cache
def _environment() -> jinja2.Environment:
    source = (
        files("fenjie.viz").joinpath("templates").joinpath("view.html").read_text(encoding="utf-8")
    )
    env = jinja2.Environment(
        loader=jinja2.DictLoader({"view.html": source}),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    env.globals["static"] = _static
    env.filters["script_json"] = script_json
    return env


def render_page(view: View, *, net: FenjieNetwork | None = None) -> str:
    """The complete, self-contained HTML page of a view."""
    net = net or network_from_view(view)
    options = net.options if isinstance(net.options, dict) else json.loads(net.options.to_json())
    payload = {"nodes": net.nodes, "edges": net.edges, "options": options}
    if view.min_scale is not None:
        payload["start"] = {"scale": view.min_scale, "node": view.start_at}
    menu = sorted(
        ((str(n["id"]), str(n.get("label", n["id"]))) for n in net.nodes), key=lambda p: p[1]
    )
    return (
        _environment()
        .get_template("view.html")
        .render(
            view=view,
            payload=payload,
            menu=menu,
            script_hashes=_script_hashes(),
            node_count=len(net.nodes),
            edge_count=len(net.edges),
        )
    )


def write_html(html: str, path: str | os.PathLike[str]) -> Path:
    """Write a page as UTF-8 whatever the locale (pyvis uses the locale's encoding)."""
    target = Path(path)
    target.write_bytes(html.encode("utf-8"))
    return target
