"""The API's first slice on a real embedded catalog: health, stats, read-only Cypher, one error shape."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from catalog.config import Settings


@pytest.fixture
def client(tmp_path: Path):  # type: ignore[no-untyped-def]
    with TestClient(create_app(Settings(db=tmp_path / "cat"))) as c:
        yield c


def test_health_and_stats(client: TestClient) -> None:
    assert client.get("/health").json()["status"] == "ok"
    stats = client.get("/stats").json()
    assert stats["nodes"]["Topic"] >= 60 and stats["nodes"]["Example"] == 0


def test_cypher_reads_and_refuses_writes_with_one_error_shape(client: TestClient) -> None:
    got = client.post(
        "/cypher", json={"query": "MATCH (t:Topic {id: $id}) RETURN t.label", "params": {"id": "algebra"}}
    )
    assert got.json() == {"columns": ["t.label"], "rows": [["Algebra"]], "truncated": False}
    before = client.get("/stats").json()
    refused = client.post("/cypher", json={"query": "MATCH (t:Topic) DETACH DELETE t"})
    assert refused.status_code == 403
    assert (
        set(refused.json()["error"]) == {"code", "message", "hint"}
        and refused.json()["error"]["code"] == "query_refused"
    )
    assert client.get("/stats").json() == before
    bad = client.post("/cypher", json={"query": 5, "extra": 1})
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid_request"
