"""What every catalog holds from the start: the ontology's topics, tasks, formats and licenses."""

from __future__ import annotations

import logging
from typing import Any

from catalog.schema import Concept, Schema
from catalog.store.batch import NodeGroup, RelGroup, WriteBatch

log = logging.getLogger(__name__)


def _concept_row(c: Concept, *, with_depth: bool) -> dict[str, Any]:
    row: dict[str, Any] = {
        "id": c.id,
        "label": c.label,
        "alt_labels": list(c.alt_labels),
        "description": c.description,
        "iri": c.iri,
    }
    if with_depth:
        row["depth"] = c.depth
    return row


def seed_batch(schema: Schema) -> WriteBatch:
    batch = WriteBatch()
    batch.nodes.append(NodeGroup("Topic", [_concept_row(c, with_depth=True) for c in schema.topics.values()]))
    batch.nodes.append(NodeGroup("Task", [_concept_row(c, with_depth=True) for c in schema.tasks.values()]))
    batch.nodes.append(
        NodeGroup("Format", [_concept_row(c, with_depth=False) for c in schema.formats.values()])
    )
    batch.nodes.append(NodeGroup("Risk", [_concept_row(c, with_depth=False) for c in schema.risks.values()]))
    batch.nodes.append(NodeGroup("License", [dict(row) for row in schema.licenses.values()]))
    for lab, concepts in (("Topic", schema.topics), ("Task", schema.tasks)):
        edges = [{"src": c.id, "dst": c.broader} for c in concepts.values() if c.broader]
        batch.relationships.append(RelGroup("BROADER", lab, lab, edges))
    return batch
