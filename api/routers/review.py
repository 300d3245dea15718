"""Review: the queue of examples a person should label next, and a person's answer for one example.

The answer is a write (behind the token) and becomes a person's edges, which no automatic run
overwrites and `classify --retrain` learns from."""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from api.deps import CatalogDep, ReadAccess, SettingsDep, WriteAccess
from api.errors import ERROR_RESPONSES, WRITE_RESPONSES
from api.routers.coverage import shipped_spec
from api.views.review import ReviewQueue, review_view
from catalog.classify import assign_by_person
from catalog.errors import CatalogError
from catalog.store.base import GraphStore

log = logging.getLogger(__name__)

router = APIRouter(tags=["review"], responses=ERROR_RESPONSES)

Next = Annotated[int, Query(ge=1, le=200, description="How many examples to queue.")]
Target = Annotated[
    str,
    Query(description="A shipped target mix that weights the queue by what coverage needs; '' for none."),
]


def queue_for(store: GraphStore, settings: SettingsDep, n: int, dimension: str, target: str) -> ReviewQueue:
    spec = shipped_spec(target, store.schema) if target else None
    return review_view(store, settings.db, n, dimension=dimension, spec=spec)


@router.get(
    "/review",
    response_model=ReviewQueue,
    dependencies=[ReadAccess],
    summary="The examples a person should label next: uncertain, disputed, where coverage needs them, diverse",
)
def get_review(
    catalog: CatalogDep,
    settings: SettingsDep,
    next: Next = 10,
    dimension: Annotated[str, Query(description="The dimension to review (task).")] = "task",
    target: Target = "instructgpt",
) -> ReviewQueue:
    with catalog.use() as store:
        return queue_for(store, settings, next, dimension, target)


class Answer(BaseModel):
    """A person's answer for one example: its task, or that it is unsafe (with the risk), or both."""

    task: str | None = Field(default=None, description="The task the person gives (a task id).")
    risks: list[str] = Field(default=[], description="Risk ids the person flags (e.g. crime-theft).")
    safe: bool = Field(default=False, description="Reviewed: no risk (clears a safety flag).")


class Answered(BaseModel):
    id: str
    task: str | None
    risks: list[str]


@router.post(
    "/examples/{example_id}/labels",
    response_model=Answered,
    dependencies=[WriteAccess],
    responses=WRITE_RESPONSES,
    tags=["examples"],
    summary="A person's labels for one example (kept from then on)",
)
def post_labels(example_id: str, answer: Answer, catalog: CatalogDep) -> Answered:
    if not (answer.task or answer.risks or answer.safe):
        raise CatalogError("the answer is empty", hint='give a task, risks or safe, e.g. {"task": "open-qa"}')
    if answer.safe and answer.risks:
        raise CatalogError("safe and risks contradict each other", hint="give one of them")
    with catalog.use() as store:
        risks = list(answer.risks)
        if answer.safe:
            risks = [store.schema.no_risk]
        assign_by_person(store, example_id=example_id, task=answer.task, risks=risks)
    log.info("a person labelled %s: task %s, risks %s", example_id, answer.task, risks)
    return Answered(id=example_id, task=answer.task, risks=risks)
