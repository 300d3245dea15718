"""What the dashboards show, as data (each page's JSON twin): the coverage heatmap and gap list, the
provenance flow and license summary, the quality overview."""

from __future__ import annotations

import logging
from collections import defaultdict
from typing import Any, Literal

from catalog.census import census_signatures
from catalog.coverage.report import UNDETERMINED, CoverageMatrix, GapReport
from catalog.coverage.spec import TargetSpec
from catalog.eligibility import build_report
from catalog.provenance import check_licenses
from catalog.provenance.synthetic import synthetic_audit
from catalog.store.base import GraphStore

log = logging.getLogger(__name__)

RowDim = Literal["topic", "task"]
ColDim = Literal["task", "format", "language"]


def _values(store: GraphStore, dim: str, level: int, matrix: CoverageMatrix) -> list[str]:
    schema = store.schema
    if dim == "language":
        langs = matrix.marginal("language")
        return sorted(langs, key=lambda v: (-langs[v], v))[:12]
    concepts = {"topic": schema.topics, "task": schema.tasks, "format": schema.formats}[dim]
    if dim == "format":
        return sorted(concepts)
    # a cut through the hierarchy at `level`: its concepts, and shallower ones with nothing narrower
    # (a level-1 task with no sub-tasks is its own level-2 cell, so no example falls out of the view)
    parents = {c.broader for c in concepts.values() if c.broader}
    return sorted(
        c.id for c in concepts.values() if c.depth == level or (c.depth < level and c.id not in parents)
    )


def coverage_heatmap(
    store: GraphStore, spec: TargetSpec, *, rows: RowDim = "topic", cols: ColDim = "task", level: int = 1
) -> dict[str, Any]:
    """Cells rows x cols: have, want and deficit. Want = the target's total x its share of the column
    value x the row value's share, the target's when it sets one, else the catalog's own (a target
    silent about topics keeps the catalog's topic mix)."""
    if rows == cols:
        raise ValueError("rows and columns must be two different dimensions")
    report: GapReport = build_report(store, spec)
    census = store.coverage_census()
    matrix = CoverageMatrix(
        store.schema,
        census_signatures(
            census,
            role="supply",
            exclude_duplicates=spec.eligibility.exclude_duplicates,
            min_confidence=spec.eligibility.min_confidence,
        ),
    )
    row_values = _values(store, rows, level, matrix)
    col_values = _values(store, cols, level, matrix)
    row_col_values: dict[str, list[str]] = {rows: row_values, cols: col_values}
    total = spec.total or matrix.total
    marg: dict[str, dict[str, int]] = {d: matrix.marginal(d) for d in (rows, cols)}

    concepts = {"topic": store.schema.topics, "task": store.schema.tasks}

    def ancestor_quota(dim: str, value: str) -> tuple[str, float] | None:
        """The nearest broader concept the target sets a share for, and that share."""
        quotas = spec.dimension(dim)
        node = concepts.get(dim, {}).get(value)
        while node is not None and node.broader:
            q = quotas.get(node.broader)
            if q is not None:
                return node.broader, (q.wanted(total) / total if total else 0.0)
            node = concepts[dim].get(node.broader)
        return None

    def share(dim: str, value: str) -> float:
        quotas = spec.dimension(dim)
        if quotas:
            q = quotas.get(value)
            if q is not None:
                return (q.wanted(total) / total) if total else 0.0
            # a deeper level than the target's quotas: the broader concept's share, split among
            # its narrower ones as the catalog splits it (so level 2 is not "wants nothing")
            found = ancestor_quota(dim, value)
            if found is None:
                return 0.0
            parent, parent_share = found
            siblings = [v for v in row_col_values[dim] if (a := ancestor_quota(dim, v)) and a[0] == parent]
            in_parent = sum(marg[dim].get(v, 0) for v in siblings)
            if in_parent:
                return parent_share * marg[dim].get(value, 0) / in_parent
            return parent_share / len(siblings) if siblings else 0.0
        return marg[dim].get(value, 0) / matrix.total if matrix.total else 0.0

    # one pass over the matrix rows: each adds its count to every (row, column) cell it belongs to
    col_index = {v: i for i, v in enumerate(col_values)}
    row_index = {v: i for i, v in enumerate(row_values)}
    counts: dict[tuple[int, int], int] = defaultdict(int)
    in_cells = 0  # distinct examples in at least one cell shown
    for m in matrix.rows:
        ys = [row_index[v] for v in getattr(m, rows) if v in row_index]
        xs = [col_index[v] for v in getattr(m, cols) if v in col_index]
        if xs and ys:
            in_cells += m.n
        for x in xs:
            for y in ys:
                counts[(x, y)] += m.n
    cells = []
    for x, c in enumerate(col_values):
        for y, r in enumerate(row_values):
            have = counts.get((x, y), 0)
            want = round(total * share(rows, r) * share(cols, c))
            cells.append([x, y, max(0, want - have), have, want])
    gaps = [g.model_dump() for g in report.rows if g.want > 0][:60]
    return {
        "page": "coverage",
        "target": spec.name,
        "row_dimension": rows,
        "col_dimension": cols,
        "level": level,
        "exclude_duplicates": spec.eligibility.exclude_duplicates,
        "min_confidence": spec.eligibility.min_confidence,
        "rows": row_values,
        "cols": col_values,
        "cells": cells,
        "total_wanted": spec.total,
        "total_deficit": sum(c[2] for c in cells),
        # how the figures reconcile: an example with several topics (tasks) is in several cells
        "examples_in_cells": in_cells,
        "examples_outside_cells": matrix.total - in_cells,
        "cell_memberships": sum(c[3] for c in cells),
        "wanted_in_cells": sum(c[4] for c in cells),
        "empty_cells": sum(1 for c in cells if c[3] == 0),
        "totals": report.totals.model_dump(),
        "gaps": gaps,
        "empty": report.empty,
        "topics_never_seen": report.topics_never_seen,
    }


