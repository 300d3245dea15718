"""Classification and coverage queries: the examples to classify, their assignments, the census."""

from __future__ import annotations

import logging
from typing import NamedTuple

from catalog.store.cypher.writes import CountRow, IdRow
from catalog.store.query import Query

log = logging.getLogger(__name__)


class ClassificationInputRow(NamedTuple):
    id: str
    messages: str | None
    tools: str | None
    has_tool_calls: bool | None
    has_reasoning: bool | None
    n_user_turns: int | None


class KeyEdgeRow(NamedTuple):
    """An example and the concept (or origin) one of its summarised edges reaches."""

    example: str
    target: str


class AssignmentRow(NamedTuple):
    example: str
    concept: str
    method: str | None


class SignatureRow(NamedTuple):
    tasks: list[str]
    task_confidences: list[float | None]
    formats: list[str]
    language: str | None
    topics: list[str]
    topic_confidences: list[float | None]
    examples: int


class KeyedCensusRow(NamedTuple):
    """Examples of one role, coverage key and languages, counted."""

    role: str | None
    coverage_key: str | None
    language: str | None
    message_languages: list[str] | None
    examples: int


class EdgeCensusRow(NamedTuple):
    """Examples without a key, described by their edges, counted."""

    role: str | None
    tasks: list[str]
    task_confidences: list[float | None]
    formats: list[str]
    language: str | None
    message_languages: list[str] | None
    topics: list[str]
    topic_confidences: list[float | None]
    examples: int


ALL_EXAMPLE_IDS = Query("MATCH (e:`Example`) RETURN e.id AS id ORDER BY e.id", IdRow)
DATASET_EXAMPLE_IDS = Query(
    "MATCH (e:`Example`)-[:`IN_DATASET`]->(:`Dataset` {id: $dataset}) RETURN e.id AS id ORDER BY e.id", IdRow
)
UNCLASSIFIED_EXAMPLE_IDS = Query(
    "MATCH (e:`Example`) WHERE NOT EXISTS { MATCH (e)-[:`HAS_FORMAT`]->(:`Format`) } "
    "RETURN e.id AS id ORDER BY e.id",
    IdRow,
)
EXAMPLES_FOR_CLASSIFICATION = Query(
    "UNWIND $ids AS i MATCH (e:`Example` {id: i}) "
    "RETURN e.id AS id, e.messages AS messages, e.tools AS tools, e.has_tool_calls AS has_tool_calls, "
    "e.has_reasoning AS has_reasoning, e.n_user_turns AS n_user_turns",
    ClassificationInputRow,
)
#: the targets of one kind of edge from given examples (what a summary key is made of)
KEY_EDGES = Query(
    "UNWIND $ids AS i MATCH (e:`Example` {{id: i}})-[:{rel}]->(c:{to_label}) RETURN e.id AS example, c.id AS target",
    KeyEdgeRow,
)


class ScoredKeyEdgeRow(NamedTuple):
    """An example, the concept one of its scored edges reaches, and the edge's confidence."""

    example: str
    target: str
    confidence: float | None


#: the same for the relationships whose confidence the key carries (catalog.census.SCORED)
SCORED_KEY_EDGES = Query(
    "UNWIND $ids AS i MATCH (e:`Example` {{id: i}})-[x:{rel}]->(c:{to_label}) "
    "RETURN e.id AS example, c.id AS target, x.confidence AS confidence",
    ScoredKeyEdgeRow,
)
ASSIGNMENTS = Query(
    "UNWIND $ids AS i MATCH (e:`Example` {{id: i}})-[x:{rel}]->(c:{to_label}) "
    "RETURN e.id AS example, c.id AS concept, x.method AS method",
    AssignmentRow,
)

