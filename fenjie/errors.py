"""fenjie's exceptions: one hierarchy, caught once by the CLI and the web service.

::

    FenjieError                     base of everything fenjie raises on purpose
    ├── InputError                  a source table cannot be read (file, line, column)
    │   ├── SourceEncodingError     bytes that are neither UTF-8 nor GB18030
    │   ├── HeaderError             no header row, or required columns missing
    │   ├── RowShapeError           a row with the wrong number of cells
    │   └── LimitError              a source over a limit (size, cells, rows …) that a flag raises
    ├── StoreError                  the store cannot be opened, is locked or empty
    │   └── StoreBusyError          another build holds the store's write lock
    ├── QueryError                  a query cannot run
    │   ├── QuerySyntaxError        SPARQL that does not parse (line, column)
    │   ├── UnknownQueryError       no stored query of that name
    │   ├── ParameterError          a missing or ill-typed query parameter
    │   ├── QueryTimeoutError       a query stopped after the time limit (HTTP 503)
    │   └── RequestRefusedError     a request the service refuses (status set per case: 403, 413, 415…)
    └── NotFoundError               a unit or document that the graph does not hold
        └── AmbiguousNameError      a name that matches several units or documents

Every error has ``code`` (a stable, machine-readable string) and ``to_dict()``, the single JSON error
shape used by the CLI and the web service.

>>> err = RowShapeError("row has 7 cells, the header has 8", file="t.tsv", line=12, column=8)
>>> str(err)
't.tsv:12:8: row has 7 cells, the header has 8'
>>> err.to_dict()["error"]["code"]
'row_shape'
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "AmbiguousNameError",
    "FenjieError",
    "HeaderError",
    "InputError",
    "LimitError",
    "NotFoundError",
    "ParameterError",
    "QueryError",
    "QuerySyntaxError",
    "QueryTimeoutError",
    "RequestRefusedError",
    "RowShapeError",
    "SourceEncodingError",
    "StoreBusyError",
    "StoreError",
    "UnknownQueryError",
]


class FenjieError(Exception):
    """Base class of fenjie's errors."""

    code = "error"
    http_status = 500
    #: detail for the server's log only (a foreign engine's message), never sent to a client
    log = ""

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details = {k: v for k, v in details.items() if v is not None}

    def to_dict(self) -> dict[str, Any]:
        """The one JSON error shape: ``{"error": {"code", "message", ...details}}``."""
        return {"error": {"code": self.code, "message": str(self), **self.details}}


class InputError(FenjieError):
    """A source that cannot be read; names the file, line and column (1-based) where known."""

    code = "input"
    http_status = 400

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        column: int | None = None,
        **details: Any,
    ) -> None:
        super().__init__(message, file=file, line=line, column=column, **details)
        self.file, self.line, self.column = file, line, column

    def __str__(self) -> str:
        where = ":".join(str(p) for p in (self.file, self.line, self.column) if p is not None)
        return f"{where}: {self.message}" if where else self.message


class SourceEncodingError(InputError):
    code = "encoding"


class HeaderError(InputError):
    code = "header"


class RowShapeError(InputError):
    code = "row_shape"


class LimitError(InputError):
    """A source over one of the reading limits; ``limit`` names it and ``flag`` raises it."""

    code = "limit"


class StoreError(FenjieError):
    code = "store"
    http_status = 503


class StoreBusyError(StoreError):
    """Another build (or update) holds the store's write lock."""

    code = "store_busy"


class QueryError(FenjieError):
    code = "query"
    http_status = 400


class QuerySyntaxError(QueryError):
    """SPARQL that does not parse; ``line`` and ``column`` are 1-based where the parser says."""

    code = "query_syntax"


class UnknownQueryError(QueryError):
    code = "unknown_query"
    http_status = 404


class ParameterError(QueryError):
    code = "parameter"


class QueryTimeoutError(QueryError):
    """A query that ran past the time limit and was stopped."""

    code = "timeout"
    http_status = 503


class RequestRefusedError(QueryError):
    """A request the service refuses; ``status`` picks the HTTP status (default 400)."""

    code = "refused"

    def __init__(self, message: str, *, status: int = 400, code: str | None = None, **details: Any):
        super().__init__(message, **details)
        self.http_status = status
        if code:
            self.code = code


class NotFoundError(FenjieError):
    """A name the graph does not hold; ``suggestions`` lists close matches."""

    code = "not_found"
    http_status = 404


class AmbiguousNameError(NotFoundError):
    """A name that matches several nodes; ``candidates`` lists them."""

    code = "ambiguous"
    http_status = 409
