"""Read-only Cypher: the catalog's two gates (lexical, then the engine's read-only mode), a time
limit and a row cap with a `truncated` flag."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from api.deps import CatalogDep, ReadAccess
from api.errors import ERROR_RESPONSES, ErrorBody
from catalog.model import CypherResult

log = logging.getLogger(__name__)

router = APIRouter(tags=["cypher"], dependencies=[ReadAccess])


class CypherRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    query: str = Field(
        min_length=1,
        max_length=20_000,
        examples=["MATCH (e:Example)-[:FOR_TASK]->(t:Task) RETURN t.id, count(e) ORDER BY t.id"],
    )
    params: dict[str, Any] = Field(default_factory=dict, examples=[{}])


@router.post(
    "/cypher",
    response_model=CypherResult,
    summary="Run one read-only Cypher statement",
    responses={
        **ERROR_RESPONSES,
        403: {"model": ErrorBody, "description": "A write or escape was refused."},
        408: {"model": ErrorBody, "description": "The query ran past its time limit."},
    },
)
def cypher(body: CypherRequest, catalog: CatalogDep) -> CypherResult:
    settings = catalog.settings
    with catalog.use() as store:
        return store.read_cypher(
            query=body.query,
            params=body.params,
            row_cap=settings.row_cap,
            timeout_s=settings.query_timeout_s,
            byte_cap=settings.result_max_bytes,
        )
