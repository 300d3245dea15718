"""Neo4j write benchmark: one transaction per example vs UNWIND batches, side by side, same examples.

    python bench/neo4j_ingest.py [--examples 20000] [--single 2000]

Uses the Neo4j named by CURAGRAPH_NEO4J_URI/USER/PASSWORD, or starts one with scripts/neo4j.sh.
Examples are real (GSM8K, Alpaca, Korean chatbot, ...) canonicalised by the ingest's parse side;
each is written with its FROM_SOURCE and IN_DATASET relationships through Neo4jStore.write, so both
modes run the same Cypher: a WriteBatch of one example per transaction, or of N examples.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from catalog.ingest.pipeline import ParseSpec, _Quarantine, parse_file  # noqa: E402
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
        for batch in parse_file(spec, _Quarantine(spec.quarantine_file)):
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
        fresh(store)
        single = rows[: args.single]
        t = time.perf_counter()
        for r in single:
            store.write(batch=batch_of([r]))
        one_rate = len(single) / (time.perf_counter() - t)
        print(
            f"  one transaction per example: {len(single):,} in {time.perf_counter() - t:.1f} s = {one_rate:,.0f} ex/s"
        )
        for size in (int(s) for s in args.batch_sizes.split(",")):
            fresh(store)
            t = time.perf_counter()
            for i in range(0, len(rows), size):
                store.write(batch=batch_of(rows[i : i + size]))
            el = time.perf_counter() - t
            assert store.count_nodes(label="Example") == len(rows)
            rate = len(rows) / el
            print(
                f"  UNWIND batches of {size:>6,}: {len(rows):,} in {el:.1f} s = {rate:,.0f} ex/s ({rate / one_rate:.0f}x)"
            )
        # the same batches from several writer sessions at once (the ingest itself writes from one)
        size = 5_000
        fresh(store)
        t = time.perf_counter()
        with ThreadPoolExecutor(args.sessions) as pool:
            list(
                pool.map(lambda i: store.write(batch=batch_of(rows[i : i + size])), range(0, len(rows), size))
            )
        el = time.perf_counter() - t
        assert store.count_nodes(label="Example") == len(rows)
        rate = len(rows) / el
        print(
            f"  {args.sessions} sessions, batches of {size:,}: {len(rows):,} in {el:.1f} s = {rate:,.0f} ex/s ({rate / one_rate:.0f}x)"
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
