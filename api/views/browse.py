"""Browsing the catalog: examples by filter with cursor pagination, one example in full, concept
trees with counts, and the overviews of sources, datasets, licenses and models. The API and the
dashboards call these; the store holds the Cypher."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any, Literal

import orjson
from pydantic import BaseModel, ConfigDict, Field

from catalog.census import census_signatures, parse_key
from catalog.coverage.report import CoverageMatrix
from catalog.coverage.spec import DEFAULT_MIN_CONFIDENCE
from catalog.errors import CatalogError, NotFound
from catalog.provenance import lineage, usable_examples
from catalog.provenance.lineage import Lineage
from catalog.schema import Concept, Schema
from catalog.store.base import ExampleWhere, GraphStore
from catalog.where import with_narrower

log = logging.getLogger(__name__)

MAX_PAGE = 500


class ExampleFilters(BaseModel):
    """What a user filters examples by. Topics and tasks include their descendants."""

    model_config = ConfigDict(extra="forbid")

    topic: str | None = None
    task: str | None = None
    format: str | None = None
    language: str | None = None
    dataset: str | None = None
    source: str | None = None
    license_policy: Literal["commercial"] | None = None
    has_issue: bool | None = None
    issue_kind: str | None = None
    synthetic: bool | None = None
    generator: str | None = None
    duplicate: bool | None = None
    role: Literal["supply", "usage", "any"] = "supply"
    min_confidence: float | None = Field(
        default=None,
        ge=0.0,
        le=1.0,
        description="With a topic or task: count only assignments at or above this confidence "
        "(the gap report's threshold makes a heatmap cell's examples; unset: every assignment).",
    )

    def given(self) -> dict[str, Any]:
        return {
            k: v
            for k, v in self.model_dump().items()
            if v is not None and not (k == "role" and v == "supply")
        }


class ExampleSummary(BaseModel):
    id: str
    prompt_preview: str | None
    language: str | None
    n_messages: int | None
    usage_role: str | None
    tasks: list[str]
    formats: list[str]
    topics: list[str]


class ExamplesPage(BaseModel):
    data: list[ExampleSummary]
    count: int = Field(description="Examples matching the filters, on all pages.")
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last.")


class Assignment(BaseModel):
    concept: str
    method: str | None


class DuplicateLink(BaseModel):
    relation: Literal["duplicate of", "kept for"]
    id: str
    score: float
    method: str


class ExampleDetail(BaseModel):
    id: str
    messages: list[dict[str, Any]]
    tools: list[Any]
    language: str | None
    message_languages: list[str]
    usage_role: str | None
    tasks: list[Assignment]
    formats: list[Assignment]
    topics: list[Assignment]
    sources: list[dict[str, Any]]
    issues: list[dict[str, Any]]
    duplicates: list[DuplicateLink]
    lineage: Lineage


def to_where(store: GraphStore, f: ExampleFilters) -> ExampleWhere:
    schema = store.schema
    refused: tuple[str, ...] | None = None
    if f.license_policy:
        verdicts = usable_examples(store, policy=f.license_policy)
        refused = tuple(sorted(i for i, ok in verdicts.items() if not ok))
    return ExampleWhere(
        role=None if f.role == "any" else f.role,
        topics=with_narrower(schema.topics, f.topic, "topic") if f.topic is not None else None,
        tasks=with_narrower(schema.tasks, f.task, "task") if f.task is not None else None,
        formats=with_narrower(schema.formats, f.format, "format") if f.format is not None else None,
        language=f.language,
        dataset=f.dataset,
        source=f.source,
        not_ids=refused,
        has_issue=f.has_issue,
        issue_kind=f.issue_kind,
        synthetic=f.synthetic,
        generator=f.generator,
        duplicate=f.duplicate,
        min_confidence=f.min_confidence or 0.0,
    )


def _summary(row: Mapping[str, Any]) -> ExampleSummary:
    tasks, formats, topics = parse_key(row["coverage_key"]) if row.get("coverage_key") else ((), (), ())
    return ExampleSummary(
        id=row["id"],
        prompt_preview=row.get("prompt_preview"),
        language=row.get("language"),
        n_messages=row.get("n_messages"),
        usage_role=row.get("usage_role"),
        tasks=list(tasks),
        formats=list(formats),
        topics=list(topics),
    )


def list_examples(
    store: GraphStore, f: ExampleFilters, *, cursor: str | None = None, limit: int = 50
) -> ExamplesPage:
    if not 1 <= limit <= MAX_PAGE:
        raise CatalogError(f"limit {limit} is out of range", hint=f"give 1 to {MAX_PAGE}")
    where = to_where(store, f)
    rows = store.list_examples(where=where, after=cursor, limit=limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    return ExamplesPage(
        data=[_summary(r) for r in rows],
        count=store.count_examples(where=where),
        next_cursor=rows[-1]["id"] if more and rows else None,
    )


def example_detail(store: GraphStore, example_id: str) -> ExampleDetail:
    node = store.get_node(label="Example", node_id=example_id)
    if node is None:
        raise NotFound("example", example_id, hint="ids are the 32-hex ids the list and Cypher show")
    p = node.properties
    links = store.example_links(example_id=example_id)
    kinds = {
        k: [Assignment(concept=a.concept, method=a.method) for a in assigned]
        for k, assigned in (("tasks", links.tasks), ("formats", links.formats), ("topics", links.topics))
    }
    dups = [
        DuplicateLink(
            relation="duplicate of" if d.member == example_id else "kept for",
            id=d.representative if d.member == example_id else d.member,
            score=d.score,
            method=d.method,
        )
        for d in links.duplicates
    ]
    return ExampleDetail(
        id=example_id,
        messages=orjson.loads(p["messages"]) if p.get("messages") else [],
        tools=orjson.loads(p["tools"]) if p.get("tools") else [],
        language=p.get("language"),
        message_languages=list(p.get("message_languages") or []),
        usage_role=p.get("usage_role"),
        tasks=kinds["tasks"],
        formats=kinds["formats"],
        topics=kinds["topics"],
        sources=store.example_sources(example_id=example_id),
        issues=store.example_issues(example_id=example_id),
        duplicates=dups,
        lineage=lineage(store, example_id),
    )


class ConceptNode(BaseModel):
    id: str
    label: str
    examples: int = Field(
        description="Supply examples assigned it or any of its descendants (each once), counting only "
        "task and topic assignments at or above the tree's confidence threshold, as the gap report does."
    )
    children: list[ConceptNode] = Field(default_factory=list)


def concept_tree(
    store: GraphStore,
    scheme: Literal["topic", "task", "format"],
    *,
    min_confidence: float = DEFAULT_MIN_CONFIDENCE,
) -> list[ConceptNode]:
    """The scheme as a tree, each concept with its example count rolled up the hierarchy; a task or
    topic assigned below `min_confidence` does not count (the gap report's default threshold)."""
    schema: Schema = store.schema
    signatures = census_signatures(store.coverage_census(), role="supply", min_confidence=min_confidence)
    matrix = CoverageMatrix(schema, signatures)
    counts = matrix.marginal(scheme)
    concepts = {"topic": schema.topics, "task": schema.tasks, "format": schema.formats}[scheme]

    def node(c: Concept) -> ConceptNode:
        kids = sorted((k for k in concepts.values() if k.broader == c.id), key=lambda k: k.id)
        return ConceptNode(
            id=c.id, label=c.label, examples=counts.get(c.id, 0), children=[node(k) for k in kids]
        )

    return [node(c) for c in sorted(concepts.values(), key=lambda c: c.id) if not c.broader]
