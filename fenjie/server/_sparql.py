"""The SPARQL 1.1 Protocol endpoint (``/sparql``) and Graph Store read access (``/store``).

Requests are read and checked here (method, media type, UTF-8, size, one ``query``, depth);
the query itself runs in a worker process (:mod:`fenjie.server._pool`).
"""

from __future__ import annotations

import functools
import hmac
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NoReturn
from urllib.parse import unquote

from starlette.requests import Request
from starlette.responses import Response

from fenjie.errors import RequestRefusedError
from fenjie.server._answers import AnswerCache
from fenjie.server._guard import prepare
from fenjie.server._protocol import (
    GRAPH_FORMATS,
    RESULT_FORMATS,
    negotiate,
    query_facts,
)

if TYPE_CHECKING:
    from fenjie.server._app import ServerSettings

__all__ = [
    "Operation",
    "graph_store",
    "parse_form",
    "read_operation",
    "service_description",
    "sparql_endpoint",
]

_TEXT_TYPES = (
    "text/",
    "application/sparql-results+",
    "application/n-triples",
    "application/ld+json",
)


@dataclass
class Operation:
    """One protocol request: a query or an update, with its dataset parameters."""

    kind: str | None  # "query", "update" or None (a bare GET)
    text: str = ""
    default_graphs: list[str] = field(default_factory=list)
    named_graphs: list[str] = field(default_factory=list)
    format: str | None = None


def _refuse(message: str, status: int = 400, code: str = "bad_request", **details: Any) -> NoReturn:
    raise RequestRefusedError(message, status=status, code=code, **details)


def _decode(raw: bytes, what: str) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        _refuse(f"{what} 不是有效的 UTF-8 (is not valid UTF-8)：{exc}", code="encoding")
        raise AssertionError from exc  # unreachable


async def _body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        _refuse(
            f"请求正文超过 {limit} 字节 (request body larger than {limit} bytes)",
            status=413,
            code="too_large",
        )
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            _refuse(
                f"请求正文超过 {limit} 字节 (request body larger than {limit} bytes)",
                status=413,
                code="too_large",
            )
        chunks.append(chunk)
    return b"".join(chunks)


def _iris(values: list[str], parameter: str) -> list[str]:
    """Graph names from a request, each checked to be an absolute IRI (400 otherwise)."""
    import pyoxigraph as ox

    for value in values:
        try:
            ox.NamedNode(value)
        except ValueError:
            _refuse(
                f"{parameter}：不是绝对 IRI (not an absolute IRI)：{value[:200]!r}",
                code="parameter",
                parameter=parameter,
            )
    return values


