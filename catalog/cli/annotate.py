"""`curagraph annotate`: labels from a model behind any OpenAI-compatible endpoint."""

from __future__ import annotations

import logging
from typing import Annotated, Any, cast

import typer

from catalog.annotate import AnnotateReport, annotate
from catalog.annotate.prompts import DIMENSIONS, Dimension
from catalog.ask.llm import ChatClient
from catalog.cli.common import (
    DbOption,
    JsonOption,
    Reporter,
    StoreOption,
    err,
    open_catalog,
    out,
    print_json,
    settings_from,
)
from catalog.errors import CatalogError
from catalog.store.base import ExampleWhere
from catalog.where import parse_where

log = logging.getLogger(__name__)

PANEL = "Label"


def annotate_command(
    model: Annotated[
        str | None,
        typer.Option("--model", help="The model the endpoint serves (default CURAGRAPH_LLM_MODEL)."),
    ] = None,
    base_url: Annotated[
        str | None,
        typer.Option(
            "--base-url", help="An OpenAI-compatible /v1 endpoint (default CURAGRAPH_LLM_BASE_URL)."
        ),
    ] = None,
    only: Annotated[
        str, typer.Option("--only", help="Comma-separated dimensions to label: task, topic, safety.")
    ] = ",".join(DIMENSIONS),
    dataset: Annotated[
        str | None, typer.Option("--dataset", help="Only the examples of this dataset.")
    ] = None,
    language: Annotated[
        str | None, typer.Option("--language", help="Only examples in this language.")
    ] = None,
    where_text: Annotated[
        str | None,
        typer.Option(
            "--where",
            help="Only examples matching key=value pairs, e.g. 'topic=mathematics,duplicate=false' "
            "(topic, task, format, language, dataset, source, issue_kind, generator, role, has_issue, "
            "synthetic, duplicate, min_confidence).",
        ),
    ] = None,
    limit: Annotated[int | None, typer.Option("--limit", min=1, help="At most this many examples.")] = None,
    budget_tokens: Annotated[
        int | None,
        typer.Option("--budget-tokens", min=1, help="Stop asking once this many tokens are spent."),
    ] = None,
    concurrency: Annotated[int, typer.Option("--concurrency", min=1, max=64, help="Requests at a time.")] = 4,
    db: DbOption = None,
    store: StoreOption = None,
    as_json: JsonOption = False,
) -> None:
    """Label examples with a model (task, topics, safety): checked, cached, resumable, costed.

    Replies must name the ontology's concepts (one retry, then a recorded failure); every reply is
    kept in the catalog's ledger, so a re-run or a run after a kill asks nothing twice."""
    settings = settings_from(db, store)
    url, name = base_url or settings.llm_base_url, model or settings.llm_model
    if not url or not name:
        raise CatalogError(
            "no model endpoint to annotate with",
            hint="give --base-url and --model, or set CURAGRAPH_LLM_BASE_URL and CURAGRAPH_LLM_MODEL "
            "(any OpenAI-compatible /v1 endpoint: OpenAI, vLLM, Ollama, llama.cpp)",
        )
    dims = [d.strip() for d in only.split(",") if d.strip()]
    if not dims or any(d not in DIMENSIONS for d in dims):
        raise CatalogError(
            f"unknown dimension in --only {only!r}", hint=f"choose from {', '.join(DIMENSIONS)}"
        )
    client = ChatClient(
        url,
        name,
        api_key=settings.llm_api_key.get_secret_value(),
        timeout_s=settings.llm_timeout_s,
        retries=5,
    )
    with open_catalog(settings, create=False) as s:
        where = ExampleWhere(role=None, dataset=dataset, language=language)
        if where_text:
            where = parse_where(s.schema, where_text, where)
        ids: list[str] = []
        after = ""
        while limit is None or len(ids) < limit:
            page = s.list_examples(where=where, after=after, limit=1_000)
            if not page:
                break
            ids += [r["id"] for r in page]
            after = page[-1]["id"]
        ids = ids[:limit] if limit is not None else ids
        with Reporter("annotate") as reporter:
            report = annotate(
                s,
                settings.db,
                client,
                ids=ids,
                dimensions=[cast(Dimension, d) for d in dims],
                budget_tokens=budget_tokens,
                concurrency=concurrency,
                progress=reporter,
            )
    if as_json:
        print_json({**vars(report), "tokens": report.tokens})
        return
    print_annotate(report)


def print_annotate(r: AnnotateReport) -> None:
    def per(d: dict[str, int]) -> str:
        return ", ".join(f"{k} {v:,}" for k, v in sorted(d.items())) or "none"

    err.print(
        f"annotated with {r.model}: asked {per(r.asked)}; from the ledger (no call) {per(r.cached)}; "
        f"failed (no label) {per(r.failed)}; labelled {per(r.labelled)}; kept (a person's or the data's own) "
        f"{per(r.kept)}; {r.calls:,} calls ({r.retries:,} retries), {r.prompt_tokens:,} prompt + "
        f"{r.completion_tokens:,} completion tokens"
        + ("; stopped: the token budget is spent (run again to go on)" if r.stopped_by_budget else ""),
        highlight=False,
        soft_wrap=True,
    )


