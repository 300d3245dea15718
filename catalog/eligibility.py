"""Which examples may count as supply and enter a selection: the target's eligibility rules
(license policy once every ancestor's license counts, issue severity, duplicates).

It sits above coverage and provenance and imports both; neither imports it. The confidence
threshold is applied by the census itself (an uncertain label counts as no label); contamination
rules join here as they land.
"""

from __future__ import annotations

import logging

from catalog.coverage import GapReport, TargetSpec, coverage_report
from catalog.coverage.spec import Eligibility
from catalog.provenance import usable_examples
from catalog.quality.base import SEVERITIES
from catalog.store.base import GraphStore

log = logging.getLogger(__name__)


def ineligible_examples(store: GraphStore, rules: Eligibility) -> set[str]:
    """Supply examples the eligibility rules leave out, besides duplicates: refused by the license
    policy once every ancestor counts, carrying an issue above the allowed severity, or flagged
    with a safety risk (unless the rules include them)."""
    out: set[str] = set()
    if rules.license_policy != "any":
        out |= {i for i, ok in usable_examples(store, policy=rules.license_policy).items() if not ok}
    if rules.max_issue_severity is not None:
        blocking = SEVERITIES[SEVERITIES.index(rules.max_issue_severity) + 1 :]
        if blocking:
            out |= store.examples_with_issues(severities=list(blocking))
    if rules.safety == "exclude":
        out |= store.flagged_examples()
    log.debug("eligibility %s leaves out %d examples", rules, len(out))
    return out


def build_report(store: GraphStore, spec: TargetSpec) -> GapReport:
    """The gap report of the catalog's eligible supply against the target mix."""
    return coverage_report(store, spec, excluded=ineligible_examples(store, spec.eligibility))
