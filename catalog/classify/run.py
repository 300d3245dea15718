"""Classify a catalog: formats, languages, tasks and topics for every example (or the new ones).

Each assignment is an edge with `method` and `confidence`. Automatic methods ("structure",
"classifier") replace their own earlier edges on a re-run; an edge set by a person ("human") or
read from the data's own labels ("manifest") is never replaced: an example that has one keeps it
and gets no automatic edge of that kind.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from catalog.classify.language import languages_of
from catalog.classify.rules import Assignment, Classifier, formats_of, parse_messages
from catalog.errors import CatalogError
from catalog.store.base import GraphStore, NodeGroup, RelDeletion, RelGroup, WriteBatch

AUTOMATIC = ("structure", "classifier")
HUMAN = "human"
#: (relationship, concept label) per kind of assignment
KINDS = {"format": ("HAS_FORMAT", "Format"), "task": ("FOR_TASK", "Task"), "topic": ("ABOUT", "Topic")}
PAGE = 2_000

Progress = Callable[[int, int], None]


@dataclass
class ClassifyReport:
    examples: int = 0
    assigned: dict[str, int] = field(default_factory=dict)  # edges written per kind
    kept: dict[str, int] = field(default_factory=dict)  # examples whose human/manifest edges were kept
    languages: dict[str, int] = field(default_factory=dict)
    tasks: dict[str, int] = field(default_factory=dict)


def classify_catalog(
    store: GraphStore,
    *,
    only_new: bool = False,
    ids: Sequence[str] | None = None,
    progress: Progress | None = None,
) -> ClassifyReport:
    """Assign every example (or only those never classified, or the given ids) and write the edges."""
    classifier = Classifier(store.schema)
    todo = list(ids) if ids is not None else store.example_ids(unclassified_only=only_new)
    report = ClassifyReport()
    assigned: Counter[str] = Counter()
    kept: Counter[str] = Counter()
    languages: Counter[str] = Counter()
    tasks: Counter[str] = Counter()
    for start in range(0, len(todo), PAGE):
        page = todo[start : start + PAGE]
        rows = store.examples_for_classification(ids=page)
        existing = {kind: store.assignments(rel_type=rel, ids=page) for kind, (rel, _) in KINDS.items()}
        batch = WriteBatch()
        props: list[dict[str, Any]] = []
        edges: dict[str, list[dict[str, Any]]] = {kind: [] for kind in KINDS}
        replaced: dict[str, list[str]] = {kind: [] for kind in KINDS}
        for ex in rows:
            messages = parse_messages(ex)
            main, prob, per_message = languages_of(messages)
            props.append(
                {"id": ex["id"], "language": main, "language_confidence": round(prob, 4), "message_languages": per_message}
            )
            languages[main] += 1
            decided: dict[str, list[Assignment]] = {
                "format": formats_of(ex, messages),
                "task": [classifier.task_of(ex, messages)],
                "topic": classifier.topics_of(messages),
            }
            for kind, found in decided.items():
                if any(method not in AUTOMATIC for _, method in existing[kind].get(ex["id"], [])):
                    kept[kind] += 1
                    continue
                replaced[kind].append(ex["id"])
                for a in found:
                    edges[kind].append({"src": ex["id"], "dst": a.concept, "method": a.method, "confidence": a.confidence})
                    if kind == "task":
                        tasks[a.concept] += 1
        for kind, (rel, target) in KINDS.items():
            if replaced[kind]:
                batch.deletions.append(RelDeletion(rel, "Example", target, replaced[kind], AUTOMATIC))
            batch.relationships.append(RelGroup(rel, "Example", target, edges[kind]))
            assigned[kind] += len(edges[kind])
        batch.nodes.append(NodeGroup("Example", props, update_existing=True))
        store.write(batch=batch)
        report.examples += len(rows)
        if progress:
            progress(report.examples, len(todo))
    report.assigned, report.kept = dict(assigned), dict(kept)
    report.languages, report.tasks = dict(languages), dict(tasks)
    return report


def assign_by_person(
    store: GraphStore, *, example_id: str, task: str | None = None, topics: Sequence[str] = (), formats: Sequence[str] = ()
) -> None:
    """A person's correction: replaces every earlier edge of that kind for the example, and is kept from then on."""
    schema = store.schema
    if store.get_node(label="Example", node_id=example_id) is None:
        raise CatalogError(f"no example with id {example_id!r}", hint="ids are the 32-hex ids `cypher` and the API show")
    chosen = {"task": [task] if task else [], "topic": list(topics), "format": list(formats)}
    known = {"task": schema.tasks, "topic": schema.topics, "format": schema.formats}
    batch = WriteBatch()
    for kind, values in chosen.items():
        if not values:
            continue
        for value in values:
            if value not in known[kind]:
                raise CatalogError(
                    f"unknown {kind} {value!r}", hint=f"one of: {', '.join(sorted(known[kind]))}"
                )
        rel, target = KINDS[kind]
        batch.deletions.append(RelDeletion(rel, "Example", target, [example_id], (*AUTOMATIC, "manifest", HUMAN)))
        rows = [{"src": example_id, "dst": v, "method": HUMAN, "confidence": 1.0} for v in values]
        batch.relationships.append(RelGroup(rel, "Example", target, rows))
    if not batch.deletions:
        raise CatalogError("nothing to assign", hint="give --task, --topic or --format")
    store.write(batch=batch)
