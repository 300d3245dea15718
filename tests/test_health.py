"""The health watchdog (api/health.py): /health answers from the last ping, turns 503 when the
engine stops answering, and recovers when it answers again."""

from __future__ import annotations

import time
from types import SimpleNamespace

import pytest

from api.health import HealthWatch
from catalog.errors import StoreUnavailable


class FlakyEngine:
    def __init__(self) -> None:
        self.down = False
        self.pings = 0

    def ping(self) -> None:
        self.pings += 1
        if self.down:
            raise StoreUnavailable("cannot reach Neo4j at bolt://127.0.0.1:1")


def _wait_for(condition, timeout: float = 5.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.01)


def test_the_watch_follows_the_engine() -> None:
    engine = FlakyEngine()
    watch = HealthWatch(SimpleNamespace(ping=engine.ping), interval_s=0.02, stale_s=1.0)  # type: ignore[arg-type]
    watch.start()
    try:
        watch.check()  # the first ping ran before start() returned
        engine.down = True
        seen = engine.pings
        _wait_for(lambda: engine.pings > seen + 1)
        with pytest.raises(StoreUnavailable, match="cannot reach Neo4j"):
            watch.check()
        engine.down = False
        seen = engine.pings
        _wait_for(lambda: engine.pings > seen + 1)
        watch.check()
    finally:
        watch.stop()


def test_a_watch_that_stopped_pinging_goes_stale() -> None:
    engine = FlakyEngine()
    watch = HealthWatch(SimpleNamespace(ping=engine.ping), interval_s=60, stale_s=0.05)  # type: ignore[arg-type]
    watch.start()
    try:
        watch.check()
        time.sleep(0.1)
        with pytest.raises(StoreUnavailable, match="no answer from the engine"):
            watch.check()
    finally:
        watch.stop()
