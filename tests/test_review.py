"""Review, the active-learning queue: uncertain, disputed, where coverage needs it, diverse first;
each queued example with the labelled examples nearest to it; answered in the CLI or through the
API (a write, behind the token) as a person's labels, on both engines. The page's keyboard flow is
tests/test_browser_review.py."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import orjson
import pytest

from catalog.classify import assign_by_person
from catalog.store.base import NodeGroup, RelGroup, WriteBatch
from tests.helpers import REPO, run_cli
from tests.helpers.catalogs import build_demo_catalog

TOKEN = "review-token-0123456789"


def _write(store, prompts: dict[str, str], edges: list[dict]) -> None:  # type: ignore[no-untyped-def]
    nodes = [
        {
            "id": i,
            "messages": orjson.dumps(
                [{"role": "user", "content": p}, {"role": "assistant", "content": "ok"}]
            ).decode(),
            "prompt_preview": p,
            "n_user_turns": 1,
            "n_messages": 2,
            "has_tool_calls": False,
            "has_reasoning": False,
            "usage_role": "supply",
        }
        for i, p in prompts.items()
    ]
    store.write(
        batch=WriteBatch(
            nodes=[NodeGroup("Example", nodes)],
            relationships=[RelGroup("FOR_TASK", "Example", "Task", edges)],
        )
    )


def test_the_review_queue_is_uncertain_disputed_and_diverse_first(store, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from catalog.annotate.cache import Entry, Ledger
    from catalog.annotate.review import review_queue

    prompts = {
        "u1": "Tell me something about the ocean tides near the coast of Brittany",
        "u2": "Tell me something about the ocean tides near the coast of Brittany!",  # a near-copy
        "lo": "Write a short poem about autumn leaves",
        "hi": "Summarize this report about the stock market in three sentences.",
        "dis": "Pull the names of the companies out of this paragraph about the stock market.",
        "man": "Translate good morning into French",
    }
    edges = [
        {"src": "lo", "dst": "generation", "method": "rules", "confidence": 0.3},
        {"src": "hi", "dst": "summarization", "method": "rules", "confidence": 0.95},
        {"src": "dis", "dst": "chat", "method": "model", "confidence": 0.9},
        {"src": "man", "dst": "rewrite", "method": "manifest", "confidence": 1.0},
    ]
    _write(store, prompts, edges)
    ledger = Ledger(tmp_path)  # the model said chat; the rules say extraction: disputed
    ledger.record(Entry("dis", "m", "task-1", "task", "ok", ("chat",), 0.9, "", "", 1, 1, 1))
    ledger.close()
    queue = review_queue(store, tmp_path, 4)
    assert [c.id for c in queue] == ["u1", "lo", "dis", "hi"]  # u2 copies u1; man has the data's own task
    assert queue[2].disagreement and queue[2].score == pytest.approx(0.6)
    assert [c.id for c in review_queue(store, tmp_path, 5)] == ["u1", "lo", "dis", "hi", "u2"]
    # a person's answer takes the example out of the queue
    assign_by_person(store, example_id="u1", task="open-qa")
    assert "u1" not in {c.id for c in review_queue(store, tmp_path, 5)}
    # so does a person's safety flag; a person's "reviewed, no risk" leaves it in (its task is open)
    assign_by_person(store, example_id="lo", risks=["crime-theft"])
    assign_by_person(store, example_id="hi", risks=[store.schema.no_risk])
    assert {c.id for c in review_queue(store, tmp_path, 5)} == {"u2", "dis", "hi"}


def test_review_in_the_cli_saves_answers_as_a_persons_labels(tmp_path: Path) -> None:
    rows = [{"instruction": "zorblax the quarterly report", "output": "Here. " * 10}]
    rows += [{"instruction": "quibbit my lab notes", "output": "Done. " * 10}]
    data = tmp_path / "odd.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in rows))
    manifest = tmp_path / "odd.yaml"
    manifest.write_text("name: odd\nlicense: Apache-2.0\nlanguages: [en]\n")
    db = tmp_path / "cat"
    assert run_cli("ingest", str(data), "--manifest", str(manifest), "--db", str(db)).returncode == 0
    listed = run_cli("review", "--db", str(db), "--next", "2", "--json")
    assert listed.returncode == 0, listed.stderr
    queue = json.loads(listed.stdout)
    assert len(queue) == 2
    assert all(q["score"] == pytest.approx(1 - q["confidence"] + 0.5 * q["need"], abs=2e-3) for q in queue)
    done = subprocess.run(
        [sys.executable, "-m", "catalog.cli", "review", "--db", str(db), "--next", "2"],
        input="nonsense-task\nextraction\ns\n",
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "unknown task 'nonsense-task'" in done.stderr and "reviewed 1 of 2" in done.stderr
    got = run_cli(
        "cypher", "--db", str(db), "--json",
        "MATCH (e:Example)-[r:FOR_TASK]->(t:Task) RETURN e.id, t.id, r.method",
    )  # fmt: skip
    rows_now = {r[0]: r[1:] for r in json.loads(got.stdout)["rows"]}
    assert rows_now[queue[0]["id"]] == ["extraction", "human"]  # answered
    assert rows_now[queue[1]["id"]][1] != "human"  # skipped: its automatic label stays


def test_review_weights_what_coverage_needs_and_shows_the_labelled_neighbours(store, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from catalog.annotate.review import neighbours, review_queue
    from catalog.coverage import parse_spec

    prompts = {
        "gen": "Write a poem about whales swimming in the cold ocean",
        "sum": "Summarize this article about whales in two sentences.",
        "man": "Summarize this article about dolphins in two sentences.",  # the data's own task
        "per": "Write a poem about whales swimming in the warm ocean",  # a person's task
        "far": "Quelle heure est-il à Tokyo ?",  # nothing near it is labelled
    }
    edges = [
        {"src": "gen", "dst": "generation", "method": "rules", "confidence": 0.6},
        {"src": "sum", "dst": "summarization", "method": "rules", "confidence": 0.6},
        {"src": "man", "dst": "summarization", "method": "manifest", "confidence": 1.0},
        {"src": "per", "dst": "generation", "method": "human", "confidence": 1.0},
    ]
    _write(store, prompts, edges)
    # without a target the two uncertain ones tie and go by id; generation is then over its quota of
    # 1 (gen and per count), summarization is missing 88 of 90 (sum and man count)
    assert [c.id for c in review_queue(store, tmp_path, 3)] == ["far", "gen", "sum"]
    spec = parse_spec(
        {"name": "t", "total": 100, "tasks": {"summarization": 0.9, "generation": 0.01},
         "eligibility": {"exclude_duplicates": False}},
        schema=store.schema,
    )  # fmt: skip
    queue = review_queue(store, tmp_path, 3, spec=spec)
    assert [c.id for c in queue] == ["far", "sum", "gen"]
    by_id = {c.id: c for c in queue}
    assert by_id["sum"].need == pytest.approx(88 / 90) and by_id["gen"].need == 0
    assert by_id["sum"].score == pytest.approx(0.4 + 0.5 * 88 / 90)
    near = neighbours(store, queue, k=1)
    assert [(n.id, n.task, n.method) for n in near["sum"]] == [("man", "summarization", "manifest")]
    assert [(n.id, n.task, n.method) for n in near["gen"]] == [("per", "generation", "human")]
    assert all(0 < n.similarity <= 1 for ns in near.values() for n in ns)


@pytest.mark.parametrize("engine", ["embedded", "neo4j"])
def test_the_api_queues_and_saves_a_persons_answer_behind_the_token(
    engine: str, schema, request: pytest.FixtureRequest, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    from fastapi.testclient import TestClient

    from api.app import create_app

    neo = request.getfixturevalue("neo4j_env") if engine == "neo4j" else None
    settings = build_demo_catalog(engine, tmp_path, schema, neo, api_token=TOKEN)
    auth = {"Authorization": f"Bearer {TOKEN}"}

    def edges(c: TestClient, ident: str, rel: str) -> list[list[object]]:
        query = f"MATCH (e:Example {{id: '{ident}'}})-[r:{rel}]->(k) RETURN k.id, r.method ORDER BY k.id"
        return c.post("/cypher", json={"query": query}).json()["rows"]

    with TestClient(create_app(settings)) as c:
        queue = c.get("/review", params={"next": 4}).json()
        items = queue["items"]
        assert len(items) == 4 and queue["target"] == "instructgpt-sft"
        assert {t["id"] for t in queue["tasks"]} == set(schema.tasks)
        for item in items:  # the labels shown are the example's edges; none is a person's or the data's
            shown = sorted([label["concept"], label["method"]] for label in item["labels"]["task"])
            assert shown == edges(c, item["id"], "FOR_TASK")
            assert all(m not in ("human", "manifest") for _, m in shown)
            assert item["messages"] and item["messages"][0]["role"] in ("user", "system")
            for n in item["neighbours"]:  # each neighbour carries the task it was given
                assert [n["task"], n["method"]] in edges(c, n["id"], "FOR_TASK")
                assert n["method"] in ("human", "manifest")
        first, second = items[0]["id"], items[1]["id"]
        # a write: refused without the token, then saved as a person's label
        assert c.post(f"/examples/{first}/labels", json={"task": "extraction"}).status_code == 401
        saved = c.post(f"/examples/{first}/labels", json={"task": "extraction"}, headers=auth)
        assert saved.status_code == 200, saved.text
        assert edges(c, first, "FOR_TASK") == [["extraction", "human"]]
        unsafe = c.post(f"/examples/{second}/labels", json={"risks": ["crime-theft"]}, headers=auth)
        assert unsafe.status_code == 200 and ["crime-theft", "human"] in edges(c, second, "HAS_RISK")
        assert c.post(f"/examples/{second}/labels", json={}, headers=auth).status_code == 400
        bad = c.post(f"/examples/{second}/labels", json={"task": "nonsense"}, headers=auth)
        assert bad.status_code == 400 and "unknown task 'nonsense'" in bad.json()["error"]["message"]
        missing = c.post("/examples/0123abcd/labels", json={"task": "chat"}, headers=auth)
        assert missing.status_code == 404
        again = [i["id"] for i in c.get("/review", params={"next": 4}).json()["items"]]
        assert first not in again  # answered: out of the queue
        # the twin of the page holds the same queue
        assert [i["id"] for i in c.get("/ui/review.json", params={"next": 4}).json()["items"]] == again
