"""Quality: issue summary, duplicate clusters, and the write routes that run checks and dedup."""

from __future__ import annotations

import logging
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel

from api.deps import CatalogDep, ReadAccess, WriteAccess
from api.errors import ERROR_RESPONSES, WRITE_RESPONSES
from api.views.dashboards import quality_overview
from catalog.quality.dedup import DedupConfig, DedupReport, dedup

log = logging.getLogger(__name__)

router = APIRouter(tags=["quality"], responses=ERROR_RESPONSES)


class Cluster(BaseModel):
    representative: str
    members: list[dict[str, Any]]


class Clusters(BaseModel):
    data: list[Cluster]
    count: int


@router.get(
    "/quality",
    dependencies=[ReadAccess],
    summary="Issues per factor, check, kind and severity; duplicate totals",
)
def quality(catalog: CatalogDep) -> dict[str, Any]:
    with catalog.use() as store:
        return quality_overview(store, clusters=0)


@router.get(
    "/duplicates",
    response_model=Clusters,
    dependencies=[ReadAccess],
    summary="Duplicate clusters, largest first",
)
def duplicates(
    catalog: CatalogDep,
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> Clusters:
    with catalog.use() as store:
        found = store.duplicate_clusters()
    ordered = sorted(found.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    page = ordered[offset : offset + limit]
    return Clusters(
        data=[
            Cluster(
                representative=r, members=[{"id": e.member, "score": e.score, "method": e.method} for e in ms]
            )
            for r, ms in page
        ],
        count=len(ordered),
    )


class CheckResult(BaseModel):
    checked: dict[str, int]
    issues: dict[str, int]
    kinds: dict[str, int]


@router.post(
    "/checks",
    response_model=CheckResult,
    dependencies=[WriteAccess],
    responses=WRITE_RESPONSES,
    summary="Run the per-example checks on what is new",
)
def run_checks_route(catalog: CatalogDep, only: Annotated[list[str] | None, Query()] = None) -> CheckResult:
    from catalog.quality.run import run_checks, select_checks

    with catalog.use() as store:
        report = run_checks(store, select_checks(only or []))
    return CheckResult(checked=report.checked, issues=report.issues, kinds=report.kinds)


@router.post(
    "/dedup",
    response_model=DedupReport,
    dependencies=[WriteAccess],
    responses=WRITE_RESPONSES,
    summary="Find near-duplicate clusters among new examples",
)
def dedup_route(catalog: CatalogDep, threshold: Annotated[float, Query(gt=0.0, le=1.0)] = 0.8) -> DedupReport:
    with catalog.use() as store:
        return dedup(store, catalog.settings.db / "dedup", config=DedupConfig(threshold=threshold))
