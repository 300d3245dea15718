"""Coverage: the gap report of a catalog against a target mix, and against real usage (demand)."""

from __future__ import annotations

from catalog.coverage.report import CoverageMatrix, GapReport, gap_report
from catalog.coverage.spec import SpecError, TargetSpec, load_spec, parse_spec, resolve_spec_path
from catalog.store.base import GraphStore
from catalog.store.queries import census_language_mix, census_signatures


def build_report(store: GraphStore, spec: TargetSpec) -> GapReport:
    """Count the catalog (one census: an index scan on Neo4j) and compute the gap report."""
    rules = spec.eligibility
    if rules.license_policy != "any":
        raise SpecError(
            f"target spec key 'eligibility.license_policy': {rules.license_policy!r} is not applied to "
            "coverage counts yet (`curagraph license-check --policy commercial` lists what it refuses)",
            hint="use license_policy: any for now",
        )
    if rules.max_issue_severity is not None:
        raise SpecError(
            "target spec key 'eligibility.max_issue_severity': quality checks are not in this catalog version yet",
            hint="leave max_issue_severity out for now",
        )
    census = store.coverage_census()
    supply = census_signatures(census, role="supply", exclude_duplicates=rules.exclude_duplicates)
    demand = census_signatures(census, role="usage")
    mix = {role: census_language_mix(census, role=role) for role in ("supply", "usage")}
    return gap_report(store.schema, spec, supply, demand, mix)


__all__ = [
    "CoverageMatrix",
    "GapReport",
    "SpecError",
    "TargetSpec",
    "build_report",
    "gap_report",
    "load_spec",
    "parse_spec",
    "resolve_spec_path",
]
