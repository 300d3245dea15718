"""Exports on real datasets: RDF (PROV-O, DCAT, SKOS) passes the ontology's SHACL shapes and,
re-imported into a fresh catalog on either engine, gives the same lineage and effective license for
every exported example; Croissant passes mlcroissant's validation and its rows carry the same
provenance; the networkx subgraph agrees with the lineage."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import networkx as nx
import orjson
import pytest
import rdflib

from catalog.config import Settings
from catalog.export import (
    from_rdf,
    selection,
    to_networkx,
    to_rdf,
    validate,
    validate_croissant,
    write_croissant,
)
from catalog.ingest.pipeline import prepare_ingest, run_ingest
from catalog.provenance import lineage
from catalog.schema import Schema
from catalog.store.embedded import EmbeddedStore
from tests.helpers import fresh_neo4j_store, manifest_path

#: small real sets with every kind of provenance: per-record translation links (KULLM -> Self-Instruct),
#: reply chains (OASST), generator models and model terms (Alpaca, Code Alpaca), share-alike (LIMA)
SETS = [
    ("self-instruct", "seed_tasks.jsonl"),
    ("self-instruct", "user_oriented_instructions.jsonl"),
    ("kullm-user-oriented-ko", "user_oriented_instructions_eval.jsonl"),
    ("oasst-en-100-trees", "en_100_tree.jsonl"),
    ("stanford-alpaca-5k", "alpaca_5000.json"),
    ("code-alpaca-2k", "code_alpaca_2k.json"),
    ("lima", "lima.json"),
]


@pytest.fixture(scope="module")
def source(
    datasets: Path, schema: Schema, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[EmbeddedStore]:
    tmp = tmp_path_factory.mktemp("export")
    store = EmbeddedStore(tmp / "src.lbdb", schema=schema)
    store.ensure_schema()
    settings = Settings(db=tmp / "catalog")
    for dataset, name in SETS:
        path = datasets / dataset / name
        if not path.exists():
            continue
        plan = prepare_ingest(path, schema=schema, settings=settings, manifest_path=manifest_path(dataset))
        run_ingest(store, plan, settings=settings)
    yield store
    store.close()


def _picked(store: EmbeddedStore) -> list[str]:
    """Every KULLM example (translations with parents), OASST replies deep in their trees, some of the rest."""
    kullm = store.dataset_example_ids(dataset="kullm-user-oriented-ko")
    deep = (
        store.read_cypher(  # replies two levels down an OASST tree, and some one level down
            query="MATCH (e:Example)-[:DERIVED_FROM*2..2]->(:Example) RETURN DISTINCT e.id ORDER BY e.id"
        ).rows
        + store.read_cypher(
            query="MATCH (e:Example)-[:DERIVED_FROM]->(:Example)-[:IN_DATASET]->(:Dataset {id: 'oasst-en-100-trees'}) "
            "RETURN DISTINCT e.id ORDER BY e.id LIMIT 30"
        ).rows
    )
    rest = [
        i
        for d in ("stanford-alpaca-5k", "code-alpaca-2k", "lima")
        for i in store.dataset_example_ids(dataset=d)[:15]
    ]
    return sorted({*kullm, *(r[0] for r in deep), *rest})


def _lineage(store: Any, ident: str) -> dict[str, Any]:
    return lineage(store, ident).model_dump()


@pytest.mark.parametrize("target_engine", ["embedded", "neo4j"])
def test_rdf_export_passes_shacl_and_reimports_to_the_same_lineage(
    source: EmbeddedStore, schema: Schema, tmp_path: Path, target_engine: str, request: pytest.FixtureRequest
) -> None:
    picked = _picked(source)
    assert len(picked) > 300
    sub = selection(source, picked)
    graph = to_rdf(schema, sub)
    conforms, report = validate(graph)
    assert conforms, report[:2000]
    # standard vocabularies, from the ontology's subClassOf / subPropertyOf
    prov = rdflib.Namespace("http://www.w3.org/ns/prov#")
    assert (None, rdflib.RDF.type, prov.Entity) in graph
    assert (None, prov.wasDerivedFrom, None) in graph
    assert (None, rdflib.RDF.type, rdflib.namespace.DCAT.Dataset) in graph
    # both serialisations carry the same graph
    ttl, jsonld = tmp_path / "x.ttl", tmp_path / "x.jsonld"
    graph.serialize(destination=str(ttl), format="turtle")
    graph.serialize(destination=str(jsonld), format="json-ld")
    parsed = rdflib.Graph().parse(ttl, format="turtle")
    assert len(parsed) == len(graph)
    assert len(rdflib.Graph().parse(jsonld, format="json-ld")) == len(graph)

    if target_engine == "embedded":
        target: Any = EmbeddedStore(tmp_path / "dst.lbdb", schema=schema)
        target.ensure_schema()
    else:
        target = fresh_neo4j_store(schema, request.getfixturevalue("neo4j_env"))
    try:
        for batch in from_rdf(schema, parsed):
            target.write(batch=batch)
        assert target.count_nodes(label="Example") == len(sub.nodes["Example"])
        for ident in picked:
            assert _lineage(target, ident) == _lineage(source, ident), ident
    finally:
        target.close()


def test_a_broken_export_fails_shacl_naming_the_shape(source: EmbeddedStore, schema: Schema) -> None:
    sub = selection(source, source.dataset_example_ids(dataset="lima")[:5])
    graph = to_rdf(schema, sub)
    cg = rdflib.Namespace("https://w3id.org/curagraph#")
    graph.remove((None, cg.checksum, None))  # a source file without its checksum
    graph.remove((None, cg.FROM_SOURCE, None))  # examples that no longer point to a raw file
    conforms, report = validate(graph)
    assert not conforms
    assert "checksum" in report and "Every example points back to at least one raw source file" in report


def test_croissant_export_is_valid_and_rows_carry_lineage_and_license(
    source: EmbeddedStore, tmp_path: Path
) -> None:
    mlc = pytest.importorskip("mlcroissant", reason="mlcroissant is a dev dependency (make test installs it)")
    picked = _picked(source)
    path = write_croissant(source, picked, tmp_path / "cr", name="export-test")
    assert validate_croissant(path) == []
    doc = orjson.loads(path.read_bytes())
    assert doc["conformsTo"] == "http://mlcommons.org/croissant/1.1"
    fields = {f["name"]: f for f in doc["recordSet"][0]["field"]}
    assert fields["derived_from"]["equivalentProperty"] == "prov:wasDerivedFrom"
    records = list(mlc.Dataset(jsonld=str(path)).records("examples"))
    assert len(records) == len(picked)
    by_id = {r["examples/id"].decode(): r for r in records}
    for ident in picked:
        row, lin = by_id[ident], lineage(source, ident)
        assert row["examples/commercial_use"] == lin.effective.commercial_use
        assert [x.decode() for x in row["examples/license"]] == lin.effective.licenses
        derived = [x.decode() for x in row["examples/derived_from"]]
        parents = {
            e[2].split(":", 1)[1] for e in lin.edges if e[1] == "DERIVED_FROM" and e[0] == f"Example:{ident}"
        }
        assert {d.rsplit("/", 1)[1] for d in derived if "/Example/" in d} == parents
        assert any("/Source/" in d and "#line=" in d for d in derived)
    kullm = source.dataset_example_ids(dataset="kullm-user-oriented-ko")
    assert all(any("/Example/" in x.decode() for x in by_id[k]["examples/derived_from"]) for k in kullm)
    assert not any(
        by_id[k]["examples/commercial_use"]
        for k in source.dataset_example_ids(dataset="stanford-alpaca-5k")[:15]
    )


def test_networkx_subgraph_matches_the_lineage(source: EmbeddedStore) -> None:
    picked = _picked(source)[:50]
    sub = selection(source, picked)
    g = to_networkx(sub)
    assert (g.number_of_nodes(), g.number_of_edges()) == sub.count()
    derived = nx.DiGraph(
        (a, b) for a, b, k in g.edges(keys=True) if k == "DERIVED_FROM" and a.startswith("Example:")
    )
    for ident in picked:
        node = f"Example:{ident}"
        ancestors = (
            sorted(n.split(":", 1)[1] for n in nx.descendants(derived, node)) if node in derived else []
        )
        assert ancestors == lineage(source, ident).ancestors
