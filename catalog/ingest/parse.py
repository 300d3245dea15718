"""The parse side of an ingest: records -> candidates -> canonical examples, in batches. Runs in
the ingest's process, or in a worker process beside the writes for large files
(catalog/ingest/worker.py)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from catalog.config import Settings
from catalog.errors import IngestError
from catalog.ingest.canonical import Candidate, CanonicalExample, RecordError, canonicalize
from catalog.ingest.plan import IngestPlan
from catalog.ingest.quarantine import Quarantine
from catalog.ingest.readers import READERS
from catalog.ingest.records import Container, iter_records

log = logging.getLogger(__name__)


@dataclass(slots=True)
class Parsed:
    """One accepted example, as the write side needs it (small and picklable)."""

    props: dict[str, Any]
    line: int
    record: int
    parent_id: str | None
    derivation: str | None
    models: tuple[str, ...]


@dataclass
class ParsedBatch:
    items: list[Parsed]
    read: int
    quarantined: int
    records: int
    offset: int


@dataclass(frozen=True)
class ParseSpec:
    """Everything the parse side needs; picklable, so it can run in a worker process."""

    path: Path
    container: Container
    format: str
    fields: dict[str, str]
    role: str
    batch_size: int
    batch_bytes: int
    max_record_bytes: int
    quarantine_file: Path


def parse_file(spec: ParseSpec, quarantine: Quarantine) -> Iterator[ParsedBatch]:
    """Records -> candidates -> canonical examples, in batches; bad records go to the quarantine."""
    reader = READERS[spec.format](spec.path, spec.fields)
    items: list[Parsed] = []
    read = records = size = 0
    quarantined_before = quarantine.count
    offset = 0
    for rec in iter_records(spec.path, max_record_bytes=spec.max_record_bytes, container=spec.container):
        records += 1
        offset = rec.end_offset
        if rec.error is not None:
            read += 1
            quarantine.add(rec, rec.error)
        else:
            try:
                candidates = reader.read(rec.value)
            except RecordError as exc:
                read += 1
                quarantine.add(rec, str(exc), preview=orjson.dumps(rec.value)[:2000])
                candidates = []
            read += len(candidates)
            by_key: dict[str, str] = {}
            made: list[tuple[CanonicalExample, Candidate]] = []
            for i, cand in enumerate(candidates):
                try:
                    ex = canonicalize(cand, usage_role=spec.role)
                except RecordError as exc:
                    where = i if len(candidates) > 1 else None
                    quarantine.add(rec, str(exc), preview=orjson.dumps(cand.messages)[:2000], example=where)
                    continue
                if cand.record_key:
                    by_key[cand.record_key] = ex.id
                made.append((ex, cand))
            for ex, cand in made:
                parent = by_key.get(cand.parent_key) if cand.parent_key else None
                items.append(Parsed(ex.props, rec.line, rec.index, parent, cand.derivation, cand.models))
                size += len(ex.messages_json) + len(ex.tools_json or "")
        if len(items) >= spec.batch_size or size >= spec.batch_bytes:
            yield ParsedBatch(items, read, quarantine.count - quarantined_before, records, offset)
            items, read, records, size = [], 0, 0, 0
            quarantined_before = quarantine.count
    yield ParsedBatch(items, read, quarantine.count - quarantined_before, records, offset)


#: from this file size on, parsing runs in a worker process beside the writes (start-up ~0.5 s)
PARALLEL_MIN_BYTES = 16 * 1024 * 1024


def use_worker(settings: Settings, size: int) -> bool:
    if settings.ingest_workers == 0:
        return False
    if settings.ingest_workers == 1:
        return True
    return size >= PARALLEL_MIN_BYTES


def parallel_batches(spec: ParseSpec, result: dict[str, Any]) -> Iterator[ParsedBatch]:
    """Run the parse side in `python -m catalog.ingest.worker` and stream its batches."""
    import pickle
    import subprocess
    import sys

    from catalog.pipe import receive

    proc = subprocess.Popen(
        [sys.executable, "-m", "catalog.ingest.worker"], stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )
    if proc.stdin is None or proc.stdout is None:
        raise IngestError("the parser worker started without its pipes", hint="report this as a bug")
    try:
        pickle.dump(spec, proc.stdin)
        proc.stdin.close()
        while True:
            message = receive(proc.stdout)
            if message is None:
                code = proc.wait(timeout=30)
                raise IngestError(f"the parser process for {spec.path.name} stopped early (exit code {code})")
            kind, payload = message
            if kind == "batch":
                yield payload
            elif kind == "done":
                result["quarantined"], result["quarantine_file"] = payload
                return
            else:
                raise IngestError(f"parsing {spec.path.name} failed: {payload}")
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=30)
        proc.stdout.close()


def iter_examples(plan: IngestPlan, *, settings: Settings, quarantine_file: Path) -> Iterator[Parsed]:
    """The examples a file holds, as ingest would write them, without writing anything (for evaluations)."""
    spec = ParseSpec(
        path=plan.path,
        container=plan.container,
        format=plan.format,
        fields=dict(plan.manifest.fields),
        role=plan.manifest.role,
        batch_size=settings.batch_size,
        batch_bytes=settings.batch_mb * 1024 * 1024,
        max_record_bytes=settings.max_record_bytes,
        quarantine_file=quarantine_file,
    )
    for batch in parse_file(spec, Quarantine(quarantine_file)):
        yield from batch.items
