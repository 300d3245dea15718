"""Summary keys: an example's edges of a few kinds, summarised on the node, kept right by the store.

The edges are the truth. Grouping every example by the set of its edges costs seconds at a million
examples (one `collect()` stage per kind, per example), and the catalog's aggregate questions do
exactly that. So the store keeps two keys on each Example, each a canonical text of sorted sets:

- `coverage_key`: its tasks, formats and topics (FOR_TASK, HAS_FORMAT, ABOUT): the gap report;
- `origin_key`: its datasets, source files and generating activities (IN_DATASET, FROM_SOURCE,
  GENERATED_BY): the license check and the synthetic-data audit.

Every write that adds or deletes such an edge sets the key of every example it touched, in the same
transaction, from the edges as they stand after the write; an example created by the write gets its
key with its row (one bulk write, no update after it). No caller maintains a key, so no caller can
forget one. An example without a key (a catalog from before it) is counted from its edges by the
slower queries, which the readers fall back to when the keys do not account for every example.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from catalog.census import KEYS, SCORED, Slots, make_key, scored_item
from catalog.schema import Schema
from catalog.store import cypher as Q
from catalog.store.batch import NodeGroup, WriteBatch

log = logging.getLogger(__name__)


def _matches(group: Any, rel: str, target: str) -> bool:
    return (group.rel_type, group.from_label, group.to_label) == (rel, "Example", target)


def touched(batch: WriteBatch) -> dict[str, list[str]]:
    """Per key: the examples whose summarised edges the batch changes (added or deleted)."""
    out: dict[str, list[str]] = {}
    for prop, rels in KEYS.items():
        ids: set[str] = set()
        for rel, target in rels:
            for g in batch.relationships:
                if _matches(g, rel, target):
                    ids.update(r["src"] for r in g.rows)
            for d in batch.deletions:
                if _matches(d, rel, target):
                    ids.update(d.src_ids)
        if ids:
            out[prop] = sorted(ids)
    return out


def from_batch(batch: WriteBatch, prop: str, ids: Iterable[str]) -> dict[str, Slots]:
    """The edges the batch itself gives each example for one key: right for examples that are new."""
    wanted = set(ids)
    rels = KEYS[prop]
    out: dict[str, Slots] = {i: tuple(set() for _ in rels) for i in wanted}
    for slot, (rel, target) in enumerate(rels):
        for g in batch.relationships:
            if _matches(g, rel, target):
                for r in g.rows:
                    if r["src"] in wanted:
                        item = scored_item(r["dst"], r.get("confidence")) if rel in SCORED else r["dst"]
                        out[r["src"]][slot].add(item)
    return out


def with_keys_for_new(batch: WriteBatch, keyed: Mapping[str, Sequence[str]]) -> WriteBatch:
    """The batch with each touched key on every Example row it writes, computed from the batch alone:
    the key a new example gets as it is created. Examples that existed are set after the write."""
    keys: dict[str, dict[str, str]] = {}
    for prop, ids in keyed.items():
        for ident, slots in from_batch(batch, prop, ids).items():
            keys.setdefault(ident, {})[prop] = make_key(*slots)
    nodes = [
        NodeGroup(
            g.label, [{**r, **keys[r["id"]]} if r["id"] in keys else r for r in g.rows], g.update_existing
        )
        if g.label == "Example"
        else g
        for g in batch.nodes
    ]
    return WriteBatch(
        nodes=nodes,
        relationships=batch.relationships,
        deletions=batch.deletions,
        node_deletions=batch.node_deletions,
    )


Read = Callable[[str, Mapping[str, Any]], list[list[Any]]]


def summary_key_queries(schema: Schema) -> dict[str, list[str]]:
    """Per summary key: the (example, target) read of each relationship it summarises."""
    return {
        prop: [
            (Q.SCORED_KEY_EDGES if rel in SCORED else Q.KEY_EDGES)
            .format(rel=Q.rel_type(schema, rel), to_label=Q.label(schema, target))
            .text
            for rel, target in rels
        ]
        for prop, rels in KEYS.items()
    }


def existing_ids(read: Read, schema: Schema, label: str, ids: Sequence[str], probe: int) -> set[str]:
    """The subset of `ids` that exist as nodes of the label, in probes of `probe` ids (write paths)."""
    query = Q.EXISTING_IDS.format(label=Q.label(schema, label)).text
    found: set[str] = set()
    ids = list(ids)
    for start in range(0, len(ids), probe):
        found.update(r[0] for r in read(query, {"ids": ids[start : start + probe]}))
    return found


def keys_after(
    read: Read, queries: Mapping[str, Sequence[str]], keyed: Mapping[str, Sequence[str]]
) -> NodeGroup | None:
    """Inside the write transaction, after its writes: each touched key of the examples in `keyed`,
    from their edges as they stand now. `queries[prop]` reads (example, target) per relationship."""
    rows: dict[str, dict[str, Any]] = {}
    for prop, ids in keyed.items():
        if not ids:
            continue
        slots: dict[str, Slots] = {i: tuple(set() for _ in KEYS[prop]) for i in ids}
        for slot, query in enumerate(queries[prop]):
            for ex, target, *scored in read(query, {"ids": list(ids)}):
                slots[ex][slot].add(scored_item(target, scored[0]) if scored else target)
        for ident, parts in slots.items():
            rows.setdefault(ident, {"id": ident})[prop] = make_key(*parts)
    return NodeGroup("Example", list(rows.values())) if rows else None
