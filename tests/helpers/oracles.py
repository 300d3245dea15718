"""Oracles for the real-data tests: what the catalog must say, computed straight from the input
files and manifests with plain Python and networkx, never through the store."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from catalog.classify.rules import Classifier, formats_of, parse_messages
from catalog.classify.run import decide
from catalog.config import Settings
from catalog.ingest.pipeline import iter_examples, manifest_task, prepare_ingest
from catalog.schema import Schema
from tests.helpers import manifest_path
from tests.helpers.expected import EXPECTED


def plan_of(schema: Schema, settings: Settings, datasets: Path, dataset: str, name: str):  # type: ignore[no-untyped-def]
    return prepare_ingest(
        datasets / dataset / name,
        schema=schema,
        settings=settings,
        manifest_path=manifest_path(dataset),
    )


def _floored(confidence: float) -> float:
    """A confidence as the census keeps it: hundredths floored to a multiple of 5."""
    return int(confidence * 100 + 1e-6) // 5 * 5 / 100


def oracle_signatures(
    datasets: Path, schema: Schema, tmp: Path, *, min_confidence: float = 0.0, safety: str = "include"
) -> dict[str, list[tuple[Any, ...]]]:
    """The coverage signatures straight from the files: first-seen props and role, manifest tasks
    and topics accumulated over every file an example is in, the classifier for the rest (its
    tasks and topics only at or above `min_confidence`); with safety "exclude", examples the
    classifier flags with a risk are left out of the supply."""
    classifier = Classifier(schema)
    settings = Settings(db=tmp / "oracle")
    examples: dict[str, dict[str, Any]] = {}
    for dataset, name, *_ in EXPECTED:
        plan = plan_of(schema, settings, datasets, dataset, name)
        for item in iter_examples(plan, settings=settings, quarantine_file=tmp / "q.jsonl"):
            ex = examples.setdefault(item.props["id"], {"props": item.props, "tasks": set(), "topics": set()})
            if task := manifest_task(plan.manifest, item):
                ex["tasks"].add(task)
            ex["topics"].update(plan.manifest.topics)
    signatures: dict[str, dict[tuple[Any, ...], int]] = {"supply": {}, "usage": {}}
    ordered = list(examples.values())
    for ex, d in zip(ordered, decide([e["props"] for e in ordered], classifier), strict=True):
        if safety == "exclude" and d.found["risk"] and ex["props"]["usage_role"] == "supply":
            continue  # not supply; usage prompts (demand) count whatever they ask
        formats = [a.concept for a in formats_of(ex["props"], parse_messages(ex["props"]))]
        sure = {
            k: {a.concept for a in d.found[k] if _floored(a.confidence) >= min_confidence} for k in d.found
        }
        tasks = ex["tasks"] or sure["task"]
        topics = ex["topics"] or sure["topic"]
        key = (tuple(sorted(tasks)), tuple(sorted(formats)), d.language, tuple(sorted(topics)))
        table = signatures[ex["props"]["usage_role"]]
        table[key] = table.get(key, 0) + 1
    return {role: [(*k, n) for k, n in t.items()] for role, t in signatures.items()}


def input_graph(
    datasets: Path, schema: Schema, tmp: Path
) -> tuple[Any, dict[str, list[tuple[str, bool]]], set[str]]:
    """The lineage graph built straight from the files and manifests with networkx: examples,
    datasets (and parents), sources, models, and each holder's license claims as (license,
    commercial use allowed)."""
    import hashlib

    import networkx as nx

    from catalog.ingest.pipeline import slug

    g = nx.DiGraph()
    claims: dict[str, list[tuple[str, bool]]] = {}
    by_key: dict[tuple[str, str], list[str]] = {}
    settings = Settings(db=tmp / "oracle")
    for dataset, name, *_ in EXPECTED:
        plan = plan_of(schema, settings, datasets, dataset, name)
        m = plan.manifest
        checksum = hashlib.sha256((datasets / dataset / name).read_bytes()).hexdigest()
        source = f"Source:{dataset}:{name}:{checksum[:12]}"
        g.add_edge(source, f"Dataset:{dataset}")
        for parent in m.parents:
            g.add_edge(f"Dataset:{dataset}", f"Dataset:{parent}")
        for holder in (source, f"Dataset:{dataset}"):
            claims.setdefault(holder, []).extend(
                (c.spdx, bool(schema.licenses[c.spdx].get("commercial_use"))) for c in m.license_claims()
            )
        for model in m.models:
            if model.terms:
                claims.setdefault(f"Model:{slug(model.name)}", []).append(
                    (model.terms, bool(schema.licenses[model.terms].get("commercial_use")))
                )
        items = list(iter_examples(plan, settings=settings, quarantine_file=tmp / "q.jsonl"))
        for item in items:
            ex = f"Example:{item.props['id']}"
            g.add_edge(ex, f"Dataset:{dataset}")
            g.add_edge(ex, source)
            for model in [*(mm.name for mm in m.models), *item.models]:
                g.add_edge(ex, f"Model:{slug(model)}")
            if item.parent_id:
                g.add_edge(ex, f"Example:{item.parent_id}")
            if m.record_parents and item.props.get("record_key"):
                for parent in by_key.get((m.record_parents.dataset, item.props["record_key"]), []):
                    g.add_edge(ex, f"Example:{parent}")
        for item in items:
            if item.props.get("record_key"):
                by_key.setdefault((dataset, item.props["record_key"]), []).append(item.props["id"])
    examples = {n for n in g if n.startswith("Example:")}
    return g, claims, examples


def commercial(g: Any, claims: dict[str, list[tuple[str, bool]]], example: str) -> bool:
    import networkx as nx

    reach = nx.descendants(g, example)
    for holder in reach:
        if holder.startswith("Dataset:") and not claims.get(holder):
            return False
        if any(not ok for _lic, ok in claims.get(holder, [])):
            return False
    return True
