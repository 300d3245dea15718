"""Both engines: re-ingest idempotency on Neo4j, and random catalogs that must answer identically.

The real datasets on both engines (stats, catalog queries, coverage) are in tests/test_coverage.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from catalog.config import Settings
from catalog.ingest.pipeline import prepare_ingest, run_ingest
from catalog.schema import Schema
from catalog.store.embedded import EmbeddedStore
from tests.helpers import fresh_neo4j_store, manifest_path
from tests.helpers.expected import EXPECTED


def _ingest(store, schema: Schema, settings: Settings, datasets: Path, dataset: str, name: str):  # type: ignore[no-untyped-def]
    plan = prepare_ingest(
        datasets / dataset / name,
        schema=schema,
        settings=settings,
        manifest_path=manifest_path(dataset),
    )
    return run_ingest(store, plan, settings=settings)


@pytest.mark.parametrize("dataset", ["gsm8k", "oasst-en-100-trees"])
def test_reingest_and_idempotency_on_neo4j(
    datasets: Path, schema: Schema, tmp_path: Path, neo4j_env: dict[str, str], dataset: str
) -> None:
    store = fresh_neo4j_store(schema, neo4j_env)
    try:
        settings = Settings(db=tmp_path / "c")
        rows = [r for r in EXPECTED if r[0] == dataset]
        for _, name, *_ in rows:
            _ingest(store, schema, settings, datasets, dataset, name)
        before = store.stats()
        for _, name, _fmt, _rec, read, _acc, quarantined, _dups in rows:
            again = _ingest(store, schema, settings, datasets, dataset, name)
            assert (again.accepted, again.duplicates_skipped) == (0, read - quarantined)
        assert store.stats() == before
    finally:
        store.close()


# ---------------------------------------------------------------------- random catalogs, both engines

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from catalog.store.base import NodeGroup, RelGroup, WriteBatch  # noqa: E402

TOPICS = ["algebra", "geometry", "python", "recipes", "poetry", "law"]
catalogs = st.lists(
    st.tuples(
        st.integers(1, 12),  # n_messages
        st.booleans(),  # has_tool_calls
        st.lists(st.sampled_from(TOPICS), max_size=3, unique=True),
        st.integers(0, 2),  # source
        st.one_of(st.none(), st.integers(0, 40)),  # parent (index, if earlier)
    ),
    min_size=1,
    max_size=40,
)
RANDOM_QUERIES = [
    "MATCH (e:Example)-[:ABOUT]->(t:Topic) RETURN t.id, count(e) ORDER BY t.id",
    "MATCH (e:Example)-[:FROM_SOURCE]->(s:Source) RETURN s.id, count(e), sum(e.n_messages) ORDER BY s.id",
    "MATCH (c:Example)-[:DERIVED_FROM]->(p:Example) RETURN p.id, count(c) ORDER BY p.id",
    "MATCH (e:Example) WHERE e.has_tool_calls RETURN count(e)",
    "MATCH (e:Example) WHERE NOT (e)-[:ABOUT]->(:Topic) RETURN e.id ORDER BY e.id",
]


def _random_batch(rows: list) -> WriteBatch:
    examples = [
        {"id": f"ex{i:03d}", "n_messages": n, "has_tool_calls": tools}
        for i, (n, tools, *_rest) in enumerate(rows)
    ]
    about = [
        {"src": f"ex{i:03d}", "dst": t, "method": "manifest", "confidence": 1.0}
        for i, row in enumerate(rows)
        for t in row[2]
    ]
    from_source = [
        {"src": f"ex{i:03d}", "dst": f"src{row[3]}", "line": i + 1, "record": i} for i, row in enumerate(rows)
    ]
    derived = [
        {"src": f"ex{i:03d}", "dst": f"ex{row[4]:03d}", "method": "augmentation"}
        for i, row in enumerate(rows)
        if row[4] is not None and row[4] < i
    ]
    return WriteBatch(
        nodes=[NodeGroup("Example", examples), NodeGroup("Source", [{"id": f"src{k}"} for k in range(3)])],
        relationships=[
            RelGroup("ABOUT", "Example", "Topic", about),
            RelGroup("FROM_SOURCE", "Example", "Source", from_source),
            RelGroup("DERIVED_FROM", "Example", "Example", derived),
        ],
    )


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=catalogs)
def test_random_catalogs_give_identical_answers_on_both_engines(
    schema: Schema, neo4j_env: dict[str, str], rows: list
) -> None:
    batch = _random_batch(rows)
    embedded = EmbeddedStore(":memory:", schema=schema)
    embedded.ensure_schema()
    neo4j = fresh_neo4j_store(schema, neo4j_env)
    try:
        results = []
        for store in (embedded, neo4j):
            created = store.write(batch=batch)
            again = store.write(batch=batch)  # idempotent on both
            results.append(
                (
                    created,
                    again,
                    store.stats(),
                    [store.read_cypher(query=q, row_cap=1000).rows for q in RANDOM_QUERIES],
                )
            )
        assert results[0] == results[1]
        assert results[0][1].nodes_created == {"Example": 0, "Source": 0}
    finally:
        embedded.close()
        neo4j.close()
