"""Coverage and origin keys, and census signatures: pure functions over plain values, shared by
the store (which keeps the keys on every example) and the domain (which reads them).

An example's `coverage_key` is a canonical text of its sorted task, format and topic ids, each with
its confidence when that is below 1 (`rewrite@55`: 0.55 or a little more, floored to a multiple of
0.05); its `origin_key` the same for its datasets, source files and generating activities. A
census read at a confidence threshold counts only the assignments at or above it
(`census_signatures(..., min_confidence=0.5)`); below it they are *uncertain*. See
catalog/store/coverage_key.py for how the store keeps them right on every write.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

log = logging.getLogger(__name__)

#: property -> the relationships it summarises, in key order, with their targets
KEYS: dict[str, tuple[tuple[str, str], ...]] = {
    "coverage_key": (("FOR_TASK", "Task"), ("HAS_FORMAT", "Format"), ("ABOUT", "Topic")),
    "origin_key": (("IN_DATASET", "Dataset"), ("FROM_SOURCE", "Source"), ("GENERATED_BY", "Activity")),
}
SEP, ITEM, AT = ";", ",", "@"
#: the relationships whose confidence the coverage key carries
SCORED = frozenset({"FOR_TASK", "ABOUT"})
#: confidences in keys are floored to this step, in hundredths (so thresholds are multiples of 0.05)
STEP = 5

Slots = tuple[set[str], ...]


def scored_item(concept: str, confidence: float | None) -> str:
    """A key item: the concept id, with its confidence floored to STEP hundredths when below 1."""
    if confidence is None or confidence >= 1.0:
        return concept
    hundredths = int(round(max(0.0, confidence) * 100, 6)) // STEP * STEP
    return f"{concept}{AT}{hundredths:02d}"


def split_item(item: str) -> tuple[str, float]:
    """(concept id, confidence) of a key item."""
    concept, _, conf = item.partition(AT)
    return concept, (int(conf) / 100 if conf else 1.0)


def make_key(*parts: Iterable[str]) -> str:
    return SEP.join(ITEM.join(sorted(set(v))) for v in parts)


def parse_key(key: str) -> tuple[tuple[str, ...], ...]:
    """The ids in each part of a key (confidences dropped: `parse_scored_key` keeps them)."""
    return tuple(tuple(split_item(i)[0] for i in p.split(ITEM)) if p else () for p in key.split(SEP))


def parse_scored_key(key: str) -> tuple[tuple[tuple[str, float], ...], ...]:
    """(id, confidence) in each part of a key."""
    return tuple(tuple(split_item(i) for i in p.split(ITEM)) if p else () for p in key.split(SEP))


def confident(scored: tuple[tuple[str, float], ...], min_confidence: float) -> tuple[str, ...]:
    """The ids whose confidence is at least the threshold, sorted and distinct."""
    return tuple(sorted({c for c, conf in scored if conf >= min_confidence - 1e-9}))


Scored = tuple[tuple[str, float], ...]


class CensusCell(NamedTuple):
    """What the census tells examples apart by: role, assignments (with the confidence of each task
    and topic), main and message languages."""

    role: str | None
    tasks: Scored
    formats: tuple[str, ...]
    language: str | None
    topics: Scored
    message_languages: tuple[str, ...]


class CensusRow(NamedTuple):
    """A census cell and how many examples fall in it."""

    role: str | None
    tasks: Scored
    formats: tuple[str, ...]
    language: str | None
    topics: Scored
    message_languages: tuple[str, ...]
    examples: int


#: a coverage signature: (tasks, formats, language, topics, examples), what CoverageMatrix takes
Signature = tuple[tuple[str, ...], tuple[str, ...], str | None, tuple[str, ...], int]


def census_signatures(
    census: Mapping[str, list[CensusRow]],
    *,
    role: str,
    exclude_duplicates: bool = False,
    min_confidence: float = 0.0,
) -> list[Signature]:
    """Coverage signatures (tasks, formats, language, topics, examples) of one role from a census,
    without the duplicates if asked, and without the census's "excluded" part if it has one. Only
    tasks and topics assigned with at least `min_confidence` count (0: every assignment)."""
    merged: dict[tuple[Any, ...], int] = {}
    parts = [("all", 1), ("duplicates", -1)] if exclude_duplicates else [("all", 1)]
    if "excluded" in census:
        parts.append(("excluded", -1))
    for part, sign in parts:
        for r in census[part]:
            if r.role == role:
                sig = (
                    confident(r.tasks, min_confidence),
                    r.formats,
                    r.language,
                    confident(r.topics, min_confidence),
                )
                merged[sig] = merged.get(sig, 0) + sign * r.examples
    return [(*k, n) for k, n in sorted(merged.items(), key=lambda kv: repr(kv[0])) if n]


def census_language_mix(
    census: Mapping[str, list[CensusRow]], *, role: str
) -> list[tuple[str | None, tuple[str, ...], int]]:
    """(main language, distinct message languages, examples) of one role from a census."""
    merged: dict[tuple[Any, ...], int] = {}
    for r in census["all"]:
        if r.role == role:
            key = (r.language, tuple(sorted(set(r.message_languages))))
            merged[key] = merged.get(key, 0) + r.examples
    return [(*k, n) for k, n in sorted(merged.items(), key=lambda kv: repr(kv[0]))]
