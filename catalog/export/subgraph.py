"""The part of the catalog an export holds: the whole catalog, or a selection of examples with
everything their provenance reaches (ancestor examples, source files, datasets and theirs, the
activities and models that generated them, license claims, agents, assigned concepts and their
broader concepts, quality issues).

Which edges to follow comes from the schema: every relationship type leaving a node already in the
subgraph, except `DUPLICATE_OF` (a duplicate's kept representative is another example, not part of
its provenance). The result converts to networkx for a user's own analysis.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from catalog.errors import CatalogError
from catalog.store.base import GraphStore

log = logging.getLogger(__name__)

#: relationship types a selection does not follow: they lead to other examples (a duplicate's kept
#: representative, the data a generator model was trained on), not to the selection's provenance
NOT_FOLLOWED = frozenset({"DUPLICATE_OF", "TRAINED_ON"})


@dataclass(frozen=True)
class Edge:
    rel_type: str
    from_label: str
    to_label: str
    src: str
    dst: str
    properties: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def key(self) -> tuple[str, ...]:
        return (
            self.rel_type,
            self.from_label,
            self.src,
            self.to_label,
            self.dst,
            repr(sorted(self.properties.items())),
        )


@dataclass
class Subgraph:
    nodes: dict[str, dict[str, dict[str, Any]]]  # label -> id -> properties
    edges: list[Edge]

    def count(self) -> tuple[int, int]:
        return sum(len(v) for v in self.nodes.values()), len(self.edges)

    def examples(self) -> list[str]:
        return sorted(self.nodes.get("Example", {}))


def whole_catalog(store: GraphStore) -> Subgraph:
    schema = store.schema
    nodes = {label: {n["id"]: n for n in store.nodes(label=label)} for label in sorted(schema.labels)}
    edges = [
        Edge(rel.name, a, b, e.pop("src"), e.pop("dst"), e)
        for rel in sorted(schema.relationships.values(), key=lambda r: r.name)
        for a, b in sorted(rel.pairs)
        for e in store.edges(rel_type=rel.name, from_label=a, to_label=b)
    ]
    return Subgraph(nodes=nodes, edges=sorted(edges, key=Edge.key))


def selection(store: GraphStore, example_ids: Iterable[str]) -> Subgraph:
    """The examples and the closure of everything their outgoing edges reach (breadth first)."""
    schema = store.schema
    pairs = sorted(
        (rel.name, a, b)
        for rel in schema.relationships.values()
        if rel.name not in NOT_FOLLOWED
        for a, b in rel.pairs
    )
    seen: dict[str, set[str]] = {label: set() for label in schema.labels}
    frontier: dict[str, set[str]] = {"Example": set(example_ids)}
    edges: dict[tuple[str, ...], Edge] = {}
    while any(frontier.values()):
        for label, ids in frontier.items():
            seen[label] |= ids
        grown: dict[str, set[str]] = {label: set() for label in schema.labels}
        for rel, a, b in pairs:
            src = sorted(frontier.get(a, ()))
            if not src:
                continue
            for e in store.edges(rel_type=rel, from_label=a, to_label=b, src_ids=src):
                edge = Edge(rel, a, b, e.pop("src"), e.pop("dst"), e)
                edges[edge.key()] = edge
                if edge.dst not in seen[b]:
                    grown[b].add(edge.dst)
        frontier = {label: ids for label, ids in grown.items() if ids}
    nodes = {
        label: {n["id"]: n for n in store.nodes(label=label, ids=sorted(ids))}
        for label, ids in sorted(seen.items())
        if ids
    }
    missing = set(example_ids) - set(nodes.get("Example", {}))
    if missing:
        raise CatalogError(
            f"{len(missing)} selected example id(s) are not in the catalog, e.g. {sorted(missing)[0]!r}",
            hint="ids are the 32-hex ids `cypher` and the API show",
        )
    return Subgraph(nodes=nodes, edges=sorted(edges.values(), key=Edge.key))


def to_networkx(sub: Subgraph) -> nx.MultiDiGraph:
    """Nodes keyed "Label:id" with their properties and `node_label`; edges keyed by type with theirs."""
    g = nx.MultiDiGraph()
    for label, nodes in sub.nodes.items():
        for ident, props in nodes.items():
            g.add_node(f"{label}:{ident}", **props, node_label=label)
    for e in sub.edges:
        g.add_edge(
            f"{e.from_label}:{e.src}", f"{e.to_label}:{e.dst}", key=e.rel_type, rel=e.rel_type, **e.properties
        )
    return g


def example_ids_of(store: GraphStore, *, datasets: Sequence[str] = (), ids: Sequence[str] = ()) -> list[str]:
    """A selection by dataset names and/or explicit ids."""
    out = set(ids)
    for d in datasets:
        found = store.dataset_example_ids(dataset=d)
        if not found:
            raise CatalogError(
                f"dataset {d!r} has no examples in the catalog",
                hint="`curagraph stats --json` lists the datasets",
            )
        out.update(found)
    return sorted(out)
