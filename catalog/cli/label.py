"""`curagraph classify` and `assign`: tasks, topics, formats and languages of the examples."""

from __future__ import annotations

import logging
from typing import Annotated

import typer

from catalog.classify import ClassifyReport, assign_by_person, classify_catalog
from catalog.cli.common import (
    DbOption,
    JsonOption,
    Reporter,
    StoreOption,
    err,
    open_catalog,
    print_json,
    settings_from,
)
from catalog.store import GraphStore

log = logging.getLogger(__name__)


def classify_with_progress(store: GraphStore, *, only_new: bool) -> ClassifyReport:
    """Classify, with progress on stderr."""
    with Reporter("classify") as reporter:
        return classify_catalog(store, only_new=only_new, progress=reporter)


def print_classify(report: ClassifyReport) -> None:
    kept = ", ".join(f"{k} {v:,}" for k, v in sorted(report.kept.items())) or "none"
    langs = ", ".join(f"{k} {v:,}" for k, v in sorted(report.languages.items(), key=lambda kv: -kv[1])[:8])
    risks = ", ".join(f"{k} {v:,}" for k, v in sorted(report.risks.items(), key=lambda kv: -kv[1])) or "none"
    err.print(
        f"classified {report.examples:,} examples: edges {report.assigned}; "
        f"kept (set by a person or the data's own labels): {kept}; languages: {langs or '-'}; "
        f"no evidence for a task (left unlabelled): {report.unlabelled:,}; safety flags: {risks}",
        highlight=False,
        soft_wrap=True,
    )


def classify(
    new_only: Annotated[bool, typer.Option("--new", help="Only examples never classified.")] = False,
    db: DbOption = None,
    store: StoreOption = None,
    as_json: JsonOption = False,
) -> None:
    """Assign format, language, task and topics to every example. A person's assignments are kept."""
    settings = settings_from(db, store)
    with open_catalog(settings, create=False) as s:
        report = classify_with_progress(s, only_new=new_only)
    if as_json:
        print_json(vars(report))
    else:
        print_classify(report)


def assign(
    example: Annotated[str, typer.Argument(help="Example id, or a unique prefix of 8+ characters.")],
    task: Annotated[str | None, typer.Option("--task", help="Task id from the ontology.")] = None,
    topic: Annotated[list[str] | None, typer.Option("--topic", help="Topic id (repeatable).")] = None,
    fmt: Annotated[list[str] | None, typer.Option("--format", help="Format id (repeatable).")] = None,
    risk: Annotated[
        list[str] | None, typer.Option("--risk", help="Safety risk id from the ontology (repeatable).")
    ] = None,
    db: DbOption = None,
    store: StoreOption = None,
) -> None:
    """Correct an example's task, topics, formats or safety risks by hand; `classify` never overwrites it."""
    settings = settings_from(db, store)
    from catalog.ids import resolve_example_id

    with open_catalog(settings, create=False) as s:
        example = resolve_example_id(s, example)
        assign_by_person(
            s, example_id=example, task=task, topics=topic or [], formats=fmt or [], risks=risk or []
        )
    err.print(f"assigned by hand: {example}", highlight=False)


PANEL = "Label"


def register(app: typer.Typer) -> None:
    """Add this group's commands to the app, in workflow order."""
    app.command(rich_help_panel=PANEL)(classify)
    app.command(rich_help_panel=PANEL)(assign)
