"""The CLI on an embedded catalog that `curagraph serve` holds: commands run through the server,
the dashboards see their data, and a SIGKILL of either process loses nothing committed.

Runs on the demo sample shipped in the package (real records of public datasets), so it needs no
../shared.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import REPO, run_cli

DEMO = REPO / "catalog" / "demo" / "data"
LIMA = DEMO / "lima" / "lima.json"
LIMA_MANIFEST = DEMO / "manifests" / "lima.yaml"
ALPACA = DEMO / "stanford-alpaca-5k"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _json(*args: str) -> dict:
    done = run_cli(*args, "--json")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=30) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


class Server:
    def __init__(self, db: Path, env: dict[str, str] | None = None) -> None:
        self.db, self.port = db, _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = db.parent / "serve.log"
        with self.log.open("w") as sink:  # a file, not a pipe nobody reads: the server never blocks on it
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "catalog.cli", "serve", "--db", str(db), "--port", str(self.port)],
                cwd=REPO,
                stdout=subprocess.DEVNULL,
                stderr=sink,
                env={**os.environ, **(env or {})},
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"serve exited: {self.log.read_text()}")
            if (db / "server.json").exists():
                try:
                    if _get(self.url + "/health")[0] == 200:
                        return
                except OSError:
                    pass
            time.sleep(0.2)
        raise AssertionError("serve did not start within 60 s")

    def stats(self) -> dict:
        status, body = _get(self.url + "/stats")
        assert status == 200, body
        return json.loads(body)

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=30)


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Server]:
    db = tmp_path / "cat"
    _json("init", "--db", str(db))
    server = Server(db)
    yield server
    if server.proc.poll() is None:
        server.proc.terminate()
        server.proc.wait(timeout=30)


@pytest.mark.slow  # kills and restarts a server: ~15 s
def test_commands_run_through_the_server_and_survive_its_kill(served: Server) -> None:
    db = str(served.db)
    assert json.loads((served.db / "server.json").read_text())["pid"] == served.proc.pid
    assert oct((served.db / "server.json").stat().st_mode & 0o777) == "0o600"

    got = _json("ingest", str(LIMA), "--manifest", str(LIMA_MANIFEST), "--db", db)
    assert (
        got["accepted"] > 0
        and got["read"] == got["accepted"] + got["quarantined"] + got["duplicates_skipped"]
    )
    # the server holds the catalog: the CLI wrote through it, the API sees the new counts
    cli_stats = _json("stats", "--db", db)
    assert cli_stats["nodes"]["Example"] == got["accepted"]
    assert served.stats() == cli_stats
    # the dashboards' JSON twin shows the new data on its next load
    status, body = _get(served.url + "/ui.json")
    assert status == 200 and str(got["accepted"]) in body.decode()

    for args in (["classify"], ["check"], ["dedup"], ["coverage", "--target", "instructgpt"]):
        done = run_cli(*args, "--db", db, "--json")
        assert done.returncode == 0, (args, done.stderr)
    count = _json("cypher", "MATCH (e:Example) RETURN count(e) AS n", "--db", db)
    assert count["rows"] == [[got["accepted"]]]
    first = _json("cypher", "MATCH (e:Example) RETURN e.id ORDER BY e.id LIMIT 1", "--db", db)["rows"][0][0]
    lineage = _json("lineage", first[:12], "--db", db)
    assert lineage["example"] == first
    assert served.stats() == _json("stats", "--db", db)
    final = served.stats()

    served.kill()
    # a server that died blocks nothing: the command opens the catalog itself, with the same counts
    after = _json("stats", "--db", db)
    assert after == final
    assert not (served.db / "server.json").exists()


def test_a_killed_ingest_through_the_server_resumes_to_the_same_catalog(
    served: Server, tmp_path: Path
) -> None:
    db = str(served.db)
    # the demo's records, 50 variants of each: long enough (600 transactions) that the kill lands
    # mid-run however fast the machine is
    records = json.loads((ALPACA / "alpaca_5000.json").read_text())
    data = tmp_path / "alpaca-variants.json"
    data.write_text(
        json.dumps([{**r, "instruction": f"{r['instruction']} ({i})"} for i in range(50) for r in records])
    )
    manifest = DEMO / "manifests" / "stanford-alpaca-5k.yaml"
    args = ["ingest", str(data), "--manifest", str(manifest), "--batch-size", "5", "--no-classify"]
    reference = tmp_path / "reference"
    _json(*args, "--db", str(reference))
    expected = _json("stats", "--db", str(reference))

    cli = subprocess.Popen(
        [sys.executable, "-m", "catalog.cli", *args, "--db", db],
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and served.stats()["nodes"]["Example"] == 0 and cli.poll() is None:
        time.sleep(0.02)
    os.kill(cli.pid, signal.SIGKILL)
    cli.wait(timeout=30)
    partial = served.stats()["nodes"]["Example"]
    assert 0 < partial < expected["nodes"]["Example"], "the CLI was to be killed mid-ingest"
    # the server is unharmed, and a re-run completes to the uninterrupted counts
    assert _get(served.url + "/health")[0] == 200
    _json(*args, "--db", db)
    assert served.stats() == expected


def test_a_second_server_on_the_same_catalog_is_refused_with_the_holder(served: Server) -> None:
    done = run_cli("serve", "--db", str(served.db), "--port", str(_free_port()), timeout=60)
    assert done.returncode == 2
    assert f"pid {served.proc.pid}" in done.stderr, done.stderr


@pytest.mark.slow  # holds the engine with a 15 s query
def test_health_answers_while_a_long_query_holds_the_engine(tmp_path: Path) -> None:
    """A user query that runs to its time limit holds one read connection, not the engine: /health
    (its own connection), the catalog's reads and the dashboards answer while it runs."""
    db = tmp_path / "cat"
    _json("ingest", str(LIMA), "--manifest", str(LIMA_MANIFEST), "--db", str(db), "--no-classify")
    _json("classify", "--db", str(db))
    server = Server(db, env={"CURAGRAPH_QUERY_TIMEOUT_S": "15"})
    try:
        slow: dict[str, Any] = {}

        def run_slow() -> None:
            request = urllib.request.Request(
                server.url + "/cypher",
                data=json.dumps({"query": "MATCH p=(a)-[*1..30]-(b) RETURN count(p)"}).encode(),
                headers={"Content-Type": "application/json"},
            )
            started = time.monotonic()
            try:
                urllib.request.urlopen(request, timeout=120).read()
                slow["status"] = 200
            except urllib.error.HTTPError as e:
                slow["status"] = e.code
            slow["seconds"] = time.monotonic() - started

        worker = threading.Thread(target=run_slow)
        worker.start()
        time.sleep(1.0)  # the query is on the engine
        answered = []
        for _ in range(5):
            started = time.monotonic()
            status, _ = _get(server.url + "/health")
            answered.append((status, time.monotonic() - started, worker.is_alive()))
        assert all(s == 200 for s, _, _ in answered), answered
        assert all(alive for _, _, alive in answered), "the slow query had already finished"
        # the catalog's reads and the dashboards run beside it on their own read connections
        pages = []
        for path in (
            "/stats",
            "/coverage?target=instructgpt",
            "/examples?limit=5",
            "/ui/coverage",
            "/ui/examples",
        ):
            status, _ = _get(server.url + path)
            pages.append((path, status, worker.is_alive()))
        assert all(status == 200 for _, status, _ in pages), pages
        assert all(alive for _, _, alive in pages), ("the slow query finished before the reads", pages)
        worker.join(timeout=120)
        assert slow.get("status") == 408 and slow["seconds"] > 5, slow  # it ran to its time limit
    finally:
        server.kill()
