"""The API under hostile input: every route that changes state refuses anonymous calls (checked
route by route from the OpenAPI document), queries the engine cannot survive are refused before
they reach it, answers are capped in bytes as well as rows, bad parameters are 400s, and no
response leaks a server path or engine internals. Both engines, on the demo catalog."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from pydantic import SecretStr

from api.app import create_app
from catalog.config import Settings
from catalog.schema import Schema
from catalog.store import GraphStore, open_store
from tests.helpers.catalogs import build_demo_catalog

TOKEN = "hardening-token-0123456789"

#: non-GET routes that only read (their state-change check below must hold)
READ_ONLY_POSTS = {
    ("POST", "/cypher"),
    ("POST", "/ask"),
    ("POST", "/coverage"),
    ("POST", "/select"),
    ("POST", "/ui/sign-in"),  # sets a cookie in the browser, changes nothing on the server
    ("POST", "/ui/sign-out"),
}
#: routes that change state (the catalog, or files in the catalog folder): anonymous calls refused
WRITE_ROUTES = {
    ("POST", "/ingest"),
    ("POST", "/checks"),
    ("POST", "/dedup"),
    ("POST", "/export"),
    ("POST", "/examples/{example_id}/labels"),
}

BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("POST", "/cypher"): {"json": {"query": "MATCH (t:Topic) RETURN count(t)"}},
    ("POST", "/ask"): {"json": {"question": "How many examples are there?"}},
    ("POST", "/coverage"): {"json": {"name": "t", "total": 10, "tasks": {"chat": 1.0}}},
    ("POST", "/select"): {"json": {"n": 5}},
    ("POST", "/ui/sign-in"): {"data": {"token": TOKEN, "next": "/ui"}, "follow_redirects": False},
    ("POST", "/ui/sign-out"): {"follow_redirects": False},
    ("POST", "/ingest"): {"files": {"file": ("a.jsonl", b'{"instruction": "x", "output": "y"}\n')}},
    ("POST", "/checks"): {},
    ("POST", "/dedup"): {},
    ("POST", "/export"): {"json": {"datasets": ["lima"]}},
    ("POST", "/examples/{example_id}/labels"): {"json": {"task": "chat"}},
}


class Demo:
    def __init__(self, store: GraphStore, settings: Settings) -> None:
        self.store, self.settings = store, settings
        self._shared: TestClient | None = None

    def shared(self) -> TestClient:
        """One client for many requests (hypothesis examples)."""
        if self._shared is None:
            self._shared = self.client()
        return self._shared

    def client(self, **changes: Any) -> TestClient:
        if "api_token" in changes:
            changes["api_token"] = SecretStr(changes["api_token"])
        return TestClient(create_app(self.settings.model_copy(update=changes), store=self.store))

    def state(self) -> tuple[Any, list[tuple[str, int]]]:
        """What a write would change: the catalog's counts and the files in its folder."""
        files = sorted(
            (str(p.relative_to(self.settings.db)), p.stat().st_size)
            for p in self.settings.db.rglob("*")
            if p.is_file() and not p.name.startswith(("graph.lbdb", ".")) and "dedup" not in p.parts
        )
        return self.store.stats().model_dump(), files


@pytest.fixture(scope="module", params=["embedded", "neo4j"])
def demo(
    request: pytest.FixtureRequest, schema: Schema, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Demo]:
    env = request.getfixturevalue("neo4j_env") if request.param == "neo4j" else None
    work = tmp_path_factory.mktemp(f"hardening-{request.param}")
    settings = build_demo_catalog(request.param, work, schema, env, api_token=TOKEN, query_timeout_s=5)
    store = open_store(settings, create=False, via_server=False)
    yield Demo(store, settings)
    store.close()


def _operations(app: Any) -> set[tuple[str, str]]:
    return {
        (method.upper(), path)
        for path, ops in app.openapi()["paths"].items()
        for method in ops
        if method.upper() != "GET"
    }


