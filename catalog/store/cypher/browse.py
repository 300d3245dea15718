"""Browsing queries: examples by filter with cursor pagination, one example's links, the sources,
models and datasets overviews. `{where}` takes fixed fragments (catalog/store/queries_browse.py)."""

from __future__ import annotations

import logging
from typing import NamedTuple

from catalog.store.cypher.quality import DuplicateRow
from catalog.store.cypher.writes import CountRow, IdRow
from catalog.store.query import Query

log = logging.getLogger(__name__)


class ExampleListRow(NamedTuple):
    id: str
    prompt_preview: str | None
    language: str | None
    n_messages: int | None
    usage_role: str | None
    coverage_key: str | None


class ExampleSourceRefRow(NamedTuple):
    source: str
    file_name: str | None
    line: int | None
    record: int | None
    dataset: str | None


class ConceptMethodRow(NamedTuple):
    concept: str
    method: str | None


class SourceOverviewRow(NamedTuple):
    id: str
    file_name: str | None
    format: str | None
    byte_size: int | None
    checksum: str | None
    ingested_at: str | None
    usage_role: str | None
    dataset: str | None
    examples: int


class ModelOverviewRow(NamedTuple):
    id: str
    name: str | None
    provider: str | None
    role: str | None
    examples: int


class DatasetCountRow(NamedTuple):
    dataset: str
    examples: int


class DatasetLicenseRow(NamedTuple):
    dataset: str
    license: str
    claimed_by: str | None


class DatasetModelNameRow(NamedTuple):
    dataset: str
    model: str


LIST_EXAMPLES = Query(
    "MATCH (e:`Example`){where} "
    "RETURN e.id AS id, e.prompt_preview AS prompt_preview, e.language AS language, "
    "e.n_messages AS n_messages, e.usage_role AS usage_role, e.coverage_key AS coverage_key "
    "ORDER BY e.id LIMIT $limit",
    ExampleListRow,
)
COUNT_EXAMPLES = Query("MATCH (e:`Example`){where} RETURN count(e) AS n", CountRow)
#: ids that start with a prefix (a short id as the CLI prints it), in order, at most $limit
EXAMPLE_IDS_WITH_PREFIX = Query(
    "MATCH (e:`Example`) WHERE e.id STARTS WITH $prefix RETURN e.id AS id ORDER BY e.id LIMIT $limit", IdRow
)
EXAMPLE_SOURCES = Query(
    "MATCH (e:`Example` {id: $id})-[f:`FROM_SOURCE`]->(s:`Source`) OPTIONAL MATCH (s)-[:`IN_DATASET`]->(d:`Dataset`) "
    "RETURN s.id AS source, s.file_name AS file_name, f.line AS line, f.record AS record, d.id AS dataset "
    "ORDER BY s.id",
    ExampleSourceRefRow,
)
#: one example's assignments and duplicate links, anchored on its id (an UNWIND probe costs the
#: embedded engine ~10 ms per relationship type even for one id)
EXAMPLE_ASSIGNMENTS = Query(
    "MATCH (e:`Example` {{id: $id}})-[x:{rel}]->(c:{to_label}) RETURN c.id AS concept, x.method AS method "
    "ORDER BY c.id",
    ConceptMethodRow,
)


class ExampleLabelRow(NamedTuple):
    """One label edge of an example: its concept and how it was made."""

    example: str
    concept: str
    method: str | None
    method_version: str | None
    confidence: float | None


#: the label edges ({rel} to {to_label}) of the examples $ids, with method, version and confidence
EXAMPLES_LABELS = Query(
    "MATCH (e:`Example`)-[x:{rel}]->(c:{to_label}) WHERE e.id IN $ids "
    "RETURN e.id AS example, c.id AS concept, x.method AS method, x.method_version AS method_version, "
    "x.confidence AS confidence ORDER BY example, concept",
    ExampleLabelRow,
)
EXAMPLE_DUPLICATE_OF = Query(
    "MATCH (e:`Example` {id: $id})-[d:`DUPLICATE_OF`]->(r:`Example`) "
    "RETURN e.id AS member, r.id AS representative, d.score AS score, d.method AS method",
    DuplicateRow,
)
EXAMPLE_DUPLICATES = Query(
    "MATCH (e:`Example`)-[d:`DUPLICATE_OF`]->(r:`Example` {id: $id}) "
    "RETURN e.id AS member, r.id AS representative, d.score AS score, d.method AS method",
    DuplicateRow,
)
SOURCES_OVERVIEW = Query(
    "MATCH (s:`Source`) OPTIONAL MATCH (s)-[:`IN_DATASET`]->(d:`Dataset`) "
    "OPTIONAL MATCH (e:`Example`)-[:`FROM_SOURCE`]->(s) "
    "RETURN s.id AS id, s.file_name AS file_name, s.format AS format, s.byte_size AS byte_size, "
    "s.checksum AS checksum, s.ingested_at AS ingested_at, s.usage_role AS usage_role, d.id AS dataset, "
    "count(e) AS examples ORDER BY id",
    SourceOverviewRow,
)
MODELS_OVERVIEW = Query(
    "MATCH (m:`Model`) OPTIONAL MATCH (a:`Activity`)-[u:`USED_MODEL`]->(m) "
    "OPTIONAL MATCH (e:`Example`)-[:`GENERATED_BY`]->(a) "
    "RETURN m.id AS id, m.name AS name, m.provider AS provider, u.role AS role, count(DISTINCT e) AS examples "
    "ORDER BY id",
    ModelOverviewRow,
)
DATASET_EXAMPLES = Query(
    "MATCH (d:`Dataset`) OPTIONAL MATCH (e:`Example`)-[:`IN_DATASET`]->(d) "
    "RETURN d.id AS dataset, count(e) AS examples ORDER BY dataset",
    DatasetCountRow,
)
DATASET_LICENSES = Query(
    "MATCH (d:`Dataset`)-[c:`LICENSED_UNDER`]->(l:`License`) "
    "RETURN d.id AS dataset, l.id AS license, c.claimed_by AS claimed_by ORDER BY d.id, l.id",
    DatasetLicenseRow,
)
DATASET_MODELS = Query(
    "MATCH (e:`Example`)-[:`IN_DATASET`]->(d:`Dataset`) "
    "MATCH (e)-[:`GENERATED_BY`]->(:`Activity`)-[:`USED_MODEL`]->(m:`Model`) "
    "RETURN DISTINCT d.id AS dataset, m.name AS model ORDER BY dataset, model",
    DatasetModelNameRow,
)
