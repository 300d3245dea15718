"""The REST API and the dashboards. Routers translate HTTP to catalog calls; errors leave as one JSON
shape, `{"error": {"code", "message", "hint"}}` (api/errors.py); writes need the bearer token.

    curagraph serve --db my-catalog          # or: uvicorn --factory api.app:create_app
"""

from __future__ import annotations

import logging
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio.to_thread
from fastapi import Depends, FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel

from api import errors
from api.deps import Catalog, reject_unknown_query
from api.health import HealthWatch
from api.routers import (
    ask,
    concepts,
    coverage,
    cypher,
    data,
    engine,
    examples,
    provenance,
    quality,
    review,
    signin,
    ui,
)
from api.timing import ServerTiming
from catalog import __version__
from catalog.config import Settings
from catalog.schema import Schema, load_schema
from catalog.store import GraphStore, open_store
from catalog.store.remote import new_token, remove_server_file, write_server_file

log = logging.getLogger(__name__)

DESCRIPTION = """A catalog of LLM fine-tuning data kept as a graph: examples, topics, tasks, formats,
sources, datasets, licenses and models, with coverage, provenance, quality and selection as queries.

Reads are open (unless the server sets `CURAGRAPH_API_READ_TOKEN_REQUIRED`); writes (ingest,
checks, dedup) need `Authorization: Bearer <CURAGRAPH_API_TOKEN>`. Every error has the shape
`{"error": {"code", "message", "hint"}}`. Dashboards live under `/ui`; each page has a `.json` twin.
"""


class Health(BaseModel):
    status: str
    engine: str
    version: str


def create_app(
    settings: Settings | None = None,
    *,
    store: GraphStore | None = None,
    listen: tuple[str, int] | None = None,
) -> FastAPI:
    """The app for the settings' catalog (or for an open store, which the caller closes).

    With `listen` (where uvicorn serves it) and the embedded engine, the server records itself in
    the catalog folder so that other curagraph commands on the catalog run through it
    (catalog/store/remote.py)."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # the routes are plain functions that run in anyio's worker threads
        anyio.to_thread.current_default_thread_limiter().total_tokens = settings.api_threads
        # the event loop (and so /health) gets the interpreter lock back sooner from busy workers:
        # 50 clients, /health p95 362 -> 178 ms, the same throughput (docs/benchmarks.md)
        sys.setswitchinterval(settings.api_switch_interval_ms / 1000)
        # the caller's store is already open and the caller closes it; else the app opens its own
        opened = store if store is not None else open_store(settings, create=False, via_server=False)
        app.state.catalog = Catalog(opened, settings)
        if store is None:
            app.state.health = HealthWatch(opened, stale_s=settings.query_timeout_s + 5)
            app.state.health.start()
        shared = listen is not None and opened.engine.name == "embedded"
        if shared and listen is not None:
            app.state.engine_token = new_token()
            write_server_file(settings.db, host=listen[0], port=listen[1], token=app.state.engine_token)
        try:
            yield
        finally:
            app.state.health.stop()
            if shared:
                remove_server_file(settings.db)
            if store is None:
                opened.close()

    app = FastAPI(
        title="curagraph",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        dependencies=[Depends(reject_unknown_query)],
        docs_url=None,  # served below from the vendored Swagger UI: /docs works offline
    )
    app.add_middleware(ServerTiming)
    app.state.settings = settings
    if store is not None:
        app.state.catalog = Catalog(store, settings)
        app.state.health = HealthWatch(store, stale_s=settings.query_timeout_s + 5)
        app.state.health.start()
    errors.install(app)

    @app.get("/health", response_model=Health, tags=["catalog"], summary="The engine answers")
    async def health(request: Request) -> Health:
        # on the event loop, from the watchdog's last ping (api/health.py): no worker thread, no
        # engine slot, so neither a long user query nor fifty busy clients hold it up
        request.app.state.health.check()
        return Health(status="ok", engine=request.app.state.catalog.store.engine.name, version=__version__)

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title="curagraph API",
            swagger_js_url="/static/vendor/swagger-ui/swagger-ui-bundle.js",
            swagger_css_url="/static/vendor/swagger-ui/swagger-ui.css",
            swagger_favicon_url="/static/vendor/swagger-ui/favicon-32x32.png",
        )

    @app.get("/", include_in_schema=False)
    def home() -> RedirectResponse:
        return RedirectResponse("/ui")

    for router in (concepts.router, examples.router, coverage.router, provenance.router, quality.router,
                   cypher.router, ask.router, data.router, review.router, signin.router, ui.router,
                   engine.router):  # fmt: skip
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=str(Path(__file__).parent / "static")), name="static")
    _ontology_enums(app, load_schema(settings.extensions_in_force))
    return app


#: query parameters whose values are concept ids of an ontology scheme
_CONCEPT_PARAMS = {"topic": "topics", "task": "tasks", "format": "formats"}


def _ontology_enums(app: FastAPI, schema: Schema) -> None:
    """The OpenAPI document lists the ontology's concept ids as the enums of the `topic`, `task` and
    `format` parameters (the ontology, with the server's extensions, is the source of them)."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        doc = build()
        for route, path in doc.get("paths", {}).items():
            if route.startswith("/ui"):  # the dashboards' forms send "" for "any"
                continue
            for op in path.values():
                for param in op.get("parameters", []) if isinstance(op, dict) else []:
                    scheme = _CONCEPT_PARAMS.get(param.get("name", ""))
                    if scheme and param.get("in") == "query":
                        ids = sorted(getattr(schema, scheme))
                        target = param.setdefault("schema", {})
                        options = target.get("anyOf")
                        if options:  # Optional[str]: the string branch gets the enum
                            for o in options:
                                if o.get("type") == "string":
                                    o["enum"] = ids
                        else:
                            target["enum"] = ids
        app.openapi_schema = doc
        return doc

    app.openapi = openapi  # type: ignore[method-assign]