#: each assignment with its confidence (1.0 where an edge has none, as the key reads it)
_EDGE_SETS = (
    "OPTIONAL MATCH (e)-[x:`FOR_TASK`]->(k:`Task`) "
    "WITH e, collect(k.id) AS tasks, collect(CASE WHEN k IS NULL THEN NULL ELSE coalesce(x.confidence, 1.0) END) AS task_confidences "
    "OPTIONAL MATCH (e)-[:`HAS_FORMAT`]->(f:`Format`) "
    "WITH e, tasks, task_confidences, collect(f.id) AS formats "
    "OPTIONAL MATCH (e)-[y:`ABOUT`]->(t:`Topic`) "
    "WITH e, tasks, task_confidences, formats, collect(t.id) AS topics, "
    "collect(CASE WHEN t IS NULL THEN NULL ELSE coalesce(y.confidence, 1.0) END) AS topic_confidences "
)
#: one row per combination of tasks, formats, language and topics, with its example count: every
#: coverage cell (marginal, cross, rolled up the hierarchy) is a sum over these rows
COVERAGE_SIGNATURES = Query(
    "MATCH (e:`Example`) WHERE e.usage_role = $role AND (NOT $unkeyed_only OR e.coverage_key IS NULL) "
    "AND ($with_duplicates OR NOT EXISTS { MATCH (e)-[:`DUPLICATE_OF`]->(:`Example`) }) "
    + _EDGE_SETS
    + "RETURN tasks AS tasks, task_confidences AS task_confidences, formats AS formats, "
    "e.language AS language, topics AS topics, topic_confidences AS topic_confidences, count(*) AS examples",
    SignatureRow,
)
#: the coverage census: every example described by the key the store keeps on it
#: (catalog/store/coverage_key.py) and its languages, counted per role in one pass. It reads only the
#: properties of the ontology's ExampleCoverageIndex, so on Neo4j an index scan answers it alone; the
#: IS NOT NULL conditions let the planner use that index (which holds nodes with all four set)
_DESCRIBED = (
    "e.usage_role IS NOT NULL AND e.coverage_key IS NOT NULL AND e.language IS NOT NULL "
    "AND e.message_languages IS NOT NULL"
)
_KEYED = (
    "RETURN e.usage_role AS role, e.coverage_key AS coverage_key, e.language AS language, "
    "e.message_languages AS message_languages, count(*) AS examples"
)
COVERAGE_CENSUS = Query("MATCH (e:`Example`) WHERE " + _DESCRIBED + " " + _KEYED, KeyedCensusRow)
#: the same for the examples that duplicate a kept representative (subtracted when excluded)
DUPLICATE_CENSUS = Query(
    "MATCH (e:`Example`)-[:`DUPLICATE_OF`]->(:`Example`) WITH DISTINCT e WHERE " + _DESCRIBED + " " + _KEYED,
    KeyedCensusRow,
)
#: the census of given examples (those a target's eligibility rules leave out)
CENSUS_OF = Query("UNWIND $ids AS i MATCH (e:`Example` {id: i}) " + _KEYED, KeyedCensusRow)
#: examples the census cannot describe (never classified, or a catalog from before the key), from
#: their edges; normally none, which the census knows by comparing its total with the label count
CENSUS_FROM_EDGES = Query(
    "MATCH (e:`Example`) WHERE NOT (" + _DESCRIBED + ") "
    "AND (NOT $duplicates_only OR EXISTS { MATCH (e)-[:`DUPLICATE_OF`]->(:`Example`) }) "
    + _EDGE_SETS
    + "RETURN e.usage_role AS role, tasks AS tasks, task_confidences AS task_confidences, "
    "formats AS formats, e.language AS language, e.message_languages AS message_languages, "
    "topics AS topics, topic_confidences AS topic_confidences, count(*) AS examples",
    EdgeCensusRow,
)

#: examples with a safety flag (eligibility leaves them out unless the target includes them)
#: flagged: a risk edge, and no person's "reviewed, no risk" ($cleared: those concepts' ids)
FLAGGED_EXAMPLES = Query(
    "MATCH (e:`Example`)-[:`HAS_RISK`]->(r:`Risk`) WHERE NOT r.id IN $cleared "
    "AND NOT EXISTS { MATCH (e)-[:`HAS_RISK`]->(c:`Risk`) WHERE c.id IN $cleared } "
    "RETURN DISTINCT e.id AS id ORDER BY id",
    IdRow,
)


class RiskCountRow(NamedTuple):
    """Examples of one dataset flagged with one risk, and how the flags were made."""

    dataset: str | None
    risk: str
    method: str | None
    examples: int


#: flagged examples per dataset and risk (the quality report's safety section, the dashboards)
RISK_COUNTS = Query(
    "MATCH (e:`Example`)-[x:`HAS_RISK`]->(r:`Risk`) OPTIONAL MATCH (e)-[:`IN_DATASET`]->(d:`Dataset`) "
    "RETURN d.id AS dataset, r.id AS risk, x.method AS method, count(DISTINCT e) AS examples "
    "ORDER BY dataset, risk, method",
    RiskCountRow,
)


class GoldAssignmentRow(NamedTuple):
    """An assignment that did not come from the classifier, with the example's dataset."""

    example: str
    concept: str
    method: str | None
    dataset: str | None


