"""The real datasets on both engines: identical stats, catalog queries, classification and gap
reports; the gap report also equals a plain-Python computation from the input files."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest

from catalog.classify import classify_catalog
from catalog.classify.rules import Classifier, formats_of, parse_messages
from catalog.classify.run import decide
from catalog.config import Settings
from catalog.coverage import build_report, gap_report, load_spec, resolve_spec_path
from catalog.ingest.pipeline import iter_examples, manifest_task, prepare_ingest, run_ingest
from catalog.schema import Schema
from catalog.store.embedded import EmbeddedStore
from tests.conftest import MANIFESTS, fresh_neo4j_store
from tests.test_ingest_datasets import EXPECTED

QUERIES = [
    "MATCH (e:Example)-[:IN_DATASET]->(d:Dataset) RETURN d.id, count(e) ORDER BY d.id",
    "MATCH (e:Example)-[:FOR_TASK]->(t:Task) RETURN t.id, count(e) ORDER BY t.id",
    "MATCH (e:Example)-[:ABOUT]->(t:Topic) RETURN t.id, count(e) ORDER BY t.id",
    "MATCH (e:Example)-[x:HAS_FORMAT]->(f:Format) RETURN f.id, x.method, count(e) ORDER BY f.id",
    "MATCH (e:Example) RETURN e.language, count(e) ORDER BY e.language",
    "MATCH (d:Dataset)-[c:LICENSED_UNDER]->(l:License) RETURN d.id, l.id, c.claimed_by ORDER BY d.id, l.id, c.claimed_by",
    "MATCH (e:Example)-[:GENERATED_BY]->(:Activity)-[u:USED_MODEL]->(m:Model) RETURN m.id, u.role, count(e) ORDER BY m.id",
    "MATCH (c:Example)-[d:DERIVED_FROM]->(p:Example) RETURN d.method, count(*) ORDER BY d.method",
    "MATCH (e:Example)-[f:FROM_SOURCE]->(s:Source) WHERE f.line = 1 RETURN s.file_name, count(e) ORDER BY s.file_name",
    "MATCH (e:Example) WHERE e.has_tool_calls RETURN count(e)",
    "MATCH (e:Example) RETURN e.usage_role, sum(e.n_messages), max(e.n_user_turns) ORDER BY e.usage_role",
    "MATCH (e:Example {record_key: 'simple_python_0'}) RETURN e.id, e.messages, e.tools, e.message_languages",
    "MATCH (d:Dataset)-[:DERIVED_FROM]->(p:Dataset) RETURN d.id, p.id ORDER BY d.id, p.id",
]


def _plan(schema: Schema, settings: Settings, datasets: Path, dataset: str, name: str):  # type: ignore[no-untyped-def]
    return prepare_ingest(
        datasets / dataset / name,
        schema=schema,
        settings=settings,
        manifest_path=MANIFESTS / f"{dataset}.yaml",
    )


@pytest.fixture(scope="module")
def real(
    datasets: Path, schema: Schema, tmp_path_factory: pytest.TempPathFactory, neo4j_env
) -> Iterator[dict[str, Any]]:
    """Every real dataset ingested, then classified, into a fresh catalog on each engine."""
    tmp = tmp_path_factory.mktemp("real")
    stores = {
        "embedded": EmbeddedStore(tmp / "e.lbdb", schema=schema),
        "neo4j": fresh_neo4j_store(schema, neo4j_env),
    }
    stores["embedded"].ensure_schema()
    out: dict[str, Any] = {"stores": stores, "ingest": {}, "classify": {}}
    try:
        for engine, store in stores.items():
            settings = Settings(db=tmp / engine)
            out["ingest"][engine] = [
                (name, s.read, s.accepted, s.quarantined, s.duplicates_skipped)
                for dataset, name, *_ in EXPECTED
                for s in [
                    run_ingest(store, _plan(schema, settings, datasets, dataset, name), settings=settings)
                ]
            ]
            out["classify"][engine] = classify_catalog(store)
        yield out
    finally:
        for store in stores.values():
            store.close()


def test_all_real_datasets_give_identical_answers_on_both_engines(real: dict[str, Any]) -> None:
    answers = {
        engine: {
            "ingest": real["ingest"][engine],
            "classify": vars(real["classify"][engine]),
            "stats": store.stats(),
            "overview": store.dataset_overview(),
            **{q: store.read_cypher(query=q, row_cap=10_000).rows for q in QUERIES},
        }
        for engine, store in real["stores"].items()
    }
    embedded, neo4j = answers["embedded"], answers["neo4j"]
    assert (
        embedded["stats"].nodes["Example"] == sum(row[5] for row in EXPECTED) - 0
    )  # accepted, fresh catalog
    for key in embedded:
        assert embedded[key] == neo4j[key], key
    assert all(rows for q, rows in embedded.items() if q in QUERIES), "every conformance query has an answer"


# ---------------------------------------------------------------------- classification on real data


@pytest.mark.parametrize("engine", ["embedded", "neo4j"])
def test_every_example_has_a_format_and_a_language(real: dict[str, Any], engine: str) -> None:
    store = real["stores"][engine]
    rows = store.read_cypher(
        query="MATCH (e:Example) WHERE e.language IS NULL OR NOT EXISTS { MATCH (e)-[:HAS_FORMAT]->(:Format) } "
        "RETURN count(e)"
    ).rows
    assert rows == [[0]]
    turns = store.read_cypher(
        query="MATCH (e:Example)-[:HAS_FORMAT]->(f:Format) WHERE f.id IN ['single-turn', 'multi-turn'] "
        "RETURN count(DISTINCT e)"
    ).rows
    assert turns == [[store.count_nodes(label="Example")]]  # exactly one of the two each
    und = store.read_cypher(query="MATCH (e:Example) WHERE e.language = 'und' RETURN count(e)").rows[0][0]
    assert und < 0.01 * store.count_nodes(label="Example")


def _dataset_answer(store, dataset: str, returns: str, where: str = "") -> list[list[Any]]:  # type: ignore[no-untyped-def]
    return store.read_cypher(
        query=f"MATCH (e:Example)-[:IN_DATASET]->(d:Dataset {{id: $d}}) {where} RETURN {returns}",
        params={"d": dataset},
        row_cap=10_000,
    ).rows


@pytest.mark.parametrize("engine", ["embedded", "neo4j"])
def test_gsm8k_is_chain_of_thought_math_and_tool_sets_are_tool_use(real: dict[str, Any], engine: str) -> None:
    store = real["stores"][engine]
    cot = "EXISTS { MATCH (e)-[:HAS_FORMAT]->(:Format {id: 'chain-of-thought'}) }"
    math = "EXISTS { MATCH (e)-[:FOR_TASK]->(:Task {id: 'math-reasoning'}) }"
    assert _dataset_answer(
        store, "gsm8k", f"count(e), sum(CASE WHEN {cot} AND {math} THEN 1 ELSE 0 END)"
    ) == [[8792, 8792]]
    tool = "EXISTS { MATCH (e)-[:HAS_FORMAT]->(:Format {id: 'tool-use'}) }"
    for dataset in ("bfcl-v4", "gorilla-apibench-torchhub"):
        [[n, tools]] = _dataset_answer(store, dataset, f"count(e), sum(CASE WHEN {tool} THEN 1 ELSE 0 END)")
        assert n == tools > 0, dataset
    # glaive: every record offering tools is tool use; the LLaMA-Factory demo files also hold plain
    # instructions without tools or calls (191 of the 522 accepted), which are not
    [[n, tools]] = _dataset_answer(
        store, "glaive-toolcall-demo", f"count(e), sum(CASE WHEN {tool} THEN 1 ELSE 0 END)"
    )
    offered = _dataset_answer(
        store, "glaive-toolcall-demo", "count(e)", "WHERE e.tools IS NOT NULL OR e.has_tool_calls"
    )
    assert tools == offered[0][0] and 0 < tools < n


@pytest.mark.parametrize("engine", ["embedded", "neo4j"])
def test_korean_and_chinese_sets_are_detected_message_by_message(real: dict[str, Any], engine: str) -> None:
    store = real["stores"][engine]

    def share(dataset: str, lang: str) -> float:
        [[n, hit]] = _dataset_answer(
            store, dataset, f"count(e), sum(CASE WHEN e.language = '{lang}' THEN 1 ELSE 0 END)"
        )
        return hit / n

    assert share("ko-chatbot-data", "ko") > 0.97
    assert share("alpaca-zh-demo", "zh") > 0.95
    assert share("oasst1-zh", "zh") > 0.95
    assert share("kullm-user-oriented-ko", "ko") > 0.95
    assert share("stanford-alpaca-5k", "en") > 0.97
    # the Korean translation of Self-Instruct keeps many outputs in English: the mix shows per message
    rows = _dataset_answer(store, "kullm-user-oriented-ko", "e.message_languages", "WHERE e.language = 'ko'")
    mixed = sum(1 for [langs] in rows if langs[0] == "ko" and langs[-1] == "en")
    assert mixed > 20, mixed


def test_the_gap_report_shows_the_korean_english_mix(real: dict[str, Any], schema: Schema) -> None:
    report = build_report(
        real["stores"]["embedded"], load_spec(resolve_spec_path("instructgpt"), schema=schema)
    )
    kullm_like = [
        m for m in report.language_mix if m["language"] == "ko" and m["message_languages"] == ["en", "ko"]
    ]
    assert kullm_like and kullm_like[0]["mixed"] and kullm_like[0]["examples"] > 20


# ---------------------------------------------------------------------- the gap report


def _oracle_signatures(datasets: Path, schema: Schema, tmp: Path) -> dict[str, list[tuple[Any, ...]]]:
    """The coverage signatures straight from the files: first-seen props and role, manifest tasks
    and topics accumulated over every file an example is in, the classifier for the rest."""
    classifier = Classifier(schema)
    settings = Settings(db=tmp / "oracle")
    examples: dict[str, dict[str, Any]] = {}
    for dataset, name, *_ in EXPECTED:
        plan = _plan(schema, settings, datasets, dataset, name)
        for item in iter_examples(plan, settings=settings, quarantine_file=tmp / "q.jsonl"):
            ex = examples.setdefault(item.props["id"], {"props": item.props, "tasks": set(), "topics": set()})
            if task := manifest_task(plan.manifest, item):
                ex["tasks"].add(task)
            ex["topics"].update(plan.manifest.topics)
    signatures: dict[str, dict[tuple[Any, ...], int]] = {"supply": {}, "usage": {}}
    ordered = list(examples.values())
    for ex, d in zip(ordered, decide([e["props"] for e in ordered], classifier), strict=True):
        formats = [a.concept for a in formats_of(ex["props"], parse_messages(ex["props"]))]
        tasks = ex["tasks"] or {a.concept for a in d.found["task"]}
        topics = ex["topics"] or {a.concept for a in d.found["topic"]}
        key = (tuple(sorted(tasks)), tuple(sorted(formats)), d.language, tuple(sorted(topics)))
        table = signatures[ex["props"]["usage_role"]]
        table[key] = table.get(key, 0) + 1
    return {role: [(*k, n) for k, n in t.items()] for role, t in signatures.items()}


def test_gap_report_is_identical_on_both_engines_and_matches_plain_python(
    real: dict[str, Any], datasets: Path, schema: Schema, tmp_path: Path
) -> None:
    spec = load_spec(resolve_spec_path("instructgpt"), schema=schema)
    reports = {engine: build_report(store, spec) for engine, store in real["stores"].items()}
    assert reports["embedded"] == reports["neo4j"]
    oracle = _oracle_signatures(datasets, schema, tmp_path)
    expected = gap_report(schema, spec, oracle["supply"], oracle["usage"])
    got = reports["embedded"]
    assert got.rows == expected.rows
    assert got.totals == expected.totals
    assert got.topics_never_seen == expected.topics_never_seen
    assert got.usage == expected.usage
    # totals reconcile with stats: supply + demand = every example; each has one main language
    stats = real["stores"]["embedded"].stats()
    assert got.totals.examples + got.totals.demand_examples == stats.nodes["Example"]
    assert sum(r.have for r in got.rows if r.dimension == "language") == got.totals.examples
    # a parent counts its descendants once each
    by = {(r.dimension, r.value): r.have for r in got.rows}
    assert (
        by[("topic", "mathematics")]
        <= sum(by[("topic", c)] for c, t in schema.topics.items() if t.broader == "mathematics")
        + by[("topic", "mathematics")]
    )
    # every topic appears, those without examples with have = 0
    assert {r.value for r in got.rows if r.dimension == "topic"} == set(schema.topics)
    assert all(by[("topic", t)] == 0 for t in got.topics_never_seen)


def test_classification_is_idempotent_and_keeps_the_datas_own_labels(real: dict[str, Any]) -> None:
    store = real["stores"]["embedded"]
    before = store.stats()
    again = classify_catalog(store, workers=1)
    assert store.stats() == before
    assert again.kept["task"] > 0  # manifest tasks (GSM8K, Code Alpaca, mapped Self-Instruct apps) stay
    methods = store.read_cypher(
        query="MATCH (:Example)-[x:FOR_TASK]->(:Task) RETURN DISTINCT x.method ORDER BY x.method"
    ).rows
    assert methods == [["classifier"], ["manifest"], ["structure"]]


def test_example_messages_survive_classification(real: dict[str, Any]) -> None:
    """Classification writes language properties; it must not blank any other."""
    store = real["stores"]["neo4j"]
    [[messages, preview]] = store.read_cypher(
        query="MATCH (e:Example {record_key: 'simple_python_0'}) RETURN e.messages, e.prompt_preview"
    ).rows
    assert orjson.loads(messages)[0]["role"] == "user" and preview
