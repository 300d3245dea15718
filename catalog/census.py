"""Coverage and origin keys, and census signatures: pure functions over plain values, shared by
the store (which keeps the keys on every example) and the domain (which reads them).

An example's `coverage_key` is a canonical text of its sorted task, format and topic ids; its
`origin_key` the same for its datasets, source files and generating activities. See
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
SEP, ITEM = ";", ","

Slots = tuple[set[str], ...]


def make_key(*parts: Iterable[str]) -> str:
    return SEP.join(ITEM.join(sorted(set(v))) for v in parts)


def parse_key(key: str) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(p.split(ITEM)) if p else () for p in key.split(SEP))


class CensusCell(NamedTuple):
    """What the census tells examples apart by: role, assignments, main and message languages."""

    role: str | None
    tasks: tuple[str, ...]
    formats: tuple[str, ...]
    language: str | None
    topics: tuple[str, ...]
    message_languages: tuple[str, ...]


class CensusRow(NamedTuple):
    """A census cell and how many examples fall in it."""

    role: str | None
    tasks: tuple[str, ...]
    formats: tuple[str, ...]
    language: str | None
    topics: tuple[str, ...]
    message_languages: tuple[str, ...]
    examples: int


#: a coverage signature: (tasks, formats, language, topics, examples), what CoverageMatrix takes
Signature = tuple[tuple[str, ...], tuple[str, ...], str | None, tuple[str, ...], int]


def census_signatures(
    census: Mapping[str, list[CensusRow]], *, role: str, exclude_duplicates: bool = False
) -> list[Signature]:
    """Coverage signatures (tasks, formats, language, topics, examples) of one role from a census,
    without the duplicates if asked, and without the census's "excluded" part if it has one."""
    merged: dict[tuple[Any, ...], int] = {}
    parts = [("all", 1), ("duplicates", -1)] if exclude_duplicates else [("all", 1)]
    if "excluded" in census:
        parts.append(("excluded", -1))
    for part, sign in parts:
        for r in census[part]:
            if r.role == role:
                sig = (r.tasks, r.formats, r.language, r.topics)
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
