r"""N-Quads written as text, line by line, for the builder.

A plan of 5,000 rows yields about a million quads. Made as pyoxigraph ``Quad`` objects, held in a
list and serialized at the end, they cost about 15 µs and 600 bytes each; written as text they
cost about 1 µs and nothing once written. Terms are rendered once (``<iri>``, ``"text"@zh``) and
reused, lines are encoded to UTF-8 in batches and go to a binary stream (a file the writer bulk
loads, or a buffer), so that a build holds no more than one batch of its output.

Only IRIs fenjie mints go through :func:`iri`: the base (checked once by pyoxigraph), then ASCII
slugs and numbers. Text from a source goes through :func:`literal`, escaped as N-Triples requires.

>>> literal('say "hi"\n\x1b', language="zh")
'"say \\"hi\\"\\n\\u001B"@zh'
>>> iri("https://w3id.org/fenjie/id/x")
'<https://w3id.org/fenjie/id/x>'
"""

from __future__ import annotations

import re
from typing import Protocol

from pyoxigraph import NamedNode

__all__ = ["ByteSink", "NQuadsWriter", "Rendered", "iri", "literal"]


class ByteSink(Protocol):
    """Where N-Quads bytes go: a binary file or buffer, or anything with ``write(bytes)``."""

    def write(self, data: bytes, /) -> object: ...


# Escapes N-Triples requires inside a string (quote, backslash, line breaks), and the other C0
# controls and DEL as \\uXXXX, as pyoxigraph writes them, so that the text stays one line.
_ESCAPES: dict[int, str] = {c: f"\\u{c:04X}" for c in (*range(0x20), 0x7F)}
_ESCAPES.update({ord("\\"): "\\\\", ord('"'): '\\"', ord("\n"): "\\n", ord("\r"): "\\r"})
# Most text has none of them: one scan in C finds that, where ``translate`` looks up every
# character in the table (a build writes millions of literals).
_NEEDS_ESCAPE = re.compile(r'[\x00-\x1f\x7f\\"]')

_XSD = "http://www.w3.org/2001/XMLSchema#"


def iri(value: str) -> str:
    """An IRI fenjie minted, in N-Triples form."""
    return f"<{value}>"


def literal(text: str, *, language: str | None = None, datatype: str | None = None) -> str:
    """A literal in N-Triples form: a language-tagged string, a typed value or a plain string."""
    body = text.translate(_ESCAPES) if _NEEDS_ESCAPE.search(text) else text
    if language:
        return f'"{body}"@{language}'
    if datatype and datatype != _XSD + "string":
        return f'"{body}"^^<{datatype}>'
    return f'"{body}"'


class Rendered:
    """The N-Triples form of a namespace's terms, each rendered once: ``Rendered(FJ).leads``.

    ``namespace[name]`` must return a pyoxigraph ``NamedNode`` (so closed vocabularies stay
    closed); the rendered string is cached on this object.
    """

    def __init__(self, namespace: object) -> None:
        self._namespace = namespace

    def __getattr__(self, name: str) -> str:
        if name.startswith("_"):
            raise AttributeError(name)
        value = self[name]
        setattr(self, name, value)  # the next lookup is a plain attribute
        return value

    def __getitem__(self, name: str) -> str:
        cached = self.__dict__.get(name)
        if cached is None:
            node = self._namespace[name]  # type: ignore[index]
            if not isinstance(node, NamedNode):
                raise TypeError(f"{name} is not an IRI")
            cached = self.__dict__[name] = str(node)
        return cached


class NQuadsWriter:
    """Lines of N-Quads into a binary stream, encoded in batches of about ``batch`` lines (each
    ``write`` is whole lines).

    ``append(line)`` only gathers (it is the hot path: a bound ``list.append``); the caller
    calls :meth:`flush_if_full` now and then (the builder: after each row) and :meth:`flush` at
    the end. ``lines`` counts what was written and gathered.
    """

    def __init__(self, out: ByteSink, *, batch: int = 20_000) -> None:
        self.out, self.batch = out, batch
        self.pending: list[str] = []
        self.append = self.pending.append
        self.written = 0

    @property
    def lines(self) -> int:
        return self.written + len(self.pending)

    def flush_if_full(self) -> None:
        if len(self.pending) >= self.batch:
            self.flush()

    def flush(self) -> None:
        if self.pending:
            self.written += len(self.pending)
            self.out.write("".join(self.pending).encode("utf-8"))
            self.pending.clear()  # the same list: ``append`` stays bound to it
