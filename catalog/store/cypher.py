"""The Cypher the catalog runs, written once.

Templates are module constants with `$params` for every value. Labels, relationship types and
property names are filled in only through `label`, `rel_type` and `quote` below, which take them
from the schema (so only names the ontology declares reach a query) and backtick them. Where the
engines' dialects differ, a small per-engine variant sits next to the shared form, named
`..._EMBEDDED` / `..._NEO4J`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from catalog.schema import Schema
from catalog.store.base import RelDeletion

log = logging.getLogger(__name__)

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

#: Neo4j: empty the database (tests and benchmarks) in chunks, each its own transaction, edges
#: first: one DETACH DELETE of a node with 10^6 edges runs the server out of heap, and one
#: `CALL {} IN TRANSACTIONS` over 10^6 nodes outlives the server's transaction timeout
WIPE_RELS_NEO4J = "MATCH ()-[x]->() WITH x LIMIT $chunk DELETE x RETURN count(*)"
WIPE_NODES_NEO4J = "MATCH (n{label}) WITH n LIMIT $chunk DETACH DELETE n RETURN count(*)"

GET_NODE = "MATCH (n:{label} {{id: $id}}) RETURN n"
DELETE_NODES = "UNWIND $ids AS i MATCH (n:{label} {{id: i}}) DETACH DELETE n"
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
DELETE_RELS_BY_METHOD = (
    "UNWIND $ids AS i MATCH (a:{from_label} {{id: i}})-[x:{rel}]->(:{to_label}) "
    "WHERE x.method IN $methods DELETE x"
)

EXAMPLES_BY_RECORD_KEY = (
    "UNWIND $keys AS k MATCH (e:`Example` {record_key: k})-[:`IN_DATASET`]->(:`Dataset` {id: $dataset}) "
    "RETURN k, e.id"
)

# ---------------------------------------------------------------- provenance

EXAMPLE_ANCESTORS = (
    "MATCH (e:`Example` {id: $id})-[:`DERIVED_FROM`*1..30]->(a:`Example`) RETURN DISTINCT a.id"
)
DATASET_ANCESTORS = (
    "UNWIND $ids AS i MATCH (d:`Dataset` {id: i})-[:`DERIVED_FROM`*1..30]->(p:`Dataset`) RETURN DISTINCT p.id"
)
#: the example-level lineage queries start from the one example and walk its DERIVED_FROM chain
#: (*0..30 includes the example itself): anchored on one id, both engines use the key index; an
#: `UNWIND $ids` probe joins against the whole edge table on the embedded engine (30 ms at 100k)
_CHAIN = "MATCH (e:`Example` {id: $id})-[:`DERIVED_FROM`*0..30]->(x:`Example`)"
#: the DERIVED_FROM edges leaving the chain's examples: a hop after the variable-length pattern costs
#: the embedded engine 30 ms at 1M (it joins the whole edge table), so the chain's ids come first
#: (EXAMPLE_ANCESTORS, 1 ms) and then their edges: UNWIND on Neo4j, one anchored query per id embedded
#: (0.1 ms each; an UNWIND probe there takes 100 ms)
PARENTS_OF = "UNWIND $ids AS i MATCH (x:`Example` {id: i})-[r:`DERIVED_FROM`]->(p:`Example`) RETURN x.id, p.id, r.method"
PARENTS_OF_ONE_EMBEDDED = (
    "MATCH (x:`Example` {id: $id})-[r:`DERIVED_FROM`]->(p:`Example`) RETURN x.id, p.id, r.method"
)
LINEAGE_DATASET_PARENTS = "UNWIND $ids AS i MATCH (x:`Dataset` {id: i})-[r:`DERIVED_FROM`]->(p:`Dataset`) RETURN x.id, p.id, r.method"
LINEAGE_DATASETS = _CHAIN + "-[:`IN_DATASET`]->(d:`Dataset`) RETURN DISTINCT x.id, d.id"
LINEAGE_SOURCES = (
    _CHAIN + "-[f:`FROM_SOURCE`]->(s:`Source`)-[:`IN_DATASET`]->(d:`Dataset`) "
    "RETURN DISTINCT x.id, s.id, f.line, f.record, s.file_name, s.checksum, s.archive_path, d.id"
)
LINEAGE_MODELS = (
    _CHAIN + "-[:`GENERATED_BY`]->(a:`Activity`)-[u:`USED_MODEL`]->(m:`Model`) "
    "RETURN DISTINCT x.id, a.id, a.kind, m.id, m.name, u.role"
)
#: license claims on nodes of one label (Dataset, Source, Model)
LICENSE_CLAIMS = (
    "UNWIND $ids AS i MATCH (n:{label} {{id: i}})-[c:`LICENSED_UNDER`]->(l:`License`) "
    "RETURN n.id, l.id, c.claimed_by, c.evidence"
)
#: the whole catalog, grouped by what an example draws on directly
EXAMPLE_ORIGINS = (
    "MATCH (e:`Example`) WHERE NOT EXISTS { MATCH (e)-[:`DERIVED_FROM`]->(:`Example`) } "
    "OPTIONAL MATCH (e)-[:`IN_DATASET`]->(d:`Dataset`) WITH e, collect(d.id) AS datasets "
    "OPTIONAL MATCH (e)-[:`FROM_SOURCE`]->(s:`Source`) WITH e, datasets, collect(s.id) AS sources "
    "OPTIONAL MATCH (e)-[:`GENERATED_BY`]->(:`Activity`)-[:`USED_MODEL`]->(m:`Model`) "
    "WITH e, datasets, sources, collect(m.id) AS models RETURN datasets, sources, models, count(*)"
)
#: examples that derive from others: their own origins, one row each
DERIVED_ORIGINS = (
    "MATCH (e:`Example`)-[:`DERIVED_FROM`]->(:`Example`) WITH DISTINCT e "
    "OPTIONAL MATCH (e)-[:`IN_DATASET`]->(d:`Dataset`) WITH e, collect(d.id) AS datasets "
    "OPTIONAL MATCH (e)-[:`FROM_SOURCE`]->(s:`Source`) WITH e, datasets, collect(s.id) AS sources "
    "OPTIONAL MATCH (e)-[:`GENERATED_BY`]->(:`Activity`)-[:`USED_MODEL`]->(m:`Model`) "
    "WITH e, datasets, sources, collect(m.id) AS models RETURN e.id, datasets, sources, models"
)
DERIVED_EDGES = "MATCH (e:`Example`)-[:`DERIVED_FROM`]->(p:`Example`) RETURN e.id, p.id"
#: the origin key the store keeps on each example (catalog/store/coverage_key.py): one group-by
ORIGIN_KEY_GROUPS = "MATCH (e:`Example`) WHERE e.origin_key IS NOT NULL RETURN e.origin_key, count(*)"
DERIVED_ORIGIN_KEYS = (
    "MATCH (e:`Example`)-[:`DERIVED_FROM`]->(p:`Example`) RETURN e.id, e.origin_key, p.id, p.origin_key"
)
EXAMPLE_ORIGIN_KEYS = "MATCH (e:`Example`) RETURN e.id, e.origin_key"
ACTIVITY_MODELS = "MATCH (a:`Activity`)-[:`USED_MODEL`]->(m:`Model`) RETURN a.id, m.id"
EVERY_EXAMPLE_ORIGINS = (
    "MATCH (e:`Example`) "
    "OPTIONAL MATCH (e)-[:`IN_DATASET`]->(d:`Dataset`) WITH e, collect(d.id) AS datasets "
    "OPTIONAL MATCH (e)-[:`FROM_SOURCE`]->(s:`Source`) WITH e, datasets, collect(s.id) AS sources "
    "OPTIONAL MATCH (e)-[:`GENERATED_BY`]->(:`Activity`)-[:`USED_MODEL`]->(m:`Model`) "
    "WITH e, datasets, sources, collect(m.id) AS models RETURN e.id, datasets, sources, models"
)
#: the direct origins of given examples, one relationship at a time: anchored on the ids, each is
#: an index lookup (a `WHERE e.id IN $ids` filter with collect() stages scans every example: 11 s at 1M)
DATASETS_OF = "UNWIND $ids AS i MATCH (e:`Example` {id: i})-[:`IN_DATASET`]->(d:`Dataset`) RETURN e.id, d.id"
SOURCES_OF = "UNWIND $ids AS i MATCH (e:`Example` {id: i})-[:`FROM_SOURCE`]->(s:`Source`) RETURN e.id, s.id"
MODELS_OF = (
    "UNWIND $ids AS i MATCH (e:`Example` {id: i})-[:`GENERATED_BY`]->(:`Activity`)-[:`USED_MODEL`]->(m:`Model`) "
    "RETURN e.id, m.id"
)
ALL_DATASET_EDGES = "MATCH (d:`Dataset`)-[:`DERIVED_FROM`]->(p:`Dataset`) RETURN d.id, p.id"
ALL_CLAIMS = (
    "MATCH (n:{label})-[c:`LICENSED_UNDER`]->(l:`License`) RETURN n.id, l.id, c.claimed_by, c.evidence"
)
SOURCE_DATASETS = "MATCH (s:`Source`)-[:`IN_DATASET`]->(d:`Dataset`) RETURN s.id, d.id"

LICENSE_TERMS = "MATCH (l:`License`) RETURN l.id, l.kind, l.commercial_use, l.share_alike, l.attribution_required, l.no_derivatives"
CATALOG_DATASETS = "MATCH (d:`Dataset`) RETURN d.id, d.name, d.origin_url, d.manifest ORDER BY d.id"
#: who claims which model generated a dataset (a manifest, the DPI)
DATASET_MODEL_CLAIMS = (
    "MATCH (d:`Dataset`)-[g:`GENERATED_BY`]->(:`Activity`)-[:`USED_MODEL`]->(m:`Model`) "
    "RETURN d.id, m.id, m.name, g.claimed_by ORDER BY d.id, m.id"
)
LINEAGE_DATASET_MODELS = (
    "UNWIND $ids AS i MATCH (d:`Dataset` {id: i})-[g:`GENERATED_BY`]->(:`Activity`)-[:`USED_MODEL`]->(m:`Model`) "
    "RETURN d.id, m.id, m.name, g.claimed_by"
)

# ---------------------------------------------------------------- synthetic-data audit

#: examples per (assignments, language, generating model, its role)
SYNTHETIC_SIGNATURES = (
    "MATCH (e:`Example`)-[:`GENERATED_BY`]->(:`Activity`)-[u:`USED_MODEL`]->(m:`Model`) "
    "WHERE e.usage_role = $role RETURN e.coverage_key, e.language, m.id, u.role, count(DISTINCT e)"
)
SYNTHETIC_TOTAL = (
    "MATCH (e:`Example`)-[:`GENERATED_BY`]->(:`Activity`)-[:`USED_MODEL`]->(:`Model`) "
    "WHERE e.usage_role = $role RETURN count(DISTINCT e)"
)
#: every role: a demand set can drift from its declared languages as well
DATASET_LANGUAGES = (
    "MATCH (e:`Example`)-[:`IN_DATASET`]->(d:`Dataset`) "
    "RETURN d.id, d.languages, e.language, e.message_languages, count(*)"
)
DATASET_EXAMPLES_BY_LANGUAGE = (
    "MATCH (e:`Example`)-[:`IN_DATASET`]->(:`Dataset` {id: $dataset}) WHERE e.language = $language "
    "RETURN e.id, e.message_languages ORDER BY e.id LIMIT $limit"
)
PARENT_LANGUAGES = (
    "MATCH (c:`Example`)-[r:`DERIVED_FROM`]->(p:`Example`) "
    "RETURN c.id, p.id, r.method, c.language, p.language, c.message_languages, p.message_languages"
)
MODEL_TRAINING = "MATCH (m:`Model`)-[:`TRAINED_ON`]->(d:`Dataset`) RETURN m.id, d.id"
MODEL_BASES = "MATCH (m:`Model`)-[:`FINE_TUNED_FROM`]->(b:`Model`) RETURN m.id, b.id"
DATASET_GENERATORS = (
    "MATCH (e:`Example`)-[:`IN_DATASET`]->(d:`Dataset`) "
    "MATCH (e)-[:`GENERATED_BY`]->(:`Activity`)-[:`USED_MODEL`]->(g:`Model`) RETURN d.id, g.id, count(DISTINCT e)"
)

# ---------------------------------------------------------------- classification and coverage

ALL_EXAMPLE_IDS = "MATCH (e:`Example`) RETURN e.id ORDER BY e.id"
DATASET_EXAMPLE_IDS = (
    "MATCH (e:`Example`)-[:`IN_DATASET`]->(:`Dataset` {id: $dataset}) RETURN e.id ORDER BY e.id"
)
UNCLASSIFIED_EXAMPLE_IDS = "MATCH (e:`Example`) WHERE NOT EXISTS { MATCH (e)-[:`HAS_FORMAT`]->(:`Format`) } RETURN e.id ORDER BY e.id"
EXAMPLES_FOR_CLASSIFICATION = (
    "UNWIND $ids AS i MATCH (e:`Example` {id: i}) "
    "RETURN e.id, e.messages, e.tools, e.has_tool_calls, e.has_reasoning, e.n_user_turns"
)
#: the targets of one kind of edge from given examples (what a summary key is made of)
KEY_EDGES = "UNWIND $ids AS i MATCH (e:`Example` {{id: i}})-[:{rel}]->(c:{to_label}) RETURN e.id, c.id"
ASSIGNMENTS = (
    "UNWIND $ids AS i MATCH (e:`Example` {{id: i}})-[x:{rel}]->(c:{to_label}) RETURN e.id, c.id, x.method"
)

#: one row per combination of tasks, formats, language and topics, with its example count: every
#: coverage cell (marginal, cross, rolled up the hierarchy) is a sum over these rows
COVERAGE_SIGNATURES = (
    "MATCH (e:`Example`) WHERE e.usage_role = $role AND (NOT $unkeyed_only OR e.coverage_key IS NULL) "
    "AND ($with_duplicates OR NOT EXISTS { MATCH (e)-[:`DUPLICATE_OF`]->(:`Example`) }) "
    "OPTIONAL MATCH (e)-[:`FOR_TASK`]->(k:`Task`) WITH e, collect(k.id) AS tasks "
    "OPTIONAL MATCH (e)-[:`HAS_FORMAT`]->(f:`Format`) WITH e, tasks, collect(f.id) AS formats "
    "OPTIONAL MATCH (e)-[:`ABOUT`]->(t:`Topic`) WITH e, tasks, formats, collect(t.id) AS topics "
    "RETURN tasks, formats, e.language, topics, count(*)"
)
#: the coverage census: every example described by the key the store keeps on it
#: (catalog/store/coverage_key.py) and its languages, counted per role in one pass. It reads only the
#: properties of the ontology's ExampleCoverageIndex, so on Neo4j an index scan answers it alone; the
#: IS NOT NULL conditions let the planner use that index (which holds nodes with all four set)
_DESCRIBED = (
    "e.usage_role IS NOT NULL AND e.coverage_key IS NOT NULL AND e.language IS NOT NULL "
    "AND e.message_languages IS NOT NULL"
)
COVERAGE_CENSUS = (
    "MATCH (e:`Example`) WHERE " + _DESCRIBED + " "
    "RETURN e.usage_role, e.coverage_key, e.language, e.message_languages, count(*)"
)
#: the same for the examples that duplicate a kept representative (subtracted when excluded)
DUPLICATE_CENSUS = (
    "MATCH (e:`Example`)-[:`DUPLICATE_OF`]->(:`Example`) WITH DISTINCT e WHERE " + _DESCRIBED + " "
    "RETURN e.usage_role, e.coverage_key, e.language, e.message_languages, count(*)"
)
#: the census of given examples (those a target's eligibility rules leave out)
CENSUS_OF = (
    "UNWIND $ids AS i MATCH (e:`Example` {id: i}) "
    "RETURN e.usage_role, e.coverage_key, e.language, e.message_languages, count(*)"
)
#: examples the census cannot describe (never classified, or a catalog from before the key), from
#: their edges; normally none, which the census knows by comparing its total with the label count
CENSUS_FROM_EDGES = (
    "MATCH (e:`Example`) WHERE NOT (" + _DESCRIBED + ") "
    "AND (NOT $duplicates_only OR EXISTS { MATCH (e)-[:`DUPLICATE_OF`]->(:`Example`) }) "
    "OPTIONAL MATCH (e)-[:`FOR_TASK`]->(k:`Task`) WITH e, collect(k.id) AS tasks "
    "OPTIONAL MATCH (e)-[:`HAS_FORMAT`]->(f:`Format`) WITH e, tasks, collect(f.id) AS formats "
    "OPTIONAL MATCH (e)-[:`ABOUT`]->(t:`Topic`) WITH e, tasks, formats, collect(t.id) AS topics "
    "RETURN e.usage_role, tasks, formats, e.language, e.message_languages, topics, count(*)"
)

# ---------------------------------------------------------------- quality

#: examples a check (name@version, as ",name@1,") has not looked at yet
EXAMPLES_TO_CHECK = "MATCH (e:`Example`) WHERE e.checked_with IS NULL OR NOT e.checked_with CONTAINS $tag RETURN e.id ORDER BY e.id"
EXAMPLES_FOR_CHECKS = (
    "UNWIND $ids AS i MATCH (e:`Example` {id: i}) "
    "RETURN e.id, e.messages, e.tools, e.has_reasoning, e.language, e.checked_with, e.usage_role"
)
ISSUES_OF = (
    "UNWIND $ids AS i MATCH (e:`Example` {id: i})-[:`HAS_ISSUE`]->(q:`QualityIssue`) "
    "WHERE q.checker IN $checkers RETURN e.id, q.id"
)
ISSUE_SUMMARY = (
    "MATCH (e:`Example`)-[:`HAS_ISSUE`]->(q:`QualityIssue`) "
    "RETURN q.factor, q.checker, q.checker_version, q.kind, q.severity, count(q), count(DISTINCT e)"
)
EXAMPLE_ISSUES = (
    "MATCH (e:`Example` {id: $id})-[:`HAS_ISSUE`]->(q:`QualityIssue`) "
    "RETURN q.id, q.factor, q.checker, q.checker_version, q.kind, q.severity, q.message, q.span ORDER BY q.id"
)
#: examples with at least one issue of a severity among $severities (selection eligibility)
EXAMPLES_WITH_ISSUES = (
    "MATCH (e:`Example`)-[:`HAS_ISSUE`]->(q:`QualityIssue`) WHERE q.severity IN $severities "
    "RETURN DISTINCT e.id"
)

# ---------------------------------------------------------------- near-duplicates

SELECTION_ROWS = (
    "MATCH (e:`Example`) WHERE e.usage_role = $role RETURN e.id, e.coverage_key, e.language ORDER BY e.id"
)
EXAMPLE_IDS_OF_ROLE = "MATCH (e:`Example`) WHERE e.usage_role = $role RETURN e.id ORDER BY e.id"
EXAMPLE_MESSAGES = "UNWIND $ids AS i MATCH (e:`Example` {id: i}) RETURN e.id, e.messages"
DUPLICATES_FROM = "UNWIND $ids AS i MATCH (e:`Example` {id: i})-[d:`DUPLICATE_OF`]->(r:`Example`) RETURN e.id, r.id, d.score, d.method"
DUPLICATES_TO = "UNWIND $ids AS i MATCH (e:`Example`)-[d:`DUPLICATE_OF`]->(r:`Example` {id: i}) RETURN e.id, r.id, d.score, d.method"
DUPLICATE_MEMBERS = "MATCH (e:`Example`)-[:`DUPLICATE_OF`]->(:`Example`) RETURN DISTINCT e.id ORDER BY e.id"
SYNTHETIC_AMONG = (
    "UNWIND $ids AS i MATCH (e:`Example` {id: i})-[:`GENERATED_BY`]->(:`Activity`) RETURN DISTINCT e.id"
)
ISSUE_COUNTS_AMONG = "UNWIND $ids AS i MATCH (e:`Example` {id: i})-[:`HAS_ISSUE`]->(q:`QualityIssue`) RETURN e.id, q.severity, count(q)"
FIRST_INGESTED_AMONG = "UNWIND $ids AS i MATCH (e:`Example` {id: i})-[:`FROM_SOURCE`]->(s:`Source`) RETURN e.id, min(s.ingested_at)"
DUPLICATE_CLUSTERS = "MATCH (e:`Example`)-[d:`DUPLICATE_OF`]->(r:`Example`) RETURN r.id, e.id, d.score, d.method ORDER BY r.id, e.id"

# ---------------------------------------------------------------- browsing ({where}: fixed fragments, catalog/store/queries_browse.py)

LIST_EXAMPLES = (
    "MATCH (e:`Example`){where} "
    "RETURN e.id, e.prompt_preview, e.language, e.n_messages, e.usage_role, e.coverage_key ORDER BY e.id LIMIT $limit"
)
COUNT_EXAMPLES = "MATCH (e:`Example`){where} RETURN count(e)"
#: ids that start with a prefix (a short id as the CLI prints it), in order, at most $limit
EXAMPLE_IDS_WITH_PREFIX = (
    "MATCH (e:`Example`) WHERE e.id STARTS WITH $prefix RETURN e.id ORDER BY e.id LIMIT $limit"
)
EXAMPLE_SOURCES = (
    "MATCH (e:`Example` {id: $id})-[f:`FROM_SOURCE`]->(s:`Source`) OPTIONAL MATCH (s)-[:`IN_DATASET`]->(d:`Dataset`) "
    "RETURN s.id, s.file_name, f.line, f.record, d.id ORDER BY s.id"
)
#: one example's assignments and duplicate links, anchored on its id (an UNWIND probe costs the
#: embedded engine ~10 ms per relationship type even for one id)
EXAMPLE_ASSIGNMENTS = (
    "MATCH (e:`Example` {{id: $id}})-[x:{rel}]->(c:{to_label}) RETURN c.id, x.method ORDER BY c.id"
)
EXAMPLE_DUPLICATE_OF = (
    "MATCH (e:`Example` {id: $id})-[d:`DUPLICATE_OF`]->(r:`Example`) RETURN e.id, r.id, d.score, d.method"
)
EXAMPLE_DUPLICATES = (
    "MATCH (e:`Example`)-[d:`DUPLICATE_OF`]->(r:`Example` {id: $id}) RETURN e.id, r.id, d.score, d.method"
)
SOURCES_OVERVIEW = (
    "MATCH (s:`Source`) OPTIONAL MATCH (s)-[:`IN_DATASET`]->(d:`Dataset`) "
    "OPTIONAL MATCH (e:`Example`)-[:`FROM_SOURCE`]->(s) "
    "RETURN s.id, s.file_name, s.format, s.byte_size, s.checksum, s.ingested_at, s.usage_role, d.id, count(e) ORDER BY s.id"
)
MODELS_OVERVIEW = (
    "MATCH (m:`Model`) OPTIONAL MATCH (a:`Activity`)-[u:`USED_MODEL`]->(m) "
    "OPTIONAL MATCH (e:`Example`)-[:`GENERATED_BY`]->(a) "
    "RETURN m.id, m.name, m.provider, u.role, count(DISTINCT e) ORDER BY m.id"
)

# ---------------------------------------------------------------- whole nodes and edges (export)

NODES_ALL = "MATCH (n:{label}) RETURN n ORDER BY n.id"
NODES_BY_ID = "UNWIND $ids AS i MATCH (n:{label} {{id: i}}) RETURN n ORDER BY n.id"
#: {props}: ", x.`line`, ..." for the relationship's declared properties, from the schema
EDGES_ALL = "MATCH (a:{from_label})-[x:{rel}]->(b:{to_label}) RETURN a.id, b.id{props}"
EDGES_FROM = (
    "UNWIND $ids AS i MATCH (a:{from_label} {{id: i}})-[x:{rel}]->(b:{to_label}) RETURN a.id, b.id{props}"
)

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


def delete_rels(schema: Schema, deletion: RelDeletion) -> str:
    return DELETE_RELS_BY_METHOD.format(
        from_label=label(schema, deletion.from_label),
        to_label=label(schema, deletion.to_label),
        rel=rel_type(schema, deletion.rel_type),
    )
