"""The provenance written with a file's first examples: its dataset, its source file (with the
raw archive's checksum), license claims, creators, and the activities of the models that made it."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from pathlib import Path

from catalog.ingest.manifest import ModelRef
from catalog.ingest.plan import IngestPlan, slug
from catalog.store.base import NodeGroup, RelGroup, WriteBatch

log = logging.getLogger(__name__)


@dataclass
class SourceProvenance:
    source_id: str
    dataset_id: str
    activities: list[str] = field(default_factory=list)  # GENERATED_BY targets for every example


def model_nodes(
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


def provenance_batch(
    plan: IngestPlan, checksum: str, archived: Path, size: int
) -> tuple[WriteBatch, SourceProvenance]:
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
    activities = model_nodes(batch, dataset_id, m.models, claim=True)
    return batch, SourceProvenance(source_id, dataset_id, activities)
