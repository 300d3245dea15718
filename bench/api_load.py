"""API under load: `curagraph serve` on loopback over every real dataset, both engines, side by side.

    python bench/api_load.py [--engines embedded,neo4j] [--clients 8] [--seconds 10]

The catalog: all 13 real datasets of ../shared/datasets ingested and classified by the CLI, then
checked and deduplicated. The server is the CLI's (uvicorn, one process). Each route is hit by
--clients threads with keep-alive connections for --seconds; the figures are requests per second
and latency percentiles, plus the share of non-2xx answers (there should be none).
Neo4j: the server CURAGRAPH_NEO4J_URI/USER/PASSWORD name (make neo4j-start starts one).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.ingest import REAL, shared_dir  # noqa: E402

WORK = REPO / "bench" / ".work" / "api-load"


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _cli(args: list[str], env: dict[str, str]) -> Any:
    done = subprocess.run(
        [sys.executable, "-m", "catalog.cli", *args, "--json"],
        cwd=REPO,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise SystemExit(done.stderr)
    return json.loads(done.stdout) if done.stdout.strip() else None


def build(engine: str, db: Path, env: dict[str, str]) -> None:
    shared = shared_dir()
    if engine == "neo4j":
        from catalog.schema import load_schema
        from catalog.store.neo4j import Neo4jStore

        st = Neo4jStore(
            env["CURAGRAPH_NEO4J_URI"],
            user=env.get("CURAGRAPH_NEO4J_USER", "neo4j"),
            password=env["CURAGRAPH_NEO4J_PASSWORD"],
            schema=load_schema(),
        )
        st.wipe()
        st.close()
    for dataset, names in REAL.items():
        for name in names:
            _cli(
                [
                    "ingest",
                    str(shared / dataset / name),
                    "--manifest",
                    str(REPO / "tests" / "manifests" / f"{dataset}.yaml"),
                    "--db",
                    str(db),
                ],
                env,
            )
    _cli(["check", "--db", str(db)], env)
    _cli(["dedup", "--db", str(db)], env)


def hammer(
    port: int, path: str, method: str, body: bytes | None, clients: int, seconds: float
) -> dict[str, Any]:
    latencies: list[float] = []
    bad = 0
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def worker() -> None:
        nonlocal bad
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        mine: list[float] = []
        errors = 0
        while time.monotonic() < stop:
            t = time.perf_counter()
            conn.request(
                method, path, body=body, headers={"Content-Type": "application/json"} if body else {}
            )
            r = conn.getresponse()
            r.read()
            mine.append(time.perf_counter() - t)
            errors += not (200 <= r.status < 300)
        conn.close()
        with lock:
            latencies.extend(mine)
            bad += errors

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    started = time.perf_counter()
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    elapsed = time.perf_counter() - started
    latencies.sort()
    pick = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000  # noqa: E731
    return {
        "requests": len(latencies),
        "rps": len(latencies) / elapsed,
        "p50": pick(0.5),
        "p95": pick(0.95),
        "p99": pick(0.99),
        "non_2xx": bad,
        "mean": statistics.fmean(latencies) * 1000 if latencies else 0.0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--engines", default="embedded,neo4j")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
    rows = []
    for engine in args.engines.split(","):
        env = {"CURAGRAPH_STORE": engine}
        if engine == "neo4j":
            env.update(
                {
                    k: os.environ[k]
                    for k in ("CURAGRAPH_NEO4J_URI", "CURAGRAPH_NEO4J_PASSWORD")
                    if k in os.environ
                }
            )
            if "CURAGRAPH_NEO4J_URI" not in env:
                raise SystemExit(
                    "set CURAGRAPH_NEO4J_URI/PASSWORD (make neo4j-start, then source ~/.cache/curagraph/neo4j/env)"
                )
        db = WORK / engine
        import shutil

        shutil.rmtree(db, ignore_errors=True)
        t = time.perf_counter()
        build(engine, db, env)
        print(f"{engine}: catalog built in {time.perf_counter() - t:.0f} s", flush=True)
        some = _cli(
            [
                "cypher",
                "MATCH (e:Example)-[:DERIVED_FROM]->(:Example) RETURN e.id ORDER BY e.id LIMIT 1",
                "--db",
                str(db),
            ],
            env,
        )["rows"][0][0]
        port = _port()
        server = subprocess.Popen(
            [sys.executable, "-m", "catalog.cli", "serve", "--db", str(db), "--port", str(port)],
            cwd=REPO,
            env={**os.environ, **env},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            for _ in range(120):
                try:
                    c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                    c.request("GET", "/health")
                    if c.getresponse().status == 200:
                        break
                except OSError:
                    time.sleep(0.5)
            routes = [
                ("GET", "/health", None),
                ("GET", "/examples?task=chat&language=ko&limit=50", None),
                ("GET", f"/examples/{some}", None),
                ("GET", f"/examples/{some}/lineage", None),
                (
                    "POST",
                    "/cypher",
                    json.dumps(
                        {
                            "query": "MATCH (e:Example)-[:FOR_TASK]->(t:Task) RETURN t.id, count(e) ORDER BY t.id"
                        }
                    ).encode(),
                ),
                ("GET", "/coverage?target=instructgpt", None),
                ("GET", "/ui/coverage", None),
                ("GET", "/license-check", None),
            ]
            for method, path, body in routes:
                hammer(port, path, method, body, 1, 1.0)  # warm
                r = hammer(port, path, method, body, args.clients, args.seconds)
                rows.append((engine, method, path.split("?")[0].replace(some, "{id}"), r))
                print(
                    f"  {method} {path[:60]}: {r['rps']:,.1f} req/s, p50 {r['p50']:.1f} ms, p95 {r['p95']:.1f} ms, non-2xx {r['non_2xx']}",
                    flush=True,
                )
        finally:
            server.terminate()
            server.wait(timeout=30)
    print(f"\n| engine | route | req/s ({args.clients} clients) | p50 ms | p95 ms | p99 ms | non-2xx |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for engine, method, path, r in rows:
        print(
            f"| {engine} | {method} {path} | {r['rps']:,.1f} | {r['p50']:.1f} | {r['p95']:.1f} | {r['p99']:.1f} | {r['non_2xx']} |"
        )


if __name__ == "__main__":
    main()
