"""Topic discovery on real data: take one real topic (recipes) out of the ontology, build a catalog
of real datasets with what is left, and check that discovery proposes a cluster that recovers it
(purity >= 0.8, recall >= 0.6 against the removed topic's examples the reduced ontology leaves
without a topic), that a broken extension is refused with the SHACL message naming the resource,
and that accepting the cluster writes the concept into the catalog's extension, seeds it, and
labels its members with provenance, which a later classify keeps.

"The removed topic's examples" are what the shipped rules label `recipes` with the full ontology.
The discovery settings were chosen on this topic; docs/classification.md reports them on others.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import rdflib
from rdflib import URIRef

import catalog.schema as schema_module
from catalog.classify import classify_catalog
from catalog.classify.rules import Classifier, parse_messages
from catalog.config import Settings
from catalog.errors import OntologyError
from catalog.ingest.pipeline import run_ingest
from catalog.schema import Schema, load_schema
from catalog.store import open_store
from catalog.topics import accept, discover, save_proposals
from catalog.topics.discover import Proposal
from ontology import ONTOLOGY_FILES
from tests.helpers import REAL_FILES, run_cli
from tests.helpers.oracles import plan_of

REMOVED = "recipes"
DATASETS = (
    "stanford-alpaca-5k", "self-instruct", "lima", "oasst-en-100-trees",
    "alpaca-zh-demo", "kullm-user-oriented-ko", "code-alpaca-2k",
)  # fmt: skip


def _without(topic: str, folder: Path) -> list[Path]:
    """The shipped ontology files with every triple about the topic taken out."""
    node = URIRef(f"https://w3id.org/curagraph/topic/{topic}")
    out = []
    for path in ONTOLOGY_FILES:
        g = rdflib.Graph().parse(path, format="turtle")
        for triple in [*g.triples((node, None, None)), *g.triples((None, None, node))]:
            g.remove(triple)
        copy = folder / Path(path).name
        g.serialize(copy, format="turtle")
        out.append(copy)
    return out


@pytest.fixture(scope="module")
def reduced(
    datasets: Path, schema: Schema, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Any]]:
    """A catalog of real datasets built with an ontology that lacks the topic, and the topic's
    examples by the full ontology's rules."""
    tmp = tmp_path_factory.mktemp("topics")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(schema_module, "ONTOLOGY_FILES", _without(REMOVED, tmp))
        reduced_schema = load_schema()
        assert REMOVED not in reduced_schema.topics
        settings = Settings(db=tmp / "catalog")  # type: ignore[arg-type]
        store = open_store(settings)
        try:
            for dataset in DATASETS:
                for name in REAL_FILES[dataset]:
                    run_ingest(
                        store, plan_of(reduced_schema, settings, datasets, dataset, name), settings=settings
                    )
            classify_catalog(store)
            full = Classifier(schema)
            ids = [r.id for r in store.topic_states()]
            gold = set()
            for start in range(0, len(ids), 2_000):
                for ex in store.examples_for_classification(ids=ids[start : start + 2_000]):
                    if any(a.concept == REMOVED for a in full.topics_of(parse_messages(ex))):
                        gold.add(ex["id"])
            unlabelled = {r.id for r in store.topic_states() if max(r.confidences, default=0.0) < 0.5}
            found = discover(store)
        finally:
            store.close()
        save_proposals(settings.db, found)
        yield {"settings": settings, "gold": gold, "visible": gold & unlabelled, "found": found}


def _best(found: Any, gold: set[str]) -> Proposal:
    best: Proposal = max(found.proposals, key=lambda p: len(set(p.members) & gold))
    return best


def test_discovery_recovers_the_removed_topic(reduced: dict[str, Any]) -> None:
    gold, visible, found = reduced["gold"], reduced["visible"], reduced["found"]
    assert len(gold) >= 40 and len(visible) >= 30, (len(gold), len(visible))
    best = _best(found, gold)
    hit = len(set(best.members) & gold)
    purity, recall, recall_all = hit / best.size, hit / len(visible), hit / len(gold)
    assert purity >= 0.8 and recall >= 0.6, (best.id, best.size, purity, recall, recall_all)
    # what a person sees to decide: words, exemplars, the nearest topic and a parent
    assert {"ingredients", "recipe"} & set(best.terms["en"])
    assert best.nearest == "food-cooking" and best.broader == "food-cooking"
    assert len(best.exemplars) == 5 and all(e["id"] in best.members for e in best.exemplars)
    # every proposal: a core of at least min_size, each example in one proposal at most
    members = [m for p in found.proposals for m in p.members]
    assert len(members) == len(set(members)) and all(p.size >= found.min_size for p in found.proposals)


