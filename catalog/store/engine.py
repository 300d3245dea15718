"""The engine contract: the few things that truly differ between LadybugDB, Neo4j and a catalog
held by a server. Everything else, every catalog query, is written once over it
(catalog/store/queries.py: CatalogStore)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any, Protocol

from catalog.model import CypherResult
from catalog.schema import Schema
from catalog.store.batch import WriteBatch, WriteResult

log = logging.getLogger(__name__)


class Engine(Protocol):
    #: "embedded" or "neo4j": picks a dialect variant where the engines differ (catalog/store/cypher/)
    name: str
    schema: Schema
    #: the most examples one write transaction should hold on this engine (None: no limit)
    max_batch_examples: int | None

    def rows(self, query: str, params: Mapping[str, Any] | None = None) -> list[list[Any]]:
        """Run one of the catalog's own read queries; its rows as plain Python values."""

    def write(self, batch: WriteBatch) -> WriteResult:
        """Deletions, then nodes, then relationships of the batch in one transaction, the summary keys
        of the examples it touched kept right (catalog/store/coverage_key.py); say what was created."""

    def read_only(
        self, statement: str, params: Mapping[str, Any], *, row_cap: int, timeout_s: float, byte_cap: int
    ) -> CypherResult:
        """Run a user's statement so that the engine itself refuses a write (the second gate, after
        catalog/store/readonly.py), cut at `row_cap` rows or `byte_cap` bytes."""

    def ensure_schema(self) -> None:
        """Create the tables or constraints and indexes the ontology implies and seed its concepts
        and licenses. Idempotent."""

    def ping(self) -> None:
        """Reach the engine with a trivial query on its own connection (the server's /health)."""

    def flush(self) -> None:
        """Make what was committed compact on disk (a checkpoint); committed data is durable either way."""

    def close(self) -> None: ...
