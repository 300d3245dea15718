"""Dependencies every router shares: the settings, the store (one per app, opened at start-up),
and the write token.

The embedded engine runs in this process and its connection is used by one request at a time (a
lock). The Neo4j driver is safe to share between the server's worker threads; at most
`api_engine_concurrency` catalog calls run on it at once and the others wait their turn, so fifty
clients do not become fifty queries sharing the server's cores and the API's interpreter lock.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api import timing
from catalog.config import Settings
from catalog.store import GraphStore

log = logging.getLogger(__name__)

_bearer = HTTPBearer(auto_error=False, description="The API token (CURAGRAPH_API_TOKEN).")


class Catalog:
    """The app's store and how to use it from request threads."""

    def __init__(self, store: GraphStore, settings: Settings) -> None:
        self.store, self.settings = store, settings
        slots = 1 if store.engine == "embedded" else settings.api_engine_concurrency
        self._slots = threading.BoundedSemaphore(slots)
        self._held = threading.local()  # a catalog call inside another keeps its thread's slot

    @contextmanager
    def use(self) -> Iterator[GraphStore]:
        """The store, for one catalog call; its time (and any wait for an engine slot) goes to the
        request's Server-Timing header (api/timing.py)."""
        depth = getattr(self._held, "depth", 0)
        asked = time.perf_counter()
        if depth == 0:
            self._slots.acquire()
        got = time.perf_counter()
        self._held.depth = depth + 1
        try:
            yield self.store
        finally:
            self._held.depth = depth
            if depth == 0:
                self._slots.release()
                timing.add(catalog=time.perf_counter() - got, wait=got - asked)


def _catalog(request: Request) -> Catalog:
    catalog: Catalog = request.app.state.catalog
    return catalog


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


CatalogDep = Annotated[Catalog, Depends(_catalog)]
SettingsDep = Annotated[Settings, Depends(_settings)]


def _token_ok(given: HTTPAuthorizationCredentials | None, expected: str) -> bool:
    return given is not None and secrets.compare_digest(given.credentials.encode(), expected.encode())


def require_write(
    settings: SettingsDep, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> None:
    """Writes need the bearer token; with no token configured, writes are off."""
    token = settings.api_token.get_secret_value()
    if not token:
        raise HTTPException(403, "writes are disabled on this server: set CURAGRAPH_API_TOKEN to enable them")
    if not _token_ok(credentials, token):
        raise HTTPException(
            401,
            "this route writes: send 'Authorization: Bearer <CURAGRAPH_API_TOKEN>'",
            {"WWW-Authenticate": "Bearer"},
        )


def require_read(settings: SettingsDep, request: Request) -> None:
    """Reads are open unless CURAGRAPH_API_READ_TOKEN_REQUIRED is set (then they need the token too).
    The header is read directly: reads declare no security requirement in the OpenAPI document."""
    if not settings.api_read_token_required:
        return
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    token = settings.api_token.get_secret_value()
    if scheme.lower() != "bearer" or not token or not secrets.compare_digest(given.encode(), token.encode()):
        raise HTTPException(
            401, "this server requires the API token for reads", {"WWW-Authenticate": "Bearer"}
        )


WriteAccess = Depends(require_write)
ReadAccess = Depends(require_read)


def reject_unknown_query(request: Request) -> None:
    """A query parameter the route does not take is an error (a typo such as `?tpoic=` would
    otherwise be ignored and the answer look right)."""
    from fastapi.routing import APIRoute

    route = request.scope.get("route")
    if not isinstance(route, APIRoute):
        return
    known: set[str] = set()
    pending = [route.dependant]
    while pending:
        dependant = pending.pop()
        known.update(p.alias for p in dependant.query_params)
        pending.extend(dependant.dependencies)
    unknown = sorted(set(request.query_params) - known)
    if unknown:
        raise HTTPException(
            422,
            f"unknown query parameter {unknown[0]!r}; this route takes: {', '.join(sorted(known)) or 'none'}",
        )
