"""What a SPARQL text must pass before it runs: one spelling, a bounded depth, and no fetching.

pyoxigraph (0.5) runs ``SERVICE`` clauses and ``LOAD`` by fetching the URL they name, and it has no
switch to turn that off and no way to show its parsed query. So the decision is taken on the query as
a second, independent SPARQL parser reads it (rdflib's), and every way the two parsers could read a
text differently is closed or made to err towards refusing:

1. **One spelling.** The SPARQL grammar says ``\\uXXXX`` / ``\\UXXXXXXXX`` escapes are replaced in
   the whole text *before* parsing; rdflib does that, Oxigraph only inside IRIs and strings. So
   :func:`canonical_text` does the replacement once, here, and the engine runs the replaced text;
   a text that still holds an escape after that (``\\u005Cu0041``) is refused, so neither parser ever
   sees one. Carriage returns are read as line ends for the check (rdflib's comments run to ``\\n``
   only; Oxigraph's, as the grammar says, to ``\\r`` too).
2. **Parsed, not lexed.** rdflib parses and translates the text to its algebra; every
   ``ServiceGraphPattern`` (in subqueries, ``OPTIONAL``, ``UNION``, ``MINUS``, ``EXISTS``,
   ``GRAPH``, update ``WHERE`` clauses…) and every ``LOAD`` is found by walking the whole tree.
   Oxigraph fetches nothing else: ``FROM``, ``USING``, ``GRAPH`` and function IRIs only name data
   in the store (the tests hold this with a listener).
3. **Fail closed.** A text rdflib cannot parse runs only when it cannot hold the keyword at all
   (``service`` / ``load``, case-folded, nowhere in it): Oxigraph needs the keyword spelled out to
   fetch. A variable endpoint, a relative one under ``BASE``, a prefix declared twice, or a
   ``SERVICE``/``LOAD`` word the parse does not account for (in a comment, say) is refused.
4. **Endpoints.** A target runs only when, resolved (prefixed names unescaped as the grammar says),
   it is one of ``--allow-service``.

Decisions are cached per text (an LRU keyed by a digest, so repeated queries pay nothing).

>>> canonical_text("SELECT * { ?s <http://x/\\\\u0041> ?o }")
'SELECT * { ?s <http://x/A> ?o }'
>>> nesting_depth("SELECT * { { ?s ?p ?o FILTER((1)) } }")
4
>>> check_fetches("SELECT * { SERVICE <http://e/sparql> { ?s ?p ?o } }", "query", {"http://e/sparql"})
>>> check_fetches("SELECT * { ?s ?p 'SERVICE <http://evil/>' }", "query", ())
"""

from __future__ import annotations

import hashlib
import logging
import re
import sys
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from fenjie.errors import RequestRefusedError

__all__ = [
    "MAX_DEPTH",
    "Decision",
    "canonical_text",
    "check_depth",
    "check_fetches",
    "decide",
    "nesting_depth",
    "prepare",
]

MAX_DEPTH = 128
"""Deepest nesting of ``{ ( [`` a query may have: Oxigraph's parser crashes the process on
thousands, and rdflib's check needs a stack proportional to it."""

_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
# Strings and comments hide brackets; IRIs are not skipped so that brackets can never hide in
# something only this scanner takes for an IRI (`?a<((…)>?b` is a comparison to the engine).
_BRACKETS = re.compile(
    r"""\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*'''"""
    r"""|"(?:[^"\\\n\r]|\\.)*"|'(?:[^'\\\n\r]|\\.)*'|\#[^\n\r]*|[{(\[]|[})\]]""",
    re.DOTALL,
)
_LOCAL_ESCAPE = re.compile(r"\\([_~.\-!$&'()*+,;=/?#@%])")
_WORDS = {"query": ("service",), "update": ("service", "load")}

log = logging.getLogger("fenjie.server")


def _refuse(
    message: str, *, status: int = 403, code: str = "service_refused", **details: Any
) -> None:
    raise RequestRefusedError(message, status=status, code=code, **details)


