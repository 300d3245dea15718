"""What the browser tests share: Debian's chromium (a failure in CI when it is missing, a skip with
the reason elsewhere) and `curagraph serve` on a free loopback port until the block ends."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import IN_CI, REPO, free_port

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def need_chromium() -> None:
    if not Path(CHROMIUM).exists():
        message = f"no chromium at {CHROMIUM} (scripts/browser.sh installs Debian's; make test runs it)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)


@contextmanager
def chromium() -> Iterator[Any]:
    """A headless chromium driven by Playwright."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@contextmanager
def serving(db: Path, env: dict[str, str] | None = None) -> Iterator[str]:
    """`curagraph serve` over the catalog at db (with env's settings), until the block ends: its
    base URL once it answers (a 401 counts: reads may need the token)."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "catalog.cli", "serve", "--db", str(db), "--port", str(port)],
        cwd=REPO,
        env={**os.environ, "CURAGRAPH_STORE": "embedded", **(env or {})},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(base + "/health", timeout=2):
                    break
            except urllib.error.HTTPError:
                break  # it answers
            except OSError:
                if proc.poll() is not None:
                    pytest.fail(f"curagraph serve exited: {proc.stderr.read() if proc.stderr else ''}")
                if time.monotonic() > deadline:
                    pytest.fail("curagraph serve did not answer within 60 s")
                time.sleep(0.3)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=20)
