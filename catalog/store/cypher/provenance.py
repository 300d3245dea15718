"""Provenance queries: lineage, origins, license claims and terms, the synthetic-data audit."""

from __future__ import annotations

import logging
from typing import NamedTuple

from catalog.store.cypher.writes import IdRow
from catalog.store.query import Query

log = logging.getLogger(__name__)


class RecordKeyRow(NamedTuple):
    key: str
    id: str


class ParentRow(NamedTuple):
    """A DERIVED_FROM edge: child, parent and how the child was made from it."""

    child: str
    parent: str
    method: str | None


class ExampleDatasetRow(NamedTuple):
    example: str
    dataset: str


class ExampleSourceRow(NamedTuple):
    example: str
    source: str
    line: int | None
    record: int | None
    file_name: str | None
    checksum: str | None
    archive_path: str | None
    dataset: str


class ExampleModelRow(NamedTuple):
    example: str
    activity: str
    kind: str | None
    model: str
    name: str | None
    role: str | None


class ClaimRow(NamedTuple):
    """A LICENSED_UNDER claim on a node of one label (Dataset, Source, Model)."""

    holder: str
    license: str
    claimed_by: str | None
    evidence: str | None


class OriginGroupRow(NamedTuple):
    datasets: list[str]
    sources: list[str]
    models: list[str]
    examples: int


class ExampleOriginsRow(NamedTuple):
    id: str
    datasets: list[str]
    sources: list[str]
    models: list[str]


class EdgePairRow(NamedTuple):
    """A DERIVED_FROM edge between two nodes of one label, without its method."""

    child: str
    parent: str


class OriginKeyCountRow(NamedTuple):
    origin_key: str
    examples: int


class DerivedOriginKeyRow(NamedTuple):
    child: str
    child_key: str | None
    parent: str
    parent_key: str | None


class ExampleOriginKeyRow(NamedTuple):
    id: str
    origin_key: str | None


class ActivityModelRow(NamedTuple):
    activity: str
    model: str


class ExampleTargetRow(NamedTuple):
    """An example and the node one of its edges reaches."""

    id: str
    target: str


class SourceDatasetRow(NamedTuple):
    source: str
    dataset: str


class LicenseTermsRow(NamedTuple):
    id: str
    kind: str | None
    commercial_use: bool | None
    share_alike: bool | None
    attribution_required: bool | None
    no_derivatives: bool | None


class DatasetRow(NamedTuple):
    id: str
    name: str | None
    origin_url: str | None
    manifest: str | None


class DatasetModelClaimRow(NamedTuple):
    dataset: str
    model: str
    name: str | None
    claimed_by: str | None


class SyntheticSignatureRow(NamedTuple):
    coverage_key: str | None
    language: str | None
    model: str
    role: str | None
    examples: int


class SyntheticTotalRow(NamedTuple):
    examples: int


class DatasetLanguagesRow(NamedTuple):
    dataset: str
    declared: list[str] | None
    language: str | None
    message_languages: list[str] | None
    examples: int


class ExampleLanguagesRow(NamedTuple):
    id: str
    message_languages: list[str] | None


class DerivationLanguagesRow(NamedTuple):
    child: str
    parent: str
    method: str | None
    child_language: str | None
    parent_language: str | None
    child_message_languages: list[str] | None
    parent_message_languages: list[str] | None


class ModelDatasetRow(NamedTuple):
    model: str
    dataset: str


class ModelBaseRow(NamedTuple):
    model: str
    base: str


class DatasetGeneratorRow(NamedTuple):
    dataset: str
    model: str
    examples: int


EXAMPLES_BY_RECORD_KEY = Query(
    "UNWIND $keys AS k MATCH (e:`Example` {record_key: k})-[:`IN_DATASET`]->(:`Dataset` {id: $dataset}) "
    "RETURN k AS key, e.id AS id",
    RecordKeyRow,
)

# ---------------------------------------------------------------- one example's lineage

