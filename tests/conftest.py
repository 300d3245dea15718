"""Shared fixtures: the real datasets, the schema, real embedded stores.

Tests that need ../shared/datasets fail in CI when it is missing and skip elsewhere, saying why.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from catalog.config import Settings
from catalog.schema import Schema, load_schema
from catalog.store.embedded import EmbeddedStore
from tests.helpers import IN_CI, fresh_neo4j_store, shared_datasets_dir


@pytest.fixture(scope="session")
def datasets() -> Path:
    path = shared_datasets_dir()
    if not path.is_dir():
        message = f"the real datasets are not at {path} (set CURAGRAPH_SHARED_DATASETS)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture(scope="session")
def schema() -> Schema:
    return load_schema()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(db=tmp_path / "catalog")


@pytest.fixture
def mem_store(schema: Schema) -> Iterator[EmbeddedStore]:
    store = EmbeddedStore(":memory:", schema=schema)
    store.ensure_schema()
    yield store
    store.close()


@pytest.fixture
def disk_store(schema: Schema, settings: Settings) -> Iterator[EmbeddedStore]:
    store = EmbeddedStore(settings.graph_path, schema=schema)
    store.ensure_schema()
    yield store
    store.close()


@pytest.fixture(scope="session")
def neo4j_env() -> dict[str, str]:
    """A real Neo4j: `make test` starts one (scripts/neo4j.sh); or point CURAGRAPH_NEO4J_* at yours."""
    env = {k: os.environ.get(f"CURAGRAPH_NEO4J_{k}", "") for k in ("URI", "USER", "PASSWORD")}
    if not env["URI"] or not env["PASSWORD"]:
        message = (
            "no Neo4j server: set CURAGRAPH_NEO4J_URI/USER/PASSWORD, or run `make test`, which starts one"
        )
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    env["USER"] = env["USER"] or "neo4j"
    return env


@pytest.fixture(params=["embedded", "neo4j"])
def store(request: pytest.FixtureRequest, schema: Schema, tmp_path: Path):  # type: ignore[no-untyped-def]
    """Each engine in turn: a real on-disk embedded catalog, then a real Neo4j server."""
    if request.param == "embedded":
        s = EmbeddedStore(tmp_path / "g.lbdb", schema=schema)
        s.ensure_schema()
    else:
        s = fresh_neo4j_store(schema, request.getfixturevalue("neo4j_env"))
    yield s
    s.close()


#: the tiers: `make test-fast` runs what needs none of these; `make test` runs everything
TIER_MARKERS = {
    "neo4j": "needs a Neo4j server",
    "shared": "needs the real datasets in ../shared/datasets",
    "browser": "needs Debian's chromium",
    "slow": "takes tens of seconds or more (installs the package, kills servers, fuzzes every route)",
}


def pytest_configure(config: pytest.Config) -> None:
    for name, what in TIER_MARKERS.items():
        config.addinivalue_line("markers", f"{name}: {what}")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark each test with what it needs, from the fixtures it uses (also through its parameters,
    as the two-engine `store` fixture has), so the fast tier can leave those out."""
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        callspec = getattr(item, "callspec", None)
        params = list(callspec.params.values()) if callspec is not None else []
        if "neo4j_env" in fixtures or "neo4j" in params:
            item.add_marker(pytest.mark.neo4j)
        if "datasets" in fixtures:
            item.add_marker(pytest.mark.shared)
        if item.path.name.startswith("test_browser"):
            item.add_marker(pytest.mark.browser)
