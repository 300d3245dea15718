"""The REST API on both engines, over a catalog the CLI built (the demo sample, then near-duplicate
copies of real records, checks and dedup): every read route answers what the CLI's `--json` says on
the same catalog; filters and cursor pagination agree with Cypher; writes need the token; ingest by
upload gives the CLI's counts; read-only Cypher refuses every write and escape; one error shape."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import rdflib
from fastapi.testclient import TestClient

from api.app import create_app
from catalog.config import Settings
from tests.helpers import fresh_neo4j_store, manifest_path, run_cli
from tests.helpers.catalogs import build_browsing_catalog
from tests.helpers.hostile import WRITES

TOKEN = "test-token-0123456789"


class Built:
    """The catalog, how to reach it with the CLI, and the API over it. The embedded engine admits one
    process at a time: the CLI runs while no client is open (`with built.api() as c:`)."""

    def __init__(self, engine: str, db: Path, env: dict[str, str], settings: Settings) -> None:
        self.engine, self.db, self.env, self.settings = engine, db, env, settings

    def api(self) -> TestClient:
        return TestClient(create_app(self.settings))

    def cli(self, *args: str) -> Any:
        done = run_cli(*args, "--db", str(self.db), "--json", env=self.env)
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)


@pytest.fixture(scope="module", params=["embedded", "neo4j"])
def built(
    request: pytest.FixtureRequest, datasets: Path, schema, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Built]:  # type: ignore[no-untyped-def]
    db = tmp_path_factory.mktemp(f"api-{request.param}") / "catalog"
    env: dict[str, str] = {"CURAGRAPH_STORE": request.param}
    settings = Settings(db=db, api_token=TOKEN)  # type: ignore[arg-type]
    if request.param == "neo4j":
        neo = request.getfixturevalue("neo4j_env")
        fresh_neo4j_store(schema, neo).close()
        env.update(
            {
                "CURAGRAPH_NEO4J_URI": neo["URI"],
                "CURAGRAPH_NEO4J_USER": neo["USER"],
                "CURAGRAPH_NEO4J_PASSWORD": neo["PASSWORD"],
            }
        )
        settings = Settings(
            db=db,
            store="neo4j",
            neo4j_uri=neo["URI"],
            neo4j_user=neo["USER"],
            neo4j_password=neo["PASSWORD"],
            api_token=TOKEN,
        )  # type: ignore[arg-type]
    build_browsing_catalog(db, datasets, tmp_path_factory.mktemp("copies"), env)
    yield Built(request.param, db, env, settings)


def test_reads_equal_the_cli_on_the_same_catalog(built: Built) -> None:
    spec = {
        "name": "posted",
        "total": 500,
        "tasks": {"chat": 0.5, "coding": {"min": 20}},
        "languages": {"ko": 0.2},
        "eligibility": {"exclude_duplicates": False},  # the concept trees count every supply example
    }
    spec_file = built.db.parent / "posted.yaml"
    spec_file.write_text(json.dumps(spec))
    [[some]] = built.cli(
        "cypher", "MATCH (e:Example)-[:DERIVED_FROM]->(:Example) RETURN e.id ORDER BY e.id LIMIT 1"
    )["rows"]
    cli = {
        "stats": built.cli("stats"),
        "coverage": built.cli("coverage", "--target", "instructgpt"),
        "posted": built.cli("coverage", "--target", str(spec_file)),
        "license": built.cli("license-check", "--policy", "commercial"),
        "synthetic": built.cli("synthetic"),
        "quality": built.cli("quality"),
        "lineage": built.cli("lineage", some),
        "lima": built.cli(
            "cypher", "MATCH (e:Example)-[:IN_DATASET]->(:Dataset {id: 'lima'}) RETURN count(e)"
        )["rows"][0][0],
        "select": built.cli(
            "select",
            "--target",
            "instructgpt",
            "-n",
            "60",
            "--license-policy",
            "commercial",
            "--out",
            str(built.db.parent / "sel.json"),
        ),
    }
    with built.api() as c:
        assert c.get("/health").json()["engine"] == built.engine
        assert c.get("/stats").json() == cli["stats"]
        assert c.get("/coverage", params={"target": "instructgpt"}).json() == cli["coverage"]
        assert c.post("/coverage", json=spec).json() == cli["posted"]
        assert c.get("/license-check", params={"policy": "commercial"}).json() == cli["license"]
        assert c.get("/synthetic").json() == cli["synthetic"]
        api_quality = c.get("/quality").json()
        assert api_quality["summary"] == cli["quality"]["issues"]
        assert api_quality["duplicates"] == cli["quality"]["duplicates"] > 0
        assert (
            c.get("/duplicates", params={"limit": 500}).json()["count"]
            == cli["quality"]["duplicate_clusters"]
        )
        # the same lineage, the archive copy named inside the catalog folder instead of absolutely
        api_lineage = c.get(f"/examples/{some}/lineage").json()
        for source in cli["lineage"]["sources"]:
            if source["archive_path"]:
                source["archive_path"] = str(Path(source["archive_path"]).relative_to(built.db.resolve()))
        assert api_lineage == cli["lineage"]
        assert api_lineage["sources"] and not any(
            Path(s["archive_path"] or "").is_absolute() for s in api_lineage["sources"]
        )
        stats = cli["stats"]
        assert c.get("/sources").json()["count"] == stats["nodes"]["Source"]
        assert c.get("/licenses").json()["count"] == stats["nodes"]["License"]
        generated = {m["id"]: m["examples"] for m in c.get("/models").json()["data"]}
        for m in cli["synthetic"]["models"]:  # the audit counts supply examples; /models every role
            assert generated[m["model"]] >= m["examples"] > 0
        # concept trees roll their counts up exactly as the gap report does
        have = {(r["dimension"], r["value"]): r["have"] for r in cli["posted"]["rows"]}
        for scheme in ("topic", "task"):
            for node in c.get(f"/{scheme}s").json():
                assert node["examples"] == have[(scheme, node["id"])], node["id"]
        assert {d["dataset"]: d["examples"] for d in c.get("/datasets").json()}["lima"] == cli["lima"]
        # selection and export
        selection = c.post("/select", json={"n": 60, "license_policy": "commercial"}).json()
        assert selection == {k: v for k, v in cli["select"].items() if k != "file"}
        n = selection["selected"]
        assert 0 < n <= 60 and n == len(selection["ids"])
        # an export writes files: it needs the token (and without one it is refused)
        assert c.post("/export", json={"ids": selection["ids"]}).status_code == 401
        auth = {"Authorization": f"Bearer {TOKEN}"}
        exported = c.post("/export", json={"ids": selection["ids"]}, headers=auth).json()
        assert (
            exported["manifest"]["examples"] == n and exported["manifest"]["commercial_use"]["refused"] == 0
        )
        lines = c.get(exported["download"]).text.splitlines()
        assert len(lines) == n and all("messages" in json.loads(x) for x in lines)
        # the ontology in both serialisations
        assert len(rdflib.Graph().parse(data=c.get("/ontology.ttl").text, format="turtle")) > 1000
        assert len(rdflib.Graph().parse(data=c.get("/ontology.jsonld").text, format="json-ld")) > 1000


def _cypher_count(built: Built, query: str) -> int:
    return int(built.cli("cypher", query)["rows"][0][0])


def test_example_filters_and_cursor_pagination_agree_with_cypher(built: Built) -> None:
    cases = [
        (
            {"task": "chat", "language": "ko"},
            "MATCH (e:Example)-[:FOR_TASK]->(:Task {id: 'chat'}) WHERE e.usage_role = 'supply' AND e.language = 'ko' RETURN count(DISTINCT e)",
        ),
        (
            {"dataset": "lima"},
            "MATCH (e:Example)-[:IN_DATASET]->(:Dataset {id: 'lima'}) WHERE e.usage_role = 'supply' RETURN count(e)",
        ),
        (
            {"synthetic": "true"},
            "MATCH (e:Example)-[:GENERATED_BY]->(:Activity) WHERE e.usage_role = 'supply' RETURN count(DISTINCT e)",
        ),
        (
            {"generator": "gpt-4"},
            "MATCH (e:Example)-[:GENERATED_BY]->(:Activity)-[:USED_MODEL]->(:Model {id: 'gpt-4'}) WHERE e.usage_role = 'supply' RETURN count(DISTINCT e)",
        ),
        (
            {"duplicate": "true"},
            "MATCH (e:Example)-[:DUPLICATE_OF]->(:Example) WHERE e.usage_role = 'supply' RETURN count(DISTINCT e)",
        ),
        (
            {"issue_kind": "email"},
            "MATCH (e:Example)-[:HAS_ISSUE]->(q:QualityIssue {kind: 'email'}) WHERE e.usage_role = 'supply' RETURN count(DISTINCT e)",
        ),
        (
            {"format": "chain-of-thought"},
            "MATCH (e:Example)-[:HAS_FORMAT]->(:Format {id: 'chain-of-thought'}) WHERE e.usage_role = 'supply' RETURN count(e)",
        ),
    ]
    expected = [_cypher_count(built, q) for _p, q in cases]
    supply = _cypher_count(built, "MATCH (e:Example) WHERE e.usage_role = 'supply' RETURN count(e)")
    usage = _cypher_count(built, "MATCH (e:Example) WHERE e.usage_role = 'usage' RETURN count(e)")
    first = built.cli(
        "cypher", "MATCH (e:Example) WHERE e.usage_role = 'supply' RETURN e.id ORDER BY e.id LIMIT 300"
    )["rows"]
    every = built.db.parent / "every.yaml"
    every.write_text(json.dumps({"name": "every", "eligibility": {"exclude_duplicates": False}}))
    report = built.cli("coverage", "--target", str(every))
    check = built.cli("license-check", "--policy", "commercial")
    with built.api() as c:
        ids, cursor = [], None
        while True:
            page = c.get("/examples", params={"limit": 97, **({"cursor": cursor} if cursor else {})}).json()
            ids += [e["id"] for e in page["data"]]
            cursor = page["next_cursor"]
            if not cursor:
                break
        assert page["count"] == len(ids) == len(set(ids)) == supply
        assert ids[:300] == [r[0] for r in first]
        for (params, _q), want in zip(cases, expected, strict=True):
            got = c.get("/examples", params={**params, "limit": 1}).json()
            assert got["count"] == want > 0, params
        # topics include their descendants
        maths = c.get("/examples", params={"topic": "mathematics", "limit": 1}).json()["count"]
        assert maths == next(
            r["have"] for r in report["rows"] if (r["dimension"], r["value"]) == ("topic", "mathematics")
        )
        commercial = c.get("/examples", params={"license_policy": "commercial", "limit": 1}).json()["count"]
        assert commercial <= check["allowed"] <= commercial + usage
        one = c.get(f"/examples/{ids[0]}").json()
        assert one["id"] == ids[0] and one["messages"] and one["lineage"]["example"] == ids[0]
        assert c.get("/examples", params={"limit": 0}).status_code == 422


def _error(response: Any, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "hint"}
    assert body["error"]["code"] == code and body["error"]["message"]


def test_one_error_shape_and_writes_need_the_token(built: Built, datasets: Path) -> None:
    data = datasets / "kullm-user-oriented-ko" / "user_oriented_instructions_eval.jsonl"
    manifest = manifest_path("kullm-user-oriented-ko")
    files = {"file": (data.name, data.read_bytes()), "manifest": (manifest.name, manifest.read_bytes())}
    with built.api() as c:
        _error(c.get("/no-such-route"), 404, "not_found")
        _error(c.delete("/stats"), 405, "method_not_allowed")
        _error(c.get("/examples/nope"), 404, "not_found")
        _error(c.get("/examples", params={"limit": "many"}), 422, "invalid_request")
        _error(c.get("/coverage", params={"target": "../../etc/passwd"}), 400, "spec_error")
        _error(c.post("/coverage", json={"name": "x", "total": 10, "tasks": {"chat": 2}}), 400, "spec_error")
        _error(c.post("/checks"), 401, "unauthorized")
        _error(c.post("/checks", headers={"Authorization": "Bearer wrong"}), 401, "unauthorized")
        before = c.get("/stats").json()
        _error(c.post("/ingest", files=files), 401, "unauthorized")
        assert c.get("/stats").json() == before
        # with the token: the upload ingests the file, as the CLI would
        uploaded = c.post("/ingest", files=files, headers={"Authorization": f"Bearer {TOKEN}"})
        assert uploaded.status_code == 200, uploaded.text
        got = uploaded.json()
        assert (got["read"], got["quarantined"]) == (252, 0) and got["accepted"] + got[
            "duplicates_skipped"
        ] == 252
        ran = c.post("/checks", headers={"Authorization": f"Bearer {TOKEN}"})
        assert ran.status_code == 200 and ran.json()["checked"]["format"] == got["accepted"]
    # the CLI on the same file now finds every record already there
    again = built.cli("ingest", str(data), "--manifest", str(manifest))
    assert (again["read"], again["accepted"], again["duplicates_skipped"]) == (252, 0, 252)
    # a server with no token configured refuses writes altogether
    with TestClient(create_app(built.settings.model_copy(update={"api_token": Settings().api_token}))) as c2:
        _error(c2.post("/checks", headers={"Authorization": f"Bearer {TOKEN}"}), 403, "forbidden")


@pytest.mark.parametrize("query", WRITES)
def test_read_only_cypher_refuses_writes_and_escapes_through_the_api(built: Built, query: str) -> None:
    with built.api() as c:
        before = c.get("/stats").json()
        got = c.post("/cypher", json={"query": query})
        assert got.status_code in (400, 403), got.text
        assert set(got.json()["error"]) == {"code", "message", "hint"}
        assert c.get("/stats").json() == before


def test_ask_answers_like_the_cli_and_refuses_in_the_one_error_shape(built: Built) -> None:
    from tests.helpers.fake_model import FakeModel

    questions = ["How many examples per task?", "작업별 예제 수는?", "How many examples are there?"]
    cli = [built.cli("ask", q) for q in questions]
    with built.api() as c:
        for q, want in zip(questions, cli, strict=True):
            got = c.post("/ask", json={"question": q})
            assert got.status_code == 200, got.text
            assert got.json() == want and want["source"].startswith("template:") and want["cypher"]
        _error(c.post("/ask", json={"question": "Which reply is the longest?"}), 400, "no_model_configured")
        assert (
            "CURAGRAPH_LLM_BASE_URL" in c.post("/ask", json={"question": "Which reply is the longest?"}).text
        )
        assert c.post("/ask", json={"question": "x", "model": "y"}).status_code == 422
        before = c.get("/stats").json()
    model = FakeModel()
    try:
        model.script["longest"] = ["```cypher\nMATCH (e:Example) DETACH DELETE e\n```"]
        with TestClient(create_app(built.settings.model_copy(update={"llm_base_url": model.url}))) as c:
            _error(c.post("/ask", json={"question": "Which reply is the longest?"}), 400, "ask_refused")
            assert c.get("/stats").json() == before
    finally:
        model.close()
    dead = built.settings.model_copy(update={"llm_base_url": "http://127.0.0.1:9/v1"})
    with TestClient(create_app(dead)) as c:
        _error(c.post("/ask", json={"question": "Which reply is the longest?"}), 502, "llm_error")


def test_server_timing_splits_the_catalog_call_from_the_api(built: Built) -> None:
    with built.api() as c:
        got = c.get("/coverage", params={"target": "instructgpt"})
        assert got.status_code == 200
        parts = dict(p.strip().split(";dur=") for p in got.headers["server-timing"].split(","))
        total, catalog, wait, api = (float(parts[k]) for k in ("total", "catalog", "wait", "api"))
        assert catalog > 0 and wait >= 0 and api >= 0
        assert abs(total - (catalog + wait + api)) < 0.05
        # a request that never reaches the catalog spends nothing there
        missing = c.get("/no-such-route")
        assert "catalog;dur=0.00" in missing.headers["server-timing"]


def test_worker_threads_follow_the_settings(built: Built) -> None:
    """More concurrent requests than Starlette's 40 default threads must not queue for a thread."""
    import anyio.to_thread

    settings = built.settings.model_copy(update={"api_threads": 73})
    with TestClient(create_app(settings)) as c:
        limiter = c.portal.call(anyio.to_thread.current_default_thread_limiter)
        assert limiter.total_tokens == 73
        assert c.get("/health").status_code == 200


@pytest.mark.parametrize(("engine", "bound"), [("embedded", 3), ("neo4j", 3)])
def test_catalog_calls_run_at_most_the_engine_bound_at_once(engine: str, bound: int, tmp_path: Path) -> None:
    """Both engines serve `api_engine_concurrency` calls at once (read connections on the embedded
    one); a call made inside another keeps its thread's slot (no deadlock when every slot is taken)."""
    import threading
    import time
    from types import SimpleNamespace

    from api.deps import Catalog

    settings = Settings(db=tmp_path / "c", api_engine_concurrency=3)  # type: ignore[arg-type]
    catalog = Catalog(SimpleNamespace(engine=SimpleNamespace(name=engine)), settings)  # type: ignore[arg-type]
    running, most, lock = 0, 0, threading.Lock()

    def call() -> None:
        nonlocal running, most
        with catalog.use(), catalog.use():  # nested: the same slot
            with lock:
                running += 1
                most = max(most, running)
            time.sleep(0.05)
            with lock:
                running -= 1

    threads = [threading.Thread(target=call) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=10)
    assert not any(t.is_alive() for t in threads)
    assert most == bound
