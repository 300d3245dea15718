"""Ask: a question answered by ontology-checked, read-only Cypher (templates first, then the model)."""

from __future__ import annotations

import logging

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from api.deps import CatalogDep, ReadAccess
from api.errors import ERROR_RESPONSES, ErrorBody
from catalog.ask import AskAnswer, ask

log = logging.getLogger(__name__)

router = APIRouter(
    tags=["ask"],
    dependencies=[ReadAccess],
    responses={
        **ERROR_RESPONSES,
        502: {"model": ErrorBody, "description": "The model endpoint failed or cannot be reached."},
    },
)


class AskRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    question: str = Field(
        min_length=1, max_length=2000, examples=["How many chain-of-thought examples are about mathematics?"]
    )


@router.post(
    "/ask", response_model=AskAnswer, summary="Answer a question; the answer shows the Cypher it ran"
)
def ask_route(body: AskRequest, catalog: CatalogDep) -> AskAnswer:
    with catalog.use() as store:
        return ask(store, body.question, catalog.settings)