EXAMPLE_ANCESTORS = Query(
    "MATCH (e:`Example` {id: $id})-[:`DERIVED_FROM`*1..30]->(a:`Example`) RETURN DISTINCT a.id AS id", IdRow
)
DATASET_ANCESTORS = Query(
    "UNWIND $ids AS i MATCH (d:`Dataset` {id: i})-[:`DERIVED_FROM`*1..30]->(p:`Dataset`) "
    "RETURN DISTINCT p.id AS id",
    IdRow,
)
#: the example-level lineage queries start from the one example and walk its DERIVED_FROM chain
#: (*0..30 includes the example itself): anchored on one id, both engines use the key index; an
#: `UNWIND $ids` probe joins against the whole edge table on the embedded engine (30 ms at 100k)
_CHAIN = "MATCH (e:`Example` {id: $id})-[:`DERIVED_FROM`*0..30]->(x:`Example`)"
#: the DERIVED_FROM edges leaving the chain's examples: a hop after the variable-length pattern costs
#: the embedded engine 30 ms at 1M (it joins the whole edge table), so the chain's ids come first
#: (EXAMPLE_ANCESTORS, 1 ms) and then their edges: UNWIND on Neo4j, one anchored query per id embedded
#: (0.1 ms each; an UNWIND probe there takes 100 ms)
PARENTS_OF = Query(
    "UNWIND $ids AS i MATCH (x:`Example` {id: i})-[r:`DERIVED_FROM`]->(p:`Example`) "
    "RETURN x.id AS child, p.id AS parent, r.method AS method",
    ParentRow,
)
PARENTS_OF_ONE_EMBEDDED = Query(
    "MATCH (x:`Example` {id: $id})-[r:`DERIVED_FROM`]->(p:`Example`) "
    "RETURN x.id AS child, p.id AS parent, r.method AS method",
    ParentRow,
)
LINEAGE_DATASET_PARENTS = Query(
    "UNWIND $ids AS i MATCH (x:`Dataset` {id: i})-[r:`DERIVED_FROM`]->(p:`Dataset`) "
    "RETURN x.id AS child, p.id AS parent, r.method AS method",
    ParentRow,
)
LINEAGE_DATASETS = Query(
    _CHAIN + "-[:`IN_DATASET`]->(d:`Dataset`) RETURN DISTINCT x.id AS example, d.id AS dataset",
    ExampleDatasetRow,
)
LINEAGE_SOURCES = Query(
    _CHAIN + "-[f:`FROM_SOURCE`]->(s:`Source`)-[:`IN_DATASET`]->(d:`Dataset`) "
    "RETURN DISTINCT x.id AS example, s.id AS source, f.line AS line, f.record AS record, "
    "s.file_name AS file_name, s.checksum AS checksum, s.archive_path AS archive_path, d.id AS dataset",
    ExampleSourceRow,
)
LINEAGE_MODELS = Query(
    _CHAIN + "-[:`GENERATED_BY`]->(a:`Activity`)-[u:`USED_MODEL`]->(m:`Model`) "
    "RETURN DISTINCT x.id AS example, a.id AS activity, a.kind AS kind, m.id AS model, m.name AS name, "
    "u.role AS role",
    ExampleModelRow,
)
#: who labelled the example: the annotation activities it is ANNOTATED_IN and their models (not
#: origins: an annotator's terms do not reach the data it labelled)
LINEAGE_ANNOTATIONS = Query(
    "MATCH (x:`Example` {id: $id})-[:`ANNOTATED_IN`]->(a:`Activity`)-[u:`USED_MODEL`]->(m:`Model`) "
    "RETURN DISTINCT x.id AS example, a.id AS activity, a.kind AS kind, m.id AS model, m.name AS name, "
    "u.role AS role",
    ExampleModelRow,
)
#: license claims on given nodes of one label (Dataset, Source, Model)
LICENSE_CLAIMS = Query(
    "UNWIND $ids AS i MATCH (n:{label} {{id: i}})-[c:`LICENSED_UNDER`]->(l:`License`) "
    "RETURN n.id AS holder, l.id AS license, c.claimed_by AS claimed_by, c.evidence AS evidence",
    ClaimRow,
)
LINEAGE_DATASET_MODELS = Query(
    "UNWIND $ids AS i MATCH (d:`Dataset` {id: i})-[g:`GENERATED_BY`]->(:`Activity`)-[:`USED_MODEL`]->(m:`Model`) "
    "RETURN d.id AS dataset, m.id AS model, m.name AS name, g.claimed_by AS claimed_by",
    DatasetModelClaimRow,
)

