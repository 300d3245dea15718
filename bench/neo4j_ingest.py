"""Neo4j write benchmark: one transaction per example vs UNWIND batches, side by side, same examples.

    python bench/neo4j_ingest.py [--examples 20000] [--single 2000] [--repeat 3]

Uses the Neo4j named by CURAGRAPH_NEO4J_URI/USER/PASSWORD, or starts one with scripts/neo4j.sh.
Examples are real (GSM8K, Alpaca, Korean chatbot, ...) canonicalised by the ingest's parse side;
each is written with its FROM_SOURCE and IN_DATASET relationships through Neo4jStore.write, so both
modes run the same Cypher: a WriteBatch of one example per transaction, or of N examples.
Warm: one untimed pass first; each mode then runs --repeat times on an emptied database.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from catalog.ingest.parse import ParseSpec, parse_file  # noqa: E402
from catalog.ingest.quarantine import Quarantine  # noqa: E402
from catalog.schema import load_schema  # noqa: E402
from catalog.store.base import NodeGroup, RelGroup, WriteBatch  # noqa: E402
from catalog.store.neo4j import Neo4jStore  # noqa: E402

FILES = [
    ("gsm8k/train.jsonl", "gsm8k"),
    ("stanford-alpaca-5k/alpaca_5000.json", "alpaca"),
    ("ko-chatbot-data/ChatbotData.csv", "csv-qa"),
    ("code-alpaca-2k/code_alpaca_2k.json", "alpaca"),
    ("lima/lima.json", "alpaca"),
]


def examples(shared: Path, n: int) -> list[dict]:
    out: list[dict] = []
    seen: set[str] = set()
    for rel, fmt in FILES:
        path = shared / rel
        container = "csv" if path.suffix == ".csv" else ("json-array" if path.suffix == ".json" else "jsonl")
        spec = ParseSpec(
            path, container, fmt, {}, "supply", 10_000, 1 << 30, 1 << 24, Path("/tmp/bench-q.jsonl")
        )  # type: ignore[arg-type]
        for batch in parse_file(spec, Quarantine(spec.quarantine_file)):
            for item in batch.items:
                if item.props["id"] not in seen:
                    seen.add(item.props["id"])
                    out.append(item.props)
                if len(out) == n:
                    return out
    return out


def batch_of(rows: list[dict]) -> WriteBatch:
    return WriteBatch(
        nodes=[NodeGroup("Example", rows)],
        relationships=[
            RelGroup(
                "FROM_SOURCE",
                "Example",
                "Source",
                [{"src": r["id"], "dst": "bench-src", "line": i, "record": i} for i, r in enumerate(rows)],
            ),
            RelGroup("IN_DATASET", "Example", "Dataset", [{"src": r["id"], "dst": "bench"} for r in rows]),
        ],
    )


def fresh(store: Neo4jStore) -> None:
    store.wipe(label="Example")
    store.upsert_nodes(label="Source", rows=[{"id": "bench-src"}])
    store.upsert_nodes(label="Dataset", rows=[{"id": "bench"}])


def _rust_ext() -> bool:
    try:
        import neo4j._rust  # noqa: F401  (installed by neo4j-rust-ext)
    except ImportError:
        return False
    return True


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--examples", type=int, default=20_000)
    parser.add_argument("--single", type=int, default=2_000, help="examples for the one-transaction-each run")
    parser.add_argument("--batch-sizes", default="100,1000,5000,10000")
    parser.add_argument("--sessions", type=int, default=2, help="writer sessions for the parallel run")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per mode (median and best shown)")
    args = parser.parse_args()
    shared = Path(os.environ.get("CURAGRAPH_SHARED_DATASETS", REPO.parent / "shared" / "datasets"))
    started_here = False
    cache = Path(os.environ.get("CURAGRAPH_CACHE", Path.home() / ".cache" / "curagraph"))
    if not os.environ.get("CURAGRAPH_NEO4J_URI"):
        subprocess.run(
            [str(REPO / "scripts" / "neo4j.sh"), "start"],
            check=True,
            env={**os.environ, "CURAGRAPH_CACHE": str(cache)},
        )
        for line in (cache / "neo4j" / "env").read_text().splitlines():
            key, _, value = line.partition("=")
            os.environ[key] = value
        started_here = True
    store = Neo4jStore(
        os.environ["CURAGRAPH_NEO4J_URI"],
        user=os.environ.get("CURAGRAPH_NEO4J_USER", "neo4j"),
        password=os.environ["CURAGRAPH_NEO4J_PASSWORD"],
        schema=load_schema(),
    )
    try:
        store.ensure_schema()
        rows = examples(shared, args.examples)
        print(f"{len(rows):,} real examples, each with FROM_SOURCE and IN_DATASET (3 writes per example)")
        # warm-up (untimed): the server JIT-compiles the write queries on first use
        fresh(store)
        for i in range(0, len(rows), 1_000):
            store.write(batch=batch_of(rows[i : i + 1_000]))

        def timed(write_all: Callable[[list[dict]], None], data: list[dict]) -> tuple[float, float]:
            """(median, best) examples/s over --repeat runs, each on an empty database."""
            rates = []
            for _ in range(args.repeat):
                fresh(store)
                t = time.perf_counter()
                write_all(data)
                rates.append(len(data) / (time.perf_counter() - t))
                assert store.count_nodes(label="Example") == len(data)
            return statistics.median(rates), max(rates)

        def one_each(data: list[dict]) -> None:
            for r in data:
                store.write(batch=batch_of([r]))

        def batches(size: int) -> Callable[[list[dict]], None]:
            def run(data: list[dict]) -> None:
                for i in range(0, len(data), size):
                    store.write(batch=batch_of(data[i : i + size]))

            return run

        def parallel(size: int) -> Callable[[list[dict]], None]:
            def run(data: list[dict]) -> None:
                with ThreadPoolExecutor(args.sessions) as pool:
                    chunks = range(0, len(data), size)
                    list(pool.map(lambda i: store.write(batch=batch_of(data[i : i + size])), chunks))

            return run

        one_rate, one_best = timed(one_each, rows[: args.single])
        print(
            f"  one transaction per example: {args.single:,} examples, {one_rate:,.0f} ex/s (best {one_best:,.0f})"
        )
        print("\n| mode | examples | examples/s (median / best) | vs one per transaction |")
        print("|---|---:|---:|---:|")
        print(f"| one transaction per example | {args.single:,} | {one_rate:,.0f} / {one_best:,.0f} | 1x |")
        for size in (int(s) for s in args.batch_sizes.split(",")):
            rate, best = timed(batches(size), rows)
            print(
                f"| UNWIND batches of {size:,} | {len(rows):,} | {rate:,.0f} / {best:,.0f} | {rate / one_rate:.0f}x |"
            )
        # the same batches from several writer sessions at once (the ingest itself writes from one)
        rate, best = timed(parallel(5_000), rows)
        print(
            f"| {args.sessions} writer sessions, batches of 5,000 | {len(rows):,} | {rate:,.0f} / {best:,.0f} | {rate / one_rate:.0f}x |"
        )
        print(f"  driver packstream: {'Rust (neo4j-rust-ext)' if _rust_ext() else 'pure Python'}")
    finally:
        store.close()
        if started_here:
            subprocess.run(
                [str(REPO / "scripts" / "neo4j.sh"), "stop"],
                check=False,
                env={**os.environ, "CURAGRAPH_CACHE": str(cache)},
            )


if __name__ == "__main__":
    main()
