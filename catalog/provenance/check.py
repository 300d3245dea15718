"""The license check over the whole catalog: for each example, every license on every ancestor
(its datasets and theirs, its source files, the models that generated it, and the same for every
example it derives from), against a policy. Examples that draw on the same origins share a verdict,
so the check is computed per group of origins and reported per group."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from functools import cache
from typing import Any, Literal

import networkx as nx
from pydantic import BaseModel, ConfigDict

from catalog.provenance.license import (
    NON_COMMERCIAL,
    Claim,
    Conflict,
    ModelConflict,
    conditions_of,
    conflicts_of,
    model_conflicts,
)
from catalog.store.rows import EdgePairRow, ExampleOriginFacts, ExampleOriginsRow, LicenseInputs, OriginFacts

log = logging.getLogger(__name__)

Policy = Literal["commercial", "any"]


class Reason(BaseModel):
    model_config = ConfigDict(frozen=True)

    condition: str
    license: str
    holder: str
    claimed_by: str | None


class Group(BaseModel):
    datasets: list[str]
    models: list[str]
    examples: int
    allowed: bool
    reasons: list[Reason]  # the conditions that refuse it under the policy (or, for "any", all of them)


class LicenseCheck(BaseModel):
    policy: str
    examples: int
    allowed: int
    refused: int
    groups: list[Group]  # refused first, then by size
    conflicts: list[Conflict]
    model_conflicts: list[ModelConflict]


Origins = tuple[frozenset[str], frozenset[str], frozenset[str]]  # datasets, sources, models


class Judge:
    """The verdict on a set of origins (datasets, sources, models) under a policy, cached: every
    license claim on them and on the datasets they derive from."""

    def __init__(
        self,
        licenses: Mapping[str, Mapping[str, Any]],
        inputs: LicenseInputs,
        *,
        policy: Policy,
    ) -> None:
        self.licenses, self.policy = licenses, policy
        self.claims: dict[str, list[Claim]] = defaultdict(list)
        for c in inputs.claims:
            holder = f"{c.label}:{c.holder}"
            self.claims[holder].append(
                Claim(holder=holder, license=c.license, claimed_by=c.claimed_by, evidence=c.evidence)
            )
        self.dataset_graph = nx.DiGraph()
        self.dataset_graph.add_edges_from((e.child, e.parent) for e in inputs.dataset_edges)
        self.source_dataset = {s.source: s.dataset for s in inputs.source_datasets}
        self.verdict = cache(self._verdict)

    def holders(self, origins: Origins) -> tuple[list[str], list[str]]:
        datasets, sources, models = origins
        ds = set(datasets) | {self.source_dataset[s] for s in sources if s in self.source_dataset}
        for d in list(ds):
            if d in self.dataset_graph:
                ds |= nx.descendants(self.dataset_graph, d)
        return sorted(ds), [f"Source:{s}" for s in sorted(sources)] + [f"Model:{m}" for m in sorted(models)]

    def _verdict(self, origins: Origins) -> tuple[bool, tuple[Reason, ...], tuple[str, ...]]:
        ds, others = self.holders(origins)
        reasons = []
        for holder in [f"Dataset:{d}" for d in ds] + others:
            if holder.startswith("Dataset:") and not self.claims.get(holder):
                reasons.append(
                    Reason(condition=NON_COMMERCIAL, license="(none)", holder=holder, claimed_by=None)
                )
            for c in self.claims.get(holder, []):
                for cond in conditions_of(self.licenses.get(c.license, {})):
                    reasons.append(
                        Reason(condition=cond, license=c.license, holder=holder, claimed_by=c.claimed_by)
                    )
        commercial = self.policy == "commercial"
        refusing = [r for r in reasons if r.condition == NON_COMMERCIAL] if commercial else []
        shown = refusing if commercial else reasons
        ordered = sorted(set(shown), key=lambda r: (r.holder, r.license, r.condition, r.claimed_by or ""))
        return not refusing, tuple(ordered), tuple(ds)


def inherit(own: Mapping[str, Origins], derived_edges: Sequence[EdgePairRow]) -> Callable[[str], Origins]:
    """Origins of an example including every example it derives from (any depth), memoised."""
    parents: dict[str, list[str]] = defaultdict(list)
    for e in derived_edges:
        parents[e.child].append(e.parent)
    memo: dict[str, Origins] = {}
    empty: Origins = (frozenset(), frozenset(), frozenset())

    def inherited(ident: str, seen: frozenset[str] = frozenset()) -> Origins:
        if ident in memo:
            return memo[ident]
        d, s, m = own.get(ident, empty)
        for p in parents.get(ident, []):
            if p not in seen:
                pd, ps, pm = inherited(p, seen | {ident})
                d, s, m = d | pd, s | ps, m | pm
        memo[ident] = (d, s, m)
        return memo[ident]

    return inherited


def _origins(r: ExampleOriginsRow) -> Origins:
    return (frozenset(r.datasets), frozenset(r.sources), frozenset(r.models))


def license_check(
    licenses: Mapping[str, Mapping[str, Any]], facts: OriginFacts, *, policy: Policy
) -> LicenseCheck:
    judge = Judge(licenses, facts.inputs, policy=policy)
    claims = judge.claims
    verdict = judge.verdict

    counts: dict[Origins, int] = defaultdict(int)
    for g in facts.groups:
        counts[(frozenset(g.datasets), frozenset(g.sources), frozenset(g.models))] += int(g.examples)
    # derived examples inherit the origins of every example they derive from
    own = {r.id: _origins(r) for r in facts.derived}
    inherited = inherit(own, facts.derived_edges)
    for ident in {e.child for e in facts.derived_edges}:
        counts[inherited(ident)] += 1

    by_group: dict[tuple[Any, ...], Group] = {}
    for origins, n in counts.items():
        allowed, reasons, ds = verdict(origins)
        key = (ds, tuple(sorted(origins[2])), allowed, reasons)
        if key in by_group:
            by_group[key].examples += n
        else:
            by_group[key] = Group(
                datasets=list(ds),
                models=sorted(origins[2]),
                examples=n,
                allowed=allowed,
                reasons=list(reasons),
            )
    groups = sorted(
        by_group.values(), key=lambda g: (g.allowed, -g.examples, g.datasets, g.models, repr(g.reasons))
    )
    every_claim = sorted(
        (c for cs in claims.values() for c in cs), key=lambda c: (c.holder, c.license, c.claimed_by or "")
    )
    allowed_n = sum(g.examples for g in groups if g.allowed)
    total = sum(g.examples for g in groups)
    return LicenseCheck(
        policy=policy,
        examples=total,
        allowed=allowed_n,
        refused=total - allowed_n,
        groups=groups,
        conflicts=conflicts_of(every_claim, licenses),
        model_conflicts=model_conflicts(facts.inputs.dataset_models),
    )


def example_verdicts(
    licenses: Mapping[str, Mapping[str, Any]], facts: ExampleOriginFacts, *, policy: Policy
) -> dict[str, bool]:
    """Per example: may it be used under the policy?"""
    judge = Judge(licenses, facts.inputs, policy=policy)
    own = {r.id: _origins(r) for r in facts.examples}
    inherited = inherit(own, facts.derived_edges)
    return {ident: judge.verdict(inherited(ident))[0] for ident in own}