def canonical_text(text: str) -> str:
    """Replace ``\\u``/``\\U`` escapes in the whole text, as the SPARQL grammar says, once.

    Raises a 400 :class:`~fenjie.errors.RequestRefusedError` for an escape that names no
    character, or one that leaves another escape behind.
    """
    if "\\" not in text:
        return text

    def expand(match: re.Match[str]) -> str:
        code = int(match.group(1) or match.group(2), 16)
        if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            _refuse(
                f"\\u 转义 {match.group()} 不对应任何字符 (names no character)",
                status=400,
                code="query_syntax",
            )
        return chr(code)

    out = _ESCAPE.sub(expand, text)
    if out != text and _ESCAPE.search(out):
        _refuse(
            "不接受拼出另一个转义的转义 (an escape that spells another escape, \\u005C…, is not accepted)",
            status=400,
            code="query_syntax",
        )
    return out


def nesting_depth(text: str) -> int:
    """The deepest nesting of brackets outside strings and comments (a linear scan)."""
    depth = deepest = 0
    for match in _BRACKETS.finditer(text):
        token = match.group()
        if token in "{([":
            depth += 1
            deepest = max(deepest, depth)
        elif token in "})]":
            depth = max(depth - 1, 0)
    return deepest


def check_depth(text: str, limit: int = MAX_DEPTH) -> None:
    """Refuse (400, ``query_too_deep``) a query nested deeper than ``limit``, before parsing."""
    if text.count("{") + text.count("(") + text.count("[") <= limit:
        return  # fewer opening brackets than the limit cannot nest deeper (counted in C)
    depth = nesting_depth(text)
    if depth > limit:
        _refuse(
            f"查询嵌套过深 (the query nests {depth} levels deep; at most {limit} are accepted)",
            status=400,
            code="query_too_deep",
            depth=depth,
            limit=limit,
        )


def prepare(text: str) -> str:
    """The text the engine will run: escapes replaced, depth checked (cheap; no parsing)."""
    out = canonical_text(text)
    check_depth(out)
    return out


@dataclass(frozen=True)
class Decision:
    """The verdict on one text: ``None`` reason means it may run."""

    reason: str | None = None
    endpoint: str | None = None


def _children(node: Any) -> Iterator[Any]:
    if isinstance(node, str):  # rdflib terms are str too: leaves
        return
    if isinstance(node, dict):
        for key, value in dict.items(node):
            if key not in ("service_string", "_vars"):  # raw text copies and derived sets
                yield value
    elif isinstance(node, (list, tuple, set, frozenset)) or type(node).__name__ == "ParseResults":
        yield from node


def _walk(root: Any) -> Iterator[Any]:
    stack = [root]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(_children(node))


def _name(node: Any) -> str | None:
    return getattr(node, "name", None) if isinstance(node, dict) else None


def _leaf_words(root: Any, word: str) -> int:
    """How often ``word`` occurs (case-folded) in the parse tree's strings: IRIs, literals,
    names, variables, language tags."""
    count = 0
    for node in _walk(root):
        if isinstance(node, str):
            count += node.casefold().count(word)
            for extra in (getattr(node, "language", None), getattr(node, "datatype", None)):
                if isinstance(extra, str):
                    count += extra.casefold().count(word)
    return count


def _targets(algebra: Any, kind: str) -> list[Any]:
    found: list[Any] = []
    for node in _walk(algebra):
        name = _name(node)
        if name == "ServiceGraphPattern":
            found.append(node.get("term"))
        elif name == "Load":
            found.append(node.get("iri"))
    return found


@dataclass(frozen=True)
class _TreeFacts:
    """What the parse tree says, read before translation (rdflib's translation edits the tree:
    it moves filters out of their groups)."""

    names: tuple[str | None, ...]
    words: dict[str, int]
    prefixes: tuple[str, ...]


def _tree_facts(tree: Any, kind: str) -> _TreeFacts:
    """Read the facts off a parse tree (pyparsing results of nested rdflib ``CompValue``s)."""
    return _TreeFacts(
        names=tuple(_name(n) for n in _walk(tree)),
        words={w: _leaf_words(tree, w) for w in _WORDS[kind]},
        prefixes=tuple(n.get("prefix") for n in _walk(tree) if _name(n) == "PrefixDecl"),
    )


