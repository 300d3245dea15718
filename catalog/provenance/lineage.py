"""One example's lineage as a graph (networkx), and its effective license.

The lineage graph holds the example, every example it derives from (any depth), their datasets
and source files, the datasets those derive from, the activities and models that generated them,
and the license claims on datasets, sources and models. The effective license combines every
claim reachable from the example: most restrictive wins, each condition with its path.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import networkx as nx
from pydantic import BaseModel

from catalog.provenance.license import (
    Claim,
    Condition,
    EffectiveLicense,
    ModelConflict,
    conditions_of,
    conflicts_of,
    model_conflicts,
)

log = logging.getLogger(__name__)


class SourceRef(BaseModel):
    example: str
    source: str
    file_name: str | None
    checksum: str | None
    archive_path: str | None
    line: int | None
    record: int | None
    dataset: str


class ModelRef(BaseModel):
    example: str
    activity: str
    kind: str | None
    model: str
    name: str | None
    role: str | None


class Lineage(BaseModel):
    example: str
    ancestors: list[str]  # examples it derives from, any depth
    edges: list[tuple[str, str, str]]  # (from, relationship, to) as "Label:id"
    datasets: list[str]
    sources: list[SourceRef]
    models: list[ModelRef]
    claims: list[Claim]
    effective: EffectiveLicense
    model_claims: list[ModelConflict]  # datasets whose generator models are claimed differently


def node(label: str, ident: str) -> str:
    return f"{label}:{ident}"


def lineage_graph(rows: Mapping[str, list[list[Any]]]) -> nx.DiGraph:
    g = nx.DiGraph()
    for (ident,) in rows["examples"]:
        g.add_node(node("Example", ident))
    for child, parent, method in rows["example_parents"]:
        g.add_edge(node("Example", child), node("Example", parent), rel="DERIVED_FROM", method=method)
    for child, dataset in rows["datasets"]:
        g.add_edge(node("Example", child), node("Dataset", dataset), rel="IN_DATASET")
    for child, source, _line, _rec, _name, _sum, _path, dataset in rows["sources"]:
        g.add_edge(node("Example", child), node("Source", source), rel="FROM_SOURCE")
        g.add_edge(node("Source", source), node("Dataset", dataset), rel="IN_DATASET")
    for child, parent, method in rows["dataset_parents"]:
        g.add_edge(node("Dataset", child), node("Dataset", parent), rel="DERIVED_FROM", method=method)
    for child, activity, _kind, model, _name, role in rows["models"]:
        g.add_edge(node("Example", child), node("Activity", activity), rel="GENERATED_BY")
        g.add_edge(node("Activity", activity), node("Model", model), rel="USED_MODEL", role=role)
    for label, holder, license_id, claimed_by, _evidence in rows["claims"]:
        g.add_edge(
            node(label, holder), node("License", license_id), rel="LICENSED_UNDER", claimed_by=claimed_by
        )
    return g


def effective_license(
    g: nx.DiGraph, start: str, claims: list[Claim], licenses: Mapping[str, Mapping[str, Any]]
) -> EffectiveLicense:
    """Combine every claim on a holder reachable from `start`; each condition names its path."""
    reachable = nx.descendants(g, start) | {start}
    paths = nx.single_source_shortest_path(g, start)
    conditions: list[Condition] = []
    used = [c for c in claims if c.holder in reachable]
    for c in sorted(used, key=lambda c: (c.holder, c.license, c.claimed_by or "")):
        for cond in conditions_of(licenses.get(c.license, {})):
            conditions.append(
                Condition(
                    condition=cond,
                    license=c.license,
                    holder=c.holder,
                    claimed_by=c.claimed_by,
                    path=paths[c.holder],
                )
            )
    kinds = {c.condition for c in conditions}
    claimed = {c.holder for c in used}
    unlicensed = sorted(n for n in reachable if n.startswith("Dataset:") and n not in claimed)
    if unlicensed:  # no grant at all: not usable commercially either
        kinds.add("non-commercial")
    return EffectiveLicense(
        commercial_use="non-commercial" not in kinds,
        share_alike="share-alike" in kinds,
        no_derivatives="no-derivatives" in kinds,
        attribution=sorted({c.holder for c in conditions if c.condition == "attribution"}),
        licenses=sorted({c.license for c in used}),
        conditions=conditions,
        conflicts=conflicts_of(used, licenses),
        unlicensed=unlicensed,
    )


def build_lineage(
    licenses: Mapping[str, Mapping[str, Any]], example_id: str, rows: Mapping[str, list[list[Any]]]
) -> Lineage:
    g = lineage_graph(rows)
    start = node("Example", example_id)
    claims = [
        Claim(holder=node(label, holder), license=lic, claimed_by=by, evidence=ev)
        for label, holder, lic, by, ev in rows["claims"]
    ]
    return Lineage(
        example=example_id,
        ancestors=sorted(r[0] for r in rows["examples"] if r[0] != example_id),
        edges=sorted((a, d["rel"], b) for a, b, d in g.edges(data=True)),
        datasets=sorted(n.split(":", 1)[1] for n in nx.descendants(g, start) if n.startswith("Dataset:")),
        sources=[
            SourceRef(
                example=r[0],
                source=r[1],
                line=r[2],
                record=r[3],
                file_name=r[4],
                checksum=r[5],
                archive_path=r[6],
                dataset=r[7],
            )
            for r in rows["sources"]
        ],
        models=[
            ModelRef(example=r[0], activity=r[1], kind=r[2], model=r[3], name=r[4], role=r[5])
            for r in rows["models"]
        ],
        claims=claims,
        effective=effective_license(g, start, claims, licenses),
        model_claims=model_conflicts(rows.get("dataset_models", [])),
    )
