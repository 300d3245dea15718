"""Every real dataset in one catalog per engine: identical stats, catalog queries, classification,
gap reports, lineage and license checks; checked against plain-Python and networkx computations
from the input files."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest

from catalog.census import confident, parse_scored_key
from catalog.classify import classify_catalog
from catalog.config import Settings
from catalog.coverage import gap_report, load_spec, resolve_spec_path
from catalog.eligibility import build_report
from catalog.ingest.pipeline import run_ingest
from catalog.schema import Schema
from catalog.store.embedded import EmbeddedStore
from tests.helpers import fresh_neo4j_store
from tests.helpers.expected import CROSS_ENGINE_QUERIES, EXPECTED
from tests.helpers.oracles import commercial, oracle_signatures, plan_of
from tests.helpers.oracles import input_graph as oracle_input_graph


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
        settings = Settings(db=tmp / "catalog")  # one raw-file archive: lineage names the same paths on both
        for engine, store in stores.items():
            out["ingest"][engine] = [
                (name, s.read, s.accepted, s.quarantined, s.duplicates_skipped)
                for dataset, name, *_ in EXPECTED
                for s in [
                    run_ingest(store, plan_of(schema, settings, datasets, dataset, name), settings=settings)
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
            **{q: store.read_cypher(query=q, row_cap=10_000).rows for q in CROSS_ENGINE_QUERIES},
        }
        for engine, store in real["stores"].items()
    }
    embedded, neo4j = answers["embedded"], answers["neo4j"]
    assert (
        embedded["stats"].nodes["Example"] == sum(row[5] for row in EXPECTED) - 0
    )  # accepted, fresh catalog
    for key in embedded:
        assert embedded[key] == neo4j[key], key
    assert all(rows for q, rows in embedded.items() if q in CROSS_ENGINE_QUERIES), (
        "every conformance query has an answer"
    )


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


def test_gap_report_is_identical_on_both_engines_and_matches_plain_python(
    real: dict[str, Any], datasets: Path, schema: Schema, tmp_path: Path
) -> None:
    spec = load_spec(resolve_spec_path("instructgpt"), schema=schema)
    reports = {engine: build_report(store, spec) for engine, store in real["stores"].items()}
    assert reports["embedded"] == reports["neo4j"]
    rules = spec.eligibility
    assert rules.min_confidence == 0.5 and rules.safety == "exclude"  # the defaults
    oracle = oracle_signatures(
        datasets, schema, tmp_path, min_confidence=rules.min_confidence, safety=rules.safety
    )
    labelled = oracle_signatures(datasets, schema, tmp_path, safety=rules.safety)
    expected = gap_report(schema, spec, oracle["supply"], oracle["usage"], any_confidence=labelled["supply"])
    got = reports["embedded"]
    # confident / uncertain / unlabelled: have counts only the confident labels, uncertain the rest
    assert got.totals.uncertain_task > 0 and got.totals.unlabelled_task > 0
    assert any(r.uncertain > 0 for r in got.rows if r.dimension == "task")
    assert got.rows == expected.rows
    assert got.totals == expected.totals
    assert got.topics_never_seen == expected.topics_never_seen
    assert got.usage == expected.usage
    # totals reconcile with stats: supply + demand = every example; each has one main language
    stats = real["stores"]["embedded"].stats()
    store = real["stores"]["embedded"]
    flagged = store.flagged_examples()  # left out of the supply by default (demand keeps them)
    flagged_usage = store.read_cypher(
        query="MATCH (e:Example)-[:HAS_RISK]->(:Risk) WHERE e.usage_role = 'usage' RETURN count(DISTINCT e)"
    ).rows[0][0]
    assert (
        got.totals.examples + got.totals.demand_examples + len(flagged) - flagged_usage
        == stats.nodes["Example"]
    )
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


@pytest.mark.parametrize("engine", ["embedded", "neo4j"])
def test_every_example_is_keyed_and_the_keys_equal_the_edges(real: dict[str, Any], engine: str) -> None:
    """Coverage reads the key the store keeps on each example; on the real catalog it must say what
    the FOR_TASK / HAS_FORMAT / ABOUT edges say, for supply and usage, with and without duplicates."""
    store = real["stores"][engine]
    unkeyed = store.read_cypher(query="MATCH (e:Example) WHERE e.coverage_key IS NULL RETURN count(e)").rows
    assert unkeyed == [[0]]
    for role in ("supply", "usage"):
        for dups in (True, False):
            edges = [
                (*sig, n) for sig, n in store.coverage_signatures_from_edges(role=role, with_duplicates=dups)
            ]
            assert store.coverage_signatures(role=role, with_duplicates=dups) == edges, (role, dups)


def test_classification_is_idempotent_and_keeps_the_datas_own_labels(real: dict[str, Any]) -> None:
    store = real["stores"]["embedded"]
    before = store.stats()
    again = classify_catalog(store, workers=1)
    assert store.stats() == before
    assert again.kept["task"] > 0  # manifest tasks (GSM8K, Code Alpaca, mapped Self-Instruct apps) stay
    methods = store.read_cypher(
        query="MATCH (:Example)-[x:FOR_TASK]->(:Task) RETURN DISTINCT x.method ORDER BY x.method"
    ).rows
    assert methods == [["manifest"], ["rules"], ["structure"]]


def test_example_messages_survive_classification(real: dict[str, Any]) -> None:
    """Classification writes language properties; it must not blank any other."""
    store = real["stores"]["neo4j"]
    [[messages, preview]] = store.read_cypher(
        query="MATCH (e:Example {record_key: 'simple_python_0'}) RETURN e.messages, e.prompt_preview"
    ).rows
    assert orjson.loads(messages)[0]["role"] == "user" and preview


# ---------------------------------------------------------------------- provenance


@pytest.fixture(scope="module")
def input_graph(datasets: Path, schema: Schema, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    return oracle_input_graph(datasets, schema, tmp_path_factory.mktemp("oracle"))


def test_license_check_is_identical_on_both_engines_and_matches_networkx(
    real: dict[str, Any], input_graph
) -> None:  # type: ignore[no-untyped-def]
    from catalog.provenance import check_licenses

    checks = {engine: check_licenses(store) for engine, store in real["stores"].items()}
    assert checks["embedded"] == checks["neo4j"]
    g, claims, examples = input_graph
    usable = sum(commercial(g, claims, e) for e in examples)
    check = checks["embedded"]
    assert (check.examples, check.allowed, check.refused) == (len(examples), usable, len(examples) - usable)
    refused_by_dataset: dict[str, int] = {}
    for e in examples:
        if not commercial(g, claims, e):
            for d in (n for n in g.successors(e) if n.startswith("Dataset:")):
                refused_by_dataset[d] = refused_by_dataset.get(d, 0) + 1
    assert refused_by_dataset == {
        "Dataset:stanford-alpaca-5k": 4998,
        "Dataset:code-alpaca-2k": 2015,
        "Dataset:alpaca-zh-demo": 992,
        "Dataset:lima": 1029,
        "Dataset:gorilla-apibench-torchhub": 1021,
    }


@pytest.mark.parametrize("dataset", ["stanford-alpaca-5k", "code-alpaca-2k"])
def test_every_alpaca_example_is_non_commercial_and_names_text_davinci_003(
    real: dict[str, Any], dataset: str
) -> None:
    from catalog.provenance import check_licenses

    for store in real["stores"].values():
        groups = [g for g in check_licenses(store).groups if dataset in g.datasets]
        assert groups and all(not g.allowed for g in groups)
        # groups name datasets with their ancestors: Code Alpaca derives from Stanford Alpaca
        assert (
            sum(g.examples for g in groups)
            == {"stanford-alpaca-5k": 4998 + 2015, "code-alpaca-2k": 2015}[dataset]
        )
        for g in groups:
            assert "text-davinci-003" in g.models
            assert any(
                r.holder == "Model:text-davinci-003" and r.license == "LicenseRef-OpenAI-Terms"
                for r in g.reasons
            )


def test_lineage_of_one_example_is_identical_on_both_engines_and_matches_networkx(
    real: dict[str, Any],
    input_graph,  # type: ignore[no-untyped-def]
) -> None:
    import networkx as nx

    from catalog.provenance import lineage

    g, claims, _ = input_graph
    picks = {
        "code alpaca": "MATCH (e:Example)-[:IN_DATASET]->(:Dataset {id: 'code-alpaca-2k'}) RETURN e.id ORDER BY e.id LIMIT 1",
        "kullm": "MATCH (e:Example)-[:IN_DATASET]->(:Dataset {id: 'kullm-user-oriented-ko'}) RETURN e.id ORDER BY e.id LIMIT 1",
        "lima": "MATCH (e:Example)-[:IN_DATASET]->(:Dataset {id: 'lima'}) RETURN e.id ORDER BY e.id LIMIT 1",
        "deep oasst reply": "MATCH (e:Example)-[:DERIVED_FROM*2..30]->(:Example) RETURN e.id ORDER BY e.id LIMIT 1",
    }
    embedded, neo4j = real["stores"]["embedded"], real["stores"]["neo4j"]
    for what, query in picks.items():
        [[ident]] = embedded.read_cypher(query=query).rows
        a, b = lineage(embedded, ident), lineage(neo4j, ident)
        assert a == b, what
        start = f"Example:{ident}"
        reach = nx.descendants(g, start)
        assert {f"Example:{x}" for x in a.ancestors} == {n for n in reach if n.startswith("Example:")}, what
        assert {f"Dataset:{d}" for d in a.datasets} == {n for n in reach if n.startswith("Dataset:")}, what
        assert a.effective.commercial_use == commercial(g, claims, start), what
    lima = lineage(embedded, embedded.read_cypher(query=picks["lima"]).rows[0][0]).effective
    assert (lima.commercial_use, lima.share_alike) == (False, True)
    assert "CC-BY-NC-SA-4.0" in lima.licenses


def test_the_korean_translation_links_to_its_english_originals(real: dict[str, Any]) -> None:
    for store in real["stores"].values():
        rows = store.read_cypher(
            query="MATCH (k:Example)-[:IN_DATASET]->(:Dataset {id: 'kullm-user-oriented-ko'}) "
            "MATCH (k)-[d:DERIVED_FROM]->(e:Example)-[:IN_DATASET]->(:Dataset {id: 'self-instruct'}) "
            "RETURN d.method, count(k), sum(CASE WHEN k.record_key = e.record_key THEN 1 ELSE 0 END)"
        ).rows
        assert rows == [["translation", 252, 252]]


def test_openassistant_replies_derive_from_their_parent_messages(real: dict[str, Any]) -> None:
    for store in real["stores"].values():
        [[n, continuations]] = store.read_cypher(
            query="MATCH (e:Example)-[:IN_DATASET]->(:Dataset {id: 'oasst-en-100-trees'}) "
            "OPTIONAL MATCH (e)-[d:DERIVED_FROM]->(:Example) RETURN count(DISTINCT e), count(d)"
        ).rows
        assert n == 687 and continuations > 300


# ---------------------------------------------------------------------- synthetic-data audit


def test_synthetic_audit_is_identical_on_both_engines_and_matches_networkx(
    real: dict[str, Any], schema: Schema
) -> None:
    """Generator share per task from the audit (coverage keys, one aggregate) against the same share
    counted in networkx from the raw edges: Example -GENERATED_BY-> Activity -USED_MODEL-> Model and
    Example -FOR_TASK-> Task rolled up the task hierarchy."""
    import networkx as nx

    from catalog.provenance.synthetic import synthetic_audit

    audits = {engine: synthetic_audit(store) for engine, store in real["stores"].items()}
    assert audits["embedded"] == audits["neo4j"]
    audit, store = audits["embedded"], real["stores"]["embedded"]
    g = nx.DiGraph()
    for rel, a, b in [("GENERATED_BY", "Example", "Activity"), ("USED_MODEL", "Activity", "Model"),
                      ("FOR_TASK", "Example", "Task"), ("BROADER", "Task", "Task")]:  # fmt: skip
        g.add_edges_from(
            (f"{a}:{e['src']}", f"{b}:{e['dst']}")
            for e in store.edges(rel_type=rel, from_label=a, to_label=b)
        )
    supply = {
        r[0]
        for r in store.read_cypher(
            query="MATCH (e:Example) WHERE e.usage_role = 'supply' RETURN e.id", row_cap=100_000
        ).rows
    }
    per_task: dict[str, int] = {}
    per_model_task: dict[tuple[str, str], int] = {}
    for ident in supply:
        node = f"Example:{ident}"
        reach = nx.descendants(g, node) if node in g else set()
        tasks = {n.split(":", 1)[1] for n in reach if n.startswith("Task:")}
        models = {n.split(":", 1)[1] for n in reach if n.startswith("Model:")}
        for t in tasks:
            per_task[t] = per_task.get(t, 0) + 1
            for m in models:
                per_model_task[(m, t)] = per_model_task.get((m, t), 0) + 1
    got = {(c.model, c.value): (c.examples, c.cell_examples) for c in audit.cells if c.dimension == "task"}
    assert got == {k: (n, per_task[k[1]]) for k, n in per_model_task.items()}
    assert audit.synthetic == sum(
        1
        for i in supply
        if f"Example:{i}" in g and any(n.startswith("Model:") for n in nx.descendants(g, f"Example:{i}"))
    )
    top = {m.model: m.examples for m in audit.models}
    assert top["text-davinci-003"] == 4998 + 2015  # Stanford Alpaca and Code Alpaca


def test_language_drift_finds_the_korean_translation_that_kept_english(real: dict[str, Any]) -> None:
    """KULLM translated Self-Instruct's instructions into Korean and left the outputs English: each
    such example derives (translation) from its English original and still holds English messages.
    Declared drift: text in a language the dataset does not declare (Alpaca's translation tasks)."""
    from catalog.provenance.synthetic import synthetic_audit

    audit = synthetic_audit(real["stores"]["neo4j"])
    assert audit == synthetic_audit(real["stores"]["embedded"])
    parent = {(d.method, d.detail): d for d in audit.drift if d.kind == "parent"}
    left = parent[("translation", "messages left in en in a translation to ko")]
    assert left.examples > 50 and len(left.sample) == 5
    store = real["stores"]["embedded"]
    kullm = set(store.dataset_example_ids(dataset="kullm-user-oriented-ko"))
    declared = [d for d in audit.drift if d.kind == "declared"]
    assert any(d.dataset == "stanford-alpaca-5k" for d in declared)
    for d in [left, *declared]:
        for ident in d.sample:
            [[lang, langs]] = store.read_cypher(
                query="MATCH (e:Example {id: $id}) RETURN e.language, e.message_languages",
                params={"id": ident},
            ).rows
            if d is left:
                assert ident in kullm and lang == "ko" and "en" in langs
            else:
                foreign = d.detail.split("text in ", 1)[1].split(";")[0].split(", ")
                assert set(foreign) <= {lang, *langs}, (d, lang, langs)


# ---------------------------------------------------------------------- selection and training export


def test_selection_is_eligible_diverse_and_identical_on_both_engines(
    real: dict[str, Any], schema: Schema, tmp_path: Path
) -> None:
    """A license-clean selection of 1,500 for the InstructGPT mix: every pick may be used commercially
    (checked against each example's own lineage), the reported fills recount from the picks, both
    engines choose the same examples, and the training files carry what the manifest says."""
    from catalog.coverage.spec import Eligibility
    from catalog.export.training import write_training
    from catalog.provenance import lineage, usable_examples
    from catalog.selection import select_examples

    spec = load_spec(resolve_spec_path("instructgpt"), schema=schema)
    rules = Eligibility(license_policy="commercial")
    picks = {
        engine: select_examples(store, spec, 1500, eligibility=rules)
        for engine, store in real["stores"].items()
    }
    assert picks["embedded"] == picks["neo4j"]
    sel, store = picks["embedded"], real["stores"]["embedded"]
    assert sel.selected == len(sel.ids) == len(set(sel.ids)) <= 1500
    usable = usable_examples(store, policy="commercial")
    assert all(usable[i] for i in sel.ids)
    # the pool: usable supply, minus what carries a safety flag, minus what has no task at or above
    # the confidence threshold (an uncertain or unlabelled example never fills a quota)
    flagged = store.flagged_examples()
    confident_task = {
        r.id
        for r in store.selection_rows(role="supply")
        if r.coverage_key and confident(parse_scored_key(r.coverage_key)[0], rules.min_confidence)
    }
    supply = set(store.example_ids_of_role(role="supply"))
    assert sel.pool == sum(1 for i in supply if usable[i] and i not in flagged and i in confident_task)
    assert sel.excluded["safety flag"] > 0 and sel.excluded["task below the confidence threshold"] > 0
    assert not set(sel.ids) & flagged and set(sel.ids) <= confident_task
    for ident in sel.ids[:: max(1, len(sel.ids) // 25)]:
        assert lineage(store, ident).effective.commercial_use, ident
    # the fills recount from the picks' own assignments (tasks rolled up the hierarchy)
    task_of = {}
    for row in store.selection_rows(role="supply"):
        ident, key = row.id, row.coverage_key
        tasks = confident(parse_scored_key(key)[0], rules.min_confidence) if key else ()
        closure = set()
        for t in filter(None, tasks):
            while t and t not in closure:
                closure.add(t)
                t = schema.tasks[t].broader if t in schema.tasks else None
        task_of[ident] = closure
    for f in sel.fills:
        if f.dimension == "task":
            assert f.chosen == sum(1 for i in sel.ids if f.value in task_of[i]), f
            assert f.unfilled == max(0, f.wanted - f.chosen)
            # the task quotas are filled before the others: each holds what it wanted or all there is
            assert f.chosen >= min(f.wanted, f.available), f
    # training files: every pick written (OpenAI), tool-use picks skipped in Alpaca and counted
    manifest = write_training(
        store, sel.ids, tmp_path / "train.jsonl", fmt="openai", fills=[f.model_dump() for f in sel.fills]
    )
    lines = (tmp_path / "train.jsonl").read_text().splitlines()
    assert len(lines) == manifest["examples"] == sel.selected and manifest["ids"] == sel.ids
    assert manifest["commercial_use"] == {"allowed": sel.selected, "refused": 0}
    assert sum(manifest["datasets"].values()) >= sel.selected
    alpaca = write_training(store, sel.ids, tmp_path / "train.alpaca.jsonl", fmt="alpaca")
    assert alpaca["examples"] + alpaca["skipped"]["count"] == sel.selected
    assert all(
        "instruction" in orjson.loads(x) for x in (tmp_path / "train.alpaca.jsonl").read_text().splitlines()
    )


def test_gap_report_leaves_out_what_the_license_policy_refuses(real: dict[str, Any], schema: Schema) -> None:
    from catalog.coverage import parse_spec
    from catalog.provenance import usable_examples

    spec = parse_spec(
        {
            "name": "commercial",
            "total": 1000,
            "tasks": {"chat": 0.5},
            "eligibility": {"license_policy": "commercial", "exclude_duplicates": False},
        },
        schema=schema,
    )
    for store in real["stores"].values():
        report = build_report(store, spec)
        usable = usable_examples(store, policy="commercial")
        supply = set(store.example_ids_of_role(role="supply"))
        flagged = store.flagged_examples()  # the default safety rule leaves them out too
        assert report.totals.examples == sum(1 for i in supply if usable[i] and i not in flagged)