def _params(pairs: list[tuple[str, str]]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for key, value in pairs:
        out.setdefault(key, []).append(value)
    return out


_LONE_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")


def _unquote(text: str) -> str:
    """Percent-decoding as ``urllib.parse.unquote(text, errors="strict")`` does it, but in C:
    ``%XX`` becomes ``\\xXX`` for the ``unicode_escape`` codec (backslashes doubled first), whose
    code points below 256 are the bytes, read as UTF-8. A query sent by GET is mostly escapes,
    which urllib decodes one by one in Python. A ``%`` that starts no escape goes to urllib."""
    if "%" not in text:
        return text
    if _LONE_PERCENT.search(text):
        return unquote(text, errors="strict")
    escaped = text.replace("\\", "\\\\").replace("%", "\\x").encode()
    return escaped.decode("unicode_escape").encode("latin-1").decode()


def parse_form(text: str) -> list[tuple[str, str]]:
    """``application/x-www-form-urlencoded`` pairs, as ``urllib.parse.parse_qsl(text,
    keep_blank_values=True, errors="strict")`` reads them (raises ``UnicodeDecodeError``).

    >>> parse_form("query=SELECT+%3Fs%0A%23%E4%B8%AD&format=&x")
    [('query', 'SELECT ?s\\n#中'), ('format', ''), ('x', '')]
    """
    pairs = []
    for pair in text.split("&"):
        if pair:
            name, _, value = pair.partition("=")
            pairs.append((_unquote(name.replace("+", " ")), _unquote(value.replace("+", " "))))
    return pairs


def _url_params(request: Request) -> dict[str, list[str]]:
    raw = request.scope.get("query_string", b"")
    text = _decode(raw, "查询字符串 (the query string)")
    try:
        return _params(parse_form(text))
    except UnicodeDecodeError as exc:
        _refuse(
            f"百分号编码的参数不是有效的 UTF-8 (percent-encoded parameters are not valid UTF-8)：{exc}",
            code="encoding",
        )
        raise AssertionError from exc


def _build(params: dict[str, list[str]], *, allow_update: bool) -> Operation:
    queries, updates = params.get("query", []), params.get("update", [])
    if len(queries) > 1:
        _refuse("query 参数多于一个 (more than one 'query' parameter)")
    if len(updates) > 1:
        _refuse("update 参数多于一个 (more than one 'update' parameter)")
    if queries and updates:
        _refuse("请求只能带 query 或 update 之一 (either 'query' or 'update', not both)")
    if updates and not allow_update:
        _refuse(
            "更新须用 POST 发送，不能用 GET (updates are sent with POST, never GET)", status=400
        )
    formats = params.get("format") or params.get("output") or []
    fmt = formats[0] if formats else None
    default_graphs = _iris(params.get("default-graph-uri", []), "default-graph-uri")
    named_graphs = _iris(params.get("named-graph-uri", []), "named-graph-uri")
    if queries:
        return Operation("query", queries[0], default_graphs, named_graphs, fmt)
    if updates:
        return Operation(
            "update",
            updates[0],
            default_graphs=_iris(params.get("using-graph-uri", []), "using-graph-uri"),
            named_graphs=_iris(params.get("using-named-graph-uri", []), "using-named-graph-uri"),
        )
    return Operation(None, default_graphs=default_graphs, named_graphs=named_graphs, format=fmt)


async def read_operation(request: Request, *, max_body: int) -> Operation:
    """Read a protocol request (GET, POST form, POST direct) and check it."""
    url = _url_params(request)
    if request.method in ("GET", "HEAD"):
        return _build(url, allow_update=False)
    if request.method != "POST":
        _refuse(
            f"/sparql 不接受 {request.method} 方法 (method not allowed)", status=405, code="method"
        )
    content_type = request.headers.get("content-type", "")
    media, _, rest = content_type.partition(";")
    media = media.strip().lower()
    charset = ""
    for param in rest.split(";"):
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            charset = value.strip().strip('"').lower()
    if charset and charset not in ("utf-8", "utf8"):
        _refuse(
            f"只接受 UTF-8，不接受 {charset} (only UTF-8 is accepted)",
            status=415,
            code="media_type",
        )
    body = await _body(request, max_body)
    if media == "application/x-www-form-urlencoded":
        text = _decode(body, "表单正文 (the form body)")
        try:
            form = _params(parse_form(text))
        except UnicodeDecodeError as exc:
            _refuse(
                f"表单字段不是有效的 UTF-8 (form fields are not valid UTF-8)：{exc}",
                code="encoding",
            )
            raise AssertionError from exc
        operation = _build(
            form | {k: v for k, v in url.items() if k not in form}, allow_update=True
        )
        if operation.kind is None:
            _refuse(
                "POST 表单须有 query 或 update 字段 (a POST form needs a 'query' or 'update' field)"
            )
        return operation
    if media in ("application/sparql-query", "application/sparql-update"):
        if "query" in url or "update" in url:
            _refuse(
                "直接 POST 时，操作放在正文中，不放在 URL 参数中 (with a direct POST the operation is the body)"
            )
        kind = "query" if media.endswith("query") else "update"
        operation = _build(
            url | {kind: [_decode(body, "请求正文 (the request body)")]}, allow_update=True
        )
        return operation
    _refuse(
        f"不支持的媒体类型 {media or '（无）'}：请用 application/sparql-query、"
        "application/sparql-update 或 application/x-www-form-urlencoded (unsupported media type)",
        status=415,
        code="media_type",
    )
    raise AssertionError  # unreachable


def _response(media: str, body: bytes, *, head: bool = False, **headers: str) -> Response:
    content_type = media + ("; charset=utf-8" if media.startswith(_TEXT_TYPES) else "")
    # every header given at once: setting one afterwards rebuilds the header list (per request)
    fields = {"Vary": "Accept", **headers, "content-type": content_type}
    if head:
        fields["content-length"] = str(len(body))
    return Response(b"" if head else body, media_type=None, headers=fields)


def _check_token(request: Request, settings: ServerSettings) -> None:
    if not settings.update_token:
        _refuse(
            "本服务只读，拒绝更新 (this server is read-only: updates are refused)",
            status=403,
            code="read_only",
        )
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(
        token.strip().encode(), settings.update_token.encode()
    ):
        _refuse(
            "更新需要 Authorization: Bearer <令牌> (updates need 'Authorization: Bearer <token>')",
            status=401,
            code="unauthorized",
        )


def _read_query(raw: str) -> tuple[str, str | None, bool]:
    """The text to run (escapes replaced, depth checked), its form and whether it has ``FROM``;
    remembered for texts up to 16 KB, so a repeated query is not scanned again."""
    return _read_short(raw) if len(raw) <= 16_384 else _read_any(raw)


def _read_any(raw: str) -> tuple[str, str | None, bool]:
    text = prepare(raw)
    return (text, *query_facts(text))


_read_short = functools.lru_cache(maxsize=1024)(_read_any)


async def sparql_endpoint(request: Request) -> Response:
    """``/sparql``: SPARQL 1.1 query and update over HTTP."""
    app = request.app.state
    settings: ServerSettings = app.settings
    operation = await read_operation(request, max_body=settings.max_body)
    if operation.kind is None:
        return service_description(request)
    if operation.kind == "update":
        _check_token(request, settings)
    # escapes replaced and depth checked here; SERVICE/LOAD are decided on the parsed text in the
    # worker, right before the engine (fenjie.server._guard)
    if operation.kind == "update":
        await app.pool.update({"update": prepare(operation.text)})
        return Response(status_code=204)
    text, form, from_clause = _read_query(operation.text)
    accept = request.headers.get("accept")
    media = None
    if form in ("SELECT", "ASK"):
        media = negotiate(accept, list(RESULT_FORMATS), fmt=operation.format)
    elif form in ("CONSTRUCT", "DESCRIBE"):
        media = negotiate(accept, list(GRAPH_FORMATS), fmt=operation.format)
    payload = {
        "query": text,
        "media": media,
        "max_rows": settings.max_rows,
        "default_graphs": operation.default_graphs,
        "named_graphs": operation.named_graphs,
        "has_from": from_clause,
    }
    await app.pool.settle()  # a cached answer must not predate an acknowledged report
    key = AnswerCache.key(
        app.pool.refresh(),
        text,
        media,
        operation.default_graphs,
        operation.named_graphs,
        from_clause,
        settings.max_rows,
    )
    answer = app.answers.get(key)
    if answer is None:
        answer = await app.pool.run("sparql", payload, settle=False)  # settled just above
        app.answers.put(key, text, answer)
    media, body, truncated = answer
    extra = {"Fenjie-Truncated": str(settings.max_rows)} if truncated else {}
    return _response(media, body, head=request.method == "HEAD", **extra)


_SD = """@prefix sd: <http://www.w3.org/ns/sparql-service-description#> .
@prefix fmt: <http://www.w3.org/ns/formats/> .
[] a sd:Service ;
   sd:endpoint <{endpoint}> ;
   sd:supportedLanguage sd:SPARQL11Query{update} ;
   sd:feature sd:UnionDefaultGraph, sd:BasicFederatedQuery ;
   sd:resultFormat fmt:SPARQL_Results_JSON, fmt:SPARQL_Results_XML, fmt:SPARQL_Results_CSV,
       fmt:SPARQL_Results_TSV, fmt:Turtle, fmt:N-Triples, fmt:JSON-LD, fmt:RDF_XML .
"""


def service_description(request: Request) -> Response:
    """The SPARQL 1.1 Service Description of this endpoint, in the negotiated RDF format."""
    import pyoxigraph as ox

    settings: ServerSettings = request.app.state.settings
    endpoint = str(request.url.replace(query=""))
    update = ", sd:SPARQL11Update" if settings.update_token else ""
    text = _SD.format(endpoint=endpoint, update=update)
    media = negotiate(request.headers.get("accept"), list(GRAPH_FORMATS))
    triples = [q.triple for q in ox.parse(text.encode(), format=ox.RdfFormat.TURTLE)]
    fmt = ox.RdfFormat.from_media_type(media)
    prefixes = {"sd": "http://www.w3.org/ns/sparql-service-description#"}
    body = ox.serialize(
        triples, format=fmt, prefixes=prefixes if fmt == ox.RdfFormat.TURTLE else None
    )
    return _response(media, body or b"", head=request.method == "HEAD")


async def graph_store(request: Request) -> Response:
    """``/store``: SPARQL 1.1 Graph Store HTTP Protocol, read access (GET and HEAD)."""
    app = request.app.state
    params = _url_params(request)
    graphs = params.get("graph", [])
    if len(graphs) > 1 or (graphs and "default" in params):
        _refuse("只能指定一个图：?graph=IRI 或 ?default (name one graph)")
    if not graphs and "default" not in params:
        _refuse("请指定一个图：?graph=IRI 或 ?default (name a graph)")
    if request.method not in ("GET", "HEAD"):
        if request.method in ("PUT", "POST", "DELETE", "PATCH"):
            _refuse(
                "本服务只读，拒绝 Graph Store 写入（请用 SPARQL Update） (Graph Store writes are refused)",
                status=403,
                code="read_only",
            )
        _refuse(
            f"/store 不接受 {request.method} 方法 (method not allowed)", status=405, code="method"
        )
    formats = params.get("format") or []
    fmt = formats[0] if formats else None
    media = negotiate(request.headers.get("accept"), list(GRAPH_FORMATS), fmt=fmt)
    payload = {"graph": _iris(graphs, "graph")[0] if graphs else None, "media": media}
    media, body = await app.pool.run("graph", payload)
    return _response(media, body, head=request.method == "HEAD")
