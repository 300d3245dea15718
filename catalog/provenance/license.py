"""License conditions and how they combine: most restrictive wins, and each condition keeps the
path through the lineage graph that imposed it."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import BaseModel

from catalog.store.rows import DatasetModelClaimRow

log = logging.getLogger(__name__)

#: conditions a license (or model terms of use) can impose, from the ontology's license properties
NON_COMMERCIAL, SHARE_ALIKE, NO_DERIVATIVES, ATTRIBUTION = (
    "non-commercial",
    "share-alike",
    "no-derivatives",
    "attribution",
)


class Claim(BaseModel):
    holder: str  # "Dataset:stanford-alpaca-5k", "Model:text-davinci-003", "Source:..."
    license: str
    claimed_by: str | None
    evidence: str | None = None


class Condition(BaseModel):
    condition: str
    license: str
    holder: str
    claimed_by: str | None
    path: list[str]  # from the example to the holder, as "Label:id"


class Conflict(BaseModel):
    holder: str
    claims: list[Claim]


class EffectiveLicense(BaseModel):
    commercial_use: bool
    share_alike: bool
    no_derivatives: bool
    attribution: list[str]  # holders whose license asks for attribution
    licenses: list[str]
    conditions: list[Condition]
    conflicts: list[Conflict]
    unlicensed: list[str]  # holders on the path with no license claim at all (datasets, sources)


def conditions_of(license_row: Mapping[str, Any]) -> list[str]:
    out = []
    if not license_row.get("commercial_use", False):
        out.append(NON_COMMERCIAL)
    if license_row.get("share_alike"):
        out.append(SHARE_ALIKE)
    if license_row.get("no_derivatives"):
        out.append(NO_DERIVATIVES)
    if license_row.get("attribution_required"):
        out.append(ATTRIBUTION)
    return out


def conflicts_of(claims: list[Claim], licenses: Mapping[str, Mapping[str, Any]]) -> list[Conflict]:
    """Holders whose claimants disagree (each claimant's set of data licenses differs), kept side by
    side with who claims them. One claimant naming several licenses (multi-licensed data) is not a
    conflict, and a model's terms of use next to a data license are two layers, not a conflict."""
    by_holder: dict[str, list[Claim]] = {}
    for c in claims:
        if licenses.get(c.license, {}).get("kind") != "model-terms":
            by_holder.setdefault(c.holder, []).append(c)
    out = []
    for holder, cs in sorted(by_holder.items()):
        by_claimant: dict[str, set[str]] = {}
        for c in cs:
            by_claimant.setdefault(c.claimed_by or "", set()).add(c.license)
        if len({frozenset(v) for v in by_claimant.values()}) > 1:
            out.append(
                Conflict(holder=holder, claims=sorted(cs, key=lambda c: (c.license, c.claimed_by or "")))
            )
    return out


class ModelConflict(BaseModel):
    dataset: str
    claims: dict[str, list[str]]  # claimant -> the models it says generated the dataset


def model_conflicts(rows: Sequence[DatasetModelClaimRow]) -> list[ModelConflict]:
    """Datasets whose generator models differ between claimants (e.g. a manifest and the DPI)."""
    by: dict[str, dict[str, set[str]]] = {}
    for r in rows:
        by.setdefault(r.dataset, {}).setdefault(r.claimed_by or "(unknown)", set()).add(r.name or r.model)
    return [
        ModelConflict(dataset=d, claims={k: sorted(v) for k, v in sorted(c.items())})
        for d, c in sorted(by.items())
        if len(c) > 1 and len({frozenset(v) for v in c.values()}) > 1
    ]