def review_command(
    next_n: Annotated[
        int, typer.Option("--next", min=1, max=1_000, help="How many examples to review.")
    ] = 10,
    dimension: Annotated[str, typer.Option("--dimension", help="The dimension to review (task).")] = "task",
    target: Annotated[
        str,
        typer.Option(
            "--target",
            "-t",
            help="Target mix whose gaps weight the queue (a YAML file or a shipped one); '' for none.",
        ),
    ] = "instructgpt",
    list_only: Annotated[
        bool, typer.Option("--list", help="Print the queue and ask nothing (with --json: as JSON).")
    ] = False,
    db: DbOption = None,
    store: StoreOption = None,
    as_json: JsonOption = False,
) -> None:
    """The examples a person should label next: uncertain, disputed, where the target's coverage
    needs them, diverse; each with its nearest examples already labelled. Answer each in turn.

    Keys: Enter accepts the current task, a task id chooses another, `u` marks the example unsafe
    (then a risk id), `s` skips, `q` stops. Answers are a person's labels: no automatic run
    overwrites them, and `classify --retrain` learns from them."""
    from catalog.annotate.review import neighbours, review_queue
    from catalog.classify import assign_by_person
    from catalog.classify.rules import parse_messages
    from catalog.coverage import load_spec, resolve_spec_path

    settings = settings_from(db, store)
    with open_catalog(settings, create=False) as s:
        spec = load_spec(resolve_spec_path(target), schema=s.schema) if target else None
        queue = review_queue(s, settings.db, next_n, dimension=dimension, spec=spec)
        near = neighbours(s, queue)
        if list_only or as_json:
            rows: list[dict[str, Any]] = [
                {"id": c.id, "label": c.label, "confidence": c.confidence, "disagreement": c.disagreement,
                 "need": round(c.need, 3), "score": round(c.score, 3), "preview": c.text,
                 "neighbours": [{"id": n.id, "task": n.task, "method": n.method, "similarity": n.similarity}
                                for n in near[c.id]]}
                for c in queue
            ]  # fmt: skip
            if as_json:
                print_json(rows)
            else:
                for r in rows:
                    out.print(
                        f"{r['id'][:12]}  {r['label'] or '(unlabelled)'} @ {r['confidence']:.2f}"
                        f"{'  disputed' if r['disagreement'] else ''}  {r['preview']}",
                        markup=False,
                        highlight=False,
                    )
            return
        answered = 0
        for i, c in enumerate(queue, 1):
            example = s.examples_for_classification(ids=[c.id])[0]
            out.rule(f"{i}/{len(queue)}  {c.id}")
            for m in parse_messages(example)[:4]:
                out.print(
                    f"[{m.get('role')}] {str(m.get('content') or '')[:600]}", markup=False, highlight=False
                )
            out.print(
                f"current task: {c.label or '(none)'} at confidence {c.confidence:.2f}"
                + ("; the model and the rules disagree" if c.disagreement else "")
                + (f"; coverage still lacks {c.need:.0%} of its cell" if c.need else ""),
                highlight=False,
            )
            for n in near[c.id]:
                out.print(
                    f"  near ({n.similarity:.2f}): {n.task} by {n.method}: {n.text[:100]}",
                    markup=False,
                    highlight=False,
                )
            while True:
                answer = typer.prompt(
                    "Enter accept / task id / u unsafe / s skip / q quit", default="", show_default=False
                )
                answer = answer.strip()
                try:
                    if answer == "q":
                        err.print(f"reviewed {answered} of {len(queue)}", highlight=False)
                        return
                    if answer == "s":
                        break
                    if answer == "u":
                        risk = typer.prompt(
                            "risk id ("
                            + ", ".join(sorted(r for r in s.schema.risks if r not in s.schema.cleared_risks))
                            + ")"
                        )
                        assign_by_person(s, example_id=c.id, risks=[risk.strip()])
                    elif answer == "":
                        if c.label is None:
                            err.print("no current task to accept: type a task id", highlight=False)
                            continue
                        assign_by_person(s, example_id=c.id, task=c.label)
                    else:
                        assign_by_person(s, example_id=c.id, task=answer)
                except CatalogError as exc:
                    err.print(str(exc), highlight=False)
                    continue
                answered += 1
                break
        err.print(
            f"reviewed {answered} of {len(queue)}; `classify --retrain` learns from them", highlight=False
        )


def _register_review(app: typer.Typer) -> None:
    app.command("review", rich_help_panel=PANEL)(review_command)


def register(app: typer.Typer) -> None:
    app.command("annotate", rich_help_panel=PANEL)(annotate_command)
    _register_review(app)
