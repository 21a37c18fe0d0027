"""fenjie (分解): a knowledge graph and query service for task-decomposition tables."""

__version__ = "0.1.0"
__all__ = ["__version__"]
