"""API under load: `curagraph serve` on loopback at 100,000 examples, both engines, side by side.

    python bench/api_load.py [--engines embedded,neo4j] [--examples 100000] [--clients 50]
                             [--seconds 60] [--other-seconds 10]

The catalog: all 13 real datasets of ../shared/datasets (35,920 examples, with their lineage) plus
Alpaca-format records generated from them (bench/ingest.py's generator, "(variant k)" suffixes) up to
--examples, all ingested and classified by the CLI, then checked and deduplicated. The server is
the CLI's (uvicorn, one process). The coverage report and the example list are each hit by --clients
threads with keep-alive connections for --seconds (a bounded request loop); the other routes for
--other-seconds. Figures: requests per second, client latency percentiles, non-2xx answers (there
should be none) and, from each response's Server-Timing header, the API's own time (`api`: routing,
validation, JSON encoding) apart from the catalog call (`catalog`) and the wait for the embedded
engine's connection (`wait`). The goal is `api` <= 10 ms at p50.
The client threads run on the same 2 cores as the server.

The mixed load (`--mixed-only` runs just it): --clients threads cycling through /coverage, /examples
and /ui/coverage for --mixed-seconds, one thread probing /health every 100 ms, first alone, then
with a user query (`MATCH p=(a)-[*1..30]-(b) RETURN count(p)`) running to the 30 s time limit all
along, re-sent as soon as it answers. p50 / p95 per route side by side. Goals: /health p95 <= 100 ms
and the dashboards' p95 no worse than twice the figure without the slow query.
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

from bench.ingest import REAL, generate_million, shared_dir  # noqa: E402
from tests.helpers import manifest_path  # noqa: E402

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


def build(engine: str, db: Path, env: dict[str, str], examples: int) -> None:
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
                    str(manifest_path(dataset)),
                    "--db",
                    str(db),
                ],
                env,
            )
    real = _cli(["stats", "--db", str(db)], env)["nodes"]["Example"]
    if examples > real:
        generated = WORK / f"variants-{examples - real}.jsonl"
        generate_million(shared, generated, examples - real, first_variant=1)
        _cli(["ingest", str(generated), "--format", "alpaca", "--db", str(db)], env)
    _cli(["classify", "--db", str(db)], env)
    _cli(["check", "--db", str(db)], env)
    _cli(["dedup", "--db", str(db)], env)


def hammer(
    port: int, path: str, method: str, body: bytes | None, clients: int, seconds: float
) -> dict[str, Any]:
    latencies: list[float] = []
    timings: list[dict[str, float]] = []
    bad = 0
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def worker() -> None:
        nonlocal bad
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
        mine: list[float] = []
        parts: list[dict[str, float]] = []
        errors = 0
        while time.monotonic() < stop:
            t = time.perf_counter()
            try:
                conn.request(
                    method, path, body=body, headers={"Content-Type": "application/json"} if body else {}
                )
                r = conn.getresponse()
                r.read()
            except OSError:  # a refused or dropped connection counts as an error
                errors += 1
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
                continue
            mine.append(time.perf_counter() - t)
            header = r.getheader("server-timing") or ""
            parts.append(
                {k.strip(): float(v) for k, _, v in (p.partition(";dur=") for p in header.split(",")) if v}
            )
            errors += not (200 <= r.status < 300)
        conn.close()
        with lock:
            latencies.extend(mine)
            timings.extend(parts)
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

    def median(key: str) -> float:
        values = [t[key] for t in timings if key in t]
        return statistics.median(values) if values else float("nan")

    return {
        "api_p50": median("api"),
        "catalog_p50": median("catalog"),
        "wait_p50": median("wait"),
        "api_p95": sorted(t.get("api", 0.0) for t in timings)[int(0.95 * len(timings))]
        if timings
        else float("nan"),
        "requests": len(latencies),
        "rps": len(latencies) / elapsed,
        "p50": pick(0.5),
        "p95": pick(0.95),
        "p99": pick(0.99),
        "non_2xx": bad,
        "mean": statistics.fmean(latencies) * 1000 if latencies else 0.0,
    }


SLOW_QUERY = "MATCH p=(a)-[*1..30]-(b) RETURN count(p)"
MIXED = [
    ("/coverage", "/coverage?target=instructgpt"),
    ("/examples", "/examples?task=chat&language=ko&limit=50"),
    ("/ui/coverage", "/ui/coverage"),
]


def _pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))] * 1000 if values else float("nan")


def mixed(port: int, clients: int, seconds: float, *, slow: bool) -> dict[str, Any]:
    """`clients` threads cycling through the MIXED routes, one thread probing /health every 100 ms,
    and (`slow`) one thread keeping a user query that runs to the 30 s time limit on the engine all
    along. Latency per route; the slow query's answers (408 expected)."""
    stop = time.monotonic() + seconds
    latencies: dict[str, list[float]] = {name: [] for name, _ in [*MIXED, ("/health", "")]}
    bad: dict[str, int] = dict.fromkeys(latencies, 0)
    slow_answers: list[tuple[int, float]] = []
    lock = threading.Lock()

    def client(start: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
        i = start
        while time.monotonic() < stop:
            name, path = MIXED[i % len(MIXED)]
            i += 1
            t = time.perf_counter()
            try:
                conn.request("GET", path)
                r = conn.getresponse()
                r.read()
            except OSError:
                with lock:
                    bad[name] += 1
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
                continue
            with lock:
                latencies[name].append(time.perf_counter() - t)
                bad[name] += not (200 <= r.status < 300)
        conn.close()

    def health() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
        while time.monotonic() < stop:
            t = time.perf_counter()
            conn.request("GET", "/health")
            r = conn.getresponse()
            r.read()
            with lock:
                latencies["/health"].append(time.perf_counter() - t)
                bad["/health"] += r.status != 200
            time.sleep(0.1)
        conn.close()

    def slow_query() -> None:
        body = json.dumps({"query": SLOW_QUERY}).encode()
        while time.monotonic() < stop:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
            t = time.perf_counter()
            conn.request("POST", "/cypher", body=body, headers={"Content-Type": "application/json"})
            r = conn.getresponse()
            r.read()
            slow_answers.append((r.status, time.perf_counter() - t))
            conn.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    threads.append(threading.Thread(target=health))
    if slow:
        threads.append(threading.Thread(target=slow_query, daemon=True))
        threads[-1].start()
        time.sleep(1.0)  # the slow query is on the engine before the clients start
    for th in threads[: clients + 1]:
        th.start()
    for th in threads[: clients + 1]:
        th.join()
    return {
        "routes": {
            name: {"n": len(v), "p50": _pct(v, 0.5), "p95": _pct(v, 0.95), "non_2xx": bad[name]}
            for name, v in latencies.items()
        },
        "slow": slow_answers,
    }


def mixed_table(engine: str, port: int, clients: int, seconds: float) -> list[str]:
    """The mixed load without, then with, the slow query: p50 / p95 per route side by side."""
    base = mixed(port, clients, seconds, slow=False)
    loaded = mixed(port, clients, seconds, slow=True)
    lines = []
    for name in base["routes"]:
        b, w = base["routes"][name], loaded["routes"][name]
        lines.append(
            f"| {engine} | GET {name} | {b['n']:,} | {b['p50']:.1f} | {b['p95']:.1f} | {w['n']:,} | {w['p50']:.1f} "
            f"| {w['p95']:.1f} | {w['p95'] / b['p95']:.2f} | {b['non_2xx'] + w['non_2xx']} |"
        )
    slow = ", ".join(f"{status} after {secs:.1f} s" for status, secs in loaded["slow"])
    lines.append(f"| {engine} | slow query answers | {slow} | | | | | | | |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--engines", default="embedded,neo4j")
    parser.add_argument("--examples", type=int, default=100_000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--other-seconds", type=float, default=10.0)
    parser.add_argument(
        "--mixed-only",
        action="store_true",
        help="only the mixed load (coverage, examples, the coverage page) without and with a 30 s query",
    )
    parser.add_argument("--mixed-seconds", type=float, default=60.0)
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="keep the catalog an earlier run built (and, on Neo4j, left on the server)",
    )
    args = parser.parse_args()
    rows = []
    mixed_lines: list[str] = []
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

        if not (args.reuse and db.exists()):
            shutil.rmtree(db, ignore_errors=True)
            t = time.perf_counter()
            build(engine, db, env, args.examples)
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
        # before the server starts: it then holds the embedded catalog
        size = _cli(["stats", "--db", str(db)], env)["nodes"]["Example"]
        print(f"  {size:,} examples", flush=True)
        port = _port()
        server_log = WORK / f"server-{engine}.log"
        server = subprocess.Popen(
            [sys.executable, "-m", "catalog.cli", "serve", "--db", str(db), "--port", str(port)],
            cwd=REPO,
            env={**os.environ, **env},
            stdout=subprocess.DEVNULL,
            stderr=server_log.open("w"),
        )
        try:
            for _ in range(120):
                if server.poll() is not None:
                    raise SystemExit(f"the server stopped: {server_log.read_text()[-2000:]}")
                try:
                    c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                    c.request("GET", "/health")
                    if c.getresponse().status == 200:
                        break
                except OSError:
                    time.sleep(0.5)
            else:
                raise SystemExit("the server did not answer /health within 60 s")
            for path in ("/coverage?target=instructgpt", "/examples?limit=5", "/ui/coverage"):
                hammer(port, path, "GET", None, 1, 1.0)  # warm
            mixed_lines += mixed_table(engine, port, args.clients, args.mixed_seconds)
            print("\n".join(mixed_lines[-5:]), flush=True)
            if args.mixed_only:
                continue
            routes = [
                ("GET", "/coverage?target=instructgpt", None),
                ("GET", "/examples?task=chat&language=ko&limit=50", None),
                ("GET", "/health", None),
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
                ("GET", "/ui/coverage", None),
                ("GET", "/license-check", None),
            ]
            for i, (method, path, body) in enumerate(routes):
                hammer(port, path, method, body, 1, 1.0)  # warm
                single = hammer(port, path, method, body, 1, 3.0)
                seconds = args.seconds if i < 2 else args.other_seconds
                r = hammer(port, path, method, body, args.clients, seconds)
                r["single_p50"], r["seconds"] = single["p50"], seconds
                rows.append((engine, method, path.split("?")[0].replace(some, "{id}"), r))
                print(
                    f"  {method} {path[:60]} ({seconds:.0f} s): {r['rps']:,.1f} req/s, p50 {r['p50']:.1f} ms, "
                    f"p95 {r['p95']:.1f} ms, non-2xx {r['non_2xx']}; server p50: api {r['api_p50']:.2f} ms, "
                    f"catalog {r['catalog_p50']:.1f} ms, wait {r['wait_p50']:.1f} ms; one client p50 {single['p50']:.1f} ms",
                    flush=True,
                )
        finally:
            server.terminate()
            server.wait(timeout=30)
    print(
        "\n| engine | route | requests | p50 ms | p95 ms | requests, with the 30 s query | p50 ms | p95 ms "
        "| p95 ratio | non-2xx |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    print("\n".join(mixed_lines))
    if args.mixed_only:
        return
    print(
        f"\n| engine | route | s | req/s ({args.clients} clients) | p50 ms | p95 ms | non-2xx "
        "| api p50 ms | api p95 ms | catalog p50 ms | wait p50 ms | one client p50 ms |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for engine, method, path, r in rows:
        print(
            f"| {engine} | {method} {path} | {r['seconds']:.0f} | {r['rps']:,.1f} | {r['p50']:.1f} | {r['p95']:.1f} "
            f"| {r['non_2xx']} | {r['api_p50']:.2f} | {r['api_p95']:.2f} | {r['catalog_p50']:.1f} "
            f"| {r['wait_p50']:.1f} | {r['single_p50']:.1f} |"
        )


if __name__ == "__main__":
    main()
