"""Pick a reader from the first records of a file; refuse clearly when it cannot decide."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from itertools import islice
from pathlib import Path
from typing import Any

import orjson

from catalog.errors import FormatDetectionError
from catalog.ingest.readers import READERS
from catalog.ingest.records import Container, iter_records, sniff_container

log = logging.getLogger(__name__)

SAMPLE = 25

#: files that look like data but hold no examples, and what to ingest instead
_NOT_EXAMPLES: tuple[tuple[str, Any], ...] = (
    (
        "BFCL ground-truth answers; ingest the BFCL_v*_<category>.json question file beside possible_answer/, "
        "whose answers are attached automatically",
        lambda r: set(r) == {"id", "ground_truth"},
    ),
    (
        "Gorilla's API documentation pool, not examples; ingest the APIBench train/eval files",
        lambda r: {"api_name", "api_call", "domain"} <= set(r) and "code" not in r,
    ),
    (
        "Data Provenance Initiative dataset-level metadata, not examples",
        lambda r: any(isinstance(v, dict) and "Dataset Name" in v for v in r.values()),
    ),
)


def _refuse_single_document(path: Path) -> None:
    """A file that is one JSON object (not an array, not JSON Lines): say what it is, if we can tell."""
    if path.stat().st_size > 64 * 1024 * 1024:
        return
    try:
        doc = orjson.loads(path.read_bytes())
    except orjson.JSONDecodeError:
        return
    if isinstance(doc, dict):
        for what, test in _NOT_EXAMPLES:
            if test(doc):
                raise FormatDetectionError(f"{path.name} holds {what}")
        raise FormatDetectionError(
            f"{path.name} is a single JSON object, not a list of records",
            hint="give a JSON array of records or JSON Lines (one record per line)",
        )


def _sample(path: Path, container: Container, max_record_bytes: int) -> list[Mapping[str, Any]]:
    sample: list[Mapping[str, Any]] = []
    for rec in islice(iter_records(path, max_record_bytes=max_record_bytes, container=container), SAMPLE * 4):
        if rec.error is None and isinstance(rec.value, dict):
            sample.append(rec.value)
            if len(sample) == SAMPLE:
                break
    return sample


def likely_formats(path: Path, *, max_record_bytes: int) -> tuple[list[str], list[str]]:
    """The formats the first records of the file fit, most votes first, and the fields they have
    (for a message that says what a file looks like when the reader it was given read nothing)."""
    container = sniff_container(path)
    sample = _sample(path, container, max_record_bytes)
    votes = {
        name: sum(1 for r in sample if reader.matches(r))
        for name, reader in READERS.items()
        if container in reader.containers
    }
    ranked = sorted((name for name, n in votes.items() if n > 0), key=lambda n: (-votes[n], n))
    return ranked, sorted({k for r in sample[:5] for k in r})


def detect_format(path: Path, *, max_record_bytes: int) -> tuple[str, Container]:
    container = sniff_container(path)
    sample = _sample(path, container, max_record_bytes)
    if not sample and container == "jsonl":
        _refuse_single_document(path)
    if not sample:
        raise FormatDetectionError(
            f"cannot detect the format of {path}: no readable record in its first {SAMPLE * 4} records",
            hint=f"check the file, or name the format with --format ({', '.join(sorted(READERS))})",
        )
    for what, test in _NOT_EXAMPLES:
        if sum(1 for r in sample if test(r)) > len(sample) // 2:
            raise FormatDetectionError(f"{path.name} holds {what}")
    votes = {
        name: sum(1 for r in sample if reader.matches(r))
        for name, reader in READERS.items()
        if container in reader.containers
    }
    need = max(1, (len(sample) * 4 + 4) // 5)  # at least 80% of the sample
    winners = sorted(name for name, n in votes.items() if n >= need)
    if len(winners) == 1:
        return winners[0], container
    keys = sorted({k for r in sample[:5] for k in r})
    if not winners:
        raise FormatDetectionError(
            f"cannot detect the format of {path}: its records have the fields {', '.join(keys)}, "
            f"which match no known format",
            hint=f"name the format with --format ({', '.join(sorted(READERS))}), "
            "and map renamed fields with 'fields' in the manifest",
        )
    raise FormatDetectionError(
        f"the format of {path} is ambiguous: its records fit {', '.join(winners)}",
        hint=f"name one with --format {winners[0]}",
    )
