"""The REST API (first slice): health, catalog stats, read-only Cypher. Routes translate HTTP to
catalog calls; errors leave as one JSON shape: {"error": {"code", "message", "hint"}}."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from catalog import __version__
from catalog.config import Settings
from catalog.errors import (
    CatalogError,
    NotFound,
    QueryRefused,
    QueryTimeout,
    SchemaViolation,
    StoreUnavailable,
)
from catalog.model import CatalogStats, CypherResult
from catalog.store import GraphStore, open_store

_STATUS = {QueryRefused: 403, QueryTimeout: 408, SchemaViolation: 422, NotFound: 404, StoreUnavailable: 503}


class CypherRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    query: str = Field(examples=["MATCH (t:Topic) RETURN t.id LIMIT 5"])
    params: dict[str, Any] = Field(default_factory=dict)


class Health(BaseModel):
    status: str
    engine: str
    version: str


def _store(request: Request) -> GraphStore:
    store: GraphStore = request.app.state.store
    return store


Store = Annotated[GraphStore, Depends(_store)]


def _error(status: int, code: str, message: str, hint: str | None = None) -> JSONResponse:
    return JSONResponse(
        status_code=status, content={"error": {"code": code, "message": message, "hint": hint}}
    )


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.store = open_store(settings)
        try:
            yield
        finally:
            app.state.store.close()

    app = FastAPI(title="curagraph", version=__version__, lifespan=lifespan)

    @app.exception_handler(CatalogError)
    async def catalog_error(_: Request, exc: CatalogError) -> JSONResponse:
        status = next((s for cls, s in _STATUS.items() if isinstance(exc, cls)), 400)
        return _error(status, exc.code, exc.message, exc.hint)

    @app.exception_handler(RequestValidationError)
    async def bad_request(_: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {"loc": (), "msg": "invalid request"}
        where = ".".join(str(p) for p in first.get("loc", ()))
        return _error(
            422, "invalid_request", f"{where}: {first.get('msg')}", "see /docs for the request shape"
        )

    @app.get("/health", response_model=Health)
    def health(s: Store) -> Health:
        s.count_nodes(label="Topic")  # reaches the engine
        return Health(status="ok", engine=s.engine, version=__version__)

    @app.get("/stats", response_model=CatalogStats)
    def stats(s: Store) -> CatalogStats:
        return s.stats()

    @app.post("/cypher", response_model=CypherResult)
    def cypher(body: CypherRequest, s: Store) -> CypherResult:
        return s.read_cypher(query=body.query, params=body.params)

    return app
