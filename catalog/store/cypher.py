"""The Cypher the catalog runs, written once.

Templates are module constants with `$params` for every value. Labels, relationship types and
property names are filled in only by `render`, which takes them from the schema (so only names the
ontology declares reach a query) and backticks them. Where the engines' dialects differ, a small
per-engine variant sits next to the shared form, named `..._EMBEDDED` / `..._NEO4J`.
"""

from __future__ import annotations

from collections.abc import Iterable

from catalog.schema import Schema

# ---------------------------------------------------------------- names


def quote(name: str) -> str:
    """Backtick a name that the schema has already checked."""
    return "`" + name.replace("`", "``") + "`"


def label(schema: Schema, name: str) -> str:
    return quote(schema.node_label(name).name)


def rel_type(schema: Schema, name: str) -> str:
    return quote(schema.relationship(name).name)


def map_literal(var: str, keys: Iterable[str]) -> str:
    """`{`a`: r.`a`, ...}` for already-checked property names."""
    return "{" + ", ".join(f"{quote(k)}: {var}.{quote(k)}" for k in keys) + "}"


def assignments(target: str, var: str, keys: Iterable[str]) -> str:
    return ", ".join(f"{target}.{quote(k)} = {var}.{quote(k)}" for k in keys)


def key_match(target: str, var: str, keys: Iterable[str]) -> str:
    return " AND ".join(f"{target}.{quote(k)} = {var}.{quote(k)}" for k in keys)


# ---------------------------------------------------------------- nodes

EXISTING_IDS = "UNWIND $ids AS i MATCH (n:{label} {{id: i}}) RETURN n.id"

#: embedded: MERGE is ~20x slower than a lookup plus CREATE, so the store splits rows itself
CREATE_NODES = "UNWIND $rows AS r CREATE (n:{label} {props})"
UPDATE_NODES = "UNWIND $rows AS r MATCH (n:{label} {{id: r.id}}) SET {assignments}"

#: embedded bulk path for rows known to be new: an Arrow table passed as $rows, columns in table order
COPY_ROWS_EMBEDDED = "COPY {table} FROM $rows{options}"

#: Neo4j: MERGE on the uniqueness-constrained id; r.props holds only the properties a row gives
MERGE_NODES_NEO4J = "UNWIND $rows AS r MERGE (n:{label} {{id: r.id}}) ON CREATE SET n += r.props{on_match}"

GET_NODE = "MATCH (n:{label} {{id: $id}}) RETURN n"
COUNT_NODES = "MATCH (n:{label}) RETURN count(n)"

# ---------------------------------------------------------------- relationships
# Endpoints are matched one after the other: `MATCH (a) MATCH (b)` is ~9x faster on the embedded
# engine than `MATCH (a), (b)` and means the same on both engines.

#: endpoints by id first, then the edge: 6.7x faster than one pattern `(a {id})-[x]->(b {id})`,
#: which scans the edge table (1.18 s vs 0.18 s for 150 probes against 1M edges, embedded)
EXISTING_RELS = (
    "UNWIND $rows AS r MATCH (a:{from_label} {{id: r.src}}) MATCH (b:{to_label} {{id: r.dst}}) "
    "MATCH (a)-[x:{rel}]->(b) {key_filter}RETURN r.src, r.dst{key_cols}"
)
CREATE_RELS = (
    "UNWIND $rows AS r MATCH (a:{from_label} {{id: r.src}}) MATCH (b:{to_label} {{id: r.dst}}) "
    "CREATE (a)-[x:{rel} {props}]->(b)"
)
UPDATE_RELS = (
    "UNWIND $rows AS r MATCH (a:{from_label} {{id: r.src}}) MATCH (b:{to_label} {{id: r.dst}}) "
    "MATCH (a)-[x:{rel}]->(b) {key_filter}SET {assignments}"
)
MERGE_RELS_NEO4J = (
    "UNWIND $rows AS r MATCH (a:{from_label} {{id: r.src}}) MATCH (b:{to_label} {{id: r.dst}}) "
    "MERGE (a)-[x:{rel}{key_props}]->(b) ON CREATE SET x += r.props{on_match}"
)
COUNT_RELS = "MATCH ()-[x:{rel}]->() RETURN count(x)"

# ---------------------------------------------------------------- catalog overviews

DATASET_EXAMPLES = (
    "MATCH (d:`Dataset`) OPTIONAL MATCH (e:`Example`)-[:`IN_DATASET`]->(d) "
    "RETURN d.id, count(e) ORDER BY d.id"
)
DATASET_LICENSES = "MATCH (d:`Dataset`)-[c:`LICENSED_UNDER`]->(l:`License`) RETURN d.id, l.id, c.claimed_by ORDER BY d.id, l.id"
DATASET_MODELS = (
    "MATCH (e:`Example`)-[:`IN_DATASET`]->(d:`Dataset`) "
    "MATCH (e)-[:`GENERATED_BY`]->(:`Activity`)-[:`USED_MODEL`]->(m:`Model`) "
    "RETURN DISTINCT d.id, m.name ORDER BY d.id, m.name"
)
