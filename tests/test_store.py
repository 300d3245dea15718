"""GraphStore behaviour on both real engines (the `store` fixture), checked against networkx
computed from the same input."""

from __future__ import annotations

import random

import networkx as nx
import pytest

from catalog.errors import QueryFailed, QueryRefused, QueryTimeout, SchemaViolation, StoreError
from catalog.store.base import NodeGroup, RelGroup, WriteBatch
from catalog.store.embedded import EmbeddedStore
from tests.helpers.hostile import WRITES


def _random_catalog(seed: int, n: int = 300) -> tuple[WriteBatch, nx.MultiDiGraph]:
    rng = random.Random(seed)
    g = nx.MultiDiGraph()
    examples = [
        {"id": f"ex{i}", "n_messages": rng.randint(2, 8), "has_tool_calls": rng.random() < 0.2}
        for i in range(n)
    ]
    sources = [
        {"id": f"src{i}", "name": f"file{i}.jsonl", "byte_size": rng.randint(1, 10**6)} for i in range(5)
    ]
    topics = ["algebra", "geometry", "python", "recipes", "poetry"]
    for e in examples:
        g.add_node(("Example", e["id"]), **e)
    for s in sources:
        g.add_node(("Source", s["id"]), **s)
    from_source, about, derived = [], [], []
    for i, e in enumerate(examples):
        src = rng.choice(sources)["id"]
        from_source.append({"src": e["id"], "dst": src, "line": i + 1, "record": i})
        g.add_edge(("Example", e["id"]), ("Source", src), "FROM_SOURCE")
        for t in rng.sample(topics, rng.randint(0, 2)):
            about.append({"src": e["id"], "dst": t, "method": "manifest", "confidence": 1.0})
            g.add_edge(("Example", e["id"]), ("Topic", t), "ABOUT")
        if i and rng.random() < 0.1:
            parent = examples[rng.randrange(i)]["id"]
            derived.append({"src": e["id"], "dst": parent, "method": "augmentation"})
            g.add_edge(("Example", e["id"]), ("Example", parent), "DERIVED_FROM")
    batch = WriteBatch(
        nodes=[NodeGroup("Example", examples), NodeGroup("Source", sources)],
        relationships=[
            RelGroup("FROM_SOURCE", "Example", "Source", from_source),
            RelGroup("ABOUT", "Example", "Topic", about),
            RelGroup("DERIVED_FROM", "Example", "Example", derived),
        ],
    )
    return batch, g


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_counts_match_networkx(store, seed: int) -> None:
    batch, g = _random_catalog(seed)
    store.write(batch=batch)
    stats = store.stats()
    assert stats.nodes["Example"] == sum(1 for n in g if n[0] == "Example")
    assert stats.nodes["Source"] == sum(1 for n in g if n[0] == "Source")
    for rel in ("FROM_SOURCE", "ABOUT", "DERIVED_FROM"):
        assert stats.relationships[rel] == sum(1 for *_, k in g.edges(keys=True) if k == rel), rel
    # a per-topic count, computed both ways
    per_topic = store.read_cypher(
        query="MATCH (e:Example)-[:ABOUT]->(t:Topic) RETURN t.id, count(e) ORDER BY t.id", row_cap=100
    )
    expected: dict[str, int] = {}
    for _u, v, k in g.edges(keys=True):
        if k == "ABOUT":
            expected[v[1]] = expected.get(v[1], 0) + 1
    assert {r[0]: r[1] for r in per_topic.rows} == expected


def test_upserts_are_idempotent_and_update(store) -> None:
    batch, _ = _random_catalog(7)
    store.write(batch=batch)
    before = store.stats()
    store.write(batch=batch)
    assert store.stats() == before
    store.upsert_nodes(label="Source", rows=[{"id": "src0", "name": "renamed.jsonl"}])
    assert store.get_node(label="Source", node_id="src0").properties["name"] == "renamed.jsonl"
    store.upsert_relationships(
        rel_type="FROM_SOURCE", from_label="Example", to_label="Source",
        rows=[{"src": "ex0", "dst": r["dst"], "line": 999} for r in batch.relationships[0].rows[:1]],
    )  # fmt: skip
    line = store.read_cypher(query="MATCH (:Example {id: 'ex0'})-[r:FROM_SOURCE]->() RETURN r.line").rows
    assert line == [[999]]
    assert store.stats() == before


