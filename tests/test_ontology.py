"""The ontology is well-formed, SHACL-valid, and says what the catalog needs."""

from __future__ import annotations

from pathlib import Path

import pytest

from catalog.errors import OntologyError
from catalog.schema import load_ontology_graph, load_schema, schema_from_graph, validate_ontology

INSTRUCTGPT = {
    "generation",
    "open-qa",
    "brainstorming",
    "chat",
    "rewrite",
    "summarization",
    "classification",
    "closed-qa",
    "extraction",
}


def test_ontology_conforms_to_its_shapes() -> None:
    validate_ontology(load_ontology_graph())


def test_required_classes_and_relationships(schema) -> None:
    assert set(schema.labels) >= {
        "Example", "Topic", "Task", "Format", "Source", "Dataset", "License", "Model", "Activity", "Agent", "QualityIssue"
    }  # fmt: skip
    expected = {
        "ABOUT": {("Example", "Topic")},
        "FOR_TASK": {("Example", "Task")},
        "HAS_FORMAT": {("Example", "Format")},
        "FROM_SOURCE": {("Example", "Source")},
        "IN_DATASET": {("Example", "Dataset"), ("Source", "Dataset")},
        "DERIVED_FROM": {("Example", "Example"), ("Dataset", "Dataset")},
        "GENERATED_BY": {("Example", "Activity"), ("Dataset", "Activity")},
        "DESCRIBED_BY": {("Dataset", "Dataset")},
        "USED_MODEL": {("Activity", "Model")},
        "DUPLICATE_OF": {("Example", "Example")},
        "HAS_ISSUE": {("Example", "QualityIssue")},
        "LICENSED_UNDER": {("Source", "License"), ("Dataset", "License"), ("Model", "License")},
        "BROADER": {("Topic", "Topic"), ("Task", "Task")},
    }
    for name, pairs in expected.items():
        assert set(schema.relationships[name].pairs) == pairs, name


def test_properties_are_typed(schema) -> None:
    example = schema.labels["Example"].properties
    assert example["n_messages"].type == "INT64"
    assert example["has_tool_calls"].type == "BOOLEAN"
    assert example["messages"].type == "STRING"
    assert schema.labels["Topic"].properties["alt_labels"].type == "STRING[]"
    assert schema.relationships["ABOUT"].properties["confidence"].type == "DOUBLE"
    assert schema.relationships["FROM_SOURCE"].properties["line"].type == "INT64"


def test_topic_scheme_size_depth_and_languages(schema) -> None:
    topics = schema.topics
    assert len(topics) >= 60
    assert max(t.depth for t in topics.values()) >= 3
    for t in topics.values():
        assert t.label, t.id
        if t.broader:
            assert t.broader in topics and topics[t.broader].depth == t.depth - 1
        if t.depth <= 2:
            langs = {a.split(":", 1)[0] for a in t.alt_labels}
            assert {"ko", "zh"} <= langs, f"{t.id} lacks a Korean or Chinese label"
    top = {t.id for t in topics.values() if t.depth == 1}
    assert {
        "mathematics",
        "programming",
        "science",
        "writing",
        "everyday-life",
        "business-finance",
        "health-medicine",
        "law-government",
    } <= top


def test_task_scheme_starts_from_instructgpt(schema) -> None:
    assert INSTRUCTGPT | {"math-reasoning", "coding", "tool-use"} <= set(schema.tasks)
    assert schema.tasks["function-calling"].broader == "tool-use"


def test_formats(schema) -> None:
    assert set(schema.formats) == {"single-turn", "multi-turn", "chain-of-thought", "tool-use"}


@pytest.mark.parametrize(
    ("spdx", "commercial", "share_alike"),
    [
        ("Apache-2.0", True, False),
        ("MIT", True, False),
        ("CC-BY-NC-4.0", False, False),
        ("CC-BY-NC-SA-4.0", False, True),
        ("CC-BY-SA-3.0", True, True),
        ("CC-BY-4.0", True, False),
    ],
)
def test_licenses_carry_conditions(schema, spdx: str, commercial: bool, share_alike: bool) -> None:
    lic = schema.licenses[spdx]
    assert lic["commercial_use"] is commercial
    assert lic["share_alike"] is share_alike
    assert lic["attribution_required"] is True


def test_every_manifest_license_is_in_the_ontology(schema) -> None:
    import yaml

    for path in (Path(__file__).parent / "manifests").glob("*.yaml"):
        data = yaml.safe_load(path.read_text())
        spdx = [data["license"]] if data.get("license") else []
        spdx += [c["spdx"] for c in data.get("licenses", [])]
        assert spdx, path.name
        for s in spdx:
            assert s in schema.licenses, f"{path.name}: {s}"


BROKEN_RELATIONSHIP = """
@prefix cg: <https://w3id.org/curagraph#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
cg:MENTIONS a owl:ObjectProperty, cg:Relationship ; rdfs:label "MENTIONS"@en ; rdfs:domain cg:Example .
"""

BROKEN_TOPIC = """
@prefix cg: <https://w3id.org/curagraph#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
<https://w3id.org/curagraph/topic/knitting> a skos:Concept, cg:Topic ; skos:inScheme cg:TopicScheme .
"""


@pytest.mark.parametrize(("ttl", "offender"), [(BROKEN_RELATIONSHIP, "MENTIONS"), (BROKEN_TOPIC, "knitting")])
def test_a_broken_extension_is_refused_naming_the_offender(tmp_path: Path, ttl: str, offender: str) -> None:
    ext = tmp_path / "ext.ttl"
    ext.write_text(ttl)
    with pytest.raises(OntologyError, match=offender):
        load_schema([ext])


def test_a_valid_extension_adds_a_topic_and_a_relationship(tmp_path: Path, schema) -> None:
    ext = tmp_path / "ext.ttl"
    ext.write_text(
        """
@prefix cg: <https://w3id.org/curagraph#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
<https://w3id.org/curagraph/topic/knitting> a skos:Concept, cg:Topic ; skos:inScheme cg:TopicScheme ;
    skos:prefLabel "Knitting"@en ; skos:broader <https://w3id.org/curagraph/topic/home-garden> .
cg:REVIEWED_BY a owl:ObjectProperty, cg:Relationship ; rdfs:label "REVIEWED_BY"@en ;
    rdfs:domain cg:Example ; rdfs:range cg:Agent .
cg:reviewed_at a owl:DatatypeProperty ; cg:onRelationship cg:REVIEWED_BY ; rdfs:range xsd:string .
"""
    )
    extended = load_schema([ext])
    assert extended.topics["knitting"].depth == 3
    assert extended.relationships["REVIEWED_BY"].pairs == frozenset({("Example", "Agent")})
    assert "REVIEWED_BY" not in schema.relationships  # the shipped schema is untouched


def test_schema_derivation_rejects_a_cycle(tmp_path: Path) -> None:
    graph = load_ontology_graph()
    from rdflib import SKOS, URIRef

    a = URIRef("https://w3id.org/curagraph/topic/algebra")
    graph.add((URIRef("https://w3id.org/curagraph/topic/mathematics"), SKOS.broader, a))
    with pytest.raises(OntologyError, match="cycle"):
        schema_from_graph(graph)
