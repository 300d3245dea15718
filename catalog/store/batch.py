"""What crosses the store's boundary into a write: batches of nodes, edges and deletions, and the
filters on examples that the browsing queries take."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger(__name__)


@dataclass
class NodeGroup:
    """Nodes of one label to upsert: each row has an 'id' and any declared properties.

    With `update_existing=False` rows whose id exists are left as they are (first writer wins).
    """

    label: str
    rows: Sequence[Mapping[str, Any]]
    update_existing: bool = True


@dataclass
class RelGroup:
    """Relationships of one type between two labels: rows {'src', 'dst', **properties}.

    `key` names properties that are part of the relationship's identity (two LICENSED_UNDER
    claims of one license by different claimants are two edges); by default an edge is identified
    by its endpoints alone.
    """

    rel_type: str
    from_label: str
    to_label: str
    rows: Sequence[Mapping[str, Any]]
    key: tuple[str, ...] = ()
    update_existing: bool = True


@dataclass
class RelDeletion:
    """Remove the `rel_type` edges leaving the `src_ids` nodes whose `method` is one of `methods`.

    How re-assignment replaces its own earlier edges and leaves others (a person's) alone.
    """

    rel_type: str
    from_label: str
    to_label: str
    src_ids: Sequence[str]
    methods: Sequence[str]
    #: only the edges to these target nodes (None: to any): an ontology change moving one concept's edges
    dst_ids: Sequence[str] | None = None


@dataclass
class NodeDeletion:
    """Remove nodes of a label by id, with their edges (a check's earlier findings on a re-run)."""

    label: str
    ids: Sequence[str]


@dataclass
class WriteBatch:
    """Deletions (nodes, then edges), then nodes, then relationships, in one transaction: all of it
    lands, or none of it."""

    nodes: list[NodeGroup] = field(default_factory=list)
    relationships: list[RelGroup] = field(default_factory=list)
    deletions: list[RelDeletion] = field(default_factory=list)
    node_deletions: list[NodeDeletion] = field(default_factory=list)

    def __len__(self) -> int:
        return sum(len(g.rows) for g in self.nodes) + sum(len(g.rows) for g in self.relationships)


@dataclass(frozen=True)
class ExampleWhere:
    """Filters on examples, as the store takes them: concept ids already expanded to descendants,
    a license policy already turned into the origin keys it allows. None: no filter."""

    role: str | None = "supply"
    topics: tuple[str, ...] | None = None
    tasks: tuple[str, ...] | None = None
    formats: tuple[str, ...] | None = None
    language: str | None = None
    dataset: str | None = None
    source: str | None = None
    not_ids: tuple[str, ...] | None = None
    has_issue: bool | None = None
    issue_kind: str | None = None
    synthetic: bool | None = None
    generator: str | None = None
    duplicate: bool | None = None
    #: a topic or task filter counts only assignments at or above this confidence (0: every one)
    min_confidence: float = 0.0


@dataclass
class WriteResult:
    """What a write created (rows that already existed were updated, not counted)."""

    nodes_created: dict[str, int] = field(default_factory=dict)
    relationships_created: dict[str, int] = field(default_factory=dict)
