"""The gap report: per cell of a target spec, what the catalog has against what the mix wants.

Every figure is a sum over the catalog's coverage signatures (one row per combination of tasks,
formats, language and topics with its example count, `GraphStore.coverage_signatures`), so one
aggregate query per role feeds the whole report on either engine. Tasks and topics roll up their
hierarchy: an example about `word-problems` counts once for `arithmetic` and once for `mathematics`,
however many of their descendants it is about.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from catalog.coverage.spec import DIMENSIONS, TargetSpec
from catalog.schema import Schema, with_broader

log = logging.getLogger(__name__)

UNDETERMINED = "und"

Signature = tuple[tuple[str, ...], tuple[str, ...], str | None, tuple[str, ...], int]


class GapRow(BaseModel):
    dimension: str  # task | format | language | topic | cell
    value: str
    have: int  # confident: labelled at or above the spec's confidence threshold
    uncertain: int  # labelled so only below the threshold (not counted in have)
    want: int
    deficit: int
    surplus: int
    share_have: float  # of the eligible supply
    share_want: float | None


class UsageRow(BaseModel):
    dimension: str
    value: str
    supply: int
    demand: int
    supply_share: float
    demand_share: float
    underserved: bool  # demand share above supply share


class Totals(BaseModel):
    examples: int  # eligible supply examples the report counts
    min_confidence: float  # the threshold `have` counts labels at
    without_task: int  # no task at or above the threshold: uncertain_task + unlabelled_task
    uncertain_task: int  # a task, but only below the threshold
    unlabelled_task: int  # no task at all: nothing in the example gave evidence for one
    without_topic: int
    uncertain_topic: int
    unlabelled_topic: int
    without_format: int
    language_undetermined: int
    demand_examples: int


class GapReport(BaseModel):
    spec: str
    total_wanted: int | None
    totals: Totals
    rows: list[GapRow]  # sorted by deficit, largest first
    empty: list[str]  # wanted cells with have = 0
    topics_never_seen: list[str]
    language_mix: list[dict[str, Any]]
    usage: list[UsageRow]


@dataclass(frozen=True)
class _Expanded:
    task: frozenset[str]
    format: frozenset[str]
    language: frozenset[str]
    topic: frozenset[str]
    n: int


class CoverageMatrix:
    """Counts of examples per cell, from signatures; any cell, any combination of dimensions."""

    def __init__(self, schema: Schema, signatures: Sequence[Signature]) -> None:
        self.schema = schema
        self.rows = [
            _Expanded(
                with_broader(schema.tasks, tasks),
                frozenset(formats),
                frozenset([language or UNDETERMINED]),
                with_broader(schema.topics, topics),
                n,
            )
            for tasks, formats, language, topics, n in signatures
        ]
        self.total = sum(r.n for r in self.rows)

    def count(self, conditions: Mapping[str, str]) -> int:
        return sum(r.n for r in self.rows if all(v in getattr(r, d) for d, v in conditions.items()))

    def marginal(self, dimension: str) -> dict[str, int]:
        out: dict[str, int] = {}
        for r in self.rows:
            for v in getattr(r, dimension):
                out[v] = out.get(v, 0) + r.n
        return out

    def without(self, dimension: str) -> int:
        return sum(r.n for r in self.rows if not getattr(r, dimension))


def _row(
    dimension: str, value: str, have: int, labelled: int, want: int, total: int, total_wanted: int | None
) -> GapRow:
    return GapRow(
        dimension=dimension,
        value=value,
        have=have,
        uncertain=max(0, labelled - have),
        want=want,
        deficit=max(0, want - have),
        surplus=max(0, have - want),
        share_have=round(have / total, 4) if total else 0.0,
        share_want=round(want / total_wanted, 4) if total_wanted else None,
    )


def gap_report(
    schema: Schema,
    spec: TargetSpec,
    supply: Sequence[Signature],
    demand: Sequence[Signature] = (),
    language_mix: Mapping[str, Sequence[tuple[str | None, tuple[str, ...], int]]] | None = None,
    any_confidence: Sequence[Signature] | None = None,
) -> GapReport:
    """The gap per dimension value and cell. `supply` counts the labels at or above the spec's
    confidence threshold; `any_confidence`, the same examples with every label, gives what is
    uncertain (labelled only below it). Without it every label counts as confident."""
    matrix = CoverageMatrix(schema, supply)
    loose = CoverageMatrix(schema, any_confidence if any_confidence is not None else supply)
    rows: list[GapRow] = []
    for dim in DIMENSIONS:
        marginal = matrix.marginal(dim)
        labelled = loose.marginal(dim)
        quotas = spec.dimension(dim)
        # every concept of the scheme appears (have = 0 where there is none); languages as seen or wanted
        universe = {"task": schema.tasks, "topic": schema.topics, "format": schema.formats}.get(dim)
        values = set(universe) if universe is not None else set(marginal) | set(quotas)
        for value in sorted(values):
            want = quotas[value].wanted(spec.total) if value in quotas else 0
            rows.append(
                _row(
                    dim,
                    value,
                    marginal.get(value, 0),
                    labelled.get(value, 0),
                    want,
                    matrix.total,
                    spec.total,
                )
            )
    for cell in spec.cells:
        have, any_label = matrix.count(cell.conditions()), loose.count(cell.conditions())
        rows.append(
            _row(
                "cell",
                cell.label(),
                have,
                any_label,
                cell.quota().wanted(spec.total),
                matrix.total,
                spec.total,
            )
        )
    rows.sort(key=lambda r: (-r.deficit, r.dimension, r.value))
    topic_have = matrix.marginal("topic")
    usage = _usage(matrix, CoverageMatrix(schema, demand)) if demand else []
    return GapReport(
        spec=spec.name,
        total_wanted=spec.total,
        totals=Totals(
            examples=matrix.total,
            min_confidence=spec.eligibility.min_confidence,
            without_task=matrix.without("task"),
            uncertain_task=matrix.without("task") - loose.without("task"),
            unlabelled_task=loose.without("task"),
            without_topic=matrix.without("topic"),
            uncertain_topic=matrix.without("topic") - loose.without("topic"),
            unlabelled_topic=loose.without("topic"),
            without_format=matrix.without("format"),
            language_undetermined=matrix.count({"language": UNDETERMINED}),
            demand_examples=sum(s[-1] for s in demand),
        ),
        rows=rows,
        empty=[f"{r.dimension}={r.value}" for r in rows if r.want > 0 and r.have == 0],
        topics_never_seen=sorted(t for t in schema.topics if topic_have.get(t, 0) == 0),
        language_mix=[row for role, rows in (language_mix or {}).items() for row in _mix(role, rows)],
        usage=usage,
    )


def _mix(role: str, rows: Sequence[tuple[str | None, tuple[str, ...], int]]) -> list[dict[str, Any]]:
    """Examples per (main language, languages spoken in their messages); 'und' messages (code,
    numbers, empty tool-call turns) say nothing about the mix and are left out."""
    merged: dict[tuple[str, tuple[str, ...]], int] = {}
    for lang, langs, n in rows:
        key = (lang or UNDETERMINED, tuple(sorted(set(langs) - {UNDETERMINED})))
        merged[key] = merged.get(key, 0) + n
    return [
        {
            "role": role,
            "language": lang,
            "message_languages": list(langs),
            "mixed": len(langs) > 1,
            "examples": n,
        }
        for (lang, langs), n in sorted(merged.items(), key=lambda kv: (-kv[1], kv[0]))
    ]


def _usage(supply: CoverageMatrix, demand: CoverageMatrix) -> list[UsageRow]:
    out: list[UsageRow] = []
    for dim in DIMENSIONS:
        have, need = supply.marginal(dim), demand.marginal(dim)
        for value in sorted(set(have) | set(need)):
            s_share = have.get(value, 0) / supply.total if supply.total else 0.0
            d_share = need.get(value, 0) / demand.total if demand.total else 0.0
            out.append(
                UsageRow(
                    dimension=dim,
                    value=value,
                    supply=have.get(value, 0),
                    demand=need.get(value, 0),
                    supply_share=round(s_share, 4),
                    demand_share=round(d_share, 4),
                    underserved=d_share > s_share,
                )
            )
    out.sort(key=lambda r: (-(r.demand_share - r.supply_share), r.dimension, r.value))
    return out
