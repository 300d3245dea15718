"""Provenance benchmark: lineage of one example and the whole-catalog license check at 1,000,000
examples with 5% in derived chains up to depth 10, both engines side by side.

    python bench/provenance.py [--examples 1000000] [--engines embedded,neo4j] [--repeat 5]

The catalog mirrors the real datasets' provenance: examples spread over the real datasets' ids
in proportion to their sizes, each with its dataset and source file, the manifest's license
claims (from the datasets' manifests), generator models and their terms; 5% of the examples form derived
chains (augmentation of an example of another dataset, then of that, ... up to depth 10). Timings
are warm (one untimed run first): lineage is the median over --repeat examples at the deepest
chain ends; the license check is the median of --repeat runs.
"""

from __future__ import annotations

import argparse
import hashlib
import statistics
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.coverage import open_engine  # noqa: E402
from catalog.ingest.manifest import load_manifest  # noqa: E402
from catalog.ingest.pipeline import slug  # noqa: E402
from catalog.provenance import check_licenses, lineage  # noqa: E402
from catalog.store.base import GraphStore, NodeGroup, RelGroup, WriteBatch  # noqa: E402
from tests.helpers import manifest_path  # noqa: E402

SIZES = {  # accepted examples per dataset in the real files
    "ko-chatbot-data": 11750, "gsm8k": 8792, "stanford-alpaca-5k": 4998, "bfcl-v4": 2751, "code-alpaca-2k": 2015,
    "lima": 1029, "gorilla-apibench-torchhub": 1021, "alpaca-zh-demo": 992, "oasst1-zh": 684, "oasst-en-100-trees": 687,
    "glaive-toolcall-demo": 522, "self-instruct": 427, "kullm-user-oriented-ko": 252,
}  # fmt: skip
DEPTH = 10


def ident(i: int) -> str:
    return hashlib.blake2b(i.to_bytes(8, "little"), digest_size=16).hexdigest()


def provenance_batch(store: GraphStore) -> WriteBatch:
    """Datasets, sources, claims, models and activities from the real manifests."""
    b = WriteBatch()
    datasets, sources, in_ds, claims, src_claims, parents = [], [], [], [], [], []
    models, activities, used, terms = {}, [], [], []
    for name in SIZES:
        m = load_manifest(manifest_path(name))
        datasets.append({"id": name, "name": m.title or name})
        sources.append(
            {
                "id": f"{name}:bench",
                "file_name": f"{name}.jsonl",
                "checksum": hashlib.sha256(name.encode()).hexdigest(),
            }
        )
        in_ds.append({"src": f"{name}:bench", "dst": name})
        for c in m.license_claims():
            claims.append({"src": name, "dst": c.spdx, "claimed_by": c.claimed_by})
            src_claims.append({"src": f"{name}:bench", "dst": c.spdx, "claimed_by": c.claimed_by})
        parents += [{"src": name, "dst": p, "method": "derived"} for p in m.parents if p in SIZES]
        for mr in m.models:
            models[slug(mr.name)] = {"id": slug(mr.name), "name": mr.name}
            activities.append({"id": f"{name}:gen", "kind": mr.activity})
            used.append({"src": f"{name}:gen", "dst": slug(mr.name), "role": mr.role})
            if mr.terms:
                terms.append({"src": slug(mr.name), "dst": mr.terms, "claimed_by": "model terms of use"})
    b.nodes += [
        NodeGroup("Dataset", datasets),
        NodeGroup("Source", sources),
        NodeGroup("Model", list(models.values())),
        NodeGroup("Activity", activities),
    ]
    b.relationships += [
        RelGroup("IN_DATASET", "Source", "Dataset", in_ds),
        RelGroup("LICENSED_UNDER", "Dataset", "License", claims, key=("claimed_by",)),
        RelGroup("LICENSED_UNDER", "Source", "License", src_claims, key=("claimed_by",)),
        RelGroup("LICENSED_UNDER", "Model", "License", terms, key=("claimed_by",)),
        RelGroup("DERIVED_FROM", "Dataset", "Dataset", parents),
        RelGroup("USED_MODEL", "Activity", "Model", used),
    ]
    return b


