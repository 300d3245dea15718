"""The write guard both engines apply before anything is written: names and value types."""

from __future__ import annotations

import logging

from catalog.errors import StoreError
from catalog.schema import KEY_PROPERTY, Schema
from catalog.store.batch import WriteBatch

log = logging.getLogger(__name__)


def validate_batch(schema: Schema, batch: WriteBatch) -> None:
    """Refuse the whole batch if any label, relationship, endpoint pair, property or value type is undeclared."""
    for group in batch.nodes:
        spec = schema.node_label(group.label)
        if not group.rows:
            continue
        keys = set().union(*group.rows)
        schema.check_node_properties(group.label, keys)
        if not all(type(r.get(KEY_PROPERTY)) is str for r in group.rows):
            raise StoreError(f"every :{group.label} row needs a string 'id'")
        for key in keys - {KEY_PROPERTY}:
            schema.check_column(f":{group.label}", spec.properties[key], [r.get(key) for r in group.rows])
    for nd in batch.node_deletions:
        schema.node_label(nd.label)
        if not all(type(i) is str for i in nd.ids):
            raise StoreError("a node deletion needs string ids")
    for deletion in batch.deletions:
        rel = schema.check_endpoints(deletion.rel_type, deletion.from_label, deletion.to_label)
        if "method" not in rel.properties:
            raise StoreError(
                f"[:{deletion.rel_type}] edges carry no 'method'; they cannot be deleted by method"
            )
        if not all(type(i) is str for i in deletion.src_ids) or not all(
            type(m) is str for m in deletion.methods
        ):
            raise StoreError("a deletion needs string ids and methods")
    for rgroup in batch.relationships:
        rel = schema.check_endpoints(rgroup.rel_type, rgroup.from_label, rgroup.to_label)
        if not rgroup.rows:
            continue
        keys = set().union(*rgroup.rows) - {"src", "dst"}
        schema.check_relationship_properties(rgroup.rel_type, keys | set(rgroup.key))
        if not all(type(r.get("src")) is str and type(r.get("dst")) is str for r in rgroup.rows):
            raise StoreError(f"every [:{rgroup.rel_type}] row needs string 'src' and 'dst' ids")
        for key in keys:
            schema.check_column(
                f"[:{rgroup.rel_type}]", rel.properties[key], [r.get(key) for r in rgroup.rows]
            )
