"""`curagraph topics discover | accept`: the topic scheme learns from the data, a person deciding."""

from __future__ import annotations

import logging
from dataclasses import asdict
from typing import Annotated

import typer

from catalog.cli.common import (
    DbOption,
    JsonOption,
    StoreOption,
    err,
    open_catalog,
    out,
    print_json,
    settings_from,
)
from catalog.coverage.spec import DEFAULT_MIN_CONFIDENCE

log = logging.getLogger(__name__)

PANEL = "Label"
topics_app = typer.Typer(
    help="Discover topics the ontology lacks; accept them into the catalog.", no_args_is_help=True
)


@topics_app.command("discover")
def discover_command(
    max_confidence: Annotated[
        float,
        typer.Option(
            "--max-confidence",
            min=0.0,
            max=1.0,
            help="Cluster the examples whose best topic is below this confidence (the gap report's threshold).",
        ),
    ] = DEFAULT_MIN_CONFIDENCE,
    min_size: Annotated[int, typer.Option("--min-size", min=2, help="The smallest cluster proposed.")] = 20,
    shown: Annotated[int, typer.Option("--show", min=1, help="Proposals printed (all are saved).")] = 20,
    model: Annotated[
        str | None,
        typer.Option("--model", help="A model to title the proposals (default CURAGRAPH_LLM_MODEL)."),
    ] = None,
    base_url: Annotated[
        str | None,
        typer.Option(
            "--base-url", help="Its OpenAI-compatible /v1 endpoint (default CURAGRAPH_LLM_BASE_URL)."
        ),
    ] = None,
    titles: Annotated[
        bool, typer.Option("--titles/--no-titles", help="Ask the model for titles when one is configured.")
    ] = True,
    db: DbOption = None,
    store: StoreOption = None,
    as_json: JsonOption = False,
) -> None:
    """Cluster the examples no topic covers into proposed concepts: size, exemplars, distinctive
    words per language, the nearest existing topic and a suggested parent. Nothing is accepted
    automatically: `topics accept ID` does that."""
    from catalog.topics import discover, save_proposals

    settings = settings_from(db, store)
    with open_catalog(settings, create=False) as s:
        err.print("clustering the examples without a confident topic ...", highlight=False)
        found = discover(s, max_confidence=max_confidence, min_size=min_size)
    url, name = base_url or settings.llm_base_url, model or settings.llm_model
    if titles and url and name and found.proposals:
        from catalog.ask.llm import ChatClient
        from catalog.topics.titles import title_proposals

        client = ChatClient(
            url,
            name,
            api_key=settings.llm_api_key.get_secret_value(),
            timeout_s=settings.llm_timeout_s,
            retries=5,
        )
        named = title_proposals(found, client, top=shown)
        err.print(
            f"titles from {name}: {named.titled} of {named.asked} ({named.failed} refused after a retry); "
            f"{named.calls} calls, {named.prompt_tokens:,} + {named.completion_tokens:,} tokens",
            highlight=False,
        )
    path = save_proposals(settings.db, found)
    if as_json:
        data = asdict(found)
        for p in data["proposals"]:
            p.pop("members")
        print_json(data)
        return
    err.print(
        f"{found.candidates:,} examples without a topic at {found.max_confidence:.2f}; "
        f"{len(found.proposals)} proposals hold {found.clustered:,} of them (saved in {path})",
        highlight=False,
    )
    for p in found.proposals[:shown]:
        out.rule(
            f"{p.id}  {p.size:,} examples  coherence {p.coherence:.2f}"
            + (f"  {p.title!r}" if p.title else "")
        )
        out.print(
            f"nearest topic: {p.nearest} ({p.nearest_similarity:.2f}); suggested parent: {p.broader or '(top level)'}",
            highlight=False,
        )
        for language, words in p.terms.items():
            out.print(f"words ({language}): {', '.join(words)}", markup=False, highlight=False)
        for e in p.exemplars[:3]:
            out.print(f"  {e['preview'][:120]}", markup=False, highlight=False)
    if found.proposals:
        first = found.proposals[0]
        err.print(
            f'accept one with: curagraph topics accept {first.id} --id NEW-ID --label "..." '
            f"--broader {first.broader or 'PARENT'}",
            highlight=False,
        )


@topics_app.command("accept")
def accept_command(
    proposal: Annotated[str, typer.Argument(help="The proposal's id, as `topics discover` printed it.")],
    concept_id: Annotated[str, typer.Option("--id", help="The new topic's id (lower-case, '-').")],
    label: Annotated[str, typer.Option("--label", help="Its English label.")],
    broader: Annotated[
        str | None, typer.Option("--broader", help="Its parent topic (none: a top-level topic).")
    ] = None,
    description: Annotated[str | None, typer.Option("--description", help="What it covers.")] = None,
    cue: Annotated[
        list[str] | None,
        typer.Option("--cue", help="A cue word for the rules (repeatable; 'ko:...' for another language)."),
    ] = None,
    db: DbOption = None,
    store: StoreOption = None,
    as_json: JsonOption = False,
) -> None:
    """Write the proposed topic into the catalog's ontology extension (SHACL-checked), then label the
    cluster's examples with it (method `cluster`, kept by later classify runs)."""
    from catalog.topics import accept

    settings = settings_from(db, store)
    done = accept(
        settings,
        proposal,
        concept_id=concept_id,
        label=label,
        broader=broader,
        description=description,
        cues=cue or [],
    )
    if as_json:
        print_json(asdict(done))
        return
    err.print(
        f"topic {done.concept} (under {done.broader or 'the top level'}) is in {done.extension}; "
        f"{done.labelled:,} examples labelled with it",
        highlight=False,
    )


def register(app: typer.Typer) -> None:
    app.add_typer(topics_app, name="topics", rich_help_panel=PANEL)
