from typing import Any

from pyvis.options import Options

class Network:
    nodes: list[dict[str, Any]]
    edges: list[dict[str, Any]]
    node_ids: list[Any]
    node_map: dict[Any, dict[str, Any]]
    # pyvis writes ``options`` out as JSON: its own Options object, or a plain dict put there
    options: Options | dict[str, Any]
    def __init__(
        self,
        height: str = "600px",
        width: str = "100%",
        directed: bool = False,
        notebook: bool = False,
        neighborhood_highlight: bool = False,
        select_menu: bool = False,
        filter_menu: bool = False,
        bgcolor: str = "#ffffff",
        font_color: str | bool = False,
        layout: bool | None = None,
        heading: str = "",
        cdn_resources: str = "local",
    ) -> None: ...
    def add_node(
        self,
        n_id: Any,
        label: Any = None,
        shape: str = "dot",
        color: str = "#97c2fc",
        **options: Any,
    ) -> None: ...
    def add_edge(self, source: Any, to: Any, **options: Any) -> None: ...
