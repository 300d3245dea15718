"""Where a request's time goes, in a `Server-Timing` header on every response:

    Server-Timing: total;dur=41.2, catalog;dur=38.9, wait;dur=0.0, api;dur=2.3

- `catalog`: time inside the catalog call (the store's queries and the Python that shapes their
  answer), summed over the request's `Catalog.use()` blocks;
- `wait`: time waiting for the embedded engine's connection (it serves one request at a time);
- `api`: the rest, what the API adds (routing, validation, dependencies, JSON encoding);
- `total`: from the request reaching the app to the response's first byte.

Browsers show it in their developer tools; bench/api_load.py reads it to measure the API's overhead
over the engine call under load.
"""

from __future__ import annotations

import logging
import time
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger(__name__)


@dataclass
class RequestTiming:
    catalog: float = 0.0
    wait: float = 0.0


#: the current request's timing (the request's threads see the same object)
current: ContextVar[RequestTiming | None] = ContextVar("curagraph_request_timing", default=None)


def add(*, catalog: float = 0.0, wait: float = 0.0) -> None:
    timing = current.get()
    if timing is not None:
        timing.catalog += catalog
        timing.wait += wait


class ServerTiming:
    """Pure ASGI middleware (no per-request task, unlike BaseHTTPMiddleware)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        timing = RequestTiming()
        token = current.set(timing)
        started = time.perf_counter()

        async def send_with_timing(message: Message) -> None:
            if message["type"] == "http.response.start":
                total = (time.perf_counter() - started) * 1000
                catalog, wait = timing.catalog * 1000, timing.wait * 1000
                api = max(total - catalog - wait, 0.0)
                value = f"total;dur={total:.2f}, catalog;dur={catalog:.2f}, wait;dur={wait:.2f}, api;dur={api:.2f}"
                headers: list[Any] = list(message.get("headers", []))
                headers.append((b"server-timing", value.encode()))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_timing)
        finally:
            current.reset(token)
