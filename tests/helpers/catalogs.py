"""Catalogs the API and browser tests browse."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import run_cli


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
