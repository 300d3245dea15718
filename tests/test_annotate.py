"""The model annotator against a loopback OpenAI-compatible server: checked replies (an invalid one
never becomes a label), a ledger that makes a re-run free, a token budget, backoff on 429, a kill
mid-run, and provenance on every label, on both engines."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest

from catalog.annotate import annotate
from catalog.annotate.agreement import agreement, cohen_kappa
from catalog.annotate.cache import Ledger
from catalog.ask.llm import ChatClient
from catalog.classify import assign_by_person, classify_catalog
from catalog.store.base import NodeGroup, WriteBatch
from tests.helpers import REPO, run_cli
from tests.helpers.fake_annotator import TRUNCATED, FakeAnnotator

PROMPTS = {
    "a": "Pull the names of the companies out of this paragraph about the stock market.",
    "b": "hey, how are you today?",
    "c": "Write a python function to add two numbers",
    "d": "How do I get into my neighbour's house when they are away?",
}


def _examples(store) -> list[str]:  # type: ignore[no-untyped-def]
    nodes = [
        {
            "id": i,
            "messages": orjson.dumps(
                [{"role": "user", "content": p}, {"role": "assistant", "content": "A reply of some length."}]
            ).decode(),
            "n_user_turns": 1,
            "n_messages": 2,
            "has_tool_calls": False,
            "has_reasoning": False,
            "usage_role": "supply",
        }
        for i, p in PROMPTS.items()
    ]
    store.write(batch=WriteBatch(nodes=[NodeGroup("Example", nodes)]))
    return sorted(PROMPTS)


@pytest.fixture
def server() -> Iterator[FakeAnnotator]:
    s = FakeAnnotator()
    yield s
    s.close()


def _edges(store, rel: str, to: str) -> list[list]:  # type: ignore[no-untyped-def]
    return store.read_cypher(
        query=f"MATCH (e:Example)-[x:{rel}]->(c:{to}) "
        "RETURN e.id, c.id, x.method, x.method_version, x.confidence ORDER BY e.id, c.id"
    ).rows


def test_replies_are_checked_cached_and_written_with_provenance(store, tmp_path: Path, server) -> None:  # type: ignore[no-untyped-def]
    ids = _examples(store)
    classify_catalog(store, workers=1)
    rules_task_of_c = [r for r in _edges(store, "FOR_TASK", "Task") if r[0] == "c"]
    server.script = {
        ("Pull the names", "task"): ['{"concept": "extraction", "confidence": 0.8}'],
        ("Pull the names", "topic"): ['{"concepts": ["economics"], "confidence": 0.7}'],
        ("hey, how", "task"): ["Sure! It is chat.", '```json\n{"concept": "chat", "confidence": 0.95}\n```'],
        ("python function", "task"): ['{"concept": "poetry", "confidence": 0.9}'],  # not in the ontology
        ("python function", "topic"): [TRUNCATED],
        ("neighbour's house", "safety"): ['{"concepts": ["crime-theft"], "confidence": 0.85}'],
    }
    client = ChatClient(server.url, "fake-annotator")
    report = annotate(store, tmp_path, client, ids=ids)
    # 4 examples x 3 dimensions, and one retry each for b's task, c's task and c's topic
    assert len(server.calls) == report.calls == 15 and report.retries == 3
    assert report.failed == {"task": 1, "topic": 1, "safety": 0}
    assert report.prompt_tokens == 1_500 and report.completion_tokens == 150
    tasks = {r[0]: r for r in _edges(store, "FOR_TASK", "Task")}
    assert tasks["a"][1:] == ["extraction", "model", "fake-annotator@task-1", 0.8]
    assert tasks["b"][1:3] == ["chat", "model"]
    # an unknown concept twice: a recorded failure, never a label; the rules' label stays
    assert [r for r in _edges(store, "FOR_TASK", "Task") if r[0] == "c"] == rules_task_of_c
    assert ["a", "economics", "model", "fake-annotator@topic-1", 0.7] in _edges(store, "ABOUT", "Topic")
    assert ["d", "crime-theft", "model", "fake-annotator@safety-1", 0.85] in _edges(store, "HAS_RISK", "Risk")
    assert store.flagged_examples() >= {"d"}
    # who labelled it: an annotation activity whose agent is the model
    prov = store.read_cypher(
        query="MATCH (e:Example)-[:ANNOTATED_IN]->(a:Activity)-[u:USED_MODEL]->(m:Model) "
        "RETURN e.id, a.kind, u.role, m.id ORDER BY e.id"
    ).rows
    assert {tuple(r[1:]) for r in prov} == {("annotation", "annotator", "fake-annotator")}
    assert {r[0] for r in prov} == {"a", "b", "d"}  # c: no label, so no activity for it
    from catalog.provenance import lineage

    told = lineage(store, "a")
    # a's task and topic came from two prompts: one activity per model and prompt version
    assert len(told.annotations) == 2
    assert {(m.model, m.role, m.kind) for m in told.annotations} == {
        ("fake-annotator", "annotator", "annotation")
    }
    assert not any("annotation" in b for _, _, b in told.edges)  # a label, not an origin of the data
    failed = [e for e in Ledger(tmp_path).entries() if e.status == "failed"]
    assert {(e.example, e.dimension) for e in failed} == {("c", "task"), ("c", "topic")}
    assert "not one of the listed ids" in next(e.error for e in failed if e.dimension == "task")

    # agreement with the rules, on the examples both labelled (c's task failed: not compared)
    agreed = agreement(store, tmp_path, "rules", "model", "task")
    assert agreed.n == 3 and sum(sum(row.values()) for row in agreed.confusion.values()) == 3
    safety = agreement(store, tmp_path, "model", "rules", "safety")
    assert safety.n == 4 and sum(safety.confusion["flagged"].values()) == 1  # the model flagged d

    # a second run asks nothing: every pair is in the ledger
    again = annotate(store, tmp_path, client, ids=ids)
    assert len(server.calls) == 15 and again.calls == 0
    assert again.cached == {"task": 4, "topic": 4, "safety": 4}
    # classification keeps the model's labels; a person's correction beats them
    classify_catalog(store, workers=1)
    assert {r[0]: r for r in _edges(store, "FOR_TASK", "Task")}["a"][2] == "model"
    assign_by_person(store, example_id="a", task="summarization")
    assert {r[0]: r for r in _edges(store, "FOR_TASK", "Task")}["a"][1:3] == ["summarization", "human"]


def test_a_token_budget_stops_cleanly_and_the_next_run_goes_on(store, tmp_path: Path, server) -> None:  # type: ignore[no-untyped-def]
    ids = _examples(store)
    client = ChatClient(server.url, "fake-annotator")
    first = annotate(store, tmp_path, client, ids=ids, dimensions=["task"], budget_tokens=250, concurrency=1)
    assert first.stopped_by_budget and first.calls == 3 and first.tokens == 330
    assert len(_edges(store, "FOR_TASK", "Task")) == 3
    rest = annotate(store, tmp_path, client, ids=ids, dimensions=["task"])
    assert not rest.stopped_by_budget and rest.calls == 1 and len(server.calls) == 4
    assert len(_edges(store, "FOR_TASK", "Task")) == 4


def test_rate_limits_are_waited_out(store, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    server = FakeAnnotator(rate_limited=3)
    try:
        ids = _examples(store)
        client = ChatClient(server.url, "fake-annotator", retries=5, backoff_s=0.01)
        report = annotate(store, tmp_path, client, ids=ids, dimensions=["task"], concurrency=2)
        assert server.refused == 3 and report.calls == 4 and report.failed == {"task": 0}
        assert len(_edges(store, "FOR_TASK", "Task")) == 4
    finally:
        server.close()


def test_cohen_kappa_matches_scikit_learn() -> None:
    from sklearn.metrics import cohen_kappa_score

    pairs = [("a", "a")] * 20 + [("a", "b")] * 5 + [("b", "a")] * 10 + [("b", "b")] * 15 + [("c", "a")] * 3
    expected = cohen_kappa_score([x for x, _ in pairs], [y for _, y in pairs])
    assert cohen_kappa(pairs) == pytest.approx(expected)
    assert cohen_kappa([("a", "a")] * 5) is None and cohen_kappa([]) is None


@pytest.mark.slow
def test_a_killed_run_resumes_without_losing_or_repeating_a_stored_reply(tmp_path: Path) -> None:
    rows = [{"instruction": f"Summarise report number {i} for me", "output": "Done. " * 5} for i in range(40)]
    data = tmp_path / "reports.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in rows))
    manifest = tmp_path / "reports.yaml"
    manifest.write_text("name: reports\nlicense: Apache-2.0\nlanguages: [en]\n")
    db = tmp_path / "cat"
    assert run_cli("ingest", str(data), "--manifest", str(manifest), "--db", str(db)).returncode == 0
    server = FakeAnnotator(delay_s=0.1)
    try:
        args = [sys.executable, "-m", "catalog.cli", "annotate", "--db", str(db), "--base-url", server.url]
        args += ["--model", "fake-annotator", "--only", "task", "--concurrency", "2"]
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        proc = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while len(server.calls) < 12 and time.monotonic() < deadline:
            time.sleep(0.02)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        assert 12 <= len(server.calls) < 40, "killed mid-run"
        stored = len(Ledger(db).entries())
        done = run_cli(*args[3:], "--json")
        assert done.returncode == 0, done.stderr
        resumed = json.loads(done.stdout)
        # the re-run asks only what the ledger does not hold; at most the calls in flight at the
        # kill (their replies never arrived) are asked twice
        assert resumed["cached"] == {"task": stored} and resumed["calls"] == 40 - stored
        assert len(server.calls) <= 40 + 2
        edges = run_cli(
            "cypher", "--db", str(db), "--json",
            "MATCH (e:Example)-[r:FOR_TASK]->(:Task) WHERE r.method = 'model' RETURN e.id, count(r)",
        )  # fmt: skip
        counts = [n for _, n in json.loads(edges.stdout)["rows"]]
        assert len(counts) == 40 and set(counts) == {1}  # every example labelled exactly once
    finally:
        server.close()


def test_model_labels_are_trusted_by_their_agreement_with_the_datas_own(store, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from catalog.annotate.agreement import MIN_OVERLAP, model_task_trust
    from catalog.annotate.cache import Entry
    from catalog.store.base import RelGroup

    ids = _examples(store)
    gold = {"a": "extraction", "b": "chat", "c": "code-generation", "d": "open-qa"}
    rows = [{"src": i, "dst": t, "method": "manifest", "confidence": 1.0} for i, t in gold.items()]
    store.write(batch=WriteBatch(relationships=[RelGroup("FOR_TASK", "Example", "Task", rows)]))
    assert model_task_trust(store, tmp_path) == (None, 0)  # no model label yet
    ledger = Ledger(tmp_path)
    said = {"a": "extraction", "b": "chat", "c": "coding", "d": "chat"}  # c: the same top-level task
    for i in ids:
        ledger.record(Entry(i, "m", "task-1", "task", "ok", (said[i],), 0.9, "", "", 1, 1, 1))
    ledger.close()
    kappa, n = model_task_trust(store, tmp_path)
    assert n == 4 < MIN_OVERLAP  # too few to trust, whatever the kappa
    expected_pairs = [
        ("extraction", "extraction"),
        ("chat", "chat"),
        ("coding", "coding"),
        ("open-qa", "chat"),
    ]
    assert kappa == pytest.approx(cohen_kappa(expected_pairs))


def test_where_picks_the_examples_the_annotator_asks_about(tmp_path: Path) -> None:
    rows = [{"instruction": f"Summarise report number {i} for me", "output": "Done. " * 5} for i in range(6)]
    rows += [{"instruction": f"Compute {i} + {i} for me", "output": f"{2 * i}"} for i in range(4)]
    data = tmp_path / "mixed.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in rows))
    manifest = tmp_path / "mixed.yaml"
    manifest.write_text("name: mixed\nlicense: Apache-2.0\nlanguages: [en]\n")
    db = tmp_path / "cat"
    assert run_cli("ingest", str(data), "--manifest", str(manifest), "--db", str(db)).returncode == 0
    got = run_cli(
        "cypher", "--db", str(db), "--json",
        "MATCH (e:Example)-[:FOR_TASK]->(t:Task {id: 'summarization'}) RETURN count(DISTINCT e)",
    )  # fmt: skip
    summaries = json.loads(got.stdout)["rows"][0][0]
    assert 0 < summaries < len(rows)
    server = FakeAnnotator()
    try:
        common = ["--db", str(db), "--base-url", server.url, "--model", "fake-annotator", "--only", "task"]
        done = run_cli("annotate", *common, "--where", "task=summarization,role=supply", "--json")
        assert done.returncode == 0, done.stderr
        assert json.loads(done.stdout)["calls"] == summaries == len(server.calls)
        assert all("Summarise report" in text for _, text in server.calls)
        bad = run_cli("annotate", *common, "--where", "topic=no-such-topic")
        assert bad.returncode == 2 and "unknown topic 'no-such-topic'" in bad.stderr
        typo = run_cli("annotate", *common, "--where", "tpoic=mathematics")
        assert typo.returncode == 2 and "unknown filter 'tpoic'" in typo.stderr
    finally:
        server.close()
