"""Shared fixtures: the real datasets, the schema, real embedded stores.

Tests that need ../shared/datasets fail in CI when it is missing and skip elsewhere, saying why.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from catalog.config import Settings
from catalog.schema import Schema, load_schema
from catalog.store.embedded import EmbeddedStore

REPO = Path(__file__).resolve().parents[1]
MANIFESTS = REPO / "tests" / "manifests"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def shared_datasets_dir() -> Path:
    env = os.environ.get("CURAGRAPH_SHARED_DATASETS")
    return Path(env) if env else REPO.parent / "shared" / "datasets"


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


def run_cli(
    *args: str, env: dict[str, str] | None = None, timeout: float = 600
) -> subprocess.CompletedProcess[str]:
    """`curagraph ARGS` in a subprocess of this interpreter, from the repository root."""
    return subprocess.run(
        [sys.executable, "-m", "catalog.cli", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        cwd=REPO,
        timeout=timeout,
    )


def build_browsing_catalog(db: Path, datasets: Path, copies: Path, env: dict[str, str]) -> None:
    """The catalog the API and browser tests browse: the demo sample plus the labelled near-duplicate
    set (150 originals from the real datasets with planted copies), checked and deduplicated."""
    from bench.neardup import build

    build(datasets, copies, originals=150)
    for args in (
        ["demo"],
        ["ingest", str(copies / "data.jsonl"), "--manifest", str(copies / "manifest.yaml")],
        ["check"],
        ["dedup"],
    ):
        done = run_cli(*args, "--db", str(db), "--json", env=env)
        assert done.returncode == 0, done.stderr


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


def fresh_neo4j_store(schema: Schema, env: dict[str, str]):  # type: ignore[no-untyped-def]
    """A Neo4jStore on an emptied database with the schema ensured."""
    from catalog.store.neo4j import Neo4jStore

    store = Neo4jStore(env["URI"], user=env["USER"], password=env["PASSWORD"], schema=schema)
    store.wipe()
    store.ensure_schema()
    return store


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
