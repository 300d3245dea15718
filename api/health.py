"""The health check's watchdog: one thread pings the engine (on the store's own ping connection or
session) every half second, and `GET /health` answers from its last result on the event loop,
without a worker thread or a call into the engine.

So /health answers in milliseconds whatever the load: fifty clients keeping every worker thread
and the interpreter lock busy made a ping in a worker thread take 0.4-0.7 s
(docs/benchmarks.md). A ping that fails turns /health into a 503 at once, with the engine's own
message; one that does not return is allowed `stale_s` (the server gives the query time limit plus
5 s): a heavy user query can hold the embedded engine's worker threads, and so a ping, for several
seconds (4.3 s measured under `MATCH p=(a)-[*1..30]-(b)`), which is not an outage.
"""

from __future__ import annotations

import logging
import threading
import time

from catalog.errors import CatalogError, StoreUnavailable
from catalog.store import GraphStore

log = logging.getLogger(__name__)


class HealthWatch:
    def __init__(self, store: GraphStore, *, interval_s: float = 0.5, stale_s: float = 3.0) -> None:
        self.store, self.interval_s, self.stale_s = store, interval_s, stale_s
        self._last_ok = 0.0
        self._error: str | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _ping(self) -> None:
        try:
            self.store.ping()
        except CatalogError as exc:
            if self._error is None:
                log.warning("the engine stopped answering: %s", exc)
            self._error = str(exc)
            return
        if self._error is not None:
            log.info("the engine answers again")
        self._last_ok, self._error = time.monotonic(), None

    def start(self) -> None:
        """Ping once now (the first /health is already answered), then every interval."""
        self._ping()
        self._thread = threading.Thread(target=self._run, name="health-watch", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self.interval_s):
            self._ping()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def check(self) -> None:
        """Raise StoreUnavailable unless the engine answered within `stale_s`."""
        age = time.monotonic() - self._last_ok
        if self._error is not None or age > self.stale_s:
            why = self._error or f"no answer from the engine for {age:.1f} s"
            raise StoreUnavailable(f"the engine does not answer: {why}", hint="see the server log")
