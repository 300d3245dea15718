"""Coverage: the gap report of a catalog against a target mix, and against real usage (demand)."""

from __future__ import annotations

from catalog.coverage.report import CoverageMatrix, GapReport, gap_report
from catalog.coverage.spec import Eligibility, SpecError, TargetSpec, load_spec, parse_spec, resolve_spec_path
from catalog.quality.base import SEVERITIES
from catalog.store.base import GraphStore
from catalog.store.queries import census_language_mix, census_signatures


def ineligible_examples(store: GraphStore, rules: Eligibility) -> set[str]:
    """Supply examples a target's eligibility rules leave out, besides duplicates: refused by the
    license policy once every ancestor counts, or carrying an issue above the allowed severity."""
    out: set[str] = set()
    if rules.license_policy != "any":
        from catalog.provenance import usable_examples

        out |= {i for i, ok in usable_examples(store, policy=rules.license_policy).items() if not ok}
    if rules.max_issue_severity is not None:
        blocking = SEVERITIES[SEVERITIES.index(rules.max_issue_severity) + 1 :]
        if blocking:
            out |= store.examples_with_issues(severities=list(blocking))
    return out


def build_report(store: GraphStore, spec: TargetSpec) -> GapReport:
    """Count the catalog (one census: an index scan on Neo4j), take out what the eligibility rules
    refuse, and compute the gap report."""
    rules = spec.eligibility
    census = store.coverage_census()
    excluded = ineligible_examples(store, rules)
    if excluded and rules.exclude_duplicates:  # duplicates are subtracted once, as duplicates
        excluded -= set(store.duplicate_members())
    if excluded:
        census = {**census, "excluded": store.census_of(ids=sorted(excluded))}
    supply = census_signatures(census, role="supply", exclude_duplicates=rules.exclude_duplicates)
    demand = census_signatures({"all": census["all"], "duplicates": census["duplicates"]}, role="usage")
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
