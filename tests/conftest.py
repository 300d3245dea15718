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
