"""Provenance: the license check for a policy, the synthetic-data audit, the overview the dashboard draws."""

from __future__ import annotations

import logging
from typing import Any, Literal

from fastapi import APIRouter

from api.deps import CatalogDep, ReadAccess
from api.errors import ERROR_RESPONSES
from api.views.dashboards import provenance_overview
from catalog.provenance import LicenseCheck, check_licenses
from catalog.provenance.synthetic import SyntheticAudit, synthetic_audit

log = logging.getLogger(__name__)

router = APIRouter(tags=["provenance"], dependencies=[ReadAccess], responses=ERROR_RESPONSES)


@router.get(
    "/license-check",
    response_model=LicenseCheck,
    summary="What a policy allows, every ancestor's license counted",
)
def license_check(catalog: CatalogDep, policy: Literal["commercial", "any"] = "commercial") -> LicenseCheck:
    with catalog.use() as store:
        return check_licenses(store, policy=policy)


@router.get(
    "/synthetic", response_model=SyntheticAudit, summary="Generator share, language drift, self-distillation"
)
def synthetic(catalog: CatalogDep) -> SyntheticAudit:
    with catalog.use() as store:
        return synthetic_audit(store)


@router.get(
    "/provenance/overview", summary="Sources -> datasets -> licenses flow, generators, refusals, conflicts"
)
def overview(catalog: CatalogDep) -> dict[str, Any]:
    with catalog.use() as store:
        return provenance_overview(store)
