"""The engine path: other curagraph processes on this catalog send their engine calls here
(catalog/store/remote.py), because the embedded engine lets one process write. Not part of the
public API: no OpenAPI entry, and every call needs the token the server wrote into the catalog
folder at start-up, which only the catalog's owner can read.
"""

from __future__ import annotations

import logging
import os
import secrets

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from api.deps import Catalog, CatalogDep
from catalog.errors import CatalogError
from catalog.store.remote import ENGINE_PATH, TOKEN_HEADER, decode, encode, error_to_wire, serve_engine_call

log = logging.getLogger(__name__)

router = APIRouter(prefix=ENGINE_PATH, include_in_schema=False)


def _error(status: int, exc: CatalogError) -> Response:
    return Response(encode(error_to_wire(exc)), status_code=status, media_type="application/json")


@router.post("/{op}")
async def engine_call(op: str, request: Request, catalog: CatalogDep) -> Response:
    expected: str | None = getattr(request.app.state, "engine_token", None)
    given = request.headers.get(TOKEN_HEADER, "")
    if not expected or not secrets.compare_digest(given.encode(), expected.encode()):
        return _error(403, CatalogError("engine calls need the token in the catalog's server.json"))
    body = await request.body()
    return await run_in_threadpool(_run, catalog, op, body)


def _run(catalog: Catalog, op: str, body: bytes) -> Response:
    if op == "ping":  # liveness: answered at once, never behind the engine's slot
        return Response(encode({"pid": os.getpid()}), media_type="application/json")
    try:
        payload = decode(body) if body else {}
        with catalog.use() as store:
            result = serve_engine_call(store.engine, op, payload)
    except CatalogError as exc:
        return _error(409, exc)
    except (ValueError, KeyError, TypeError) as exc:
        log.exception("malformed engine call %s", op)
        return _error(400, CatalogError(f"malformed engine call {op!r}: {type(exc).__name__}"))
    return Response(encode(result), media_type="application/json")
