"""The store's public names: `GraphStore`, the catalog store that every caller holds (one class
over any engine, catalog/store/queries.py), and what a write and a filter take
(catalog/store/batch.py). The engine contract itself is catalog/store/engine.py."""

from __future__ import annotations

import logging

from catalog.store.batch import (
    ExampleWhere,
    NodeDeletion,
    NodeGroup,
    RelDeletion,
    RelGroup,
    WriteBatch,
    WriteResult,
)
from catalog.store.queries import CatalogStore

log = logging.getLogger(__name__)

#: the catalog store every caller holds, whatever the engine
GraphStore = CatalogStore

__all__ = [
    "CatalogStore",
    "ExampleWhere",
    "GraphStore",
    "NodeDeletion",
    "NodeGroup",
    "RelDeletion",
    "RelGroup",
    "WriteBatch",
    "WriteResult",
]
