"""Writes, existence probes, counts and whole nodes and edges: what the engines' write paths and the
export run. Endpoints are matched one after the other: `MATCH (a) MATCH (b)` is ~9x faster on the
embedded engine than `MATCH (a), (b)` and means the same on both engines."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any, NamedTuple

from catalog.schema import Schema
from catalog.store.batch import RelDeletion
from catalog.store.cypher.names import label, rel_type
from catalog.store.query import NoRow, Query

log = logging.getLogger(__name__)


class IdRow(NamedTuple):
    id: str


class CountRow(NamedTuple):
    n: int


class NodeRow(NamedTuple):
    node: Any  # the engine's node value (catalog/store/values.py: node_record)


class EdgeRow(NamedTuple):
    src: str
    dst: str
    edge: Any  # the engine's relationship value: its properties


class EdgeEndsRow(NamedTuple):
    """An existing edge's endpoints (and, after them, its key properties: `{key_cols}`)."""

    src: str
    dst: str


class DeletedRow(NamedTuple):
    deleted: int


class CreatedRow(NamedTuple):
    created: int


# ---------------------------------------------------------------- nodes

EXISTING_IDS = Query("UNWIND $ids AS i MATCH (n:{label} {{id: i}}) RETURN n.id AS id", IdRow)

#: embedded: MERGE is ~20x slower than a lookup plus CREATE, so the store splits rows itself
CREATE_NODES = Query("UNWIND $rows AS r CREATE (n:{label} {props})", NoRow)
UPDATE_NODES = Query("UNWIND $rows AS r MATCH (n:{label} {{id: r.id}}) SET {assignments}", NoRow)

#: embedded bulk path for rows known to be new: an Arrow table passed as $rows, columns in table order
COPY_ROWS_EMBEDDED = Query("COPY {table} FROM $rows{options}", NoRow)

#: Neo4j: MERGE on the uniqueness-constrained id; r.props holds only the properties a row gives
MERGE_NODES_NEO4J = Query(
    "UNWIND $rows AS r MERGE (n:{label} {{id: r.id}}) ON CREATE SET n += r.props{on_match}", NoRow
)

#: Neo4j: empty the database (tests and benchmarks) in chunks, each its own transaction, edges
#: first: one DETACH DELETE of a node with 10^6 edges runs the server out of heap, and one
#: `CALL {} IN TRANSACTIONS` over 10^6 nodes outlives the server's transaction timeout
WIPE_RELS_NEO4J = Query(
    "MATCH ()-[x]->() WITH x LIMIT $chunk DELETE x RETURN count(*) AS deleted", DeletedRow
)
WIPE_NODES_NEO4J = Query(
    "MATCH (n{label}) WITH n LIMIT $chunk DETACH DELETE n RETURN count(*) AS deleted", DeletedRow
)

GET_NODE = Query("MATCH (n:{label} {{id: $id}}) RETURN n AS node", NodeRow)
DELETE_NODES = Query("UNWIND $ids AS i MATCH (n:{label} {{id: i}}) DETACH DELETE n", NoRow)
COUNT_NODES = Query("MATCH (n:{label}) RETURN count(n) AS n", CountRow)

# ---------------------------------------------------------------- relationships

#: endpoints by id first, then the edge: 6.7x faster than one pattern `(a {id})-[x]->(b {id})`,
#: which scans the edge table (1.18 s vs 0.18 s for 150 probes against 1M edges, embedded);
#: `{key_cols}` adds ", r.`claimed_by` AS `claimed_by`" for each key property of the edge
EXISTING_RELS = Query(
    "UNWIND $rows AS r MATCH (a:{from_label} {{id: r.src}}) MATCH (b:{to_label} {{id: r.dst}}) "
    "MATCH (a)-[x:{rel}]->(b) {key_filter}RETURN r.src AS src, r.dst AS dst{key_cols}",
    EdgeEndsRow,
)
CREATE_RELS = Query(
    "UNWIND $rows AS r MATCH (a:{from_label} {{id: r.src}}) MATCH (b:{to_label} {{id: r.dst}}) "
    "CREATE (a)-[x:{rel} {props}]->(b) RETURN count(x) AS created",
    CreatedRow,
)
UPDATE_RELS = Query(
    "UNWIND $rows AS r MATCH (a:{from_label} {{id: r.src}}) MATCH (b:{to_label} {{id: r.dst}}) "
    "MATCH (a)-[x:{rel}]->(b) {key_filter}SET {assignments}",
    NoRow,
)
MERGE_RELS_NEO4J = Query(
    "UNWIND $rows AS r MATCH (a:{from_label} {{id: r.src}}) MATCH (b:{to_label} {{id: r.dst}}) "
    "MERGE (a)-[x:{rel}{key_props}]->(b) ON CREATE SET x += r.props{on_match}",
    NoRow,
)
COUNT_RELS = Query("MATCH ()-[x:{rel}]->() RETURN count(x) AS n", CountRow)
DELETE_RELS_BY_METHOD = Query(
    "UNWIND $ids AS i MATCH (a:{from_label} {{id: i}})-[x:{rel}]->(:{to_label}) "
    "WHERE x.method IN $methods DELETE x",
    NoRow,
)


DELETE_RELS_TO_BY_METHOD = Query(
    "UNWIND $ids AS i MATCH (a:{from_label} {{id: i}})-[x:{rel}]->(b:{to_label}) "
    "WHERE x.method IN $methods AND b.id IN $dst DELETE x",
    NoRow,
)


def delete_rels(schema: Schema, deletion: RelDeletion) -> str:
    query = DELETE_RELS_BY_METHOD if deletion.dst_ids is None else DELETE_RELS_TO_BY_METHOD
    return query.format(
        from_label=label(schema, deletion.from_label),
        to_label=label(schema, deletion.to_label),
        rel=rel_type(schema, deletion.rel_type),
    ).text


def delete_params(deletion: RelDeletion, ids: Sequence[str]) -> dict[str, Any]:
    """The parameters of `delete_rels` for one chunk of source ids."""
    params: dict[str, Any] = {"ids": list(ids), "methods": list(deletion.methods)}
    if deletion.dst_ids is not None:
        params["dst"] = list(deletion.dst_ids)
    return params


# ---------------------------------------------------------------- whole nodes and edges (export)

NODES_ALL = Query("MATCH (n:{label}) RETURN n AS node ORDER BY n.id", NodeRow)
NODES_BY_ID = Query("UNWIND $ids AS i MATCH (n:{label} {{id: i}}) RETURN n AS node ORDER BY n.id", NodeRow)
EDGES_ALL = Query(
    "MATCH (a:{from_label})-[x:{rel}]->(b:{to_label}) RETURN a.id AS src, b.id AS dst, x AS edge", EdgeRow
)
EDGES_FROM = Query(
    "UNWIND $ids AS i MATCH (a:{from_label} {{id: i}})-[x:{rel}]->(b:{to_label}) "
    "RETURN a.id AS src, b.id AS dst, x AS edge",
    EdgeRow,
)
