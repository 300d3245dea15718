"""The demo: a small sample of real public datasets, shipped with curagraph, built into a catalog.

`data/` holds the first records of several datasets (see data/ATTRIBUTION.md for sources and
licenses) and one manifest per dataset. It is package data: the demo needs nothing else.
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from catalog.classify import classify_catalog
from catalog.config import Settings
from catalog.coverage import load_spec, resolve_spec_path
from catalog.eligibility import build_report
from catalog.errors import ConfigError
from catalog.ingest.pipeline import IngestPlan, prepare_ingest
from catalog.model import IngestSummary
from catalog.schema import load_schema
from catalog.store import GraphStore, open_store

log = logging.getLogger(__name__)

DATA_DIR = Path(__file__).resolve().parent / "data"
MANIFEST_DIR = DATA_DIR / "manifests"
EXAMPLE_QUERY = (
    "MATCH (e:Example)-[:IN_DATASET]->(d:Dataset)-[:LICENSED_UNDER]->(l:License) "
    "WHERE l.commercial_use = false RETURN d.id AS dataset, count(DISTINCT e) AS non_commercial ORDER BY dataset"
)


def demo_files() -> list[tuple[Path, Path]]:
    """(data file, manifest) pairs, in a stable order."""
    pairs = []
    for manifest in sorted(MANIFEST_DIR.glob("*.yaml")):
        folder = DATA_DIR / manifest.stem
        for data in sorted(p for p in folder.iterdir() if p.is_file()):
            pairs.append((data, manifest))
    return pairs


def build_demo(
    settings: Settings,
    *,
    fresh: bool = False,
    ingest: Callable[[GraphStore, list[IngestPlan]], list[IngestSummary]],
    classify: Callable[[GraphStore], Any] = lambda store: classify_catalog(store, only_new=True),
    target: str = "instructgpt",
) -> dict[str, Any]:
    """Ingest the sample, classify what is new, run the quality checks and dedup, and report coverage
    against a shipped target mix."""
    if fresh and settings.store == "embedded" and settings.db.exists():
        from catalog.store.remote import live_server

        if (holder := live_server(settings.db)) is not None:
            raise ConfigError(
                f"cannot start the demo afresh: a curagraph server (pid {holder.pid}, {holder.url}) serves {settings.db}",
                hint="stop the server first, or build the demo without --fresh",
            )
        shutil.rmtree(settings.db)
    schema = load_schema(settings.extensions_in_force)
    plans = [prepare_ingest(d, schema=schema, settings=settings, manifest_path=m) for d, m in demo_files()]
    store = open_store(settings, schema=schema)
    try:
        summaries = ingest(store, plans)
        classify(store)
        # quality: the per-example checks, conflicting answers, near-duplicates (all incremental)
        from catalog.quality.consistency import check_consistency
        from catalog.quality.dedup import dedup
        from catalog.quality.run import run_checks, select_checks

        checks = run_checks(store, select_checks())
        consistency = check_consistency(store, settings.db / "dedup")
        duplicates = dedup(store, settings.db / "dedup")
        spec = load_spec(resolve_spec_path(target), schema=schema)
        coverage = build_report(store, spec)
        stats = store.stats()
        overview = store.dataset_overview()
    finally:
        store.close()
    return {
        "db": str(settings.db),
        "ingest": [s.model_dump() for s in summaries],
        "stats": stats.model_dump(),
        "datasets": [o.model_dump() for o in overview],
        "example_query": EXAMPLE_QUERY,
        "coverage": coverage.model_dump(),
        "quality": {
            "checked": checks.checked,
            "issues": checks.kinds,
            "conflicting_answers": consistency.conflicting,
            "duplicates": duplicates.duplicates,
        },
    }