# ---------------------------------------------------------------- the whole catalog's origins

_ORIGINS = (
    "OPTIONAL MATCH (e)-[:`IN_DATASET`]->(d:`Dataset`) WITH e, collect(d.id) AS datasets "
    "OPTIONAL MATCH (e)-[:`FROM_SOURCE`]->(s:`Source`) WITH e, datasets, collect(s.id) AS sources "
    "OPTIONAL MATCH (e)-[:`GENERATED_BY`]->(:`Activity`)-[:`USED_MODEL`]->(m:`Model`) "
    "WITH e, datasets, sources, collect(m.id) AS models "
)
#: the whole catalog, grouped by what an example draws on directly
EXAMPLE_ORIGINS = Query(
    "MATCH (e:`Example`) WHERE NOT EXISTS { MATCH (e)-[:`DERIVED_FROM`]->(:`Example`) } "
    + _ORIGINS
    + "RETURN datasets AS datasets, sources AS sources, models AS models, count(*) AS examples",
    OriginGroupRow,
)
#: examples that derive from others: their own origins, one row each
DERIVED_ORIGINS = Query(
    "MATCH (e:`Example`)-[:`DERIVED_FROM`]->(:`Example`) WITH DISTINCT e "
    + _ORIGINS
    + "RETURN e.id AS id, datasets AS datasets, sources AS sources, models AS models",
    ExampleOriginsRow,
)
DERIVED_EDGES = Query(
    "MATCH (e:`Example`)-[:`DERIVED_FROM`]->(p:`Example`) RETURN e.id AS child, p.id AS parent", EdgePairRow
)
#: the origin key the store keeps on each example (catalog/store/coverage_key.py): one group-by
ORIGIN_KEY_GROUPS = Query(
    "MATCH (e:`Example`) WHERE e.origin_key IS NOT NULL RETURN e.origin_key AS origin_key, count(*) AS examples",
    OriginKeyCountRow,
)
DERIVED_ORIGIN_KEYS = Query(
    "MATCH (e:`Example`)-[:`DERIVED_FROM`]->(p:`Example`) "
    "RETURN e.id AS child, e.origin_key AS child_key, p.id AS parent, p.origin_key AS parent_key",
    DerivedOriginKeyRow,
)
EXAMPLE_ORIGIN_KEYS = Query(
    "MATCH (e:`Example`) RETURN e.id AS id, e.origin_key AS origin_key", ExampleOriginKeyRow
)
ACTIVITY_MODELS = Query(
    "MATCH (a:`Activity`)-[:`USED_MODEL`]->(m:`Model`) RETURN a.id AS activity, m.id AS model",
    ActivityModelRow,
)
#: the direct origins of given examples, one relationship at a time: anchored on the ids, each is
#: an index lookup (a `WHERE e.id IN $ids` filter with collect() stages scans every example: 11 s at 1M)
DATASETS_OF = Query(
    "UNWIND $ids AS i MATCH (e:`Example` {id: i})-[:`IN_DATASET`]->(d:`Dataset`) RETURN e.id AS id, d.id AS target",
    ExampleTargetRow,
)
SOURCES_OF = Query(
    "UNWIND $ids AS i MATCH (e:`Example` {id: i})-[:`FROM_SOURCE`]->(s:`Source`) RETURN e.id AS id, s.id AS target",
    ExampleTargetRow,
)
MODELS_OF = Query(
    "UNWIND $ids AS i MATCH (e:`Example` {id: i})-[:`GENERATED_BY`]->(:`Activity`)-[:`USED_MODEL`]->(m:`Model`) "
    "RETURN e.id AS id, m.id AS target",
    ExampleTargetRow,
)
ALL_DATASET_EDGES = Query(
    "MATCH (d:`Dataset`)-[:`DERIVED_FROM`]->(p:`Dataset`) RETURN d.id AS child, p.id AS parent", EdgePairRow
)
ALL_CLAIMS = Query(
    "MATCH (n:{label})-[c:`LICENSED_UNDER`]->(l:`License`) "
    "RETURN n.id AS holder, l.id AS license, c.claimed_by AS claimed_by, c.evidence AS evidence",
    ClaimRow,
)
SOURCE_DATASETS = Query(
    "MATCH (s:`Source`)-[:`IN_DATASET`]->(d:`Dataset`) RETURN s.id AS source, d.id AS dataset",
    SourceDatasetRow,
)
LICENSE_TERMS = Query(
    "MATCH (l:`License`) RETURN l.id AS id, l.kind AS kind, l.commercial_use AS commercial_use, "
    "l.share_alike AS share_alike, l.attribution_required AS attribution_required, "
    "l.no_derivatives AS no_derivatives",
    LicenseTermsRow,
)
CATALOG_DATASETS = Query(
    "MATCH (d:`Dataset`) RETURN d.id AS id, d.name AS name, d.origin_url AS origin_url, d.manifest AS manifest "
    "ORDER BY d.id",
    DatasetRow,
)
#: who claims which model generated a dataset (a manifest, the DPI)
DATASET_MODEL_CLAIMS = Query(
    "MATCH (d:`Dataset`)-[g:`GENERATED_BY`]->(:`Activity`)-[:`USED_MODEL`]->(m:`Model`) "
    "RETURN d.id AS dataset, m.id AS model, m.name AS name, g.claimed_by AS claimed_by ORDER BY d.id, m.id",
    DatasetModelClaimRow,
)

