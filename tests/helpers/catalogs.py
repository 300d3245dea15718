"""Catalogs the API and browser tests browse."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from catalog.config import Settings
from catalog.schema import Schema
from tests.helpers import fresh_neo4j_store, run_cli


def build_browsing_catalog(db: Path, datasets: Path, copies: Path, env: dict[str, str]) -> None:
    """The catalog the API and browser tests browse: the demo sample plus the labelled near-duplicate
    set (150 originals from the real datasets with planted copies), checked and deduplicated."""
    from tests.helpers.neardup import build

    build(datasets, copies, originals=150)
    for args in (
        ["demo"],
        ["ingest", str(copies / "data.jsonl"), "--manifest", str(copies / "manifest.yaml")],
        ["check"],
        ["dedup"],
    ):
        done = run_cli(*args, "--db", str(db), "--json", env=env)
        assert done.returncode == 0, done.stderr


def build_demo_catalog(
    engine: str, work: Path, schema: Schema, neo4j_env: dict[str, str] | None = None, **settings: Any
) -> Settings:
    """The demo catalog (the shipped sample, classified, checked, deduplicated) on one engine, with
    the given extra settings; Neo4j's database is emptied first. Returns the settings to open it."""
    from catalog.demo import build_demo
    from catalog.ingest.pipeline import run_ingest

    extra: dict[str, Any] = dict(settings)
    if engine == "neo4j":
        if neo4j_env is None:
            raise ValueError("the Neo4j engine needs the neo4j_env fixture's settings")
        fresh_neo4j_store(schema, neo4j_env).close()
        extra |= {
            "neo4j_uri": neo4j_env["URI"],
            "neo4j_user": neo4j_env["USER"],
            "neo4j_password": neo4j_env["PASSWORD"],
        }
    built = Settings(db=work / "catalog", store=engine, **extra)  # type: ignore[arg-type]
    build_demo(built, ingest=lambda st, plans: [run_ingest(st, p, settings=built) for p in plans])
    return built