def test_keyed_relationships_keep_both_claims(store) -> None:
    store.upsert_nodes(label="Dataset", rows=[{"id": "d"}])
    rows = [
        {"src": "d", "dst": "Apache-2.0", "claimed_by": "upstream repository"},
        {"src": "d", "dst": "CC-BY-4.0", "claimed_by": "DPI"},
        {"src": "d", "dst": "Apache-2.0", "claimed_by": "DPI"},
    ]
    for _ in range(2):
        store.upsert_relationships(
            rel_type="LICENSED_UNDER",
            from_label="Dataset",
            to_label="License",
            rows=rows,
            key=("claimed_by",),
        )
    got = store.read_cypher(
        query="MATCH (:Dataset {id:'d'})-[c:LICENSED_UNDER]->(l) RETURN l.id, c.claimed_by ORDER BY l.id, c.claimed_by"
    )
    assert got.rows == [["Apache-2.0", "DPI"], ["Apache-2.0", "upstream repository"], ["CC-BY-4.0", "DPI"]]


def test_bulk_path_and_small_path_agree(store, schema) -> None:
    big = [{"id": f"b{i}", "n_chars": i, "prompt_preview": f"p{i}"} for i in range(500)]  # COPY
    small = [{"id": f"s{i}", "n_chars": i, "prompt_preview": f"p{i}"} for i in range(5)]  # CREATE
    store.upsert_nodes(label="Example", rows=big + small)
    store.upsert_nodes(label="Example", rows=small)
    got = store.read_cypher(
        query="MATCH (e:Example) WHERE e.id IN ['b7', 's3'] RETURN e.id, e.n_chars, e.prompt_preview ORDER BY e.id"
    )
    assert got.rows == [["b7", 7, "p7"], ["s3", 3, "p3"]]


@pytest.mark.parametrize(
    ("call", "offender"),
    [
        (lambda s: s.upsert_nodes(label="Exampel", rows=[{"id": "x"}]), "Exampel"),
        (lambda s: s.upsert_nodes(label="Example", rows=[{"id": "x", "colour": "red"}]), "colour"),
        (lambda s: s.upsert_nodes(label="Example", rows=[{"id": "x", "n_chars": "ten"}]), "n_chars"),
        (
            lambda s: s.upsert_relationships(
                rel_type="ABOUT", from_label="Example", to_label="Task", rows=[]
            ),
            "(Example)-[:ABOUT]->(Task)",
        ),
        (
            lambda s: s.upsert_relationships(
                rel_type="MENTIONS", from_label="Example", to_label="Topic", rows=[]
            ),
            "MENTIONS",
        ),
        (
            lambda s: s.upsert_relationships(
                rel_type="ABOUT",
                from_label="Example",
                to_label="Topic",
                rows=[{"src": "a", "dst": "algebra", "weight": 1.0}],
            ),
            "weight",
        ),
    ],
)
def test_undeclared_names_are_refused_with_the_allowed_choices(store, call, offender: str) -> None:
    before = store.stats()
    with pytest.raises(SchemaViolation) as info:
        call(store)
    assert offender in str(info.value)
    assert "allows" in str(info.value)
    assert store.stats() == before


def test_a_failed_batch_writes_nothing(store) -> None:
    before = store.stats()
    batch = WriteBatch(
        nodes=[NodeGroup("Example", [{"id": f"e{i}"} for i in range(100)])],
        relationships=[RelGroup("ABOUT", "Example", "Topic", [{"src": "e1", "dst": "no-such-topic"}])],
    )
    with pytest.raises(StoreError, match="no-such-topic"):
        store.write(batch=batch)
    assert store.stats() == before


@pytest.mark.parametrize("query", WRITES)
def test_read_only_cypher_refuses_writes_and_escapes(store, query: str) -> None:
    before = store.stats()
    with pytest.raises(QueryRefused):
        store.read_cypher(query=query)
    assert store.stats() == before


@pytest.mark.parametrize(
    "query",
    [
        "CREATE (n:Topic {id: 'x'})",
        "MATCH (t:Topic {id: 'algebra'}) SET t.label = 'x'",
        "MATCH (t:Topic) DETACH DELETE t",
    ],
)
def test_the_engine_itself_refuses_writes_on_the_read_path(store, query: str) -> None:
    """Below the keyword check: the statement runs in the engine's read-only transaction."""
    before = store.stats()
    with pytest.raises(QueryRefused):
        store.engine.read_only(query, {}, row_cap=10, timeout_s=5.0, byte_cap=1 << 20)
    assert store.stats() == before


def test_keywords_inside_strings_are_fine(store) -> None:
    got = store.read_cypher(query="MATCH (t:Topic) WHERE t.label CONTAINS 'CREATE; DROP' RETURN count(t)")
    assert got.rows == [[0]]


def test_row_cap_and_truncated_flag(store) -> None:
    got = store.read_cypher(query="MATCH (t:Topic) RETURN t.id", row_cap=5)
    assert len(got.rows) == 5 and got.truncated
    got = store.read_cypher(query="MATCH (t:Format) RETURN t.id ORDER BY t.id", row_cap=5)
    assert (
        got.rows == [["chain-of-thought"], ["multi-turn"], ["single-turn"], ["tool-use"]]
        and not got.truncated
    )


