"""Run per-example checks over a catalog, incrementally, and write their findings as graph data.

Every example records the checks that have looked at it (`checked_with`, ",format@1,pii@1,").
A run looks only at examples a check, or its current version, has not seen; for those it replaces
the check's earlier QualityIssue nodes with the new findings, in one transaction per page, so an
interrupted run loses nothing and a re-run finishes it.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from catalog.errors import CatalogError
from catalog.quality.base import ExampleCheck, ExampleView, Finding, issue_id
from catalog.quality.checks import default_checks
from catalog.store.base import GraphStore, NodeDeletion, NodeGroup, RelGroup, WriteBatch

log = logging.getLogger(__name__)

PAGE = 2_000
Progress = Callable[[int, int], None]


@dataclass
class CheckReport:
    checked: dict[str, int] = field(default_factory=dict)  # examples looked at, per check
    issues: dict[str, int] = field(default_factory=dict)  # findings written, per check
    kinds: dict[str, int] = field(default_factory=dict)  # findings per "check/kind"


def tag(check: ExampleCheck) -> str:
    return f",{check.name}@{check.version},"


def _checked_with(current: str | None, done: Sequence[ExampleCheck]) -> str:
    versions = dict(p.split("@", 1) for p in (current or "").split(",") if "@" in p)
    versions.update({c.name: c.version for c in done})
    return "," + ",".join(f"{n}@{v}" for n, v in sorted(versions.items())) + ","


def select_checks(only: Sequence[str] = ()) -> list[ExampleCheck]:
    checks: list[ExampleCheck] = default_checks()
    if not only:
        return checks
    known = {c.name: c for c in checks}
    unknown = [n for n in only if n not in known]
    if unknown:
        raise CatalogError(
            f"unknown check {unknown[0]!r}",
            hint=f"one of: {', '.join(sorted(known))}, near-duplicates, consistency, license",
        )
    return [known[n] for n in only]


def run_checks(
    store: GraphStore,
    checks: Sequence[ExampleCheck],
    *,
    everything: bool = False,
    progress: Progress | None = None,
) -> CheckReport:
    """Check the examples each check has not seen (all of them with `everything`)."""
    todo: dict[str, set[str]] = {}
    every = store.example_ids() if everything else None
    for c in checks:
        ids = every if every is not None else store.examples_to_check(tag=tag(c))
        for i in ids:
            todo.setdefault(i, set()).add(c.name)
    ordered = sorted(todo)
    report = CheckReport()
    counts: dict[str, Counter[str]] = {"checked": Counter(), "issues": Counter(), "kinds": Counter()}
    by_name = {c.name: c for c in checks}
    for start in range(0, len(ordered), PAGE):
        page = ordered[start : start + PAGE]
        _check_page(store, page, todo, by_name, counts)
        if progress:
            progress(min(start + PAGE, len(ordered)), len(ordered))
    report.checked, report.issues, report.kinds = (dict(counts[k]) for k in ("checked", "issues", "kinds"))
    log.info("quality checks: examples looked at %s; findings %s", report.checked, report.kinds)
    return report


def _check_page(
    store: GraphStore,
    page: list[str],
    todo: dict[str, set[str]],
    by_name: dict[str, ExampleCheck],
    counts: dict[str, Counter[str]],
) -> None:
    rows = {r["id"]: r for r in store.examples_for_checks(ids=page)}
    names = sorted({n for i in page for n in todo[i]})
    stale = [r.issue for r in store.issues_of(ids=page, checkers=names)]
    issues: list[dict[str, Any]] = []
    edges: list[dict[str, str]] = []
    marks: list[dict[str, Any]] = []
    for ident in page:
        row = rows.get(ident)
        if row is None:
            continue
        view = ExampleView.from_row(row)
        done = [by_name[n] for n in sorted(todo[ident])]
        for check in done:
            counts["checked"][check.name] += 1
            findings: dict[str, Finding] = {}
            for f in check.check(view):
                findings.setdefault(issue_id(check.name, ident, f), f)
            for qid, f in findings.items():
                issues.append(
                    {
                        "id": qid,
                        "checker": check.name,
                        "checker_version": check.version,
                        "factor": check.factor,
                        "kind": f.kind,
                        "severity": f.severity,
                        "message": f.message,
                        "span": f.span,
                    }
                )
                edges.append({"src": ident, "dst": qid})
                counts["issues"][check.name] += 1
                counts["kinds"][f"{check.name}/{f.kind}"] += 1
        marks.append({"id": ident, "checked_with": _checked_with(row.get("checked_with"), done)})
    store.write(
        batch=WriteBatch(
            node_deletions=[NodeDeletion("QualityIssue", stale)] if stale else [],
            nodes=[NodeGroup("QualityIssue", issues), NodeGroup("Example", marks)],
            relationships=[RelGroup("HAS_ISSUE", "Example", "QualityIssue", edges)],
        )
    )
