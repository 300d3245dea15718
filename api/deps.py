"""Dependencies every router shares: the settings, the store (one per app, opened at start-up),
and the write token.

At most `api_engine_concurrency` catalog calls run at once and the others wait their turn, so fifty
clients do not become fifty queries sharing the server's cores and the API's interpreter lock. On
the embedded engine each runs its reads on its own read connection (the engine runs read
transactions side by side; writes take turns on the writer); the Neo4j driver is shared between the
worker threads. A long user query holds one slot, never the engine, and /health has its own
connection.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any, get_args, get_origin
from urllib.parse import urlencode

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
        self._slots = threading.BoundedSemaphore(settings.api_engine_concurrency)
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


#: the dashboards' sign-in cookie (api/routers/signin.py): the token, for reads only
READ_COOKIE = "curagraph_token"


def token_matches(given: str, settings: Settings) -> bool:
    token = settings.api_token.get_secret_value()
    return bool(token) and secrets.compare_digest(given.encode(), token.encode())


def require_read(settings: SettingsDep, request: Request) -> None:
    """Reads are open unless CURAGRAPH_API_READ_TOKEN_REQUIRED is set (then they need the token too:
    the bearer header, or the dashboards' sign-in cookie). The header is read directly: reads declare
    no security requirement in the OpenAPI document."""
    if not settings.api_read_token_required:
        return
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token_matches(given, settings):
        return
    if token_matches(request.cookies.get(READ_COOKIE, ""), settings):
        return
    path = request.url.path
    if path.startswith("/ui") and not path.endswith(".json"):  # a page: to the sign-in form
        target = path + (f"?{request.url.query}" if request.url.query else "")
        raise HTTPException(303, "sign in first", {"Location": f"/ui/sign-in?{urlencode({'next': target})}"})
    raise HTTPException(401, "this server requires the API token for reads", {"WWW-Authenticate": "Bearer"})


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
    repeatable: set[str] = set()
    pending = [route.dependant]
    while pending:
        dependant = pending.pop()
        known.update(p.alias for p in dependant.query_params)
        repeatable.update(p.alias for p in dependant.query_params if _takes_many(p.field_info.annotation))
        pending.extend(dependant.dependencies)
    unknown = sorted(set(request.query_params) - known)
    if unknown:
        raise HTTPException(
            422,
            f"unknown query parameter {unknown[0]!r}; this route takes: {', '.join(sorted(known)) or 'none'}",
        )
    # a parameter given twice would silently keep its last value: refused unless it takes a list
    seen: set[str] = set()
    for key, _ in request.query_params.multi_items():
        if key in seen and key not in repeatable:
            raise HTTPException(422, f"query parameter {key!r} is given more than once; it takes one value")
        seen.add(key)


def _takes_many(annotation: Any) -> bool:
    """Whether a parameter's type is a list (also inside Optional / Annotated)."""
    origin = get_origin(annotation)
    if origin in (list, set, tuple, frozenset):
        return True
    return any(_takes_many(a) for a in get_args(annotation) if a is not type(None))
