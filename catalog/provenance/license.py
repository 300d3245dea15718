"""License conditions and how they combine: most restrictive wins, and each condition keeps the
path through the lineage graph that imposed it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel

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
    """Holders with claims that disagree (different licenses), kept side by side with who claims them.
    A model's terms of use next to a data license are two layers, not a conflict."""
    by_holder: dict[str, list[Claim]] = {}
    for c in claims:
        by_holder.setdefault(c.holder, []).append(c)
    out = []
    for holder, cs in sorted(by_holder.items()):
        data = [c for c in cs if licenses.get(c.license, {}).get("kind") != "model-terms"]
        if len({c.license for c in data}) > 1:
            out.append(
                Conflict(holder=holder, claims=sorted(data, key=lambda c: (c.license, c.claimed_by or "")))
            )
    return out