def _parse(text: str, kind: str) -> tuple[_TreeFacts, Any]:
    """Facts of rdflib's parse tree of ``text``, and its algebra (raises on anything unread)."""
    from rdflib.plugins.sparql.algebra import translateQuery, translateUpdate
    from rdflib.plugins.sparql.parser import parseQuery, parseUpdate

    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 40 * MAX_DEPTH * 10))  # pyparsing recurses per nesting level
    rdflib_log = logging.getLogger("rdflib")
    level = rdflib_log.level
    rdflib_log.setLevel(logging.ERROR)  # "does not look like a valid URI" is not ours to print
    try:
        if kind == "update":
            update = parseUpdate(text)
            return _tree_facts(update, kind), translateUpdate(update).algebra
        query = parseQuery(text)
        return _tree_facts(query, kind), translateQuery(query).algebra
    finally:
        sys.setrecursionlimit(limit)
        rdflib_log.setLevel(level)


_ABSOLUTE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def decide(text: str, kind: str, allowed: Iterable[str]) -> Decision:
    """Whether ``text`` (already :func:`canonical_text`) may run here; see the module doc."""
    allow = {a.rstrip("/") for a in allowed}
    words = _WORDS[kind]
    folded = text.casefold()
    mentioned = {w: folded.count(w) for w in words}
    if not any(mentioned.values()):
        return Decision()  # the engine cannot fetch without the keyword: nothing to check
    try:
        facts, algebra = _parse(text.replace("\r", "\n"), kind)
    except Exception as exc:  # fail closed: unreadable to the checker means not run
        log.info("refused a %s the SERVICE check cannot parse: %s", kind, type(exc).__name__)
        return Decision(
            f"{'查询' if kind == 'query' else '更新'}中有 SERVICE 或 LOAD 但无法检查，因此不运行 "
            f"(this {kind} mentions SERVICE or LOAD but could not be checked, so it is not run)"
        )
    tree_nodes = facts.names
    targets = _targets(algebra, kind)
    in_tree = tree_nodes.count("ServiceGraphPattern") + tree_nodes.count("Load")
    if len(targets) < in_tree:
        return Decision(
            "SERVICE 或 LOAD 在转换中丢失，查询不运行 (a SERVICE or LOAD was lost in translation)"
        )
    accounted = {
        "service": facts.words.get("service", 0) + tree_nodes.count("ServiceGraphPattern"),
        "load": facts.words.get("load", 0) + tree_nodes.count("Load"),
    }
    for word in words:
        if mentioned[word] > accounted[word]:
            return Decision(
                f"{word.upper()} 一词出现在解析器看不到 {word.upper()} 子句的地方（注释中？），查询不运行 "
                f"(the word {word.upper()} appears where the parser sees no {word.upper()} clause)"
            )
    if not targets:
        return Decision()
    if "Base" in tree_nodes:
        return Decision(
            "不接受与 BASE 同用的 SERVICE 或 LOAD (SERVICE or LOAD together with BASE is not accepted)"
        )
    if len(facts.prefixes) != len(set(facts.prefixes)):
        return Decision(
            "不接受前缀重复声明时的 SERVICE 或 LOAD (SERVICE or LOAD with a prefix declared twice is not accepted)"
        )
    for term in targets:
        if type(term).__name__ != "URIRef":
            return Decision(
                "此处不允许以变量为端点的 SERVICE 或 LOAD (SERVICE or LOAD with a variable endpoint is not allowed here)"
            )
        endpoint = _LOCAL_ESCAPE.sub(r"\1", str(term))
        if not _ABSOLUTE.match(endpoint) or endpoint.rstrip("/") not in allow:
            return Decision(
                f"此处不允许访问 <{endpoint}>（SERVICE 或 LOAD；见 --allow-service） "
                "(fetching is not allowed here)",
                endpoint,
            )
    return Decision()


_CACHE: OrderedDict[tuple[str, bytes, tuple[str, ...]], Decision] = OrderedDict()
_CACHE_SIZE = 4096


def check_fetches(text: str, kind: str, allowed: Iterable[str]) -> None:
    """Refuse (403, ``service_refused``) a ``text`` that would make the engine fetch a URL that
    ``allowed`` does not list. ``text`` must be the :func:`canonical_text` the engine runs."""
    allow = tuple(sorted(allowed))
    key = (kind, hashlib.blake2b(text.encode("utf-8", "surrogatepass")).digest(), allow)
    decision = _CACHE.get(key)
    if decision is None:
        decision = decide(text, kind, allow)
        _CACHE[key] = decision
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    else:
        _CACHE.move_to_end(key)
    if decision.reason is not None:
        _refuse(decision.reason, endpoint=decision.endpoint)
