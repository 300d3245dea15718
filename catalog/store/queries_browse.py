"""Browsing queries (examples by filter with cursor pagination, sources, models), shared by both
engines. Filters are fixed Cypher fragments chosen by which filters are set; values are `$params`."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from catalog.store import cypher as Q
from catalog.store.batch import ExampleWhere
from catalog.store.cypher.browse import ConceptMethodRow, ExampleLabelRow
from catalog.store.cypher.quality import DuplicateEdge
from catalog.store.queries_base import QueryBase
from catalog.store.queries_quality import duplicate_edge

log = logging.getLogger(__name__)

#: (filter field, fragment); a fragment joins the WHERE clause when its field is set
_FILTERS: tuple[tuple[str, str], ...] = (
    ("role", "e.usage_role = $role"),
    # a task or topic counts at the filter's confidence threshold, as coverage counts it (1e-6: the
    # census floors confidences to hundredths after rounding to 6 places; an edge without one is sure)
    (
        "topics",
        "EXISTS { MATCH (e)-[a:`ABOUT`]->(t:`Topic`) WHERE t.id IN $topics "
        "AND coalesce(a.confidence, 1.0) >= $min_confidence - 1e-6 }",
    ),
    (
        "tasks",
        "EXISTS { MATCH (e)-[a:`FOR_TASK`]->(k:`Task`) WHERE k.id IN $tasks "
        "AND coalesce(a.confidence, 1.0) >= $min_confidence - 1e-6 }",
    ),
    ("formats", "EXISTS { MATCH (e)-[:`HAS_FORMAT`]->(f:`Format`) WHERE f.id IN $formats }"),
    ("language", "e.language = $language"),
    ("dataset", "EXISTS { MATCH (e)-[:`IN_DATASET`]->(d:`Dataset`) WHERE d.id = $dataset }"),
    ("source", "EXISTS { MATCH (e)-[:`FROM_SOURCE`]->(s:`Source`) WHERE s.id = $source }"),
    ("not_ids", "NOT e.id IN $not_ids"),
    ("issue_kind", "EXISTS { MATCH (e)-[:`HAS_ISSUE`]->(q:`QualityIssue`) WHERE q.kind = $issue_kind }"),
    (
        "generator",
        "EXISTS { MATCH (e)-[:`GENERATED_BY`]->(:`Activity`)-[:`USED_MODEL`]->(m:`Model`) WHERE m.id = $generator }",
    ),
)
#: (filter field, fragment when True, fragment when False)
_FLAGS: tuple[tuple[str, str], ...] = (
    ("has_issue", "EXISTS { MATCH (e)-[:`HAS_ISSUE`]->(:`QualityIssue`) }"),
    ("synthetic", "EXISTS { MATCH (e)-[:`GENERATED_BY`]->(:`Activity`) }"),
    ("duplicate", "EXISTS { MATCH (e)-[:`DUPLICATE_OF`]->(:`Example`) }"),
)


@dataclass
class ExampleLinks:
    """One example's tasks, formats and topics (concept, method), and its DUPLICATE_OF edges either way."""

    tasks: list[ConceptMethodRow]
    formats: list[ConceptMethodRow]
    topics: list[ConceptMethodRow]
    duplicates: list[DuplicateEdge]


def _where(where: ExampleWhere, after: str | None = None) -> tuple[str, dict[str, Any]]:
    clauses, params = [], {}
    for field, fragment in _FILTERS:
        value = getattr(where, field)
        if value is not None:
            clauses.append(fragment)
            params[field] = list(value) if isinstance(value, tuple) else value
    if where.topics is not None or where.tasks is not None:
        params["min_confidence"] = where.min_confidence
    for field, fragment in _FLAGS:
        value = getattr(where, field)
        if value is not None:
            clauses.append(fragment if value else f"NOT {fragment}")
    if after is not None:
        clauses.append("e.id > $after")
        params["after"] = after
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


class BrowseQueries(QueryBase):
    def list_examples(
        self, *, where: ExampleWhere, after: str | None = None, limit: int = 50
    ) -> list[dict[str, Any]]:
        # `e.id > ""` on the first page too: Neo4j then walks the id index in order and stops at the
        # limit instead of sorting every match (4 ms instead of 160 ms for 35k matches of 100k)
        clause, params = _where(where, after if after is not None else "")
        rows = self._fetch(Q.LIST_EXAMPLES.format(where=clause), {**params, "limit": int(limit)})
        return [r._asdict() for r in rows]

    def example_ids_with_prefix(self, *, prefix: str, limit: int) -> list[str]:
        """Example ids that start with `prefix`, in id order, at most `limit`."""
        return [
            str(i) for i in self._column(Q.EXAMPLE_IDS_WITH_PREFIX, {"prefix": prefix, "limit": int(limit)})
        ]

    def count_examples(self, *, where: ExampleWhere) -> int:
        clause, params = _where(where)
        return int(self._fetch(Q.COUNT_EXAMPLES.format(where=clause), params)[0].n)

    def example_sources(self, *, example_id: str) -> list[dict[str, Any]]:
        return [r._asdict() for r in self._fetch(Q.EXAMPLE_SOURCES, {"id": example_id})]

    def example_links(self, *, example_id: str) -> ExampleLinks:
        """One example's FOR_TASK / HAS_FORMAT / ABOUT targets with their method, and its DUPLICATE_OF
        edges either way as (member, representative, score, method)."""
        one = {"id": example_id}

        def targets(rel: str, target: str) -> list[ConceptMethodRow]:
            query = Q.EXAMPLE_ASSIGNMENTS.format(
                rel=Q.rel_type(self.schema, rel), to_label=Q.label(self.schema, target)
            )
            return self._fetch(query, one)

        rows = self._fetch(Q.EXAMPLE_DUPLICATE_OF, one) + self._fetch(Q.EXAMPLE_DUPLICATES, one)
        return ExampleLinks(
            tasks=targets("FOR_TASK", "Task"),
            formats=targets("HAS_FORMAT", "Format"),
            topics=targets("ABOUT", "Topic"),
            duplicates=sorted(duplicate_edge(r) for r in rows),
        )

    def examples_labels(self, *, ids: Sequence[str]) -> dict[str, dict[str, list[ExampleLabelRow]]]:
        """The task, topic and risk edges of the examples `ids`, with method, version and confidence:
        {example: {"task" | "topic" | "risk": [rows]}} (every id present, maybe with no rows)."""
        out: dict[str, dict[str, list[ExampleLabelRow]]] = {
            i: {"task": [], "topic": [], "risk": []} for i in ids
        }
        for kind, rel, target in (
            ("task", "FOR_TASK", "Task"),
            ("topic", "ABOUT", "Topic"),
            ("risk", "HAS_RISK", "Risk"),
        ):
            query = Q.EXAMPLES_LABELS.format(
                rel=Q.rel_type(self.schema, rel), to_label=Q.label(self.schema, target)
            )
            for r in self._fetch(query, {"ids": list(ids)}):
                out[r.example][kind].append(r)
        return out

    def sources_overview(self) -> list[dict[str, Any]]:
        return [r._asdict() for r in self._fetch(Q.SOURCES_OVERVIEW)]

    def models_overview(self) -> list[dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        for r in self._fetch(Q.MODELS_OVERVIEW):
            m = out.setdefault(
                r.id, {"id": r.id, "name": r.name, "provider": r.provider, "roles": [], "examples": 0}
            )
            if r.role and r.role not in m["roles"]:
                m["roles"].append(r.role)
            m["examples"] += int(r.examples or 0)
        return sorted(out.values(), key=lambda m: (-m["examples"], m["id"]))
