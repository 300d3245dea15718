"""Near-duplicates: the labelled benchmark built from the real datasets (bench/neardup.py) scored
against its ground truth; the same clusters on both engines and whether found at once or
incrementally; the representative policy; DUPLICATE_OF edges explain themselves and can be undone."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest

from catalog.config import Settings
from catalog.ingest.pipeline import prepare_ingest, run_ingest
from catalog.quality.dedup import POLICY, DedupConfig, dedup, undo
from catalog.quality.minhash import MinHasher, optimal_bands
from catalog.schema import Schema
from catalog.store.base import NodeGroup, RelGroup, WriteBatch
from tests.helpers.neardup import build, score


@pytest.fixture(scope="module")
def bench_data(datasets: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("neardup")
    counts = build(datasets, out, originals=1500)
    assert (
        counts["edit"] > 100 and counts["reorder"] > 50 and counts["exact"] > 300 and counts["template"] > 30
    )
    return out


def _ingest(store: Any, schema: Schema, folder: Path, data: Path, settings: Settings) -> None:
    plan = prepare_ingest(data, schema=schema, settings=settings, manifest_path=folder / "manifest.yaml")
    run_ingest(store, plan, settings=settings)


def _clusters(store: Any) -> list[list[str]]:
    key = {n["id"]: orjson.loads(n["metadata"])["key"] for n in store.nodes(label="Example")}
    return sorted(
        sorted([key[rep], *(key[e.member] for e in ms)]) for rep, ms in store.duplicate_clusters().items()
    )


def test_labelled_benchmark_precision_and_recall(
    store, schema: Schema, bench_data: Path, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    settings = Settings(db=tmp_path / "c")
    _ingest(store, schema, bench_data, bench_data / "data.jsonl", settings)
    report = dedup(store, tmp_path / "c" / "dedup")
    assert report.new == store.count_nodes(label="Example")
    result = score(bench_data / "truth.jsonl", _clusters(store))
    assert result["precision"] >= 0.98, result
    assert result["recall_near"] >= 0.95, result
    assert result["recall_exact"] == 1.0, result
    assert result["template_kept_apart"] >= 0.98, result
    # every edge says how it was found and why its target was kept
    edges = store.edges(rel_type="DUPLICATE_OF", from_label="Example", to_label="Example")
    assert edges and all(e["policy"] == POLICY and e["method"] in ("exact", "minhash") for e in edges)
    assert all(0.8 <= e["score"] <= 1.0 for e in edges if e["method"] == "minhash")
    # nothing new: a re-run signs nothing and changes nothing
    again = dedup(store, tmp_path / "c" / "dedup")
    assert again.new == 0 and _clusters(store) == sorted(_clusters(store))
    assert undo(store) == len(edges)
    assert store.duplicate_clusters() == {}


def test_incremental_runs_find_the_same_clusters(
    schema: Schema, bench_data: Path, tmp_path: Path, mem_store
) -> None:  # type: ignore[no-untyped-def]
    from catalog.store.embedded import EmbeddedStore

    lines = (bench_data / "data.jsonl").read_text().splitlines()
    half = tmp_path / "half"
    half.mkdir()
    (half / "manifest.yaml").write_text((bench_data / "manifest.yaml").read_text())
    (half / "a.jsonl").write_text("\n".join(lines[: len(lines) // 2]) + "\n")
    (half / "b.jsonl").write_text("\n".join(lines[len(lines) // 2 :]) + "\n")
    settings = Settings(db=tmp_path / "c")
    _ingest(mem_store, schema, half, half / "a.jsonl", settings)
    first = dedup(mem_store, tmp_path / "c" / "dedup")
    _ingest(mem_store, schema, half, half / "b.jsonl", settings)
    second = dedup(mem_store, tmp_path / "c" / "dedup")
    assert first.new + second.new == len(lines) and second.new == len(lines) - len(lines) // 2
    at_once = EmbeddedStore(":memory:", schema=schema)
    at_once.ensure_schema()
    try:
        _ingest(at_once, schema, bench_data, bench_data / "data.jsonl", Settings(db=tmp_path / "d"))
        dedup(at_once, tmp_path / "d" / "dedup")
        assert _clusters(mem_store) == _clusters(at_once)
    finally:
        at_once.close()


def test_the_representative_is_human_over_synthetic_then_fewer_issues(store, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    text = "Explain how photosynthesis turns light, water and carbon dioxide into glucose and oxygen in the chloroplasts of plants."

    def msgs(t: str) -> str:
        return orjson.dumps(
            [{"role": "user", "content": "Explain photosynthesis."}, {"role": "assistant", "content": t}]
        ).decode()

    store.write(
        batch=WriteBatch(
            nodes=[
                NodeGroup(
                    "Example",
                    [
                        {"id": "synthetic", "usage_role": "supply", "messages": msgs(text)},
                        {"id": "human", "usage_role": "supply", "messages": msgs(text + " ")},
                        {"id": "human-with-issue", "usage_role": "supply", "messages": msgs(text.upper())},
                    ],
                ),
                NodeGroup("Activity", [{"id": "gen"}]),
                NodeGroup("QualityIssue", [{"id": "q1", "severity": "error", "checker": "format"}]),
            ],
            relationships=[
                RelGroup("GENERATED_BY", "Example", "Activity", [{"src": "synthetic", "dst": "gen"}]),
                RelGroup("HAS_ISSUE", "Example", "QualityIssue", [{"src": "human-with-issue", "dst": "q1"}]),
            ],
        )
    )
    report = dedup(store, tmp_path / "dedup")
    assert report.clusters == 1 and report.duplicates == 2
    clusters = {
        rep: [(e.member, e.score, e.method) for e in es] for rep, es in store.duplicate_clusters().items()
    }
    assert clusters == {"human": [("human-with-issue", 1.0, "exact"), ("synthetic", 1.0, "exact")]}


def test_minhash_estimates_and_bands() -> None:
    hasher = MinHasher(num_perm=128, shingle=5)
    a = "The quick brown fox jumps over the lazy dog near the river bank at dawn."
    sig = hasher.signatures([a, a.upper(), a.replace("lazy", "sleepy"), "완전히 다른 문장입니다 한국어로 쓴"])
    assert (sig[0] == sig[1]).all()  # normalised text
    assert 0.6 < (sig[0] == sig[2]).mean() < 0.95
    assert (sig[0] == sig[3]).mean() < 0.1
    bands, rows = optimal_bands(0.8, 128)
    assert bands * rows <= 128 and DedupConfig().threshold == 0.8


@pytest.fixture
def mem_store(schema: Schema) -> Iterator[Any]:
    from catalog.store.embedded import EmbeddedStore

    s = EmbeddedStore(":memory:", schema=schema)
    s.ensure_schema()
    yield s
    s.close()