def provenance_overview(store: GraphStore) -> dict[str, Any]:
    check = check_licenses(store, policy="commercial")
    audit = synthetic_audit(store)
    sources = store.sources_overview()
    overview = {d.dataset: d for d in store.dataset_overview()}
    nodes: dict[str, dict[str, Any]] = {}
    links: dict[tuple[str, str], int] = defaultdict(int)
    for s in sources:
        if not s["examples"] or not s["dataset"]:
            continue
        src, ds = f"file {s['file_name']}", f"dataset {s['dataset']}"
        nodes[src] = {"name": src}
        nodes[ds] = {"name": ds}
        links[(src, ds)] += int(s["examples"])
    # each dataset flows once, into the set of licenses claimed for it: a link's width is the
    # dataset's examples, not its examples once per claim (30 examples under 3 claims are 30)
    for ds_id, d in overview.items():
        if f"dataset {ds_id}" not in nodes or not d.licenses:
            continue
        claimed = "licenses " + " + ".join(sorted(set(d.licenses)))
        nodes[claimed] = {"name": claimed}
        links[(f"dataset {ds_id}", claimed)] += d.examples
    refused = []
    for g in check.groups:
        if g.allowed:
            continue
        named = [r for r in g.reasons if not r.holder.startswith("Source:")] or list(g.reasons)
        refused.append(
            {
                "examples": g.examples,
                "datasets": g.datasets,
                "why": sorted({f"{r.license} on {r.holder}" for r in named}),
            }
        )
    return {
        "page": "provenance",
        "flow": {
            "nodes": list(nodes.values()),
            "links": [{"source": a, "target": b, "value": v} for (a, b), v in sorted(links.items())],
        },
        "generators": [m.model_dump() for m in audit.models],
        "synthetic": audit.synthetic,
        "license_check": {"examples": check.examples, "allowed": check.allowed, "refused": check.refused},
        "refused": refused[:40],
        "conflicts": [c.model_dump() for c in check.conflicts],
        "drift": [d.model_dump() for d in audit.drift][:40],
    }


def quality_overview(store: GraphStore, *, clusters: int = 50) -> dict[str, Any]:
    summary = store.issue_summary()
    by_factor: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for r in summary:
        by_factor[r["factor"] or UNDETERMINED][r["severity"] or "info"] += int(r["issues"])
    found = store.duplicate_clusters()
    biggest = sorted(found.items(), key=lambda kv: (-len(kv[1]), kv[0]))[:clusters]
    previews = {
        n["id"]: n.get("prompt_preview")
        for n in store.nodes(label="Example", ids=[rep for rep, _ in biggest])
    }
    return {
        "page": "quality",
        "summary": summary,
        "factors": sorted(by_factor),
        "by_factor": {f: dict(v) for f, v in by_factor.items()},
        "issues_total": sum(int(r["issues"]) for r in summary),
        "clusters_total": len(found),
        "duplicates": sum(len(v) for v in found.values()),
        "safety": [r._asdict() for r in store.risk_counts()],
        "clusters": [
            {
                "representative": rep,
                "preview": (previews.get(rep) or "")[:80],
                "members": [{"id": e.member, "score": e.score, "method": e.method} for e in members],
            }
            for rep, members in biggest
        ],
    }
