"""Coverage: the gap report against a shipped target (by name) or one posted as JSON, and the
heatmap matrix the dashboard draws."""

from __future__ import annotations

import logging
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Query

from api.deps import CatalogDep, ReadAccess
from api.errors import ERROR_RESPONSES
from api.views.dashboards import coverage_heatmap
from catalog.coverage import GapReport, SpecError, load_spec, parse_spec
from catalog.coverage.spec import SHIPPED_DIR
from catalog.eligibility import build_report
from catalog.schema import Schema

log = logging.getLogger(__name__)

router = APIRouter(tags=["coverage"], dependencies=[ReadAccess], responses=ERROR_RESPONSES)

Target = Annotated[str, Query(description="The name of a shipped target spec.", examples=["instructgpt"])]


def shipped_targets() -> list[str]:
    return sorted(p.stem for p in SHIPPED_DIR.glob("*.yaml"))


def shipped_spec(name: str, schema: Schema) -> Any:
    """Only shipped specs by name: the API never reads a path a client names."""
    if name not in shipped_targets():
        raise SpecError(
            f"no shipped target spec {name!r}",
            hint=f"one of: {', '.join(shipped_targets())}, or POST your own to /coverage",
        )
    return load_spec(SHIPPED_DIR / f"{name}.yaml", schema=schema)


@router.get("/coverage/targets", response_model=list[str], summary="The shipped target specs")
def targets() -> list[str]:
    return shipped_targets()


@router.get("/coverage", response_model=GapReport, summary="Gap report against a shipped target")
def coverage(catalog: CatalogDep, target: Target = "instructgpt") -> GapReport:
    with catalog.use() as store:
        return build_report(store, shipped_spec(target, store.schema))


SPEC_EXAMPLE = {
    "name": "my-mix",
    "total": 1000,
    "tasks": {"generation": 0.5, "open-qa": 0.3},
    "languages": {"en": 0.9},
    "cells": [{"topic": "mathematics", "format": "chain-of-thought", "min": 50}],
    "eligibility": {"exclude_duplicates": True, "license_policy": "any"},
}


@router.post("/coverage", response_model=GapReport, summary="Gap report against a posted target spec")
def coverage_posted(
    catalog: CatalogDep, spec: Annotated[dict[str, Any], Body(examples=[SPEC_EXAMPLE])]
) -> GapReport:
    with catalog.use() as store:
        return build_report(store, parse_spec(spec, schema=store.schema, origin="posted target spec"))


@router.get("/coverage/matrix", summary="Heatmap cells: have, want and deficit per rows x columns")
def matrix(
    catalog: CatalogDep,
    target: Target = "instructgpt",
    rows: Literal["topic", "task"] = "topic",
    cols: Literal["task", "format", "language"] = "task",
    level: Annotated[int, Query(ge=1, le=3, description="Concept depth of rows/columns (1: top level).")] = 1,
) -> dict[str, Any]:
    if rows == cols:
        raise SpecError("rows and cols must differ", hint="e.g. rows=topic&cols=task")
    with catalog.use() as store:
        return coverage_heatmap(store, shipped_spec(target, store.schema), rows=rows, cols=cols, level=level)
