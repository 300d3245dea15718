"""Coverage: the gap report of a catalog against a target mix, and against real usage (demand)."""

from __future__ import annotations

from catalog.coverage.report import CoverageMatrix, GapReport, gap_report
from catalog.coverage.spec import SpecError, TargetSpec, load_spec, parse_spec, resolve_spec_path
from catalog.store.base import GraphStore


def build_report(store: GraphStore, spec: TargetSpec) -> GapReport:
    """Query the catalog (two aggregate queries per role) and compute the gap report."""
    rules = spec.eligibility
    if rules.license_policy != "any":
        raise SpecError(
            f"target spec key 'eligibility.license_policy': {rules.license_policy!r} needs license resolution, "
            "which this catalog version does not have yet",
            hint="use license_policy: any for now",
        )
    if rules.max_issue_severity is not None:
        raise SpecError(
            "target spec key 'eligibility.max_issue_severity': quality checks are not in this catalog version yet",
            hint="leave max_issue_severity out for now",
        )
    with_duplicates = not rules.exclude_duplicates
    supply = store.coverage_signatures(role="supply", with_duplicates=with_duplicates)
    demand = store.coverage_signatures(role="usage", with_duplicates=True)
    mix = {role: store.language_mix(role=role) for role in ("supply", "usage")}
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
