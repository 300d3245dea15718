"""The streaming ingest pipeline: file -> records -> candidates -> canonical examples -> graph.

Two steps. `prepare_ingest` checks everything that can be checked without writing (the file, the
manifest, the format) and raises a clear IngestError; nothing is written before it succeeds.
`run_ingest` archives the raw file, writes the provenance nodes, then streams the records in
batches, each batch one transaction, so a killed run leaves whole batches behind and a re-run
completes it: examples already committed are found by their content id and counted as duplicates.

Counts always add up: read = accepted + quarantined + duplicates_skipped.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import orjson

from catalog.config import Settings
from catalog.errors import IngestError, NothingIngested
from catalog.ingest.archive import archive_file
from catalog.ingest.canonical import Candidate, CanonicalExample, RecordError, canonicalize
from catalog.ingest.detect import detect_format
from catalog.ingest.manifest import Manifest, ModelRef, default_manifest, load_manifest
from catalog.ingest.readers import READERS, Reader
from catalog.ingest.records import Container, RawRecord, iter_records, sniff_container, unread_container
from catalog.model import IngestSummary
from catalog.schema import Schema
from catalog.store.base import GraphStore, NodeGroup, RelGroup, WriteBatch


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9.]+", "-", text.lower()).strip("-") or "unnamed"


@dataclass
class IngestPlan:
    path: Path
    manifest: Manifest
    format: str
    container: Container
    reader: Reader

    @property
    def dataset_id(self) -> str:
        return self.manifest.name


@dataclass
class Progress:
    bytes_done: int
    bytes_total: int
    read: int
    accepted: int
    quarantined: int
    duplicates_skipped: int


ProgressSink = Callable[[Progress], None]


def prepare_ingest(
    path: Path,
    *,
    schema: Schema,
    settings: Settings,
    manifest_path: Path | None = None,
    fmt: str | None = None,
) -> IngestPlan:
    """Check the file, manifest and format; write nothing. Raises IngestError with a fix."""
    path = Path(path)
    if not path.exists():
        raise IngestError(f"file not found: {path}", hint="check the path")
    if not path.is_file():
        raise IngestError(f"not a file: {path}", hint="ingest one file at a time")
    if not os.access(path, os.R_OK):
        raise IngestError(f"cannot read {path}: permission denied")
    if (unread := unread_container(path)) is not None:
        what, fix = unread
        raise IngestError(
            f"{path} is {what}, a container curagraph does not read yet (JSON, JSON Lines and CSV are read)",
            hint=fix.replace("FILE", str(path)),
        )
    manifest = load_manifest(manifest_path) if manifest_path else default_manifest(path)
    manifest.check_against(schema, set(READERS))
    manifest = manifest.for_file(path.name)
    fmt = fmt or manifest.format
    if fmt is not None:
        if fmt not in READERS:
            raise IngestError(f"unknown format {fmt!r}", hint=f"choose one of {', '.join(sorted(READERS))}")
        container = sniff_container(path)
        if container not in READERS[fmt].containers:
            raise IngestError(f"format {fmt!r} does not come as {container}; {path.name} is {container}")
    else:
        fmt, container = detect_format(path, max_record_bytes=settings.max_record_bytes)
    reader = READERS[fmt](path, manifest.fields)
    return IngestPlan(path=path, manifest=manifest, format=fmt, container=container, reader=reader)


# ---------------------------------------------------------------------- provenance


@dataclass
class _Provenance:
    source_id: str
    dataset_id: str
    activities: list[str] = field(default_factory=list)  # GENERATED_BY targets for every example


def _model_nodes(
    batch: WriteBatch, dataset_id: str, models: list[ModelRef], *, claim: bool = False
) -> list[str]:
    """Model and Activity nodes for a dataset's models; with `claim`, the dataset-level claim
    (Dataset GENERATED_BY Activity, claimed by the manifest) beside any other claimant's."""
    activities = []
    model_rows, activity_rows, used = [], [], []
    for m in models:
        model_id = slug(m.name)
        activity_id = f"{dataset_id}:{m.activity}:{model_id}"
        model_rows.append({"id": model_id, "name": m.name, "provider": m.provider})
        activity_rows.append(
            {"id": activity_id, "kind": m.activity, "label": f"{m.activity} of {dataset_id} by {m.name}"}
        )
        used.append({"src": activity_id, "dst": model_id, "role": m.role})
        activities.append(activity_id)
    bases = [{"id": slug(m.base_model), "name": m.base_model} for m in models if m.base_model]
    tuned = [{"src": slug(m.name), "dst": slug(m.base_model)} for m in models if m.base_model]
    trained = sorted({(slug(m.name), d) for m in models for d in m.trained_on})
    if models:
        # a base model or training set the catalog does not hold yet is added by name, never overwritten
        batch.nodes += [
            NodeGroup("Model", model_rows),
            NodeGroup("Model", bases, update_existing=False),
            NodeGroup("Dataset", [{"id": d} for d in sorted({d for _, d in trained})], update_existing=False),
            NodeGroup("Activity", activity_rows),
        ]
        batch.relationships.append(RelGroup("USED_MODEL", "Activity", "Model", used))
        batch.relationships.append(RelGroup("FINE_TUNED_FROM", "Model", "Model", tuned))
        batch.relationships.append(
            RelGroup("TRAINED_ON", "Model", "Dataset", [{"src": a, "dst": b} for a, b in trained])
        )
    if claim and models:
        rows = [{"src": dataset_id, "dst": a, "claimed_by": "manifest"} for a in activities]
        batch.relationships.append(RelGroup("GENERATED_BY", "Dataset", "Activity", rows))
    terms = [
        {
            "src": slug(m.name),
            "dst": m.terms,
            "claimed_by": "model terms of use",
            "evidence": f"outputs of {m.name}",
        }
        for m in models
        if m.terms
    ]
    if terms:
        batch.relationships.append(RelGroup("LICENSED_UNDER", "Model", "License", terms, key=("claimed_by",)))
    return activities


