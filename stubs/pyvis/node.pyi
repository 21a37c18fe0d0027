from typing import Any

class Node:
    options: dict[str, Any]
    def __init__(
        self, n_id: Any, shape: str, label: Any, font_color: str | bool = False, **opts: Any
    ) -> None: ...
