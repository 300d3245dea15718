"""Pydantic models: what the catalog returns to its callers (CLI, API, tests).

Store methods return these, never driver records. The ingest hot path works on plain dicts and
builds models only at the edge.
"""

from __future__ import annotations

import logging
from typing import Any

from pydantic import BaseModel, Field

log = logging.getLogger(__name__)

#: the roles a message may have (the readers produce only these)
ROLES: tuple[str, ...] = ("system", "user", "assistant", "tool")


class NodeRecord(BaseModel):
    """A node as the store returns it: its label and its properties."""

    label: str
    properties: dict[str, Any]


class CypherResult(BaseModel):
    columns: list[str]
    rows: list[list[Any]]
    truncated: bool = Field(description="True when the row cap cut the result.")


class CatalogStats(BaseModel):
    nodes: dict[str, int] = Field(description="Node count per label (every label of the ontology).")
    relationships: dict[str, int] = Field(
        description="Relationship count per type (every type of the ontology)."
    )


class DatasetOverview(BaseModel):
    dataset: str
    examples: int
    licenses: list[str] = Field(description="SPDX ids claimed for the dataset, by anyone.")
    models: list[str] = Field(description="Models that generated, translated or taught its examples.")


class IngestSummary(BaseModel):
    source_id: str
    dataset_id: str
    file: str
    format: str
    read: int = Field(description="Candidate examples read, plus malformed records.")
    accepted: int
    quarantined: int
    duplicates_skipped: int = Field(description="Already in the catalog, or repeated earlier in the file.")
    quarantine_file: str | None
    records: int = Field(
        description="Records in the file (an OASST tree is one record and several examples)."
    )
    seconds: float
    unmapped_labels: dict[str, int] = Field(
        default_factory=dict,
        description="The records' own label values (normalised) that the manifest's task_labels does not "
        "map, with how many examples carry each: their task is left to the classifier.",
    )

    def balanced(self) -> bool:
        return self.read == self.accepted + self.quarantined + self.duplicates_skipped
