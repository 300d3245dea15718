"""`curagraph annotate`: label examples with a model behind any OpenAI-compatible endpoint.

For each (example, dimension) not already in the ledger (`catalog.annotate.cache`), one request;
a reply that is not JSON, is cut off, or names a concept the ontology does not declare gets one
retry with the reason, then is recorded as a failure and never becomes a label. Requests run
`concurrency` at a time; the client pauses and asks again on 429 and 5xx. Every checked reply is
committed to the ledger before labels are written from it, so a kill loses and repeats no paid
call; `budget_tokens` stops asking once the tokens spent reach it (the requests in flight finish).

Labels: an edge per concept with method "model", method_version "<model>@<prompt version>" and the
model's confidence; it replaces the automatic edges (structure, rules, learned, an earlier model
run) of that kind, never a person's or the data's own, and `classify` keeps it from then on. A
model that abstains (no task, no topic, no risk) writes nothing: the rules' labels stay. Each
labelled example is ANNOTATED_IN one Activity per model and prompt version, whose agent is the
model (USED_MODEL, role annotator), so lineage shows who labelled it.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from catalog.annotate.cache import Entry, Ledger
from catalog.annotate.prompts import (
    DIMENSIONS,
    BadReply,
    Dimension,
    check_reply,
    messages_for,
    prompt_version,
)
from catalog.ask.llm import ChatClient
from catalog.classify.language import languages_of
from catalog.classify.rules import parse_messages
from catalog.classify.run import AUTOMATIC
from catalog.errors import CatalogError, LLMError
from catalog.store.base import GraphStore, NodeGroup, RelDeletion, RelGroup, WriteBatch

log = logging.getLogger(__name__)

METHOD = "model"
#: (relationship, concept label) per dimension
EDGES: dict[str, tuple[str, str]] = {
    "task": ("FOR_TASK", "Task"),
    "topic": ("ABOUT", "Topic"),
    "safety": ("HAS_RISK", "Risk"),
}
PAGE = 200
WRITE_BATCH = 500

Progress = Callable[[int, int], None]


@dataclass
class AnnotateReport:
    model: str
    asked: dict[str, int] = field(default_factory=dict)  # (example, dimension) pairs asked, per dimension
    cached: dict[str, int] = field(default_factory=dict)  # already in the ledger: no call
    failed: dict[str, int] = field(default_factory=dict)  # recorded as failures: no label
    labelled: dict[str, int] = field(default_factory=dict)  # examples given a label, per dimension
    kept: dict[str, int] = field(default_factory=dict)  # a person's or the data's own label kept
    calls: int = 0
    retries: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    stopped_by_budget: bool = False

    @property
    def tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


def activity_id(model: str, version: str) -> str:
    return "annotation:" + hashlib.sha256(f"{model}\n{version}".encode()).hexdigest()[:16]


def ask_one(client: ChatClient, schema: Any, dimension: Dimension, example: dict[str, Any]) -> Entry:
    """One example, one dimension: a request, and one retry when the reply cannot be used."""
    messages = parse_messages(example)
    language = languages_of(messages)[0]
    request = messages_for(schema, dimension, messages, language)
    calls = prompt_tokens = completion_tokens = 0
    reply_text, error = "", ""
    for attempt in range(2):
        reply = client.chat(request, max_tokens=200)
        calls += 1
        prompt_tokens += reply.prompt_tokens
        completion_tokens += reply.completion_tokens
        reply_text = reply.text
        try:
            verdict = check_reply(schema, dimension, reply.text, truncated=reply.truncated)
        except BadReply as exc:
            error = str(exc)
            if attempt == 0:
                request = [
                    *request,
                    {"role": "assistant", "content": reply.text},
                    {
                        "role": "user",
                        "content": f"That reply cannot be used: {exc}. Answer again with the JSON only.",
                    },
                ]
            continue
        return Entry(
            example["id"],
            client.model,
            prompt_version(dimension),
            dimension,
            "ok",
            verdict.concepts,
            verdict.confidence,
            reply_text,
            "",
            calls,
            prompt_tokens,
            completion_tokens,
        )
    return Entry(
        example["id"],
        client.model,
        prompt_version(dimension),
        dimension,
        "failed",
        (),
        0.0,
        reply_text[:2_000],
        error,
        calls,
        prompt_tokens,
        completion_tokens,
    )


def annotate(
    store: GraphStore,
    catalog_dir: Path,
    client: ChatClient,
    *,
    ids: Sequence[str],
    dimensions: Sequence[Dimension] = DIMENSIONS,
    budget_tokens: int | None = None,
    concurrency: int = 4,
    progress: Progress | None = None,
) -> AnnotateReport:
    """Ask the model about the given examples (see the module docstring) and write its labels."""
    if concurrency < 1:
        raise CatalogError("concurrency must be at least 1", hint="--concurrency 4")
    report = AnnotateReport(model=client.model)
    ledger = Ledger(catalog_dir)
    try:
        _write_labels(store, ledger, client.model, report)  # what a killed run stored but did not write
        todo: list[tuple[Dimension, str]] = []
        for dim in dimensions:
            done = ledger.done(client.model, prompt_version(dim), dim)
            report.cached[dim] = sum(1 for i in ids if i in done)
            todo += [(dim, i) for i in ids if i not in done]
        _ask_all(store, ledger, client, todo, report, budget_tokens, concurrency, progress)
        _write_labels(store, ledger, client.model, report)
    finally:
        ledger.close()
    return report


def _ask_all(
    store: GraphStore,
    ledger: Ledger,
    client: ChatClient,
    todo: list[tuple[Dimension, str]],
    report: AnnotateReport,
    budget_tokens: int | None,
    concurrency: int,
    progress: Progress | None,
) -> None:
    schema = store.schema
    asked: Counter[str] = Counter()
    failed: Counter[str] = Counter()
    finished = 0
    with ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="annotate") as pool:
        in_flight: dict[Future[Entry], tuple[Dimension, str]] = {}
        position = 0
        examples: dict[str, dict[str, Any]] = {}

        def over_budget() -> bool:
            return budget_tokens is not None and report.tokens >= budget_tokens

        try:
            while position < len(todo) or in_flight:
                while position < len(todo) and len(in_flight) < concurrency and not over_budget():
                    if todo[position][1] not in examples:  # read the examples a page at a time
                        page = sorted({i for _, i in todo[position : position + PAGE]} - set(examples))
                        examples.update({e["id"]: e for e in store.examples_for_classification(ids=page)})
                    dim, ident = todo[position]
                    position += 1
                    if ident in examples:
                        in_flight[pool.submit(ask_one, client, schema, dim, examples[ident])] = (dim, ident)
                if not in_flight:
                    break  # the budget is spent (or nothing was left to ask)
                done, _ = wait(in_flight, return_when=FIRST_COMPLETED)
                for future in done:
                    dim, _ident = in_flight.pop(future)
                    entry = future.result()
                    ledger.record(entry)  # stored before any label is written from it
                    asked[dim] += 1
                    failed[dim] += entry.status == "failed"
                    report.calls += entry.calls
                    report.retries += entry.calls - 1
                    report.prompt_tokens += entry.prompt_tokens
                    report.completion_tokens += entry.completion_tokens
                    finished += 1
                    if progress:
                        progress(finished, len(todo))
        except LLMError:
            for future in in_flight:
                future.cancel()
            raise
        report.stopped_by_budget = position < len(todo)
    report.asked, report.failed = dict(asked), dict(failed)


def _write_labels(store: GraphStore, ledger: Ledger, model: str, report: AnnotateReport) -> None:
    entries = ledger.unwritten(model)
    for start in range(0, len(entries), WRITE_BATCH):
        chunk = entries[start : start + WRITE_BATCH]
        _write_chunk(store, model, chunk, report)
        ledger.mark_written(chunk)


def _write_chunk(store: GraphStore, model: str, chunk: list[Entry], report: AnnotateReport) -> None:
    batch = WriteBatch()
    labelled: Counter[str] = Counter()
    kept: Counter[str] = Counter()
    activities: dict[str, dict[str, Any]] = {}
    annotated: list[dict[str, str]] = []
    for dim in DIMENSIONS:
        rows = [e for e in chunk if e.dimension == dim and e.concepts]
        if not rows:
            continue
        rel, target = EDGES[dim]
        existing = store.assignments(rel_type=rel, ids=[e.example for e in rows])
        replaced, edges = [], []
        for e in rows:
            if any(a.method not in (*AUTOMATIC, METHOD) for a in existing.get(e.example, [])):
                kept[dim] += 1  # a person's or the data's own label stays
                continue
            replaced.append(e.example)
            version = f"{model}@{e.prompt_version}"
            edges += [
                {
                    "src": e.example,
                    "dst": c,
                    "method": METHOD,
                    "method_version": version,
                    "confidence": e.confidence,
                }
                for c in e.concepts
            ]
            labelled[dim] += 1
            act = activity_id(model, e.prompt_version)
            activities[act] = {
                "id": act,
                "kind": "annotation",
                "label": f"annotation by {model} ({e.prompt_version})",
                "prompt_template": e.prompt_version,
                "parameters": json.dumps({"model": model, "dimension": dim}),
            }
            annotated.append({"src": e.example, "dst": act})
        if replaced:
            batch.deletions.append(RelDeletion(rel, "Example", target, replaced, (*AUTOMATIC, METHOD)))
            batch.relationships.append(RelGroup(rel, "Example", target, edges))
    if activities:
        batch.nodes.append(NodeGroup("Model", [{"id": model, "name": model}], update_existing=False))
        batch.nodes.append(NodeGroup("Activity", list(activities.values())))
        used = [{"src": a, "dst": model, "role": "annotator"} for a in activities]
        batch.relationships.append(RelGroup("USED_MODEL", "Activity", "Model", used))
        unique = {(r["src"], r["dst"]): r for r in annotated}
        batch.relationships.append(RelGroup("ANNOTATED_IN", "Example", "Activity", list(unique.values())))
    if batch.deletions or batch.nodes:
        store.write(batch=batch)
    for k, v in labelled.items():
        report.labelled[k] = report.labelled.get(k, 0) + v
    for k, v in kept.items():
        report.kept[k] = report.kept.get(k, 0) + v