#: assignments made by the data's own labels, a person or a model annotator (the gold labels the
#: evaluation scores the classifier against), per kind of edge
GOLD_ASSIGNMENTS = Query(
    "MATCH (e:`Example`)-[x:{rel}]->(c:{to_label}) WHERE x.method IN $methods "
    "OPTIONAL MATCH (e)-[:`IN_DATASET`]->(d:`Dataset`) "
    "RETURN e.id AS example, c.id AS concept, x.method AS method, min(d.id) AS dataset ORDER BY example, concept",
    GoldAssignmentRow,
)


class TaskStateRow(NamedTuple):
    """A supply example's task edges (concept, confidence) and its preview: what review ranks."""

    id: str
    preview: str | None
    tasks: list[str]
    confidences: list[float]


#: supply examples no person or dataset has given a task ($kept: those methods) nor flagged with a
#: risk (other than the $cleared ones), with their task edges and confidences (an edge without one
#: is sure)
TASK_STATES = Query(
    "MATCH (e:`Example`) WHERE e.usage_role = 'supply' "
    "AND NOT EXISTS { MATCH (e)-[h:`FOR_TASK`]->(:`Task`) WHERE h.method IN $kept } "
    "AND NOT EXISTS { MATCH (e)-[u:`HAS_RISK`]->(r:`Risk`) WHERE u.method IN $kept AND NOT r.id IN $cleared } "
    "OPTIONAL MATCH (e)-[x:`FOR_TASK`]->(k:`Task`) "
    "RETURN e.id AS id, e.prompt_preview AS preview, collect(k.id) AS tasks, "
    "collect(CASE WHEN k IS NULL THEN NULL ELSE coalesce(x.confidence, 1.0) END) AS confidences",
    TaskStateRow,
)


class KeptTaskRow(NamedTuple):
    """An example's task as a person or its dataset gave it: the review page's labelled neighbours."""

    id: str
    preview: str | None
    task: str
    method: str


#: supply examples with a task of the $kept methods (human, manifest), at most $limit of them (by id)
KEPT_TASKS = Query(
    "MATCH (e:`Example`)-[h:`FOR_TASK`]->(k:`Task`) WHERE e.usage_role = 'supply' AND h.method IN $kept "
    "RETURN e.id AS id, e.prompt_preview AS preview, k.id AS task, h.method AS method "
    "ORDER BY id, task LIMIT $limit",
    KeptTaskRow,
)


class TopicStateRow(NamedTuple):
    """A supply example's prompt preview, language and topic confidences: what discovery clusters."""

    id: str
    preview: str | None
    language: str | None
    confidences: list[float]


#: every supply example with the confidences of its topic edges (an edge without one is sure)
TOPIC_STATES = Query(
    "MATCH (e:`Example`) WHERE e.usage_role = 'supply' "
    "OPTIONAL MATCH (e)-[a:`ABOUT`]->(t:`Topic`) "
    "RETURN e.id AS id, e.prompt_preview AS preview, e.language AS language, "
    "collect(CASE WHEN t IS NULL THEN NULL ELSE coalesce(a.confidence, 1.0) END) AS confidences",
    TopicStateRow,
)


class ConceptEdgeRow(NamedTuple):
    """An example's assignment edge to one concept, with everything a migration must keep."""

    example: str
    method: str | None
    method_version: str | None
    confidence: float | None
    migrated_from: str | None


#: up to $limit examples' ({rel}) edges to the concept $concept, by example id (a migration's batch)
CONCEPT_EDGES = Query(
    "MATCH (e:`Example`)-[x:{rel}]->(c:{to_label} {{id: $concept}}) "
    "RETURN e.id AS example, x.method AS method, x.method_version AS method_version, "
    "x.confidence AS confidence, x.migrated_from AS migrated_from ORDER BY example LIMIT $limit",
    ConceptEdgeRow,
)
#: the same, for the examples $ids only
CONCEPT_EDGES_OF = Query(
    "MATCH (e:`Example`)-[x:{rel}]->(c:{to_label} {{id: $concept}}) WHERE e.id IN $ids "
    "RETURN e.id AS example, x.method AS method, x.method_version AS method_version, "
    "x.confidence AS confidence, x.migrated_from AS migrated_from ORDER BY example",
    ConceptEdgeRow,
)

#: how many examples have a ({rel}) edge to the concept $concept
CONCEPT_EXAMPLE_COUNT = Query(
    "MATCH (e:`Example`)-[:{rel}]->(c:{to_label} {{id: $concept}}) RETURN count(DISTINCT e) AS n",
    CountRow,
)
