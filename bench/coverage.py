"""Coverage benchmark: the coverage matrix and the gap report over 1,000,000 examples, both engines.

    python bench/coverage.py [--examples 1000000] [--engines embedded,neo4j] [--repeat 3]

The catalog is built from the real datasets: every file of ../shared/datasets is parsed and
classified as `curagraph ingest` would (manifest tasks and topics first, the classifier otherwise),
then N examples are written, example i taking the assignments, language and role of real example
i mod 35,920, each with its FOR_TASK, HAS_FORMAT and ABOUT edges (about 2.5 edges per example).
Example nodes carry the stored properties except the message and metadata JSON (coverage never
reads them; writing a million copies would only slow the set-up). Timings are warm: one untimed
run first, then the median and best of --repeat runs, side by side for both engines in one run.
"coverage matrix" is the aggregate query for the supply (GraphStore.coverage_signatures);
"gap report" is everything `curagraph coverage` computes (supply, demand, language mix, report).
Neo4j: the server named by CURAGRAPH_NEO4J_URI/USER/PASSWORD, else one started by scripts/neo4j.sh.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.ingest import REAL, shared_dir  # noqa: E402
from catalog.classify.rules import Classifier  # noqa: E402
from catalog.classify.run import decide  # noqa: E402
from catalog.config import Settings  # noqa: E402
from catalog.coverage import load_spec, resolve_spec_path  # noqa: E402
from catalog.eligibility import build_report  # noqa: E402
from catalog.ingest.pipeline import iter_examples, manifest_task, prepare_ingest  # noqa: E402
from catalog.schema import load_schema  # noqa: E402
from catalog.store.base import GraphStore, NodeGroup, RelGroup, WriteBatch  # noqa: E402
from tests.helpers import manifest_path  # noqa: E402

KEEP = (
    "n_messages",
    "n_user_turns",
    "n_chars",
    "has_tool_calls",
    "has_reasoning",
    "prompt_preview",
    "usage_role",
)


def base_examples(shared: Path) -> list[dict[str, Any]]:
    """Every real example, classified: props plus its formats, tasks and topics."""
    schema = load_schema()
    classifier = Classifier(schema)
    settings = Settings(db=Path(tempfile.mkdtemp()) / "unused")
    seen: dict[str, dict[str, Any]] = {}
    for dataset, names in REAL.items():
        for name in names:
            plan = prepare_ingest(
                shared / dataset / name,
                schema=schema,
                settings=settings,
                manifest_path=manifest_path(dataset),
            )
            items = [
                i
                for i in iter_examples(plan, settings=settings, quarantine_file=settings.db.parent / "q")
                if i.props["id"] not in seen
            ]
            for item, d in zip(items, decide([i.props for i in items], classifier), strict=True):
                task = manifest_task(plan.manifest, item)
                seen[item.props["id"]] = {
                    **{k: item.props[k] for k in KEEP},
                    "language": d.language,
                    "language_confidence": d.language_confidence,
                    "message_languages": d.message_languages,
                    "formats": [a.concept for a in d.found["format"]],
                    "tasks": [task] if task else [a.concept for a in d.found["task"]],
                    "topics": list(plan.manifest.topics) or [a.concept for a in d.found["topic"]],
                }
    return list(seen.values())


def populate(store: GraphStore, base: list[dict[str, Any]], n: int, batch: int) -> None:
    for start in range(0, n, batch):
        nodes, tasks, formats, topics = [], [], [], []
        for i in range(start, min(n, start + batch)):
            b = base[i % len(base)]
            ident = hashlib.blake2b(i.to_bytes(8, "little"), digest_size=16).hexdigest()
            nodes.append(
                {"id": ident, **{k: v for k, v in b.items() if k not in ("formats", "tasks", "topics")}}
            )
            tasks += [{"src": ident, "dst": t, "method": "classifier", "confidence": 0.5} for t in b["tasks"]]
            formats += [
                {"src": ident, "dst": f, "method": "structure", "confidence": 1.0} for f in b["formats"]
            ]
            topics += [
                {"src": ident, "dst": t, "method": "classifier", "confidence": 0.5} for t in b["topics"]
            ]
        store.write(
            batch=WriteBatch(
                nodes=[NodeGroup("Example", nodes, update_existing=False)],
                relationships=[
                    RelGroup("FOR_TASK", "Example", "Task", tasks),
                    RelGroup("HAS_FORMAT", "Example", "Format", formats),
                    RelGroup("ABOUT", "Example", "Topic", topics),
                ],
            )
        )
        print(f"    wrote {min(n, start + batch):,} examples", end="\r", flush=True)
    print()


def timed(fn: Any, repeat: int) -> tuple[float, float, Any]:
    fn()  # warm-up, untimed
    runs, result = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        runs.append(time.perf_counter() - t)
    return statistics.median(runs), min(runs), result


def open_engine(engine: str, work: Path) -> tuple[GraphStore, Any]:
    schema = load_schema()
    if engine == "embedded":
        from catalog.store.embedded import EmbeddedStore

        shutil.rmtree(work / "embedded", ignore_errors=True)
        (work / "embedded").mkdir(parents=True)
        store: GraphStore = EmbeddedStore(work / "embedded" / "graph.lbdb", schema=schema)
        store.ensure_schema()
        return store, None
    from catalog.store.neo4j import Neo4jStore

    stop = None
    if not os.environ.get("CURAGRAPH_NEO4J_URI"):
        cache = Path(os.environ.get("CURAGRAPH_CACHE", Path.home() / ".cache" / "curagraph"))
        env = {**os.environ, "CURAGRAPH_CACHE": str(cache)}
        subprocess.run([str(REPO / "scripts" / "neo4j.sh"), "start"], check=True, env=env)
        for line in (cache / "neo4j" / "env").read_text().splitlines():
            key, _, value = line.partition("=")
            os.environ[key] = value
        stop = lambda: subprocess.run([str(REPO / "scripts" / "neo4j.sh"), "stop"], check=False, env=env)  # noqa: E731
    neo = Neo4jStore(
        os.environ["CURAGRAPH_NEO4J_URI"],
        user=os.environ.get("CURAGRAPH_NEO4J_USER", "neo4j"),
        password=os.environ["CURAGRAPH_NEO4J_PASSWORD"],
        schema=schema,
        query_timeout_s=600,
    )
    neo.wipe()
    neo.ensure_schema()
    return neo, stop


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--examples", type=int, default=1_000_000)
    parser.add_argument("--engines", default="embedded,neo4j")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    t = time.perf_counter()
    base = base_examples(shared_dir())
    print(
        f"{len(base):,} real examples classified in {time.perf_counter() - t:.0f} s; building {args.examples:,}"
    )
    spec = load_spec(resolve_spec_path("instructgpt"), schema=load_schema())
    work = REPO / "bench" / ".work" / "coverage"
    results = {}
    for engine in args.engines.split(","):
        store, stop = open_engine(engine, work)
        try:
            t = time.perf_counter()
            populate(store, base, args.examples, 100_000 if engine == "embedded" else 10_000)
            build_s = time.perf_counter() - t
            assert store.count_nodes(label="Example") == args.examples
            matrix = timed(lambda s=store: s.coverage_signatures(role="supply"), args.repeat)
            report = timed(lambda s=store: build_report(s, spec), args.repeat)
            # the same matrix from the assignment edges (the query before the coverage key), for comparison
            edges = timed(lambda s=store: s.coverage_signatures_from_edges(role="supply"), 1)
            from_edges = [(*k, n) for k, n in edges[2]]
            if from_edges != matrix[2]:
                a, b = set(matrix[2]), set(from_edges)
                print(
                    f"  KEYED AND EDGE SIGNATURES DIFFER: {len(a - b)} only keyed, {len(b - a)} only from edges"
                )
                print(
                    "   only keyed:",
                    sorted(a - b)[:5],
                    "\n   only from edges:",
                    sorted(b - a)[:5],
                    flush=True,
                )
            results[engine] = (build_s, matrix, report, edges)
            print(
                f"  {engine:8}: built in {build_s:.0f} s; coverage matrix {matrix[0]:.3f} s (best {matrix[1]:.3f}, "
                f"{len(matrix[2])} signatures); gap report {report[0]:.3f} s (best {report[1]:.3f}); "
                f"matrix from edges {edges[0]:.3f} s",
                flush=True,
            )
        finally:
            store.close()
            if stop:
                stop()
    reports = [r[2][2].model_dump() for r in results.values()]
    if len(reports) == 2:
        print("  identical gap reports on both engines:", reports[0] == reports[1])
    print(
        "\n| engine | examples | coverage matrix s (median / best) | gap report s (median / best) "
        "| matrix from the edges s | build s |"
    )
    print("|---|---:|---:|---:|---:|---:|")
    for engine, (b, m, r, e) in results.items():
        print(
            f"| {engine} | {args.examples:,} | {m[0]:.3f} / {m[1]:.3f} | {r[0]:.3f} / {r[1]:.3f} | {e[0]:.3f} | {b:.0f} |"
        )


if __name__ == "__main__":
    main()
