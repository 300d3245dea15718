"""The catalog's resources: concept trees with counts, sources, datasets, licenses, models, stats."""

from __future__ import annotations

import logging
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel

from api.deps import CatalogDep, ReadAccess
from api.errors import ERROR_RESPONSES
from api.views.browse import ConceptNode, concept_tree
from catalog.coverage.spec import DEFAULT_MIN_CONFIDENCE
from catalog.model import CatalogStats, DatasetOverview

log = logging.getLogger(__name__)

router = APIRouter(dependencies=[ReadAccess], responses=ERROR_RESPONSES)


#: the threshold below which a task or topic assignment does not count, as in the gap report
MinConfidence = Annotated[
    float,
    Query(
        ge=0.0,
        le=1.0,
        description="Count a task or topic assignment only at or above this confidence (0: every one).",
    ),
]


class Rows(BaseModel):
    data: list[dict[str, Any]]
    count: int


@router.get(
    "/topics",
    response_model=list[ConceptNode],
    tags=["concepts"],
    summary="The topic tree with example counts",
)
def topics(catalog: CatalogDep, min_confidence: MinConfidence = DEFAULT_MIN_CONFIDENCE) -> list[ConceptNode]:
    with catalog.use() as store:
        return concept_tree(store, "topic", min_confidence=min_confidence)


@router.get(
    "/tasks", response_model=list[ConceptNode], tags=["concepts"], summary="The task tree with example counts"
)
def tasks(catalog: CatalogDep, min_confidence: MinConfidence = DEFAULT_MIN_CONFIDENCE) -> list[ConceptNode]:
    with catalog.use() as store:
        return concept_tree(store, "task", min_confidence=min_confidence)


@router.get(
    "/formats", response_model=list[ConceptNode], tags=["concepts"], summary="Formats with example counts"
)
def formats(catalog: CatalogDep, min_confidence: MinConfidence = DEFAULT_MIN_CONFIDENCE) -> list[ConceptNode]:
    with catalog.use() as store:
        return concept_tree(store, "format", min_confidence=min_confidence)


@router.get("/sources", response_model=Rows, tags=["catalog"], summary="Raw source files")
def sources(catalog: CatalogDep) -> Rows:
    with catalog.use() as store:
        data = store.sources_overview()
    return Rows(data=data, count=len(data))


@router.get(
    "/datasets",
    response_model=list[DatasetOverview],
    tags=["catalog"],
    summary="Datasets with examples, licenses and models",
)
def datasets(catalog: CatalogDep, with_examples: bool = True) -> list[DatasetOverview]:
    with catalog.use() as store:
        data = store.dataset_overview()
    return [d for d in data if d.examples or not with_examples]


@router.get(
    "/licenses",
    response_model=Rows,
    tags=["catalog"],
    summary="Licenses and model terms with their conditions",
)
def licenses(catalog: CatalogDep) -> Rows:
    with catalog.use() as store:
        data = store.nodes(label="License")
    return Rows(data=data, count=len(data))


@router.get(
    "/models", response_model=Rows, tags=["catalog"], summary="Models with their roles and generated examples"
)
def models(catalog: CatalogDep) -> Rows:
    with catalog.use() as store:
        data = store.models_overview()
    return Rows(data=data, count=len(data))


@router.get("/stats", response_model=CatalogStats, tags=["catalog"], summary="Node and relationship counts")
def stats(catalog: CatalogDep) -> CatalogStats:
    with catalog.use() as store:
        return store.stats()


Scheme = Literal["topic", "task", "format"]
