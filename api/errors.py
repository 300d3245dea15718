"""One JSON error shape for every error the API returns: `{"error": {"code", "message", "hint"}}`.

Catalog errors keep their code and hint; HTTP errors (404 route, 405 method, 401/403 auth) and
request validation errors are translated to the same shape, so a client parses one thing.
"""

from __future__ import annotations

import logging
import secrets
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
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


def error_response(status: int, code: str, message: str, hint: str | None = None) -> JSONResponse:
    body = ErrorBody(error=ErrorDetail(code=code, message=message, hint=hint))
    return JSONResponse(status_code=status, content=body.model_dump())


def status_of(exc: CatalogError) -> int:
    return next((s for cls, s in _STATUS.items() if isinstance(exc, cls)), 400)


def install(app: FastAPI) -> None:
    @app.exception_handler(CatalogError)
    async def catalog_error(_: Request, exc: CatalogError) -> JSONResponse:
        return error_response(status_of(exc), exc.code, exc.message, exc.hint)

    @app.exception_handler(RequestValidationError)
    async def bad_request(_: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {"loc": (), "msg": "invalid request"}
        where = ".".join(str(p) for p in first.get("loc", ()))
        return error_response(
            422, "invalid_request", f"{where}: {first.get('msg')}", "see /docs for the request shape"
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = _HTTP_CODES.get(exc.status_code, f"http_{exc.status_code}")
        response = error_response(exc.status_code, code, str(exc.detail))
        for k, v in (exc.headers or {}).items():
            response.headers[k] = v
        return response

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        # a bug: the traceback goes to the server's log, never to the client
        incident = secrets.token_hex(4)
        log.error("internal error %s on %s %s", incident, request.method, request.url.path, exc_info=exc)
        return error_response(
            500,
            "internal_error",
            f"the server failed on this request (incident {incident}); the server log has the details",
            "report this as a bug, with the incident id",
        )


#: the same for HTML pages: their errors are JSON too, which `model` would document as HTML
PAGE_ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {
        "description": spec["description"],
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}},
    }
    for status, spec in ERROR_RESPONSES.items()
}