def populate(store: GraphStore, n: int, batch: int) -> list[str]:
    """n examples; the last 5% in chains of DEPTH, each link deriving from the one before it.
    Returns the ids at the ends of the chains."""
    names = list(SIZES)
    weights = [SIZES[k] for k in names]
    total = sum(weights)
    cumulative, acc = [], 0
    for w in weights:
        acc += w
        cumulative.append(acc)
    with_model = {a["id"].split(":")[0] for a in provenance_batch(store).nodes[3].rows}
    derived_from = int(n * 0.95)
    ends = []
    for start in range(0, n, batch):
        nodes, ds, src, gen, der = [], [], [], [], []
        for i in range(start, min(n, start + batch)):
            k = next(j for j, c in enumerate(cumulative) if (i * 7919) % total < c)
            name = names[k]
            e = ident(i)
            nodes.append({"id": e, "n_messages": 2, "usage_role": "supply"})
            ds.append({"src": e, "dst": name})
            src.append({"src": e, "dst": f"{name}:bench", "line": i + 1, "record": i})
            if name in with_model:
                gen.append({"src": e, "dst": f"{name}:gen"})
            if i >= derived_from:
                pos = (i - derived_from) % DEPTH
                parent = ident(i - 1) if pos else ident((i * 31) % derived_from)
                der.append({"src": e, "dst": parent, "method": "augmentation"})
                if pos == DEPTH - 1:
                    ends.append(e)
        store.write(
            batch=WriteBatch(
                nodes=[NodeGroup("Example", nodes, update_existing=False)],
                relationships=[
                    RelGroup("IN_DATASET", "Example", "Dataset", ds),
                    RelGroup("FROM_SOURCE", "Example", "Source", src),
                    RelGroup("GENERATED_BY", "Example", "Activity", gen),
                    RelGroup("DERIVED_FROM", "Example", "Example", der),
                ],
            )
        )
        print(f"    wrote {min(n, start + batch):,} examples", end="\r", flush=True)
    print()
    return ends


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--examples", type=int, default=1_000_000)
    parser.add_argument("--engines", default="embedded,neo4j")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    work = REPO / "bench" / ".work" / "provenance"
    results: dict[str, Any] = {}
    for engine in args.engines.split(","):
        store, stop = open_engine(engine, work)
        try:
            store.write(batch=provenance_batch(store))
            t = time.perf_counter()
            ends = populate(store, args.examples, 100_000 if engine == "embedded" else 10_000)
            build = time.perf_counter() - t
            picks = ends[:: max(1, len(ends) // args.repeat)][: args.repeat]
            lineage(store, picks[0])  # warm-up
            runs = []
            for e in picks:
                t = time.perf_counter()
                result = lineage(store, e)
                runs.append(time.perf_counter() - t)
            depth = len(result.ancestors)
            check_licenses(store)  # warm-up
            checks = []
            for _ in range(args.repeat):
                t = time.perf_counter()
                check = check_licenses(store)
                checks.append(time.perf_counter() - t)
            results[engine] = (
                statistics.median(runs),
                min(runs),
                statistics.median(checks),
                min(checks),
                check,
                depth,
            )
            print(
                f"  {engine:8}: built in {build:.0f} s; lineage {statistics.median(runs) * 1000:.1f} ms "
                f"(best {min(runs) * 1000:.1f}, {depth} ancestors); license check {statistics.median(checks):.2f} s "
                f"(best {min(checks):.2f}; {check.allowed:,} usable, {check.refused:,} not)",
                flush=True,
            )
        finally:
            store.close()
            if stop:
                stop()
    checks_out = [r[4].model_dump() for r in results.values()]
    if len(checks_out) == 2:
        print("  identical license checks on both engines:", checks_out[0] == checks_out[1])
    print("\n| engine | examples | lineage ms (median / best) | license check s (median / best) |")
    print("|---|---:|---:|---:|")
    for engine, (lm, lb, cm, cb, _c, _d) in results.items():
        print(f"| {engine} | {args.examples:,} | {lm * 1000:.1f} / {lb * 1000:.1f} | {cm:.2f} / {cb:.2f} |")


if __name__ == "__main__":
    main()
