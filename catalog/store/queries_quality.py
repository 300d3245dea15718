"""Quality queries (checks, near-duplicates, selection inputs), shared by both engines."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from catalog.store import cypher as Q
from catalog.store.cypher.quality import (
    DuplicateEdge,
    DuplicateRow,
    ExampleIssueIdRow,
    MessagesRow,
    SelectionRow,
)
from catalog.store.queries_base import QueryBase

log = logging.getLogger(__name__)


def duplicate_edge(r: DuplicateRow) -> DuplicateEdge:
    """A DUPLICATE_OF edge with its score and method filled (0.0 and "" when unset)."""
    return DuplicateEdge(r.member, r.representative, float(r.score or 0.0), str(r.method or ""))


class QualityQueries(QueryBase):
    # ------------------------------------------------------------ quality

    def examples_to_check(self, *, tag: str) -> list[str]:
        """Ids of the examples the check `tag` (",name@version,") has not looked at, in order."""
        return self._column(Q.EXAMPLES_TO_CHECK, {"tag": tag})

    def examples_for_checks(self, *, ids: Sequence[str]) -> list[dict[str, Any]]:
        """id, messages, tools, has_reasoning, language, checked_with, usage_role of the examples."""
        return [r._asdict() for r in self._fetch(Q.EXAMPLES_FOR_CHECKS, {"ids": list(ids)})]

    def issues_of(self, *, ids: Sequence[str], checkers: Sequence[str]) -> list[ExampleIssueIdRow]:
        """The given checkers' issues on the examples."""
        return self._fetch(Q.ISSUES_OF, {"ids": list(ids), "checkers": list(checkers)})

    def issue_summary(self) -> list[dict[str, Any]]:
        """Issues and examples per factor, checker, version, kind and severity."""
        rows = [r._asdict() for r in self._fetch(Q.ISSUE_SUMMARY)]
        return sorted(
            rows, key=lambda r: (r["factor"] or "", r["checker"] or "", r["kind"] or "", r["severity"] or "")
        )

    def example_issues(self, *, example_id: str) -> list[dict[str, Any]]:
        """Every issue on one example."""
        return [r._asdict() for r in self._fetch(Q.EXAMPLE_ISSUES, {"id": example_id})]

    def examples_with_issues(self, *, severities: Sequence[str]) -> set[str]:
        """Examples with at least one issue of one of the severities."""
        return set(self._column(Q.EXAMPLES_WITH_ISSUES, {"severities": list(severities)}))

    # ------------------------------------------------------------ near-duplicates

    def selection_rows(self, *, role: str) -> list[SelectionRow]:
        """(id, coverage key, language) of every example of the role."""
        return self._fetch(Q.SELECTION_ROWS, {"role": role})

    def example_ids_of_role(self, *, role: str) -> list[str]:
        """Ids of the examples with the usage role (supply, usage), in order."""
        return self._column(Q.EXAMPLE_IDS_OF_ROLE, {"role": role})

    def example_messages(self, *, ids: Sequence[str]) -> list[MessagesRow]:
        """(id, messages JSON) of the examples."""
        return self._fetch_for(Q.EXAMPLE_MESSAGES, ids)

    def duplicate_edges(self, *, ids: Sequence[str]) -> list[DuplicateEdge]:
        """DUPLICATE_OF edges leaving or reaching the ids."""
        if not ids:
            return []
        rows = self._fetch(Q.DUPLICATES_FROM, {"ids": list(ids)}) + self._fetch(
            Q.DUPLICATES_TO, {"ids": list(ids)}
        )
        return sorted({duplicate_edge(r) for r in rows})

    def duplicate_members(self) -> list[str]:
        """Examples that have a DUPLICATE_OF edge."""
        return self._column(Q.DUPLICATE_MEMBERS)

    def duplicate_clusters(self) -> dict[str, list[DuplicateEdge]]:
        """Per representative: the DUPLICATE_OF edges that reach it."""
        out: dict[str, list[DuplicateEdge]] = {}
        for r in self._fetch(Q.DUPLICATE_CLUSTERS):
            out.setdefault(r.representative, []).append(duplicate_edge(r))
        return out

    def dedup_facts(self, *, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        """What choosing a representative weighs: synthetic or not, issue counts, first ingest time."""
        facts: dict[str, dict[str, Any]] = {
            i: {"synthetic": False, "errors": 0, "issues": 0, "ingested_at": None} for i in ids
        }
        for ident in self._fetch_for(Q.SYNTHETIC_AMONG, ids):
            facts[ident.id]["synthetic"] = True
        for r in self._fetch_for(Q.ISSUE_COUNTS_AMONG, ids):
            facts[r.id]["issues"] += int(r.issues)
            if r.severity == "error":
                facts[r.id]["errors"] += int(r.issues)
        for first in self._fetch_for(Q.FIRST_INGESTED_AMONG, ids):
            facts[first.id]["ingested_at"] = first.ingested_at
        return facts
