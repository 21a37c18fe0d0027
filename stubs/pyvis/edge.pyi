from typing import Any

class Edge:
    options: dict[str, Any]
    def __init__(self, source: Any, dest: Any, directed: bool = False, **options: Any) -> None: ...
