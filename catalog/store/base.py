"""The GraphStore protocol: one contract, two engines (embedded LadybugDB, Neo4j).

Methods take keyword-only typed arguments and return pydantic models or plain Python values,
never driver records. Every write names labels and relationship types that the schema checks.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from catalog.model import CatalogStats, CypherResult, DatasetOverview, NodeRecord
from catalog.schema import Schema

log = logging.getLogger(__name__)


@dataclass
class NodeGroup:
    """Nodes of one label to upsert: each row has an 'id' and any declared properties.

    With `update_existing=False` rows whose id exists are left as they are (first writer wins).
    """

    label: str
    rows: Sequence[Mapping[str, Any]]
    update_existing: bool = True


@dataclass
class RelGroup:
    """Relationships of one type between two labels: rows {'src', 'dst', **properties}.

    `key` names properties that are part of the relationship's identity (two LICENSED_UNDER
    claims of one license by different claimants are two edges); by default an edge is identified
    by its endpoints alone.
    """

    rel_type: str
    from_label: str
    to_label: str
    rows: Sequence[Mapping[str, Any]]
    key: tuple[str, ...] = ()
    update_existing: bool = True


@dataclass
class RelDeletion:
    """Remove the `rel_type` edges leaving the `src_ids` nodes whose `method` is one of `methods`.

    How re-assignment replaces its own earlier edges and leaves others (a person's) alone.
    """

    rel_type: str
    from_label: str
    to_label: str
    src_ids: Sequence[str]
    methods: Sequence[str]


@dataclass
class NodeDeletion:
    """Remove nodes of a label by id, with their edges (a check's earlier findings on a re-run)."""

    label: str
    ids: Sequence[str]


@dataclass
class WriteBatch:
    """Deletions (nodes, then edges), then nodes, then relationships, in one transaction: all of it
    lands, or none of it."""

    nodes: list[NodeGroup] = field(default_factory=list)
    relationships: list[RelGroup] = field(default_factory=list)
    deletions: list[RelDeletion] = field(default_factory=list)
    node_deletions: list[NodeDeletion] = field(default_factory=list)

    def __len__(self) -> int:
        return sum(len(g.rows) for g in self.nodes) + sum(len(g.rows) for g in self.relationships)


@dataclass(frozen=True)
class ExampleWhere:
    """Filters on examples, as the store takes them: concept ids already expanded to descendants,
    a license policy already turned into the origin keys it allows. None: no filter."""

    role: str | None = "supply"
    topics: tuple[str, ...] | None = None
    tasks: tuple[str, ...] | None = None
    formats: tuple[str, ...] | None = None
    language: str | None = None
    dataset: str | None = None
    source: str | None = None
    not_ids: tuple[str, ...] | None = None
    has_issue: bool | None = None
    issue_kind: str | None = None
    synthetic: bool | None = None
    generator: str | None = None
    duplicate: bool | None = None


@dataclass
class WriteResult:
    """What a write created (rows that already existed were updated, not counted)."""

    nodes_created: dict[str, int] = field(default_factory=dict)
    relationships_created: dict[str, int] = field(default_factory=dict)


@runtime_checkable
class GraphStore(Protocol):
    schema: Schema
    engine: str
    #: the most examples one write transaction should hold on this engine (None: no limit)
    max_batch_examples: int | None

    def ensure_schema(self) -> None:
        """Create what the ontology declares (tables / constraints) and seed concepts and licenses. Idempotent."""

    def write(self, *, batch: WriteBatch) -> WriteResult:
        """Upsert the batch's nodes, then its relationships, in one transaction; say what was created."""

    def upsert_nodes(self, *, label: str, rows: Sequence[Mapping[str, Any]]) -> int:
        """Create or update nodes by id; returns the number of rows written."""

    def upsert_relationships(
        self,
        *,
        rel_type: str,
        from_label: str,
        to_label: str,
        rows: Sequence[Mapping[str, Any]],
        key: tuple[str, ...] = (),
    ) -> int:
        """Create missing relationships and update the properties of existing ones."""

    def existing_ids(self, *, label: str, ids: Sequence[str]) -> set[str]:
        """The subset of ids that already exist as nodes of the label."""

    def get_node(self, *, label: str, node_id: str) -> NodeRecord | None: ...

    def count_nodes(self, *, label: str) -> int: ...

    def stats(self) -> CatalogStats:
        """Node count per label and relationship count per type, for every name the ontology declares."""

    def dataset_overview(self) -> list[DatasetOverview]:
        """Per dataset: example count, claimed licenses, models behind its examples."""

    def ping(self) -> None:
        """Reach the engine with a trivial query, without waiting for the catalog's other calls
        (its own connection or session): the server's /health. Raises StoreUnavailable."""

    def read_cypher(
        self,
        *,
        query: str,
        params: Mapping[str, Any] | None = None,
        row_cap: int | None = None,
        timeout_s: float | None = None,
        byte_cap: int | None = None,
    ) -> CypherResult:
        """Run one read-only statement; writes are refused by the engine, not only by a keyword list.
        The answer is cut at `row_cap` rows or `byte_cap` bytes (as JSON), with truncated: true."""

    def examples_by_record_key(self, *, dataset: str, keys: Sequence[str]) -> dict[str, list[str]]:
        """Per record key: the ids of the dataset's examples read from records with that key."""

    # quality (shared Cypher in catalog/store/queries.py)

    def examples_to_check(self, *, tag: str) -> list[str]:
        """Ids of the examples the check `tag` (",name@version,") has not looked at, in order."""

    def examples_for_checks(self, *, ids: Sequence[str]) -> list[dict[str, Any]]:
        """id, messages, tools, has_reasoning, language, checked_with, usage_role of the examples."""

    def issues_of(self, *, ids: Sequence[str], checkers: Sequence[str]) -> list[tuple[str, str]]:
        """(example id, issue id) of the given checkers' issues on the examples."""

    def issue_summary(self) -> list[dict[str, Any]]:
        """Issues and examples per factor, checker, version, kind and severity."""

    def example_issues(self, *, example_id: str) -> list[dict[str, Any]]:
        """Every issue on one example."""

    def examples_with_issues(self, *, severities: Sequence[str]) -> set[str]:
        """Examples with at least one issue of one of the severities."""

    # browsing (shared Cypher in catalog/store/queries_browse.py)

    def list_examples(
        self, *, where: ExampleWhere, after: str | None = None, limit: int = 50
    ) -> list[dict[str, Any]]:
        """A page of examples in id order after `after`: id, prompt_preview, language, n_messages,
        usage_role, coverage_key."""

    def count_examples(self, *, where: ExampleWhere) -> int: ...

    def example_ids_with_prefix(self, *, prefix: str, limit: int) -> list[str]:
        """Example ids that start with `prefix`, in id order, at most `limit`."""

    def example_sources(self, *, example_id: str) -> list[dict[str, Any]]:
        """Where the example was read from: source, file_name, line, record, dataset."""

    def example_links(self, *, example_id: str) -> dict[str, list[Any]]:
        """One example's tasks, formats, topics (concept, method) and duplicate links either way."""

    def sources_overview(self) -> list[dict[str, Any]]:
        """Every source file: its dataset, format, size, checksum, ingest time and examples."""

    def models_overview(self) -> list[dict[str, Any]]:
        """Every model: provider, the roles it played and how many examples it generated."""

    # near-duplicates (shared Cypher in catalog/store/queries.py)

    def selection_rows(self, *, role: str) -> list[tuple[str, str | None, str | None]]:
        """(id, coverage key, language) of every example of the role."""

    def example_ids_of_role(self, *, role: str) -> list[str]:
        """Ids of the examples with the usage role (supply, usage), in order."""

    def example_messages(self, *, ids: Sequence[str]) -> list[tuple[str, str | None]]:
        """(id, messages JSON) of the examples."""

    def duplicate_edges(self, *, ids: Sequence[str]) -> list[tuple[str, str, float, str]]:
        """(member, representative, score, method) of DUPLICATE_OF edges leaving or reaching the ids."""

    def duplicate_members(self) -> list[str]:
        """Examples that have a DUPLICATE_OF edge."""

    def duplicate_clusters(self) -> dict[str, list[tuple[str, float, str]]]:
        """Per representative: its duplicates (member, score, method)."""

    def dedup_facts(self, *, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        """Per example: synthetic (has GENERATED_BY), errors, issues, ingested_at (first source)."""

    def nodes(self, *, label: str, ids: Sequence[str] | None = None) -> list[dict[str, Any]]:
        """Every node of the label (or those with the given ids): its set properties, ordered by id."""

    def edges(
        self, *, rel_type: str, from_label: str, to_label: str, src_ids: Sequence[str] | None = None
    ) -> list[dict[str, Any]]:
        """Every `rel_type` edge between the labels (or leaving `src_ids`) as {src, dst, **properties}."""

    # provenance (shared Cypher in catalog/store/queries.py)

    def lineage_rows(self, *, example_id: str) -> dict[str, list[list[Any]]]:
        """One example's ancestors and every edge to datasets, sources, models and license claims."""

    def origin_rows(self) -> dict[str, list[list[Any]]]:
        """The whole catalog's license inputs, grouped (see catalog/provenance)."""

    def synthetic_rows(self, *, role: str = "supply") -> dict[str, list[list[Any]]]:
        """The synthetic-data audit's inputs (see catalog/provenance/synthetic.py)."""

    def dataset_examples_by_language(
        self, *, dataset: str, language: str, limit: int = 500
    ) -> list[tuple[str, list[str]]]:
        """(id, message languages) of the dataset's examples whose main language is `language`."""

    def example_origin_rows(self) -> dict[str, list[list[Any]]]:
        """Every example's own origins, derived edges, dataset lineage and claims (per-example verdicts)."""

    def license_terms(self) -> dict[str, dict[str, Any]]:
        """Every License node's conditions (kind, commercial_use, share_alike, attribution_required, no_derivatives)."""

    def catalog_datasets(self) -> list[tuple[str, str | None, str | None, str | None]]:
        """(id, name, origin URL, manifest JSON) of every dataset."""

    # classification and coverage (shared Cypher in catalog/store/queries.py)

    def example_ids(self, *, unclassified_only: bool = False) -> list[str]:
        """Every example id in order, or those without a format yet (never classified)."""

    def dataset_example_ids(self, *, dataset: str) -> list[str]:
        """The ids of the dataset's examples, in order."""

    def examples_for_classification(self, *, ids: Sequence[str]) -> list[dict[str, Any]]:
        """id, messages, tools, has_tool_calls, has_reasoning, n_user_turns of the given examples."""

    def assignments(self, *, rel_type: str, ids: Sequence[str]) -> dict[str, list[tuple[str, str | None]]]:
        """Per example id: (concept id, method) of its FOR_TASK, ABOUT or HAS_FORMAT edges."""

    def coverage_census(self) -> dict[str, list[tuple[Any, ...]]]:
        """Every example as (role, tasks, formats, language, topics, message languages, count), merged,
        in one pass: "all" of them and the "duplicates" among them."""

    def census_of(self, *, ids: Sequence[str]) -> list[tuple[Any, ...]]:
        """The census rows (as coverage_census) of the given examples."""

    def coverage_signatures(
        self, *, role: str = "supply", with_duplicates: bool = True
    ) -> list[tuple[tuple[str, ...], tuple[str, ...], str | None, tuple[str, ...], int]]:
        """(tasks, formats, language, topics, examples) for every combination present in the role."""

    def recording(self) -> Any:
        """A context manager: the list of (query, params) this thread runs on the store meanwhile."""

    def flush(self) -> None:
        """Make what was committed compact on disk (a checkpoint); committed data is durable either way."""

    def close(self) -> None: ...
