"""The review queue as the API and the review page show it: each queued example with its messages,
its current labels (method, version, confidence) and its near neighbours already labelled."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import orjson
from pydantic import BaseModel, Field

from catalog.annotate.review import neighbours, review_queue
from catalog.coverage import TargetSpec
from catalog.store.base import GraphStore

log = logging.getLogger(__name__)

#: a message longer than this is cut on the page (the example's own page shows it whole)
MESSAGE_CHARS = 2_000
MESSAGES_SHOWN = 6


class Label(BaseModel):
    concept: str
    method: str | None
    method_version: str | None
    confidence: float | None


class Neighbour(BaseModel):
    id: str
    preview: str
    task: str
    method: str
    similarity: float


class Option(BaseModel):
    id: str
    label: str


class ReviewItem(BaseModel):
    id: str
    preview: str
    task: str | None = Field(description="The current task: what accepting it keeps.")
    confidence: float
    disagreement: bool = Field(description="The model annotator and the rules disagree on the task.")
    need: float = Field(description="Share of the task's coverage cell still missing (0 without a target).")
    score: float
    language: str | None
    messages: list[dict[str, Any]]
    labels: dict[str, list[Label]] = Field(description="task, topic and risk edges, each with its method.")
    neighbours: list[Neighbour]


class ReviewQueue(BaseModel):
    dimension: str
    target: str | None
    items: list[ReviewItem]
    tasks: list[Option]
    risks: list[Option]


def _messages(raw: str | None) -> list[dict[str, Any]]:
    shown = []
    for m in (orjson.loads(raw) if raw else [])[:MESSAGES_SHOWN]:
        content = str(m.get("content") or "")
        shown.append(
            {
                "role": m.get("role"),
                "content": content[:MESSAGE_CHARS] + (" …" if len(content) > MESSAGE_CHARS else ""),
            }
        )
    return shown


def review_view(
    store: GraphStore, catalog_dir: Path, n: int, *, dimension: str = "task", spec: TargetSpec | None = None
) -> ReviewQueue:
    """The next n examples to review, with what a reviewer needs to decide each; `spec`, a target
    mix, weights the queue by what coverage still needs."""
    queue = review_queue(store, catalog_dir, n, dimension=dimension, spec=spec)
    ids = [c.id for c in queue]
    labels = store.examples_labels(ids=ids)
    near = neighbours(store, queue)
    nodes = {i: store.get_node(label="Example", node_id=i) for i in ids}
    schema = store.schema
    items = []
    for c in queue:
        props = nodes[c.id].properties if nodes[c.id] is not None else {}  # type: ignore[union-attr]
        items.append(
            ReviewItem(
                id=c.id,
                preview=c.text,
                task=c.label,
                confidence=round(c.confidence, 3),
                disagreement=c.disagreement,
                need=round(c.need, 3),
                score=round(c.score, 3),
                language=props.get("language"),
                messages=_messages(props.get("messages")),
                labels={
                    kind: [
                        Label(
                            concept=r.concept,
                            method=r.method,
                            method_version=r.method_version,
                            confidence=r.confidence,
                        )
                        for r in rows
                    ]
                    for kind, rows in labels[c.id].items()
                },
                neighbours=[
                    Neighbour(id=n.id, preview=n.text, task=n.task, method=n.method, similarity=n.similarity)
                    for n in near[c.id]
                ],
            )
        )
    return ReviewQueue(
        dimension=dimension,
        target=spec.name if spec is not None else None,
        items=items,
        tasks=[Option(id=t, label=schema.tasks[t].label) for t in sorted(schema.tasks)],
        risks=[Option(id=r, label=schema.risks[r].label) for r in sorted(schema.risks)],
    )