def _provenance_batch(
    plan: IngestPlan, checksum: str, archived: Path, size: int
) -> tuple[WriteBatch, _Provenance]:
    m = plan.manifest
    dataset_id = m.name
    source_id = f"{dataset_id}:{plan.path.name}:{checksum[:12]}"
    batch = WriteBatch()
    dataset = {"id": dataset_id, "name": m.title or m.name, "languages": m.languages}
    for key in ("description", "origin_url", "attribution"):
        if getattr(m, key):
            dataset[key] = getattr(m, key)
    dataset["manifest"] = m.model_dump_json(exclude_defaults=True)
    parents = [{"id": p} for p in m.parents]
    batch.nodes.append(NodeGroup("Dataset", [dataset, *parents]))
    batch.nodes.append(
        NodeGroup(
            "Source",
            [
                {
                    "id": source_id,
                    "name": plan.path.name,
                    "file_name": plan.path.name,
                    "checksum": checksum,
                    "archive_path": str(archived),
                    "byte_size": size,
                    "format": plan.format,
                    "origin_url": m.origin_url,
                    "languages": m.languages,
                    "usage_role": m.role,
                    "ingested_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                }
            ],
        )
    )
    batch.relationships.append(
        RelGroup("IN_DATASET", "Source", "Dataset", [{"src": source_id, "dst": dataset_id}])
    )
    if m.parents:
        batch.relationships.append(
            RelGroup(
                "DERIVED_FROM",
                "Dataset",
                "Dataset",
                [{"src": dataset_id, "dst": p, "method": "derived"} for p in m.parents],
            )
        )
    claims = m.license_claims()
    for owner, owner_id in (("Source", source_id), ("Dataset", dataset_id)):
        rows = [
            {"src": owner_id, "dst": c.spdx, "claimed_by": c.claimed_by, "evidence": c.evidence}
            for c in claims
        ]
        batch.relationships.append(RelGroup("LICENSED_UNDER", owner, "License", rows, key=("claimed_by",)))
    if m.creators:
        batch.nodes.append(
            NodeGroup("Agent", [{"id": slug(c), "name": c, "kind": "organisation"} for c in m.creators])
        )
        batch.relationships.append(
            RelGroup(
                "ATTRIBUTED_TO",
                "Dataset",
                "Agent",
                [{"src": dataset_id, "dst": slug(c), "role": "creator"} for c in m.creators],
            )
        )
    activities = _model_nodes(batch, dataset_id, m.models, claim=True)
    return batch, _Provenance(source_id, dataset_id, activities)


# ---------------------------------------------------------------------- quarantine


class _Quarantine:
    """The quarantine file: one JSON line per bad record (line, record, reason, preview)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.count = 0
        self._file: IO[bytes] | None = None

    def add(
        self, rec: RawRecord, reason: str, *, preview: bytes | None = None, example: int | None = None
    ) -> None:
        if self._file is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._file = self.path.open("wb")
        entry: dict[str, Any] = {"line": rec.line, "record": rec.index, "reason": reason}
        if example is not None:
            entry["example_in_record"] = example
        raw = rec.preview if preview is None else preview
        entry["preview"] = raw.decode("utf-8", errors="replace")
        self._file.write(orjson.dumps(entry) + b"\n")
        self.count += 1

    def close(self) -> str | None:
        if self._file is not None:
            self._file.close()
            return str(self.path)
        if self.path.exists():  # a stale file from an earlier run of the same file
            self.path.unlink()
        return None


# ---------------------------------------------------------------------- the parse side


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


def parse_file(spec: ParseSpec, quarantine: _Quarantine) -> Iterator[ParsedBatch]:
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


def _parallel_batches(spec: ParseSpec, result: dict[str, Any]) -> Iterator[ParsedBatch]:
    """Run the parse side in `python -m catalog.ingest.worker` and stream its batches."""
    import pickle
    import subprocess
    import sys

    from catalog.ingest.worker import receive

    proc = subprocess.Popen(
        [sys.executable, "-m", "catalog.ingest.worker"], stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )
    assert proc.stdin is not None and proc.stdout is not None
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


# ---------------------------------------------------------------------- the write side


def _example_batch(
    store: GraphStore, plan: IngestPlan, prov: _Provenance, items: list[Parsed], counts: dict[str, int]
) -> tuple[WriteBatch, int]:
    """The batch to write, and how many unique examples it holds (duplicates within it are counted here)."""
    seen: set[str] = set()
    unique: list[Parsed] = []
    for item in items:
        if item.props["id"] in seen:
            counts["duplicates_skipped"] += 1
        else:
            seen.add(item.props["id"])
            unique.append(item)
    ids = [u.props["id"] for u in unique]

    batch = WriteBatch()
    # an example seen before keeps the properties and the first line it was written with
    batch.nodes.append(NodeGroup("Example", [u.props for u in unique], update_existing=False))
    # edges for every example this file holds, new or already known: provenance accumulates
    batch.relationships.append(
        RelGroup(
            "FROM_SOURCE",
            "Example",
            "Source",
            [
                {"src": u.props["id"], "dst": prov.source_id, "line": u.line, "record": u.record}
                for u in unique
            ],
            update_existing=False,
        )
    )
    batch.relationships.append(
        RelGroup("IN_DATASET", "Example", "Dataset", [{"src": i, "dst": prov.dataset_id} for i in ids])
    )
    generated = [{"src": i, "dst": a} for i in ids for a in prov.activities]
    per_record_models = sorted({m for u in unique for m in u.models})
    if per_record_models:
        activities = _model_nodes(batch, prov.dataset_id, [ModelRef(name=m) for m in per_record_models])
        by_model = dict(zip(per_record_models, activities, strict=True))
        generated += [{"src": u.props["id"], "dst": by_model[m]} for u in unique for m in u.models]
    if generated:
        batch.relationships.append(RelGroup("GENERATED_BY", "Example", "Activity", generated))
    m = plan.manifest
    if m.task or m.task_labels:
        rows = [
            {"src": u.props["id"], "dst": task, "method": "manifest", "confidence": 1.0}
            for u in unique
            if (task := manifest_task(m, u))
        ]
        batch.relationships.append(RelGroup("FOR_TASK", "Example", "Task", rows))
    if m.topics:
        rows = [{"src": i, "dst": t, "method": "manifest", "confidence": 1.0} for i in ids for t in m.topics]
        batch.relationships.append(RelGroup("ABOUT", "Example", "Topic", rows))
    if m.record_parents and (keys := sorted({k for u in unique if (k := u.props.get("record_key"))})):
        by_key = store.examples_by_record_key(dataset=m.record_parents.dataset, keys=keys)
        rows = [
            {"src": u.props["id"], "dst": p, "method": m.record_parents.method}
            for u in unique
            for p in by_key.get(u.props.get("record_key") or "", [])
        ]
        batch.relationships.append(RelGroup("DERIVED_FROM", "Example", "Example", rows))
    derived = [u for u in unique if u.parent_id]
    if derived:
        in_batch = set(ids)
        parents = {u.parent_id for u in derived if u.parent_id} - in_batch
        known = store.existing_ids(label="Example", ids=sorted(parents)) if parents else set()
        present = known | in_batch
        rows = [
            {"src": u.props["id"], "dst": u.parent_id, "method": u.derivation or "derived"}
            for u in derived
            if u.parent_id in present
        ]
        batch.relationships.append(RelGroup("DERIVED_FROM", "Example", "Example", rows))
    return batch, len(unique)


def manifest_task(m: Manifest, item: Parsed) -> str | None:
    """The record's own label mapped by the manifest's task_labels, else the manifest's task."""
    if m.task_labels and item.props.get("metadata"):
        value = orjson.loads(item.props["metadata"]).get(m.task_labels.field)
        if isinstance(value, str) and value in m.task_labels.map:
            return m.task_labels.map[value]
    return m.task


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
    for batch in parse_file(spec, _Quarantine(quarantine_file)):
        yield from batch.items


def quarantine_path(settings: Settings, plan: IngestPlan, checksum: str) -> Path:
    return settings.quarantine_dir / f"{plan.dataset_id}--{plan.path.name}--{checksum[:12]}.jsonl"


def _use_worker(settings: Settings, size: int) -> bool:
    if settings.ingest_workers == 0:
        return False
    if settings.ingest_workers == 1:
        return True
    return size >= PARALLEL_MIN_BYTES


#: from this file size on, parsing runs in a worker process beside the writes (start-up ~0.5 s)
PARALLEL_MIN_BYTES = 16 * 1024 * 1024


def run_ingest(
    store: GraphStore, plan: IngestPlan, *, settings: Settings, progress: ProgressSink | None = None
) -> IngestSummary:
    started = time.perf_counter()
    size = plan.path.stat().st_size
    checksum, archived = archive_file(plan.path, settings.raw_dir)
    # the dataset and source are written with the first examples, in their transaction: a file that
    # gives no example leaves no empty Dataset or Source behind
    prov_batch: WriteBatch | None
    prov_batch, prov = _provenance_batch(plan, checksum, archived, size)

    spec = ParseSpec(
        path=plan.path,
        container=plan.container,
        format=plan.format,
        fields=dict(plan.manifest.fields),
        role=plan.manifest.role,
        batch_size=min(settings.batch_size, store.max_batch_examples or settings.batch_size),
        batch_bytes=settings.batch_mb * 1024 * 1024,
        max_record_bytes=settings.max_record_bytes,
        quarantine_file=quarantine_path(settings, plan, checksum),
    )
    counts = {"read": 0, "accepted": 0, "duplicates_skipped": 0, "records": 0, "quarantined": 0}
    result: dict[str, Any] = {}
    # the side that parses owns the quarantine file
    quarantine = None if _use_worker(settings, size) else _Quarantine(spec.quarantine_file)
    batches = parse_file(spec, quarantine) if quarantine else _parallel_batches(spec, result)
    try:
        for pb in batches:
            counts["read"] += pb.read
            counts["records"] += pb.records
            counts["quarantined"] += pb.quarantined
            if pb.items:
                batch, unique = _example_batch(store, plan, prov, pb.items, counts)
                if prov_batch is not None:
                    batch = _joined(prov_batch, batch)
                    prov_batch = None
                created = store.write(batch=batch).nodes_created.get("Example", 0)
                counts["accepted"] += created
                counts["duplicates_skipped"] += unique - created
            if progress:
                progress(
                    Progress(
                        pb.offset,
                        size,
                        counts["read"],
                        counts["accepted"],
                        counts["quarantined"],
                        counts["duplicates_skipped"],
                    )
                )
    finally:
        local_file = quarantine.close() if quarantine else None
    qfile = local_file if quarantine else result.get("quarantine_file")
    store.flush()
    summary = IngestSummary(
        source_id=prov.source_id,
        dataset_id=prov.dataset_id,
        file=str(plan.path),
        format=plan.format,
        read=counts["read"],
        accepted=counts["accepted"],
        quarantined=counts["quarantined"],
        duplicates_skipped=counts["duplicates_skipped"],
        quarantine_file=qfile,
        records=counts["records"],
        seconds=round(time.perf_counter() - started, 3),
    )
    if not summary.balanced():  # pragma: no cover - a bug, not bad input
        raise IngestError(f"ingest counts do not add up: {summary.model_dump()}")
    if prov_batch is not None:  # no record became an example: nothing was written
        raise _nothing_ingested(plan, summary, settings)
    return summary


def _joined(first: WriteBatch, then: WriteBatch) -> WriteBatch:
    """One batch that writes `first`'s nodes and edges, then `then`'s (nodes before edges)."""
    return WriteBatch(
        nodes=[*first.nodes, *then.nodes],
        relationships=[*first.relationships, *then.relationships],
        deletions=[*first.deletions, *then.deletions],
        node_deletions=[*first.node_deletions, *then.node_deletions],
    )


def _nothing_ingested(plan: IngestPlan, summary: IngestSummary, settings: Settings) -> NothingIngested:
    """The error for a file of which no record became an example, naming what the file looks like."""
    from catalog.ingest.detect import likely_formats

    name = plan.path.name
    where = f"; each record and why is in {summary.quarantine_file}" if summary.quarantine_file else ""
    if summary.read == 0:
        message = f"{name} holds no records: nothing was ingested"
        return NothingIngested(message, summary=summary, hint="check the file")
    formats, fields = likely_formats(plan.path, max_record_bytes=settings.max_record_bytes)
    others = [f for f in formats if f != plan.format]
    message = (
        f"no record of {name} was accepted as {plan.format}: {summary.read:,} read, "
        f"{summary.quarantined:,} quarantined, nothing written{where}"
    )
    if others:
        hint = f"its records look like {', '.join(others)}: run again with --format {others[0]}, or without --format"
    else:
        hint = (
            f"its records (fields: {', '.join(fields) or 'none readable'}) match no known format; "
            "map renamed fields with 'fields' in a manifest, or name another --format"
        )
    return NothingIngested(message, summary=summary, hint=hint)
