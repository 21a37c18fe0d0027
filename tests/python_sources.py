"""What the source-scanning tests share: reading the package's Python files as syntax trees."""

from __future__ import annotations

import ast

__all__ = ["docstrings"]


def docstrings(tree: ast.AST) -> set[int]:
    """The ids of the string constants that are docstrings (of the module, its classes and
    functions): text about the code, which a scan for code patterns must skip."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found
