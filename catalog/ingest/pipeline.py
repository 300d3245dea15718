"""The streaming ingest pipeline: file -> records -> candidates -> canonical examples -> graph.

Two steps. `prepare_ingest` checks everything that can be checked without writing (the file, the
manifest, the format) and raises a clear IngestError; nothing is written before it succeeds.
`run_ingest` archives the raw file, writes the provenance nodes, then streams the records in
batches, each batch one transaction, so a killed run leaves whole batches behind and a re-run
completes it: examples already committed are found by their content id and counted as duplicates.

Counts always add up: read = accepted + quarantined + duplicates_skipped.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson

from catalog.config import Settings
from catalog.errors import IngestError, NothingIngested
from catalog.ingest.archive import archive_file
from catalog.ingest.manifest import Manifest, ModelRef, label_key
from catalog.ingest.parse import (
    Parsed,
    ParseSpec,
    iter_examples,
    parallel_batches,
    parse_file,
    use_worker,
)
from catalog.ingest.plan import IngestPlan, prepare_ingest, quarantine_path, slug
from catalog.ingest.provenance import SourceProvenance, model_nodes, provenance_batch
from catalog.ingest.quarantine import Quarantine
from catalog.model import IngestSummary
from catalog.store.base import GraphStore, NodeGroup, RelGroup, WriteBatch

log = logging.getLogger(__name__)


@dataclass
class Progress:
    bytes_done: int
    bytes_total: int
    read: int
    accepted: int
    quarantined: int
    duplicates_skipped: int


ProgressSink = Callable[[Progress], None]


def _example_batch(
    store: GraphStore,
    plan: IngestPlan,
    prov: SourceProvenance,
    items: list[Parsed],
    counts: dict[str, int],
    unmapped: dict[str, int],
) -> tuple[WriteBatch, int]:
    """The batch to write, and how many unique examples it holds (duplicates within it are counted
    here, and labels the manifest's task_labels does not map in `unmapped`)."""
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
        activities = model_nodes(batch, prov.dataset_id, [ModelRef(name=m) for m in per_record_models])
        by_model = dict(zip(per_record_models, activities, strict=True))
        generated += [{"src": u.props["id"], "dst": by_model[m]} for u in unique for m in u.models]
    if generated:
        batch.relationships.append(RelGroup("GENERATED_BY", "Example", "Activity", generated))
    m = plan.manifest
    if m.task_labels:
        for u in unique:
            if (missed := unmapped_label(m, u)) is not None:
                unmapped[missed] = unmapped.get(missed, 0) + 1
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


def record_label(m: Manifest, item: Parsed) -> Any:
    """The record's own label, the field the manifest's task_labels names (None when it has none)."""
    if m.task_labels and item.props.get("metadata"):
        return orjson.loads(item.props["metadata"]).get(m.task_labels.field)
    return None


def manifest_task(m: Manifest, item: Parsed) -> str | None:
    """The record's own label mapped by the manifest's task_labels, else the manifest's task."""
    if m.task_labels and (task := m.task_labels.task_of(record_label(m, item))):
        return task
    return m.task


def unmapped_label(m: Manifest, item: Parsed) -> str | None:
    """The record's label when task_labels does not map it (normalised: what a map key would need)."""
    if not m.task_labels:
        return None
    value = record_label(m, item)
    if value is None or value == "":
        return None
    text = value if isinstance(value, str) else orjson.dumps(value).decode()
    return None if m.task_labels.task_of(text) else label_key(text)


def run_ingest(
    store: GraphStore, plan: IngestPlan, *, settings: Settings, progress: ProgressSink | None = None
) -> IngestSummary:
    started = time.perf_counter()
    size = plan.path.stat().st_size
    log.info("ingest %s (%s, %d bytes) into dataset %s", plan.path, plan.format, size, plan.dataset_id)
    checksum, archived = archive_file(plan.path, settings.raw_dir)
    # the dataset and source are written with the first examples, in their transaction: a file that
    # gives no example leaves no empty Dataset or Source behind
    prov_batch: WriteBatch | None
    prov_batch, prov = provenance_batch(plan, checksum, archived, size)

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
    unmapped: dict[str, int] = {}  # source label values task_labels does not map, with their counts
    result: dict[str, Any] = {}
    # the side that parses owns the quarantine file
    quarantine = None if use_worker(settings, size) else Quarantine(spec.quarantine_file)
    batches = parse_file(spec, quarantine) if quarantine else parallel_batches(spec, result)
    try:
        for pb in batches:
            counts["read"] += pb.read
            counts["records"] += pb.records
            counts["quarantined"] += pb.quarantined
            if pb.items:
                batch, unique = _example_batch(store, plan, prov, pb.items, counts, unmapped)
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
        unmapped_labels=dict(sorted(unmapped.items(), key=lambda kv: (-kv[1], kv[0]))),
    )
    if not summary.balanced():  # pragma: no cover - a bug, not bad input
        raise IngestError(f"ingest counts do not add up: {summary.model_dump()}")
    if prov_batch is not None:  # no record became an example: nothing was written
        raise _nothing_ingested(plan, summary, settings)
    log.info(
        "ingested %s: read %d = accepted %d + quarantined %d + duplicates %d in %.1f s",
        plan.path.name, summary.read, summary.accepted, summary.quarantined,
        summary.duplicates_skipped, summary.seconds,
    )  # fmt: skip
    if unmapped:  # the summary lists them; the log keeps them for a server's ingest too
        log.info(
            "%d examples of %s carry labels task_labels does not map (left to the classifier): %s",
            sum(unmapped.values()), plan.path.name, ", ".join(f"{k!r} x{n}" for k, n in list(unmapped.items())[:10]),
        )  # fmt: skip
    if summary.quarantined:
        log.warning("%d records of %s quarantined: %s", summary.quarantined, plan.path.name, qfile)
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


__all__ = [
    "IngestPlan",
    "ParseSpec",
    "Parsed",
    "Progress",
    "iter_examples",
    "manifest_task",
    "parse_file",
    "prepare_ingest",
    "run_ingest",
    "slug",
]