# ---------------------------------------------------------------- synthetic-data audit

#: examples per (assignments, language, generating model, its role)
SYNTHETIC_SIGNATURES = Query(
    "MATCH (e:`Example`)-[:`GENERATED_BY`]->(:`Activity`)-[u:`USED_MODEL`]->(m:`Model`) "
    "WHERE e.usage_role = $role RETURN e.coverage_key AS coverage_key, e.language AS language, "
    "m.id AS model, u.role AS role, count(DISTINCT e) AS examples",
    SyntheticSignatureRow,
)
SYNTHETIC_TOTAL = Query(
    "MATCH (e:`Example`)-[:`GENERATED_BY`]->(:`Activity`)-[:`USED_MODEL`]->(:`Model`) "
    "WHERE e.usage_role = $role RETURN count(DISTINCT e) AS examples",
    SyntheticTotalRow,
)
#: every role: a demand set can drift from its declared languages as well
DATASET_LANGUAGES = Query(
    "MATCH (e:`Example`)-[:`IN_DATASET`]->(d:`Dataset`) "
    "RETURN d.id AS dataset, d.languages AS declared, e.language AS language, "
    "e.message_languages AS message_languages, count(*) AS examples",
    DatasetLanguagesRow,
)
DATASET_EXAMPLES_BY_LANGUAGE = Query(
    "MATCH (e:`Example`)-[:`IN_DATASET`]->(:`Dataset` {id: $dataset}) WHERE e.language = $language "
    "RETURN e.id AS id, e.message_languages AS message_languages ORDER BY e.id LIMIT $limit",
    ExampleLanguagesRow,
)
PARENT_LANGUAGES = Query(
    "MATCH (c:`Example`)-[r:`DERIVED_FROM`]->(p:`Example`) "
    "RETURN c.id AS child, p.id AS parent, r.method AS method, c.language AS child_language, "
    "p.language AS parent_language, c.message_languages AS child_message_languages, "
    "p.message_languages AS parent_message_languages",
    DerivationLanguagesRow,
)
MODEL_TRAINING = Query(
    "MATCH (m:`Model`)-[:`TRAINED_ON`]->(d:`Dataset`) RETURN m.id AS model, d.id AS dataset", ModelDatasetRow
)
MODEL_BASES = Query(
    "MATCH (m:`Model`)-[:`FINE_TUNED_FROM`]->(b:`Model`) RETURN m.id AS model, b.id AS base", ModelBaseRow
)
DATASET_GENERATORS = Query(
    "MATCH (e:`Example`)-[:`IN_DATASET`]->(d:`Dataset`) "
    "MATCH (e)-[:`GENERATED_BY`]->(:`Activity`)-[:`USED_MODEL`]->(g:`Model`) "
    "RETURN d.id AS dataset, g.id AS model, count(DISTINCT e) AS examples",
    DatasetGeneratorRow,
)