def test_a_broken_extension_is_refused_and_accepting_restores_the_labels(reduced: dict[str, Any]) -> None:
    settings, gold, found = reduced["settings"], reduced["gold"], reduced["found"]
    best = _best(found, gold)
    # the module's fixture keeps the reduced ontology in force
    # a broader concept that is not a topic: SHACL refuses it and names the new concept
    with pytest.raises(OntologyError) as refused:
        accept(settings, best.id, concept_id="recipes", label="Recipes", broader="summarization")
    assert "recipes: A topic has at most one broader topic, itself a topic." in str(refused.value)
    assert not settings.extension_file.exists()
    done = accept(
        settings, best.id, concept_id="recipes", label="Recipes", broader="food-cooking",
        cues=["recipe", "ingredients"],
    )  # fmt: skip
    assert done.labelled == best.size and settings.extension_file.exists()
    store = open_store(settings, create=False)
    try:
        assert store.schema.topics["recipes"].broader == "food-cooking"
        rows = store.engine.rows(
            "MATCH (e:Example)-[a:ABOUT]->(t:Topic {id: 'recipes'}) RETURN e.id, a.method, a.method_version, a.confidence"
        )
        assert {r[0] for r in rows} == set(best.members)
        assert {(r[1], r[2], r[3]) for r in rows} == {("cluster", f"topics-discover-1:{best.id}", 0.7)}
        assert store.engine.rows("MATCH (:Topic {id: 'recipes'})-[:BROADER]->(p:Topic) RETURN p.id") == [
            ["food-cooking"]
        ]
        restored = len({r[0] for r in rows} & gold) / len(gold)
        assert restored >= 0.45, restored  # recall against every example the full ontology labels
        # a later classify keeps the accepted labels, and the new cues find the topic in more
        classify_catalog(store)
        after = store.engine.rows(
            "MATCH (e:Example)-[a:ABOUT]->(t:Topic {id: 'recipes'}) RETURN a.method, count(*) ORDER BY a.method"
        )
        by_method = dict((m, n) for m, n in after)
        assert by_method["cluster"] == best.size and by_method.get("rules", 0) > 0
    finally:
        store.close()
    # the same topic again: refused, the extension unchanged
    text = settings.extension_file.read_text()
    with pytest.raises(Exception, match="exists already"):
        accept(settings, best.id, concept_id="recipes", label="Recipes", broader="food-cooking")
    assert settings.extension_file.read_text() == text


def test_topic_states_on_both_engines(store) -> None:  # type: ignore[no-untyped-def]
    import orjson

    from catalog.store.base import NodeGroup, RelGroup, WriteBatch

    nodes = [
        {"id": i, "messages": orjson.dumps([{"role": "user", "content": i}]).decode(), "prompt_preview": i,
         "usage_role": "supply", "language": "en"}
        for i in ("a", "b", "c")
    ]  # fmt: skip
    edges = [
        {"src": "a", "dst": "travel", "method": "rules", "confidence": 0.33},
        {"src": "a", "dst": "music", "method": "rules", "confidence": 0.8},
        {"src": "b", "dst": "travel", "method": "human"},
    ]
    store.write(
        batch=WriteBatch(
            nodes=[NodeGroup("Example", nodes)], relationships=[RelGroup("ABOUT", "Example", "Topic", edges)]
        )
    )
    got = {r.id: (r.preview, r.language, sorted(r.confidences)) for r in store.topic_states()}
    assert got == {"a": ("a", "en", [0.33, 0.8]), "b": ("b", "en", [1.0]), "c": ("c", "en", [])}


def test_topics_in_the_cli(tmp_path: Path) -> None:
    db = tmp_path / "catalog"
    assert run_cli("demo", "--db", str(db), "--json").returncode == 0
    done = run_cli("topics", "discover", "--db", str(db), "--min-size", "5", "--json")
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    assert found["candidates"] > 0 and all("members" not in p for p in found["proposals"])
    assert (db / "topics" / "proposals.json").exists()
    missing = run_cli("topics", "accept", "c00000000", "--id", "x-topic", "--label", "X", "--db", str(db))
    assert missing.returncode == 2 and "no topic proposal 'c00000000'" in missing.stderr
    # with a model configured, the largest proposals get titles; a bad reply gets one retry
    from tests.helpers.fake_annotator import FakeAnnotator

    server = FakeAnnotator()
    server.script[("", "title")] = [
        "not json",
        '{"title": "Everyday questions", "description": "Asked daily."}',
    ]
    try:
        named = run_cli(
            "topics", "discover", "--db", str(db), "--min-size", "5", "--show", "3", "--json",
            "--base-url", server.url, "--model", "fake-annotator",
        )  # fmt: skip
        assert named.returncode == 0, named.stderr
        proposals = json.loads(named.stdout)["proposals"]
        asked = min(3, len(proposals))
        assert [p["title"] for p in proposals[:asked]] == ["Everyday questions"] * asked
        assert all(p["title_by"] == "fake-annotator@title-1" for p in proposals[:asked])
        assert all(p["title"] is None for p in proposals[asked:])
        assert len(server.calls) == asked + 1  # the first reply was refused and asked again
        assert f"titles from fake-annotator: {asked} of {asked}" in named.stderr
    finally:
        server.close()
