"""Dependencies every router shares: the settings, the store (one per app, opened at start-up),
and the write token.

The embedded engine runs in this process and its connection is used by one request at a time (a
lock); the Neo4j driver is safe to share between the server's worker threads.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from catalog.config import Settings
from catalog.store import GraphStore

_bearer = HTTPBearer(auto_error=False, description="The API token (CURAGRAPH_API_TOKEN).")


class Catalog:
    """The app's store and how to use it from request threads."""

    def __init__(self, store: GraphStore, settings: Settings) -> None:
        self.store, self.settings = store, settings
        self._lock = threading.RLock() if store.engine == "embedded" else None

    @contextmanager
    def use(self) -> Iterator[GraphStore]:
        if self._lock is None:
            yield self.store
            return
        with self._lock:
            yield self.store


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


def require_read(
    settings: SettingsDep, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> None:
    """Reads are open unless CURAGRAPH_API_READ_TOKEN_REQUIRED is set."""
    token = settings.api_token.get_secret_value()
    if settings.api_read_token_required and not _token_ok(credentials, token):
        raise HTTPException(
            401, "this server requires the API token for reads", {"WWW-Authenticate": "Bearer"}
        )


WriteAccess = Depends(require_write)
ReadAccess = Depends(require_read)