def test_params_are_passed_as_values(store) -> None:
    got = store.read_cypher(query="MATCH (t:Topic {id: $id}) RETURN t.label", params={"id": "algebra"})
    assert got.rows == [["Algebra"]]


def test_timeout(store) -> None:
    store.upsert_nodes(label="Example", rows=[{"id": f"e{i}"} for i in range(3000)])
    with pytest.raises(QueryTimeout):
        store.read_cypher(
            query="MATCH (a:Example), (b:Example), (c:Example) WHERE a.id + b.id + c.id = 'x' RETURN count(*)",
            timeout_s=0.2,
        )
    assert store.read_cypher(query="MATCH (e:Example) RETURN count(e)").rows == [[3000]]


def test_engine_errors_are_translated(store) -> None:
    with pytest.raises(QueryFailed, match="rejected the query"):
        store.read_cypher(query="MATCH (n:Topic RETURN n")


def test_data_survives_reopening(schema, tmp_path) -> None:
    path = tmp_path / "g.lbdb"
    s = EmbeddedStore(path, schema=schema)
    s.ensure_schema()
    s.upsert_nodes(label="Example", rows=[{"id": "kept", "n_chars": 3}])
    s.close()
    s2 = EmbeddedStore(path, schema=schema)
    assert s2.get_node(label="Example", node_id="kept").properties["n_chars"] == 3
    s2.close()


def test_cypher_in_code_names_only_declared_labels_and_types(schema) -> None:
    """No label or relationship type in the store's Cypher that the ontology does not declare."""
    import re

    import catalog.demo
    import catalog.store.ask_cypher as A
    import catalog.store.cypher as Q
    from catalog.store.query import Query

    texts = [catalog.demo.EXAMPLE_QUERY]
    for module in (Q, A):
        for k, v in vars(module).items():
            if k.isupper() and isinstance(v, Query):
                texts.append(v.text)
            elif k.isupper() and isinstance(v, str):
                texts.append(v)
            elif k.isupper() and isinstance(v, dict):
                texts += [q for q in v.values() if isinstance(q, str)]
    names = set()
    for text in texts:
        names |= set(re.findall(r"[(\[]\w*:`?([A-Z][A-Za-z_]+)`?", text))
    assert names, "the pattern found nothing"
    assert names <= set(schema.labels) | set(schema.relationships), (
        names - set(schema.labels) - set(schema.relationships)
    )


def test_an_upsert_never_blanks_properties_it_does_not_give(store) -> None:
    store.upsert_nodes(label="Dataset", rows=[{"id": "d", "name": "D", "languages": ["en"]}])
    store.upsert_nodes(label="Dataset", rows=[{"id": "d"}, {"id": "other", "name": "O"}])
    got = store.read_cypher(query="MATCH (d:Dataset) RETURN d.id, d.name, d.languages ORDER BY d.id").rows
    assert got == [["d", "D", ["en"]], ["other", "O", None]]


def test_an_exhausted_buffer_pool_is_a_clear_error(schema, tmp_path) -> None:
    """Many rows (primary-key index entries) outgrow a 64 MiB pool at the checkpoint after a commit."""
    store = EmbeddedStore(tmp_path / "small.lbdb", schema=schema, buffer_pool_mb=64)
    store.ensure_schema()
    with pytest.raises(StoreError, match="buffer pool") as info:
        for b in range(20):
            rows = [{"id": f"e{b:03d}{i:08d}", "messages": "x" * 300} for i in range(25_000)]
            store.upsert_nodes(label="Example", rows=rows)
    assert "CURAGRAPH_BUFFER_POOL_MB" in str(info.value)


def test_write_reports_what_it_created(store) -> None:
    first = store.write(batch=WriteBatch(nodes=[NodeGroup("Example", [{"id": f"e{i}"} for i in range(100)])]))
    again = store.write(
        batch=WriteBatch(
            nodes=[NodeGroup("Example", [{"id": f"e{i}"} for i in range(90, 110)])],
            relationships=[RelGroup("ABOUT", "Example", "Topic", [{"src": "e1", "dst": "algebra"}])],
        )
    )
    assert first.nodes_created == {"Example": 100}
    assert again.nodes_created == {"Example": 10}
    assert again.relationships_created == {"ABOUT": 1}


def test_a_relationship_copy_to_a_missing_endpoint_is_refused_before_it_runs(store) -> None:
    store.upsert_nodes(label="Example", rows=[{"id": f"y{i}"} for i in range(200)])
    before = store.stats()
    rows = [{"src": f"y{i}", "dst": "algebra" if i else "no-such-topic"} for i in range(200)]  # COPY-sized
    with pytest.raises(StoreError, match="no-such-topic"):
        store.upsert_relationships(rel_type="ABOUT", from_label="Example", to_label="Topic", rows=rows)
    assert store.stats() == before
