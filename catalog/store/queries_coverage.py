"""Classification and coverage queries (assignments, the coverage census), shared by both engines."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from catalog import census as K
from catalog.census import CensusRow, census_signatures
from catalog.store import cypher as Q
from catalog.store.queries_base import PROBE, QueryBase
from catalog.store.values import chunks

log = logging.getLogger(__name__)


class CoverageQueries(QueryBase):
    # ------------------------------------------------------------ classification

    def example_ids(self, *, unclassified_only: bool = False) -> list[str]:
        """Every example id in order, or those without a format yet (never classified)."""
        query = Q.UNCLASSIFIED_EXAMPLE_IDS if unclassified_only else Q.ALL_EXAMPLE_IDS
        return [r[0] for r in self._rows(query)]

    def dataset_example_ids(self, *, dataset: str) -> list[str]:
        return [r[0] for r in self._rows(Q.DATASET_EXAMPLE_IDS, {"dataset": dataset})]

    def examples_for_classification(self, *, ids: Sequence[str]) -> list[dict[str, Any]]:
        keys = ("id", "messages", "tools", "has_tool_calls", "has_reasoning", "n_user_turns")
        return [
            dict(zip(keys, r, strict=True))
            for r in self._rows(Q.EXAMPLES_FOR_CLASSIFICATION, {"ids": list(ids)})
        ]

    def _assignments_query(self, rel_type: str) -> str:
        rel = self.schema.relationship(rel_type)
        (to_label,) = {b for a, b in rel.pairs if a == "Example"}
        return Q.ASSIGNMENTS.format(
            rel=Q.rel_type(self.schema, rel_type), to_label=Q.label(self.schema, to_label)
        )

    def _summary_key_queries(self) -> dict[str, list[str]]:
        """Per summary key: (example, target) reads of each relationship it summarises."""
        return {
            prop: [
                Q.KEY_EDGES.format(rel=Q.rel_type(self.schema, rel), to_label=Q.label(self.schema, target))
                for rel, target in rels
            ]
            for prop, rels in K.KEYS.items()
        }

    def assignments(self, *, rel_type: str, ids: Sequence[str]) -> dict[str, list[tuple[str, str | None]]]:
        """Per example id: the (concept id, method) of its `rel_type` edges (FOR_TASK, ABOUT, HAS_FORMAT)."""
        query = self._assignments_query(rel_type)
        out: dict[str, list[tuple[str, str | None]]] = {}
        for ex, concept, method in self._rows(query, {"ids": list(ids)}):
            out.setdefault(ex, []).append((concept, method))
        return out

    # ------------------------------------------------------------ coverage

    def coverage_census(self) -> dict[str, list[CensusRow]]:
        """Every example as (role, tasks, formats, language, topics, message languages, count), merged:
        "all" of them, and the "duplicates" among them (those with a DUPLICATE_OF edge)."""
        total = self.count_nodes(label="Example")
        out: dict[str, dict[CensusRow, int]] = {"all": {}, "duplicates": {}}
        counted = 0
        for part, query in (("all", Q.COVERAGE_CENSUS), ("duplicates", Q.DUPLICATE_CENSUS)):
            for role, key, language, langs, n in self._rows(query):
                tasks, formats, topics = K.parse_key(key)
                row = (role, tasks, formats, language, topics, tuple(langs or ()))
                out[part][row] = out[part].get(row, 0) + int(n)
                counted += int(n) if part == "all" else 0
        if counted < total:  # some examples are not described by their key: count them from their edges
            for part in ("all", "duplicates"):
                for role, tasks, formats, language, langs, topics, n in self._rows(
                    Q.CENSUS_FROM_EDGES, {"duplicates_only": part == "duplicates"}
                ):
                    row = (
                        role,
                        tuple(sorted(set(tasks))),
                        tuple(sorted(set(formats))),
                        language,
                        tuple(sorted(set(topics))),
                        tuple(langs or ()),
                    )
                    out[part][row] = out[part].get(row, 0) + int(n)
        return {part: [(*row, n) for row, n in sorted(rows.items(), key=repr)] for part, rows in out.items()}

    def census_of(self, *, ids: Sequence[str]) -> list[CensusRow]:
        """The census rows of the given examples (as `coverage_census`, from their keys; an example
        without a key counts as assigned nothing)."""
        out: dict[CensusRow, int] = {}
        for part in chunks(ids, PROBE):
            for role, key, language, langs, n in self._rows(Q.CENSUS_OF, {"ids": part}):
                tasks, formats, topics = K.parse_key(key) if key else ((), (), ())
                row = (role, tasks, formats, language, topics, tuple(langs or ()))
                out[row] = out.get(row, 0) + int(n)
        return [(*row, n) for row, n in sorted(out.items(), key=repr)]

    def coverage_signatures(
        self, *, role: str = "supply", with_duplicates: bool = True
    ) -> list[tuple[tuple[str, ...], tuple[str, ...], str | None, tuple[str, ...], int]]:
        """(tasks, formats, language, topics, examples) for every combination present, merged."""
        return census_signatures(self.coverage_census(), role=role, exclude_duplicates=not with_duplicates)

    def coverage_signatures_from_edges(
        self, *, role: str = "supply", with_duplicates: bool = True, unkeyed_only: bool = False
    ) -> list[tuple[tuple[Any, ...], int]]:
        """The same signatures computed from the assignment edges (the truth the keys summarise):
        for examples without a key, and for tests that check the keys against the edges."""
        merged: dict[tuple[Any, ...], int] = {}
        params = {"role": role, "with_duplicates": with_duplicates, "unkeyed_only": unkeyed_only}
        for tasks, formats, language, topics, n in self._rows(Q.COVERAGE_SIGNATURES, params):
            sig = (
                tuple(sorted(set(tasks))),
                tuple(sorted(set(formats))),
                language,
                tuple(sorted(set(topics))),
            )
            merged[sig] = merged.get(sig, 0) + int(n)
        return sorted(merged.items(), key=lambda kv: repr(kv[0]))
