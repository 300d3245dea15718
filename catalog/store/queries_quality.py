"""Quality queries (checks, near-duplicates, selection inputs), shared by both engines."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from catalog.store import cypher as Q
from catalog.store.queries_base import PROBE, QueryBase
from catalog.store.values import chunks

log = logging.getLogger(__name__)


class QualityQueries(QueryBase):
    # ------------------------------------------------------------ quality

    def examples_to_check(self, *, tag: str) -> list[str]:
        """Ids of the examples the check `tag` (",name@version,") has not looked at, in order."""
        return [r[0] for r in self._rows(Q.EXAMPLES_TO_CHECK, {"tag": tag})]

    def examples_for_checks(self, *, ids: Sequence[str]) -> list[dict[str, Any]]:
        keys = ("id", "messages", "tools", "has_reasoning", "language", "checked_with", "usage_role")
        return [
            dict(zip(keys, r, strict=True)) for r in self._rows(Q.EXAMPLES_FOR_CHECKS, {"ids": list(ids)})
        ]

    def issues_of(self, *, ids: Sequence[str], checkers: Sequence[str]) -> list[tuple[str, str]]:
        """(example id, issue id) of the given checkers' issues on the examples."""
        rows = self._rows(Q.ISSUES_OF, {"ids": list(ids), "checkers": list(checkers)})
        return [(r[0], r[1]) for r in rows]

    def issue_summary(self) -> list[dict[str, Any]]:
        keys = ("factor", "checker", "checker_version", "kind", "severity", "issues", "examples")
        rows = [dict(zip(keys, r, strict=True)) for r in self._rows(Q.ISSUE_SUMMARY)]
        return sorted(
            rows, key=lambda r: (r["factor"] or "", r["checker"] or "", r["kind"] or "", r["severity"] or "")
        )

    def example_issues(self, *, example_id: str) -> list[dict[str, Any]]:
        keys = ("id", "factor", "checker", "checker_version", "kind", "severity", "message", "span")
        return [dict(zip(keys, r, strict=True)) for r in self._rows(Q.EXAMPLE_ISSUES, {"id": example_id})]

    def examples_with_issues(self, *, severities: Sequence[str]) -> set[str]:
        return {r[0] for r in self._rows(Q.EXAMPLES_WITH_ISSUES, {"severities": list(severities)})}

    # ------------------------------------------------------------ near-duplicates

    def selection_rows(self, *, role: str) -> list[tuple[str, str | None, str | None]]:
        """(id, coverage key, language) of every example of the role."""
        return [(r[0], r[1], r[2]) for r in self._rows(Q.SELECTION_ROWS, {"role": role})]

    def example_ids_of_role(self, *, role: str) -> list[str]:
        return [r[0] for r in self._rows(Q.EXAMPLE_IDS_OF_ROLE, {"role": role})]

    def example_messages(self, *, ids: Sequence[str]) -> list[tuple[str, str | None]]:
        out: list[tuple[str, str | None]] = []
        for part in chunks(ids, PROBE):
            out += [(r[0], r[1]) for r in self._rows(Q.EXAMPLE_MESSAGES, {"ids": part})]
        return out

    def duplicate_edges(self, *, ids: Sequence[str]) -> list[tuple[str, str, float, str]]:
        """(member, representative, score, method) of DUPLICATE_OF edges leaving or reaching the ids."""
        if not ids:
            return []
        rows = self._rows(Q.DUPLICATES_FROM, {"ids": list(ids)}) + self._rows(
            Q.DUPLICATES_TO, {"ids": list(ids)}
        )
        return sorted({(r[0], r[1], float(r[2] or 0.0), str(r[3] or "")) for r in rows})

    def duplicate_members(self) -> list[str]:
        return [r[0] for r in self._rows(Q.DUPLICATE_MEMBERS)]

    def duplicate_clusters(self) -> dict[str, list[tuple[str, float, str]]]:
        """Per representative: its duplicates (member, score, method)."""
        out: dict[str, list[tuple[str, float, str]]] = {}
        for rep, member, score, method in self._rows(Q.DUPLICATE_CLUSTERS):
            out.setdefault(rep, []).append((member, float(score or 0.0), str(method or "")))
        return out

    def dedup_facts(self, *, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        """What choosing a representative weighs: synthetic or not, issue counts, first ingest time."""
        facts: dict[str, dict[str, Any]] = {
            i: {"synthetic": False, "errors": 0, "issues": 0, "ingested_at": None} for i in ids
        }
        for part in chunks(ids, PROBE):
            chunk = {"ids": part}
            for (ident,) in self._rows(Q.SYNTHETIC_AMONG, chunk):
                facts[ident]["synthetic"] = True
            for ident, severity, n in self._rows(Q.ISSUE_COUNTS_AMONG, chunk):
                facts[ident]["issues"] += int(n)
                if severity == "error":
                    facts[ident]["errors"] += int(n)
            for ident, first in self._rows(Q.FIRST_INGESTED_AMONG, chunk):
                facts[ident]["ingested_at"] = first
        return facts
