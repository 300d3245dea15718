"""Ontology changes with their edges: rename and merge a topic on a real catalog (the demo sample)
with every count reconciled against the edges before and a person's labels kept, on both engines;
`ontology diff` and `version` list the change; an export records the version; a migration killed
with SIGKILL resumes to the same result as one never stopped."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import orjson
import pytest

from catalog.classify import assign_by_person
from catalog.config import Settings
from catalog.coverage import parse_spec
from catalog.eligibility import build_report
from catalog.evolve.change import change_concept, read_log
from catalog.evolve.diff import count_touched, diff, side
from catalog.store import open_store
from catalog.store.base import NodeGroup, RelGroup, WriteBatch
from tests.helpers import REPO
from tests.helpers.catalogs import build_demo_catalog

EdgeMap = dict[str, tuple[object, ...]]


def _edges(store, concept: str) -> EdgeMap:  # type: ignore[no-untyped-def]
    """example -> (method, version, confidence, migrated_from) of its ABOUT edge to the concept."""
    rows = store.concept_edges(rel="ABOUT", to_label="Topic", concept=concept, limit=1_000_000)
    return {r.example: (r.method, r.method_version, r.confidence, r.migrated_from) for r in rows}


def _topic_have(store, topic: str) -> int:  # type: ignore[no-untyped-def]
    spec = parse_spec(
        {"name": "all", "total": 100, "eligibility": {"exclude_duplicates": False}}, schema=store.schema
    )
    return next(r.have for r in build_report(store, spec).rows if r.dimension == "topic" and r.value == topic)


@pytest.mark.parametrize("engine", ["embedded", "neo4j"])
def test_rename_and_merge_keep_every_count_and_a_persons_labels(
    engine: str, schema, request: pytest.FixtureRequest, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    neo = request.getfixturevalue("neo4j_env") if engine == "neo4j" else None
    settings = build_demo_catalog(engine, tmp_path, schema, neo)
    store = open_store(settings, create=False)
    try:
        a, b = "relationships", "mental-health"
        before_a = _edges(store, a)
        assert len(before_a) >= 20
        first, second = sorted(before_a)[:2]
        assign_by_person(store, example_id=first, topics=[a, b])  # a person gave it both
        assign_by_person(store, example_id=second, topics=[a])  # and this one only the first
        before_a, before_b = _edges(store, a), _edges(store, b)
        have_a = _topic_have(store, a)
    finally:
        store.close()

    renamed = change_concept(
        settings, "rename", a, new="relationships-feelings", label="Relationships and feelings"
    )
    assert renamed.examples == len(before_a) and renamed.merged == 0 and not renamed.resumed
    store = open_store(settings, create=False)
    try:
        assert a not in store.schema.topics and store.schema.retired[a] == "relationships-feelings"
        after = _edges(store, "relationships-feelings")
        assert {k: v[:3] for k, v in after.items()} == {k: v[:3] for k, v in before_a.items()}
        assert {v[3] for v in after.values()} == {f"{a} by {renamed.change.id}"}
        assert _edges(store, a) == {} and store.get_node(label="Topic", node_id=a) is None
        assert _topic_have(store, "relationships-feelings") == have_a  # the gap report counts the same
        # its narrower topic now hangs under the new id
        assert store.schema.topics["breakups"].broader == "relationships-feelings"
    finally:
        store.close()

    merged = change_concept(settings, "merge", "relationships-feelings", new=b)
    assert merged.examples == len(before_a) and merged.merged == len(before_a.keys() & before_b.keys())
    store = open_store(settings, create=False)
    try:
        union = _edges(store, b)
        assert union.keys() == before_a.keys() | before_b.keys()  # the union of labels, one edge each
        assert union[first][0] == "human" and union[second][0] == "human"  # a person's labels followed
        assert union[second][3] == f"relationships-feelings by {merged.change.id}"
        for ex in before_b.keys() - before_a.keys():
            assert union[ex] == before_b[ex]  # untouched where the example had only the target
        total = store.engine.rows("MATCH (:Example)-[x:ABOUT]->(:Topic) RETURN count(x)")[0][0]
        found = diff(side("shipped", settings), side("current", settings), names=("shipped", "current"))
        count_touched(found, store, read_log(settings))
        croissant = tmp_path / "export"
        from catalog.export.croissant import write_croissant

        doc = json.loads(write_croissant(store, sorted(union)[:5], croissant, name="t").read_text())
    finally:
        store.close()
    changes = {(c.change, c.concept): c for c in found.concepts}
    assert changes[("removed", a)].after == b and changes[("removed", a)].examples == len(before_a)
    assert changes[("moved", "breakups")].after == b
    assert ("added", "relationships-feelings") not in changes  # renamed, then merged away
    assert found.version_b == "0.1.0+r2" and found.hash_a != found.hash_b
    assert doc["cg:ontologyVersion"] == f"0.1.0+r2 ({found.hash_b})"
    # no edge was lost or duplicated: every ABOUT edge the examples had, less one per merged pair
    store = open_store(settings, create=False)
    try:
        assert store.engine.rows("MATCH (:Example)-[x:ABOUT]->(:Topic) RETURN count(x)")[0][0] == total
    finally:
        store.close()


def _big_catalog(db: Path, n: int) -> None:
    settings = Settings(db=db)  # type: ignore[arg-type]
    store = open_store(settings)
    try:
        nodes = [
            {"id": f"ex{i:06d}", "messages": orjson.dumps([{"role": "user", "content": f"trip {i}"}]).decode(),
             "usage_role": "supply"}
            for i in range(n)
        ]  # fmt: skip
        edges = [
            {"src": f"ex{i:06d}", "dst": "travel", "method": "human" if i % 100 == 0 else "rules",
             "method_version": "rules-2", "confidence": 0.6}
            for i in range(n)
        ]  # fmt: skip
        store.write(
            batch=WriteBatch(
                nodes=[NodeGroup("Example", nodes)],
                relationships=[RelGroup("ABOUT", "Example", "Topic", edges)],
            )
        )
    finally:
        store.close()


def _rename_cli(db: Path) -> list[str]:
    return [sys.executable, "-m", "catalog.cli", "ontology", "rename", "travel", "--to", "journeys",
            "--label", "Journeys", "--batch-size", "250", "--db", str(db)]  # fmt: skip


@pytest.mark.slow
def test_a_killed_migration_resumes_to_the_same_result(tmp_path: Path) -> None:
    n = 20_000
    killed, clean = tmp_path / "killed", tmp_path / "clean"
    _big_catalog(killed, n)
    shutil.copytree(killed, clean)
    env = {**os.environ, "CURAGRAPH_STORE": "embedded"}
    proc = subprocess.Popen(_rename_cli(killed), cwd=REPO, env=env, stderr=subprocess.PIPE, text=True)
    assert proc.stderr is not None
    seen = []
    for line in proc.stderr:
        seen.append(line)
        if line.startswith("moved ") and not line.startswith(f"moved {n:,} "):
            os.kill(proc.pid, signal.SIGKILL)
            break
    proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL, seen
    again = subprocess.run(
        _rename_cli(killed), cwd=REPO, env=env, capture_output=True, text=True, timeout=600
    )
    assert again.returncode == 0 and "(resumed)" in again.stderr, again.stderr
    once = subprocess.run(_rename_cli(clean), cwd=REPO, env=env, capture_output=True, text=True, timeout=600)
    assert once.returncode == 0, once.stderr
    results = []
    for db in (killed, clean):
        store = open_store(Settings(db=db), create=False)  # type: ignore[arg-type]
        try:
            results.append((_edges(store, "journeys"), _edges(store, "travel")))
        finally:
            store.close()
    assert results[0] == results[1] and len(results[0][0]) == n and results[0][1] == {}
    assert sum(1 for v in results[0][0].values() if v[0] == "human") == n // 100


PARTS = {
    "money-problems": ("Money problems", ("dollars", "cost", "price", "paid", "sold", "bought", "money")),
    "time-problems": ("Time and rate problems", ("hours", "minutes", "miles", "speed", "days", "weeks")),
    "other-word-problems": ("Other word problems", ("apples",)),
}


def _part_of(text: str) -> str:
    """The oracle: the part whose cue words the text holds most, the rest part when none."""
    import re

    hits = {
        p: sum(len(re.findall(rf"(?<!\w){c}(?!\w)", text.lower())) for c in cues)
        for p, (_, cues) in PARTS.items()
    }
    best = max(hits.values())
    return next(p for p in PARTS if hits[p] == best) if best else "other-word-problems"


@pytest.mark.parametrize("engine", ["embedded", "neo4j"])
def test_a_split_sends_each_example_to_its_part(
    engine: str, schema, request: pytest.FixtureRequest, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    from catalog.evolve.change import Part

    neo = request.getfixturevalue("neo4j_env") if engine == "neo4j" else None
    settings = build_demo_catalog(engine, tmp_path, schema, neo)
    store = open_store(settings, create=False)
    try:
        before = _edges(store, "word-problems")
        person = sorted(before)[0]
        assign_by_person(store, example_id=person, topics=["word-problems"])
        before = _edges(store, "word-problems")
        texts = {}
        for ident in before:
            node = store.get_node(label="Example", node_id=ident)
            assert node is not None
            messages = orjson.loads(node.properties["messages"])[:4]
            texts[ident] = " ".join(str(m.get("content") or "")[:1500] for m in messages)
    finally:
        store.close()
    parts = [Part(p, label, cues) for p, (label, cues) in PARTS.items()]
    done = change_concept(settings, "split", "word-problems", new="other-word-problems", parts=parts)
    assert done.examples == len(before)
    store = open_store(settings, create=False)
    try:
        after = {p: _edges(store, p) for p in PARTS}
        assert "word-problems" not in store.schema.topics and _edges(store, "word-problems") == {}
        assert all(store.schema.topics[p].broader == "arithmetic" for p in PARTS)
    finally:
        store.close()
    expected = {ex: _part_of(text) for ex, text in texts.items()}
    got = {ex: p for p, edges in after.items() for ex in edges}
    assert got == expected and len(got) == len(before)  # every example once, in its part
    assert len(set(got.values())) == 3  # the demo's word problems fall in all three
    for edges in after.values():
        for ex, props in edges.items():
            assert props[:3] == before[ex][:3]  # method, version, confidence kept
    assert after[expected[person]][person][0] == "human"  # a person's label went with its example
