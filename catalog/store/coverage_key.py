"""The coverage key: an example's assignments (tasks, formats, topics) summarised on the node.

The FOR_TASK, HAS_FORMAT and ABOUT edges are the truth. Coverage groups every example by the set
of its assignments, and doing that from the edges costs seconds at a million examples (three
`collect()` stages per example). So the store keeps `coverage_key` on each Example, a sorted,
canonical text of those three sets, and keeps it right itself: every write that adds or deletes
an assignment edge sets the key of every example it touched, in the same transaction, from the
edges as they stand after the write. No caller maintains it, so no caller can forget it.

An example the store has not keyed (a catalog from before the key, an example with no assignment
ever) is counted from its edges by the slow query; `coverage_signatures` adds both.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from catalog.store.base import NodeGroup, WriteBatch

#: the assignment relationships the key summarises, in key order, and their targets
KEYED = (("FOR_TASK", "Task"), ("HAS_FORMAT", "Format"), ("ABOUT", "Topic"))
PROPERTY = "coverage_key"
SEP, ITEM = ";", ","

Assigned = dict[str, tuple[set[str], set[str], set[str]]]


def make_key(tasks: Iterable[str], formats: Iterable[str], topics: Iterable[str]) -> str:
    return SEP.join(ITEM.join(sorted(set(v))) for v in (tasks, formats, topics))


def parse_key(key: str) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    tasks, formats, topics = (tuple(p.split(ITEM)) if p else () for p in key.split(SEP))
    return tasks, formats, topics


def touched(batch: WriteBatch) -> list[str]:
    """Examples whose assignments the batch changes (edges added or deleted)."""
    out: set[str] = set()
    for rel, target in KEYED:
        for g in batch.relationships:
            if (g.rel_type, g.from_label, g.to_label) == (rel, "Example", target):
                out.update(r["src"] for r in g.rows)
        for d in batch.deletions:
            if (d.rel_type, d.from_label, d.to_label) == (rel, "Example", target):
                out.update(d.src_ids)
    return sorted(out)


def from_batch(batch: WriteBatch, ids: Iterable[str]) -> Assigned:
    """The assignments the batch itself gives each example: right for examples that are new."""
    wanted = set(ids)
    out: Assigned = {i: (set(), set(), set()) for i in wanted}
    for slot, (rel, target) in enumerate(KEYED):
        for g in batch.relationships:
            if (g.rel_type, g.from_label, g.to_label) == (rel, "Example", target):
                for r in g.rows:
                    if r["src"] in wanted:
                        out[r["src"]][slot].add(r["dst"])
    return out


def with_keys_for_new(batch: WriteBatch) -> WriteBatch:
    """The batch with a `coverage_key` on every Example row it writes whose assignments it changes,
    computed from the batch alone: the key a new example gets as it is created (one bulk write,
    no update after it). Examples that existed are set right after the write (`keys_after`)."""
    ids = touched(batch)
    if not ids:
        return batch
    keys = {i: make_key(*a) for i, a in from_batch(batch, ids).items()}
    nodes = [
        NodeGroup(
            g.label,
            [{**r, PROPERTY: keys[r["id"]]} if r["id"] in keys else r for r in g.rows],
            g.update_existing,
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


def keys_after(read: Read, queries: Sequence[str], ids: Sequence[str]) -> NodeGroup | None:
    """Inside the write transaction, after its writes: the keys of `ids` from their edges as they
    stand now. `queries` are the ASSIGNMENTS reads for KEYED, in order."""
    if not ids:
        return None
    assigned: Assigned = {i: (set(), set(), set()) for i in ids}
    for slot, query in enumerate(queries):
        for ex, concept, _method in read(query, {"ids": list(ids)}):
            assigned[ex][slot].add(concept)
    return NodeGroup("Example", [{"id": i, PROPERTY: make_key(*a)} for i, a in assigned.items()])
