"""Ontology migration: `curagraph ontology rename` of a topic carrying 100,000 examples (1% of them
a person's labels), and then `ontology merge` of it into another topic that 10% of them also
carry, timed end to end in a child process with its peak resident memory, on each engine.

    python bench/migrate.py [-n 100000] [--batch-size 5000] [--engines embedded,neo4j]

Neo4j: the server `scripts/neo4j.sh start` runs (its settings from CURAGRAPH_NEO4J_* or the file the
script writes); its database is emptied first. The memory figure is the CLI process's; the Neo4j
server's own is not in it. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
WORK = REPO / "bench" / ".work" / "migrate"
sys.path.insert(0, str(REPO))

from bench.ingest import machine  # noqa: E402


def neo4j_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k.startswith("CURAGRAPH_NEO4J_")}
    if env:
        return env
    path = Path(os.environ.get("CURAGRAPH_CACHE", Path.home() / ".cache" / "curagraph")) / "neo4j" / "env"
    out = {}
    for line in path.read_text().splitlines():
        key, _, value = line.partition("=")
        if key.startswith("CURAGRAPH_NEO4J_"):
            out[key] = value.strip().strip('"')
    return out


def build(engine: str, db: Path, n: int, env: dict[str, str]) -> None:
    import orjson

    from catalog.config import Settings
    from catalog.store import open_store
    from catalog.store.base import NodeGroup, RelGroup, WriteBatch

    shutil.rmtree(db, ignore_errors=True)
    settings = Settings(
        db=db, store=engine, **{k.removeprefix("CURAGRAPH_").lower(): v for k, v in env.items()}
    )
    if engine == "neo4j":
        store = open_store(settings)
        store.wipe()  # type: ignore[attr-defined]
        store.close()
    store = open_store(settings)
    try:
        step = 20_000
        for start in range(0, n, step):
            ids = [f"ex{i:07d}" for i in range(start, min(n, start + step))]
            nodes = [{"id": i, "messages": orjson.dumps([{"role": "user", "content": i}]).decode(),
                      "usage_role": "supply"} for i in ids]  # fmt: skip
            about = [{"src": i, "dst": "travel", "method": "human" if int(i[2:]) % 100 == 0 else "rules",
                      "method_version": "rules-2", "confidence": 0.6} for i in ids]  # fmt: skip
            about += [{"src": i, "dst": "geography", "method": "rules", "method_version": "rules-2",
                       "confidence": 0.5} for i in ids if int(i[2:]) % 10 == 0]  # fmt: skip
            store.write(batch=WriteBatch(nodes=[NodeGroup("Example", nodes)],
                                         relationships=[RelGroup("ABOUT", "Example", "Topic", about)]))  # fmt: skip
    finally:
        store.close()


def timed(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    started = time.perf_counter()
    proc = subprocess.Popen(
        args, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - started
    if status != 0:
        raise SystemExit(f"{' '.join(args)} failed: {proc.stderr.read() if proc.stderr else ''}")
    return elapsed, usage.ru_maxrss / 2**20  # KiB -> GiB


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("-n", type=int, default=100_000)
    parser.add_argument("--batch-size", type=int, default=5_000)
    parser.add_argument("--engines", default="embedded,neo4j")
    args = parser.parse_args()
    rows = []
    for engine in args.engines.split(","):
        extra = neo4j_env() if engine == "neo4j" else {}
        env = {**os.environ, "CURAGRAPH_STORE": engine, **extra}
        db = WORK / engine
        build(engine, db, args.n, extra)
        cli = [sys.executable, "-m", "catalog.cli", "ontology"]
        common = ["--batch-size", str(args.batch_size), "--db", str(db)]
        rename = timed([*cli, "rename", "travel", "--to", "journeys", "--label", "Journeys", *common], env)
        merge = timed([*cli, "merge", "journeys", "--into", "geography", *common], env)
        rows.append((engine, rename, merge))
    print(f"{args.n:,} examples carrying the topic; batches of {args.batch_size:,}; {machine()}\n")
    print("| engine | rename s | rename peak RSS GiB | merge s (10% carry both) | merge peak RSS GiB |")
    print("|---|---:|---:|---:|---:|")
    for engine, (rs, rm), (ms, mm) in rows:
        print(f"| {engine} | {rs:.1f} | {rm:.2f} | {ms:.1f} | {mm:.2f} |")


if __name__ == "__main__":
    main()
