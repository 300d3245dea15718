"""One JSON error shape for every error the API returns: `{"error": {"code", "message", "hint"}}`.

Catalog errors keep their code and hint; HTTP errors (404 route, 405 method, 401/403 auth) and
request validation errors are translated to the same shape, so a client parses one thing.
"""

from __future__ import annotations

import logging
import re
import secrets
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from catalog.errors import (
    CatalogError,
    LLMError,
    NotFound,
    QueryRefused,
    QueryTimeout,
    SchemaViolation,
    StoreUnavailable,
)

log = logging.getLogger(__name__)

_STATUS: dict[type[CatalogError], int] = {
    QueryRefused: 403,
    QueryTimeout: 408,
    SchemaViolation: 422,
    NotFound: 404,
    StoreUnavailable: 503,
    LLMError: 502,
}
_HTTP_CODES = {
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
}


class ErrorDetail(BaseModel):
    code: str = Field(examples=["query_refused"])
    message: str = Field(examples=["write clause CREATE is not allowed in read-only Cypher"])
    hint: str | None = Field(default=None, examples=["use MATCH ... RETURN; writes go through ingest"])


class ErrorBody(BaseModel):
    error: ErrorDetail


def _json(description: str) -> dict[str, Any]:
    return {"model": ErrorBody, "description": description}


#: the error responses every route documents (OpenAPI), with the shared shape
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: _json("The request cannot be served as asked."),
    404: _json("No such resource."),
    422: _json("Invalid parameters or body."),
    503: _json("The graph engine cannot be reached."),
}
#: what write routes add: no token, a wrong token, writes switched off
WRITE_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: _json("The bearer token is missing or wrong."),
    403: _json("Writes are disabled on this server (no CURAGRAPH_API_TOKEN)."),
}


#: an absolute path on the server (a file, a catalog folder), for `scrub`
_ABSOLUTE_PATH = re.compile(r"(?<![\w:/.])/(?:[^\s'\"(),;:]+/)+([^\s'\"(),;:]*)")
#: engine internals a client has no use for (pybind11 build hints, C++ type names)
_INTERNALS = re.compile(r"\s*\(#define PYBIND11[^)]*\)|\bto C\+\+ type '[^']*'", re.IGNORECASE)


def scrub(text: str | None) -> str | None:
    """A message fit for a client: absolute server paths cut to their last part, engine build
    internals removed. The server log keeps the original."""
    if not text:
        return text
    text = _INTERNALS.sub("", text)
    return _ABSOLUTE_PATH.sub(lambda m: m.group(1) or "<path>", text)


def error_response(
    status: int, code: str, message: str, hint: str | None = None, *, request: Request | None = None
) -> Response:
    """The one error shape; a dashboard page (`/ui/...`, not its `.json` twin) gets it as a page."""
    if request is not None and _is_page(request):
        html = _error_page().render(status=status, code=code, message=message, hint=hint)
        return HTMLResponse(html, status_code=status)
    body = ErrorBody(error=ErrorDetail(code=code, message=message, hint=hint))
    return JSONResponse(status_code=status, content=body.model_dump())


def _is_page(request: Request) -> bool:
    path = request.url.path
    return path.startswith("/ui") and not path.endswith(".json")


_TEMPLATE: list[Any] = []


def _error_page() -> Any:
    """templates/error.html (autoescaped: a message is text, never markup)."""
    if not _TEMPLATE:
        from jinja2 import Environment, FileSystemLoader, select_autoescape

        env = Environment(
            loader=FileSystemLoader(str(Path(__file__).parent / "templates")), autoescape=select_autoescape()
        )
        _TEMPLATE.append(env.get_template("error.html"))
    return _TEMPLATE[0]


def status_of(exc: CatalogError) -> int:
    return next((s for cls, s in _STATUS.items() if isinstance(exc, cls)), 400)


def install(app: FastAPI) -> None:
    @app.exception_handler(CatalogError)
    async def catalog_error(request: Request, exc: CatalogError) -> Response:
        log.info("%s: %s", exc.code, exc)  # the server log keeps the detail
        return error_response(
            status_of(exc), exc.code, scrub(exc.message) or exc.code, scrub(exc.hint), request=request
        )

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError) -> Response:
        first = exc.errors()[0] if exc.errors() else {"loc": (), "msg": "invalid request"}
        where = ".".join(str(p) for p in first.get("loc", ()))
        return error_response(
            422,
            "invalid_request",
            f"{where}: {first.get('msg')}",
            "see /docs for the request shape",
            request=request,
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        code = _HTTP_CODES.get(exc.status_code, f"http_{exc.status_code}")
        response = error_response(exc.status_code, code, str(exc.detail), request=request)
        for k, v in (exc.headers or {}).items():
            response.headers[k] = v
        return response

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        # a bug: the traceback goes to the server's log, never to the client
        incident = secrets.token_hex(4)
        log.error("internal error %s on %s %s", incident, request.method, request.url.path, exc_info=exc)
        return error_response(
            500,
            "internal_error",
            f"the server failed on this request (incident {incident}); the server log has the details",
            "report this as a bug, with the incident id",
            request=request,
        )


#: the same for dashboard pages: their errors are pages (the error's status, code, message and hint)
PAGE_ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"description": spec["description"], "content": {"text/html": {"schema": {"type": "string"}}}}
    for status, spec in ERROR_RESPONSES.items()
}
