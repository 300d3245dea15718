"""Coverage: the gap report of a catalog against a target mix, and against real usage (demand)."""

from __future__ import annotations

import logging

from catalog.census import census_language_mix, census_signatures
from catalog.coverage.report import CoverageMatrix, GapReport, gap_report
from catalog.coverage.spec import SpecError, TargetSpec, load_spec, parse_spec, resolve_spec_path
from catalog.store.base import GraphStore

log = logging.getLogger(__name__)


def coverage_report(store: GraphStore, spec: TargetSpec, *, excluded: set[str] | None = None) -> GapReport:
    """Count the catalog (one census: an index scan on Neo4j), take out the `excluded` examples and,
    if the spec says so, the duplicates, and compute the gap report on the labels at or above the
    spec's confidence threshold (the uncertain ones are counted beside it). Which examples the spec's
    eligibility rules exclude is catalog/eligibility.py's business (`build_report`)."""
    rules = spec.eligibility
    census = store.coverage_census()
    excluded = set(excluded or ())
    if excluded and rules.exclude_duplicates:  # duplicates are subtracted once, as duplicates
        excluded -= set(store.duplicate_members())
    if excluded:
        census = {**census, "excluded": store.census_of(ids=sorted(excluded))}
    supply = census_signatures(
        census,
        role="supply",
        exclude_duplicates=rules.exclude_duplicates,
        min_confidence=rules.min_confidence,
    )
    # the same supply with every label, however uncertain: what the threshold leaves out
    labelled = census_signatures(census, role="supply", exclude_duplicates=rules.exclude_duplicates)
    demand = census_signatures(
        {"all": census["all"], "duplicates": census["duplicates"]},
        role="usage",
        min_confidence=rules.min_confidence,
    )
    mix = {role: census_language_mix(census, role=role) for role in ("supply", "usage")}
    return gap_report(store.schema, spec, supply, demand, mix, any_confidence=labelled)


__all__ = [
    "CoverageMatrix",
    "GapReport",
    "SpecError",
    "TargetSpec",
    "coverage_report",
    "gap_report",
    "load_spec",
    "parse_spec",
    "resolve_spec_path",
]
