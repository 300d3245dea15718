"""Classify a catalog: formats, languages, tasks and topics for every example (or the new ones).

Each assignment is an edge with `method`, `method_version` and `confidence`. Automatic methods
("structure", "rules", "learned"; "classifier" in catalogs from before the rules were versioned)
replace their own earlier edges on a re-run; an edge set by a person ("human") or read from the
data's own labels ("manifest") is never replaced: an example that has one keeps it and gets no
automatic edge of that kind. An example with no evidence for a task gets no task edge: it is
unlabelled, which coverage counts as such.
"""

from __future__ import annotations

import logging
import os
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from catalog.classify.language import languages_of
from catalog.classify.learned import LearnedTasks, prompt_text
from catalog.classify.retrain import TaskModels, learned_assignment
from catalog.classify.rules import STRUCTURE, Assignment, Classifier, formats_of, parse_messages
from catalog.errors import CatalogError, NotFound
from catalog.store.base import GraphStore, NodeGroup, RelDeletion, RelGroup, WriteBatch

log = logging.getLogger(__name__)

AUTOMATIC = ("structure", "rules", "learned", "classifier")
HUMAN = "human"
#: (relationship, concept label) per kind of assignment
KINDS = {
    "format": ("HAS_FORMAT", "Format"),
    "task": ("FOR_TASK", "Task"),
    "topic": ("ABOUT", "Topic"),
    "risk": ("HAS_RISK", "Risk"),
}
PAGE = 2_000

Progress = Callable[[int, int], None]


@dataclass
class ClassifyReport:
    examples: int = 0
    assigned: dict[str, int] = field(default_factory=dict)  # edges written per kind
    kept: dict[str, int] = field(default_factory=dict)  # examples whose human/manifest edges were kept
    languages: dict[str, int] = field(default_factory=dict)
    tasks: dict[str, int] = field(default_factory=dict)
    risks: dict[str, int] = field(default_factory=dict)
    unlabelled: int = 0  # examples left without a task: no evidence for one


@dataclass(frozen=True)
class Decision:
    """Everything classification decides for one example (picklable: computed in worker processes)."""

    id: str
    language: str
    language_confidence: float
    message_languages: list[str]
    found: dict[str, list[Assignment]]


def decide(rows: list[dict[str, Any]], c: Classifier, models: TaskModels | None = None) -> list[Decision]:
    """Classify examples as the store returns them (id, messages, tools, flags); the task comes
    from the catalog's learned model for the example's language when `classify --retrain` kept one."""
    out = []
    learned: dict[int, tuple[LearnedTasks, Any, str]] = {}  # row -> (model, its input, coding subtask)
    for n, ex in enumerate(rows):
        messages = parse_messages(ex)
        main, prob, per_message = languages_of(messages)
        task = c.task_of(ex, messages)
        model = models.for_language(main) if models is not None else None
        if model is not None and (task is None or task.method != STRUCTURE):
            evidence = c.task_evidence(ex, messages)
            x = prompt_text(messages) if model.kind == "chars" else evidence.features
            learned[n] = (model, x, c.coding_subtask(evidence))
        found = {
            "format": formats_of(ex, messages),
            "task": [task] if task is not None else [],
            "topic": c.topics_of(messages),
            "risk": c.risks_of(messages),
        }
        out.append(Decision(ex["id"], main, round(prob, 4), per_message, found))
    by_model: dict[int, list[int]] = {}
    for n, (model, _, _) in learned.items():
        by_model.setdefault(id(model), []).append(n)
    for rows_of in by_model.values():  # one batched prediction per model and page
        model = learned[rows_of[0]][0]
        guesses = model.predict([learned[n][1] for n in rows_of])
        for n, guess in zip(rows_of, guesses, strict=True):
            a = learned_assignment(model, guess, learned[n][2])
            out[n].found["task"] = [a] if a is not None else []
    return out


