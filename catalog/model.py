"""Pydantic models: what the catalog returns to its callers (CLI, API, tests).

Store methods return these, never driver records. The ingest hot path works on plain dicts and
builds models only at the edge.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Role = Literal["system", "user", "assistant", "tool"]
ROLES: tuple[str, ...] = ("system", "user", "assistant", "tool")


class ToolCall(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    arguments: dict[str, Any] | str = Field(
        description="Parsed JSON arguments, or the raw text when it is not valid JSON (a quality finding)."
    )
    id: str | None = None


class Message(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: Role
    content: str = ""
    tool_calls: list[ToolCall] | None = None
    tool_call_id: str | None = None
    name: str | None = None
    reasoning: str | None = Field(
        default=None, description="Step-by-step reasoning kept apart from the answer."
    )


class Example(BaseModel):
    """A canonical example as stored in the catalog."""

    id: str
    messages: list[Message]
    tools: list[dict[str, Any]] | None = None
    record_key: str | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)
    usage_role: Literal["supply", "usage"] = "supply"
    n_messages: int
    n_user_turns: int
    n_chars: int
    has_tool_calls: bool
    has_reasoning: bool


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

    def balanced(self) -> bool:
        return self.read == self.accepted + self.quarantined + self.duplicates_skipped