def test_every_route_that_changes_state_refuses_anonymous_calls(demo: Demo) -> None:
    with demo.client() as c:
        operations = _operations(c.app)
        assert operations == READ_ONLY_POSTS | WRITE_ROUTES, (
            "a new route: classify it here (state-changing routes need the write token)"
        )
        for op in sorted(WRITE_ROUTES):
            before = demo.state()
            got = c.request(op[0], op[1], **BODIES[op])
            assert got.status_code == 401, (op, got.text)
            assert got.json()["error"]["code"] == "unauthorized"
            assert demo.state() == before, op
        for op in sorted(READ_ONLY_POSTS):
            before = demo.state()
            got = c.request(op[0], op[1], **BODIES[op])
            assert got.status_code in (200, 303), (op, got.text)
            assert demo.state() == before, f"{op} changed the catalog or its files"
    with demo.client(api_token="") as off:  # writes switched off: refused even with a token
        for op in sorted(WRITE_ROUTES):
            got = off.request(op[0], op[1], headers={"Authorization": f"Bearer {TOKEN}"}, **BODIES[op])
            assert got.status_code == 403, (op, got.text)


def test_no_read_changes_state(demo: Demo) -> None:
    with demo.client() as c:
        example = c.get("/examples", params={"limit": 1}).json()["data"][0]["id"]
        before = demo.state()
        for path, ops in c.app.openapi()["paths"].items():
            if "get" not in ops:
                continue
            url = path.replace("{example_id}", example).replace("{name}", "0" * 16 + ".jsonl")
            got = c.get(url)
            assert got.status_code < 500, (url, got.text[:300])
        assert demo.state() == before


def test_exports_are_training_supply_with_roles_in_the_manifest_and_a_quota(demo: Demo) -> None:
    auth = {"Authorization": f"Bearer {TOKEN}"}
    with demo.client(export_max_files=2) as c:
        # KULLM's eval prompts are usage, BFCL's questions too: an export by dataset leaves them out
        got = c.post("/export", json={"datasets": ["kullm-user-oriented-ko", "lima"]}, headers=auth)
        assert got.status_code == 200, got.text
        manifest = got.json()["manifest"]
        assert set(manifest["roles"]) == {"supply"} and manifest["left_out_by_role"].get("usage", 0) > 0
        lines = c.get(got.json()["download"]).text.splitlines()
        assert len(lines) == manifest["examples"] == manifest["roles"]["supply"]
        both = c.post(
            "/export",
            json={"datasets": ["kullm-user-oriented-ko"], "roles": ["supply", "usage"]},
            headers=auth,
        ).json()["manifest"]
        assert both["roles"].get("usage", 0) == manifest["left_out_by_role"]["usage"]
        for dataset in ("gsm8k", "self-instruct", "code-alpaca-2k"):
            assert c.post("/export", json={"datasets": [dataset]}, headers=auth).status_code == 200
    exports = list((demo.settings.db / "exports").glob("*.jsonl"))
    assert len(exports) == 2, exports  # the quota: the oldest went


#: queries the embedded engine crashed on (SIGSEGV) or hung on, and other hostile input
HOSTILE = [
    "RETURN " + "[" * 1000 + "1" + "]" * 1000,
    "RETURN " + "(" * 3000 + "1" + ")" * 3000,
    "RETURN " + "CASE WHEN true THEN " * 800 + "1" + " END" * 800,
    "RETURN 1" + "+1" * 9900,
    "RETURN " + "[" * 500 + "1" + "]" * 500,
    "RETURN " + "[" * 700 + "1" + "]" * 700,
    "RETURN " + "{a: " * 300 + "1" + "}" * 300,
    "RETURN " + "abs(" * 1300 + "1" + ")" * 1300,
]


def _no_leak(body: str) -> None:
    assert "PYBIND11" not in body and "#define" not in body, body[:300]
    assert str(Path.home()) not in body and "/tmp/" not in body and os.getcwd() not in body, body[:300]


def test_hostile_queries_are_refused_before_the_engine(demo: Demo) -> None:
    before = demo.state()
    with demo.client() as c:
        for query in HOSTILE:
            got = c.post("/cypher", json={"query": query})
            assert got.status_code == 400, (query[:40], got.text[:200])
            assert (
                got.json()["error"]["code"] == "query_too_complex"
                and "limit" in got.json()["error"]["message"]
            )
            _no_leak(got.text)
        assert c.get("/health").status_code == 200
    assert demo.state() == before


def test_bad_parameters_are_400s_without_internals(demo: Demo) -> None:
    with demo.client() as c:
        for params in ({"x": [1, "a", None]}, {"x": 2**63}, {"x": {"a": [1, "b"]}}):
            got = c.post("/cypher", json={"query": "RETURN $x", "params": params})
            assert got.status_code == 400, (params, got.text)
            assert "$x" in got.json()["error"]["message"]
            _no_leak(got.text)
        ok = c.post("/cypher", json={"query": "RETURN $x AS x", "params": {"x": [1, 2.5, None]}})
        assert ok.status_code == 200 and ok.json()["rows"] == [[[1, 2.5, None]]]