def classify_catalog(
    store: GraphStore,
    *,
    only_new: bool = False,
    ids: Sequence[str] | None = None,
    progress: Progress | None = None,
    workers: int = 0,
    models: TaskModels | None = None,
) -> ClassifyReport:
    """Assign every example (or only those never classified, or the given ids) and write the edges.

    `workers` child processes compute the assignments (0: one per CPU; 1: all in this process)
    while this one reads pages and writes edges; only this process touches the store. `models`:
    the catalog's learned task models (`retrain.load_models`), None for the rules alone."""
    todo = list(ids) if ids is not None else store.example_ids(unclassified_only=only_new)
    pages = [todo[i : i + PAGE] for i in range(0, len(todo), PAGE)]
    count = workers or os.cpu_count() or 1
    report = ClassifyReport()
    totals: dict[str, Counter[str]] = {
        k: Counter() for k in ("assigned", "kept", "languages", "tasks", "risks")
    }
    if count <= 1 or len(pages) <= 1:
        classifier = Classifier(store.schema)
        for page in pages:
            _apply(
                store, page, decide(store.examples_for_classification(ids=page), classifier, models), totals
            )
            report.examples += len(page)
            if progress:
                progress(report.examples, len(todo))
    else:
        from catalog.classify.worker import ClassifyWorker

        # each child holds one page while this process reads the next and writes the last
        children = [ClassifyWorker(store.schema, models) for _ in range(count)]
        try:
            in_flight: list[tuple[list[str], ClassifyWorker]] = []
            for i, page in enumerate(pages):
                child = children[i % count]
                if len(in_flight) == count:
                    done_page, done_child = in_flight.pop(0)
                    _apply(store, done_page, done_child.result(), totals)
                    report.examples += len(done_page)
                    if progress:
                        progress(report.examples, len(todo))
                child.submit(store.examples_for_classification(ids=page))
                in_flight.append((page, child))
            for done_page, done_child in in_flight:
                _apply(store, done_page, done_child.result(), totals)
                report.examples += len(done_page)
                if progress:
                    progress(report.examples, len(todo))
        finally:
            for child in children:
                child.close()
    report.assigned, report.kept = dict(totals["assigned"]), dict(totals["kept"])
    report.languages, report.tasks = dict(totals["languages"]), dict(totals["tasks"])
    report.risks = dict(totals["risks"])
    report.unlabelled = totals["tasks"][""]
    report.tasks.pop("", None)
    log.info("classified %d examples: %s assigned, %s kept", report.examples, report.assigned, report.kept)
    return report


def _apply(
    store: GraphStore, page: list[str], decisions: list[Decision], totals: dict[str, Counter[str]]
) -> None:
    """Write one page's decisions in one transaction, keeping every edge a person or the data set."""
    existing = {kind: store.assignments(rel_type=rel, ids=page) for kind, (rel, _) in KINDS.items()}
    batch = WriteBatch()
    props: list[dict[str, Any]] = []
    edges: dict[str, list[dict[str, Any]]] = {kind: [] for kind in KINDS}
    replaced: dict[str, list[str]] = {kind: [] for kind in KINDS}
    for d in decisions:
        props.append(
            {
                "id": d.id,
                "language": d.language,
                "language_confidence": d.language_confidence,
                "message_languages": d.message_languages,
            }
        )
        totals["languages"][d.language] += 1
        for kind, found in d.found.items():
            if any(a.method not in AUTOMATIC for a in existing[kind].get(d.id, [])):
                totals["kept"][kind] += 1
                continue
            replaced[kind].append(d.id)
            if kind == "task" and not found:
                totals["tasks"][""] += 1
            for a in found:
                edges[kind].append(
                    {
                        "src": d.id,
                        "dst": a.concept,
                        "method": a.method,
                        "method_version": a.version,
                        "confidence": a.confidence,
                    }
                )
                if kind in ("task", "risk"):
                    totals[kind + "s"][a.concept] += 1
    for kind, (rel, target) in KINDS.items():
        if replaced[kind]:
            batch.deletions.append(RelDeletion(rel, "Example", target, replaced[kind], AUTOMATIC))
        batch.relationships.append(RelGroup(rel, "Example", target, edges[kind]))
        totals["assigned"][kind] += len(edges[kind])
    batch.nodes.append(NodeGroup("Example", props, update_existing=True))
    store.write(batch=batch)


def assign_by_person(
    store: GraphStore,
    *,
    example_id: str,
    task: str | None = None,
    topics: Sequence[str] = (),
    formats: Sequence[str] = (),
    risks: Sequence[str] = (),
) -> None:
    """A person's correction: replaces every earlier edge of that kind for the example, and is kept from then on."""
    schema = store.schema
    if store.get_node(label="Example", node_id=example_id) is None:
        raise NotFound("example", example_id, hint="ids are the 32-hex ids `cypher` and the API show")
    chosen = {
        "task": [task] if task else [],
        "topic": list(topics),
        "format": list(formats),
        "risk": list(risks),
    }
    known = {"task": schema.tasks, "topic": schema.topics, "format": schema.formats, "risk": schema.risks}
    if len(risks) > 1 and set(risks) & set(schema.cleared_risks):
        raise CatalogError(
            "an example reviewed as safe carries no other risk",
            hint="give --safe alone, or the risks it does carry with --risk",
        )
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
        batch.deletions.append(
            RelDeletion(rel, "Example", target, [example_id], (*AUTOMATIC, "manifest", HUMAN))
        )
        rows = [
            {"src": example_id, "dst": v, "method": HUMAN, "method_version": "", "confidence": 1.0}
            for v in values
        ]
        batch.relationships.append(RelGroup(rel, "Example", target, rows))
    if not batch.deletions:
        raise CatalogError("nothing to assign", hint="give --task, --topic, --format or --risk")
    store.write(batch=batch)
