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
from catalog.store.rows import LineageFacts

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
    #: the model annotators that labelled the example (ANNOTATED_IN); labels, not origins: outside
    #: the license graph
    annotations: list[ModelRef] = []


def node(label: str, ident: str) -> str:
    return f"{label}:{ident}"


def lineage_graph(facts: LineageFacts) -> nx.DiGraph:
    g = nx.DiGraph()
    for ident in facts.examples:
        g.add_node(node("Example", ident))
    for p in facts.example_parents:
        g.add_edge(node("Example", p.child), node("Example", p.parent), rel="DERIVED_FROM", method=p.method)
    for d in facts.datasets:
        g.add_edge(node("Example", d.example), node("Dataset", d.dataset), rel="IN_DATASET")
    for s in facts.sources:
        g.add_edge(node("Example", s.example), node("Source", s.source), rel="FROM_SOURCE")
        g.add_edge(node("Source", s.source), node("Dataset", s.dataset), rel="IN_DATASET")
    for p in facts.dataset_parents:
        g.add_edge(node("Dataset", p.child), node("Dataset", p.parent), rel="DERIVED_FROM", method=p.method)
    for m in facts.models:
        g.add_edge(node("Example", m.example), node("Activity", m.activity), rel="GENERATED_BY")
        g.add_edge(node("Activity", m.activity), node("Model", m.model), rel="USED_MODEL", role=m.role)
    for c in facts.claims:
        g.add_edge(
            node(c.label, c.holder), node("License", c.license), rel="LICENSED_UNDER", claimed_by=c.claimed_by
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


def build_lineage(licenses: Mapping[str, Mapping[str, Any]], example_id: str, facts: LineageFacts) -> Lineage:
    g = lineage_graph(facts)
    start = node("Example", example_id)
    claims = [
        Claim(holder=node(c.label, c.holder), license=c.license, claimed_by=c.claimed_by, evidence=c.evidence)
        for c in facts.claims
    ]
    return Lineage(
        example=example_id,
        ancestors=sorted(i for i in facts.examples if i != example_id),
        edges=sorted((a, d["rel"], b) for a, b, d in g.edges(data=True)),
        datasets=sorted(n.split(":", 1)[1] for n in nx.descendants(g, start) if n.startswith("Dataset:")),
        sources=[SourceRef(**s._asdict()) for s in facts.sources],
        models=[ModelRef(**m._asdict()) for m in facts.models],
        claims=claims,
        effective=effective_license(g, start, claims, licenses),
        model_claims=model_conflicts(facts.dataset_models),
        annotations=[ModelRef(**m._asdict()) for m in facts.annotations],
    )