def test_answers_are_capped_in_bytes(demo: Demo) -> None:
    with demo.client(result_max_bytes=64 * 1024) as c:
        filler = "'" + "x" * 200 + "'"
        got = c.post("/cypher", json={"query": f"UNWIND range(1, 5000) AS i RETURN i, {filler} AS s"})
        body = got.json()
        assert got.status_code == 200 and body["truncated"] is True
        # the cap counts the rows as compact JSON, as the response holds them
        assert len(json.dumps(body["rows"], separators=(",", ":"))) <= 64 * 1024 and len(body["rows"]) < 1000
        whole = c.post("/cypher", json={"query": "RETURN range(1, 100000) AS r"}).json()
        assert whole["truncated"] is True and whole["rows"] == []  # one row larger than the cap


nested = st.recursive(
    st.sampled_from(["1", "true", "'s'", "null", "$p"]),
    lambda inner: st.one_of(
        inner.map(lambda x: f"[{x}]"),
        inner.map(lambda x: f"({x})"),
        inner.map(lambda x: "{a: " + x + "}"),
        inner.map(lambda x: f"CASE WHEN true THEN {x} END"),
        st.tuples(inner, inner).map(lambda ab: f"{ab[0]} + {ab[1]}"),
    ),
    max_leaves=150,
)


@pytest.mark.slow  # 25 generated expressions through the API: ~13 s
@hsettings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(expression=nested)
def test_generated_nested_expressions_get_an_answer_or_a_4xx(demo: Demo, expression: str) -> None:
    query = f"RETURN {expression} AS v"
    if len(query) > 20_000:
        return
    got = demo.shared().post("/cypher", json={"query": query, "params": {"p": 1}})
    assert got.status_code in (200, 400, 408, 422), (query[:80], got.text[:200])
    _no_leak(got.text)


def test_dashboard_errors_are_pages_and_their_twins_json(demo: Demo) -> None:
    with demo.client() as c:
        page = c.get("/ui/examples/" + "0" * 32)
        assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
        assert (
            "<h1" in page.text and "not_found" in page.text and "{" not in page.text.split("<main>")[1][:50]
        )
        twin = c.get("/ui/examples/" + "0" * 32 + ".json")
        assert twin.status_code == 404 and twin.json()["error"]["code"] == "not_found"
        typo = c.get("/ui/examples", params={"tpoic": "x"})
        assert typo.status_code == 422 and typo.headers["content-type"].startswith("text/html")
        assert "&lt;" not in typo.text or "<script" not in typo.text  # autoescaped


def test_a_repeated_parameter_is_refused_not_silently_the_last(demo: Demo) -> None:
    with demo.client() as c:
        got = c.get("/examples", params=[("topic", "mathematics"), ("topic", "programming")])
        assert got.status_code == 422 and "more than once" in got.json()["error"]["message"]
        page = c.get("/ui/examples", params=[("language", "en"), ("language", "ko")])
        assert page.status_code == 422 and page.headers["content-type"].startswith("text/html")
        assert c.get("/examples", params={"topic": "mathematics"}).status_code == 200


def test_sign_in_with_the_read_token_keeps_it_in_a_strict_httponly_cookie(demo: Demo) -> None:
    with demo.client(api_read_token_required=True) as c:
        assert c.get("/stats").status_code == 401
        page = c.get("/ui/coverage", follow_redirects=False)
        assert page.status_code == 303 and page.headers["location"].startswith("/ui/sign-in?next=")
        wrong = c.post("/ui/sign-in", data={"token": "nope", "next": "/ui/coverage"}, follow_redirects=False)
        assert wrong.status_code == 401 and "set-cookie" not in wrong.headers
        good = c.post("/ui/sign-in", data={"token": TOKEN, "next": "/ui/coverage"}, follow_redirects=False)
        assert good.status_code == 303 and good.headers["location"] == "/ui/coverage"
        cookie = good.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=strict" in cookie
        assert c.get("/ui/coverage").status_code == 200  # the client keeps the cookie
        assert c.get("/stats").status_code == 200
        # the cookie never stands in for the token on writes (no CSRF through it)
        assert c.post("/checks").status_code == 401
        # no open redirect
        away = c.post(
            "/ui/sign-in", data={"token": TOKEN, "next": "https://evil.example/"}, follow_redirects=False
        )
        assert away.headers["location"] == "/ui"
