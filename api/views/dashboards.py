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
    return sorted(c.id for c in concepts.values() if dim == "format" or c.depth == level)


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
        census_signatures(census, role="supply", exclude_duplicates=spec.eligibility.exclude_duplicates),
    )
    row_values = _values(store, rows, level, matrix)
    col_values = _values(store, cols, level, matrix)
    total = spec.total or matrix.total
    marg: dict[str, dict[str, int]] = {d: matrix.marginal(d) for d in (rows, cols)}

    def share(dim: str, value: str) -> float:
        quotas = spec.dimension(dim)
        if quotas:
            q = quotas.get(value)
            return (q.wanted(total) / total) if q and total else 0.0
        return marg[dim].get(value, 0) / matrix.total if matrix.total else 0.0

    # one pass over the matrix rows: each adds its count to every (row, column) cell it belongs to
    col_index = {v: i for i, v in enumerate(col_values)}
    row_index = {v: i for i, v in enumerate(row_values)}
    counts: dict[tuple[int, int], int] = defaultdict(int)
    for m in matrix.rows:
        ys = [row_index[v] for v in getattr(m, rows) if v in row_index]
        xs = [col_index[v] for v in getattr(m, cols) if v in col_index]
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
        "rows": row_values,
        "cols": col_values,
        "cells": cells,
        "total_wanted": spec.total,
        "total_deficit": sum(c[2] for c in cells),
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
    for ds_id, d in overview.items():
        if f"dataset {ds_id}" not in nodes or not d.licenses:
            continue
        for lic in d.licenses:
            nodes[f"license {lic}"] = {"name": f"license {lic}"}
            links[(f"dataset {ds_id}", f"license {lic}")] += d.examples
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
        "clusters": [
            {
                "representative": rep,
                "preview": (previews.get(rep) or "")[:80],
                "members": [{"id": m, "score": s, "method": x} for m, s, x in members],
            }
            for rep, members in biggest
        ],
    }
