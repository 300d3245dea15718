"""Classification and coverage queries (assignments, the coverage census), shared by both engines."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from catalog import census as K
from catalog.census import CensusCell, CensusRow, Signature, census_signatures
from catalog.store import cypher as Q
from catalog.store.cypher.browse import ConceptMethodRow
from catalog.store.cypher.coverage import (
    AssignmentRow,
    ConceptEdgeRow,
    GoldAssignmentRow,
    KeptTaskRow,
    KeyedCensusRow,
    RiskCountRow,
    TaskStateRow,
    TopicStateRow,
)
from catalog.store.queries_base import QueryBase
from catalog.store.query import Query

log = logging.getLogger(__name__)


def census_cell(r: KeyedCensusRow) -> CensusCell:
    """The census cell of a keyed census row: its key parsed into tasks, formats and topics."""
    tasks, formats, topics = K.parse_scored_key(r.coverage_key) if r.coverage_key else ((), (), ())
    return CensusCell(
        r.role, tasks, tuple(f for f, _ in formats), r.language, topics, tuple(r.message_languages or ())
    )


def _scored(ids: Sequence[str], confidences: Sequence[float | None]) -> K.Scored:
    """(id, confidence as the key keeps it) per distinct assignment, sorted as the key sorts them."""
    items = {K.scored_item(i, c) for i, c in zip(ids, confidences, strict=True)}
    return tuple(K.split_item(i) for i in sorted(items))


class CoverageQueries(QueryBase):
    # ------------------------------------------------------------ classification

    def example_ids(self, *, unclassified_only: bool = False) -> list[str]:
        """Every example id in order, or those without a format yet (never classified)."""
        return self._column(Q.UNCLASSIFIED_EXAMPLE_IDS if unclassified_only else Q.ALL_EXAMPLE_IDS)

    def dataset_example_ids(self, *, dataset: str) -> list[str]:
        return self._column(Q.DATASET_EXAMPLE_IDS, {"dataset": dataset})

    def examples_for_classification(self, *, ids: Sequence[str]) -> list[dict[str, Any]]:
        return [r._asdict() for r in self._fetch(Q.EXAMPLES_FOR_CLASSIFICATION, {"ids": list(ids)})]

    def _assignments_query(self, rel_type: str) -> Query[AssignmentRow]:
        rel = self.schema.relationship(rel_type)
        (to_label,) = {b for a, b in rel.pairs if a == "Example"}
        return Q.ASSIGNMENTS.format(
            rel=Q.rel_type(self.schema, rel_type), to_label=Q.label(self.schema, to_label)
        )

    def assignments(self, *, rel_type: str, ids: Sequence[str]) -> dict[str, list[ConceptMethodRow]]:
        """Per example id: the (concept id, method) of its `rel_type` edges (FOR_TASK, ABOUT, HAS_FORMAT)."""
        query = self._assignments_query(rel_type)
        out: dict[str, list[ConceptMethodRow]] = {}
        for r in self._fetch(query, {"ids": list(ids)}):
            out.setdefault(r.example, []).append(ConceptMethodRow(r.concept, r.method))
        return out

    def gold_assignments(self, *, rel_type: str, methods: Sequence[str]) -> list[GoldAssignmentRow]:
        """The `rel_type` edges made by the given methods (manifest, human, model), with datasets."""
        rel = self.schema.relationship(rel_type)
        (to_label,) = {b for a, b in rel.pairs if a == "Example"}
        query = Q.GOLD_ASSIGNMENTS.format(
            rel=Q.rel_type(self.schema, rel_type), to_label=Q.label(self.schema, to_label)
        )
        return self._fetch(query, {"methods": list(methods)})

    def task_states(self, *, kept: Sequence[str]) -> list[TaskStateRow]:
        """Supply examples without a task edge nor a risk flag of the `kept` methods (human, manifest),
        each with its task edges' concepts and confidences: the candidates of a review queue."""
        return self._fetch(Q.TASK_STATES, {"kept": list(kept), "cleared": list(self.schema.cleared_risks)})

    def topic_states(self) -> list[TopicStateRow]:
        """Every supply example's preview, language and topic confidences (topic discovery's input)."""
        return self._fetch(Q.TOPIC_STATES)

    def concept_edges(
        self, *, rel: str, to_label: str, concept: str, limit: int, ids: Sequence[str] | None = None
    ) -> list[ConceptEdgeRow]:
        """Examples' `rel` edges to one concept: the first `limit` by example id, or those of `ids`."""
        query = Q.CONCEPT_EDGES if ids is None else Q.CONCEPT_EDGES_OF
        formatted = query.format(rel=Q.rel_type(self.schema, rel), to_label=Q.label(self.schema, to_label))
        params: dict[str, Any] = {"concept": concept}
        params |= {"limit": limit} if ids is None else {"ids": list(ids)}
        return self._fetch(formatted, params)

    def concept_example_count(self, *, rel: str, to_label: str, concept: str) -> int:
        """Examples with a `rel` edge to the concept."""
        query = Q.CONCEPT_EXAMPLE_COUNT.format(
            rel=Q.rel_type(self.schema, rel), to_label=Q.label(self.schema, to_label)
        )
        rows = self._fetch(query, {"concept": concept})
        return int(rows[0].n) if rows else 0

    def kept_tasks(self, *, kept: Sequence[str], limit: int) -> list[KeptTaskRow]:
        """Up to `limit` supply examples (by id) with a task edge of the `kept` methods: the labelled
        examples the review page shows as near neighbours."""
        return self._fetch(Q.KEPT_TASKS, {"kept": list(kept), "limit": limit})

    # ------------------------------------------------------------ safety

    def flagged_examples(self) -> set[str]:
        """Every example with a safety flag (a HAS_RISK edge) that a person has not cleared."""
        return set(self._column(Q.FLAGGED_EXAMPLES, {"cleared": list(self.schema.cleared_risks)}))

    def risk_counts(self) -> list[RiskCountRow]:
        """Flagged examples per dataset, risk and method."""
        return self._fetch(Q.RISK_COUNTS)

    # ------------------------------------------------------------ coverage

    def coverage_census(self) -> dict[str, list[CensusRow]]:
        """Every example as (role, tasks, formats, language, topics, message languages, count), merged:
        "all" of them, and the "duplicates" among them (those with a DUPLICATE_OF edge)."""
        total = self.count_nodes(label="Example")
        out: dict[str, dict[CensusCell, int]] = {"all": {}, "duplicates": {}}
        counted = 0
        for part, query in (("all", Q.COVERAGE_CENSUS), ("duplicates", Q.DUPLICATE_CENSUS)):
            for r in self._fetch(query):
                cell = census_cell(r)
                out[part][cell] = out[part].get(cell, 0) + int(r.examples)
                counted += int(r.examples) if part == "all" else 0
        if counted < total:  # some examples are not described by their key: count them from their edges
            for part in ("all", "duplicates"):
                for e in self._fetch(Q.CENSUS_FROM_EDGES, {"duplicates_only": part == "duplicates"}):
                    cell = CensusCell(
                        e.role,
                        _scored(e.tasks, e.task_confidences),
                        tuple(sorted(set(e.formats))),
                        e.language,
                        _scored(e.topics, e.topic_confidences),
                        tuple(e.message_languages or ()),
                    )
                    out[part][cell] = out[part].get(cell, 0) + int(e.examples)
        return {
            part: [CensusRow(*cell, n) for cell, n in sorted(rows.items(), key=repr)]
            for part, rows in out.items()
        }

    def census_of(self, *, ids: Sequence[str]) -> list[CensusRow]:
        """The census rows of the given examples (as `coverage_census`, from their keys; an example
        without a key counts as assigned nothing)."""
        out: dict[CensusCell, int] = {}
        for r in self._fetch_for(Q.CENSUS_OF, list(ids)):
            cell = census_cell(r)
            out[cell] = out.get(cell, 0) + int(r.examples)
        return [CensusRow(*cell, n) for cell, n in sorted(out.items(), key=repr)]

    def coverage_signatures(
        self, *, role: str = "supply", with_duplicates: bool = True, min_confidence: float = 0.0
    ) -> list[Signature]:
        """(tasks, formats, language, topics, examples) for every combination present, merged,
        counting the tasks and topics assigned with at least `min_confidence`."""
        return census_signatures(
            self.coverage_census(),
            role=role,
            exclude_duplicates=not with_duplicates,
            min_confidence=min_confidence,
        )

    def coverage_signatures_from_edges(
        self,
        *,
        role: str = "supply",
        with_duplicates: bool = True,
        unkeyed_only: bool = False,
        min_confidence: float = 0.0,
    ) -> list[tuple[tuple[Any, ...], int]]:
        """The same signatures computed from the assignment edges (the truth the keys summarise):
        for examples without a key, and for tests that check the keys against the edges."""
        merged: dict[tuple[Any, ...], int] = {}
        params = {"role": role, "with_duplicates": with_duplicates, "unkeyed_only": unkeyed_only}
        for r in self._fetch(Q.COVERAGE_SIGNATURES, params):
            sig = (
                K.confident(_scored(r.tasks, r.task_confidences), min_confidence),
                tuple(sorted(set(r.formats))),
                r.language,
                K.confident(_scored(r.topics, r.topic_confidences), min_confidence),
            )
            merged[sig] = merged.get(sig, 0) + int(r.examples)
        return sorted(merged.items(), key=lambda kv: repr(kv[0]))
