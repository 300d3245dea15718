"""`curagraph ontology rename | merge | retire | version | diff`: change concepts with their edges,
and see which ontology is in force and what changed."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import asdict
from typing import Annotated, Any

import typer

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
from catalog.config import Settings
from catalog.errors import CatalogError

log = logging.getLogger(__name__)

PANEL = "Label"
ontology_app = typer.Typer(
    help="Change topic and task concepts with every edge migrated; the ontology's version and diff.",
    no_args_is_help=True,
)
BatchOption = Annotated[int, typer.Option("--batch-size", min=1, help="Examples moved per transaction.")]


def _run(
    settings: Settings,
    kind: str,
    old: str,
    new: str | None,
    label: str | None,
    batch: int,
    as_json: bool,
    parts: Sequence[Any] = (),
) -> None:
    from catalog.evolve.change import change_concept

    with Reporter("migrate", every_s=0.0) as reporter:
        done = change_concept(
            settings, kind, old, new=new, label=label, parts=parts, batch_size=batch,  # type: ignore[arg-type]
            progress=lambda n, total: reporter.update("migrate", n, total, line=f"moved {n:,} of {total:,}"),
        )  # fmt: skip
    if as_json:
        print_json(asdict(done))
        return
    c = done.change
    err.print(
        f"{c.id}: {c.kind} {c.scheme} {c.old} -> {c.new or '(none)'}"
        + (" (resumed)" if done.resumed else "")
        + f"; {done.examples:,} examples moved ({done.merged:,} had both, one edge kept) in {done.batches} batches, "
        f"{done.seconds:.1f} s; ontology {c.version_before} -> {c.version_after}",
        highlight=False,
    )


@ontology_app.command("rename")
def rename_command(
    old: Annotated[str, typer.Argument(help="The topic or task id to rename.")],
    new: Annotated[str, typer.Option("--to", help="Its new id.")],
    label: Annotated[str, typer.Option("--label", help="Its new English label.")],
    batch: BatchOption = 5_000,
    db: DbOption = None,
    store: StoreOption = None,
    as_json: JsonOption = False,
) -> None:
    """Rename a concept: every edge to it moves to the new id (method, version and confidence kept).
    Run it again after a kill to finish."""
    _run(settings_from(db, store), "rename", old, new, label, batch, as_json)


@ontology_app.command("merge")
def merge_command(
    old: Annotated[str, typer.Argument(help="The concept that goes.")],
    into: Annotated[str, typer.Option("--into", help="The concept that takes its examples.")],
    batch: BatchOption = 5_000,
    db: DbOption = None,
    store: StoreOption = None,
    as_json: JsonOption = False,
) -> None:
    """Merge a concept into another: the union of their examples, one edge each (a person's first)."""
    _run(settings_from(db, store), "merge", old, into, None, batch, as_json)


@ontology_app.command("retire")
def retire_command(
    old: Annotated[str, typer.Argument(help="The concept to retire.")],
    batch: BatchOption = 5_000,
    db: DbOption = None,
    store: StoreOption = None,
    as_json: JsonOption = False,
) -> None:
    """Retire a concept: its examples go to its broader concept (a top-level one's edges go)."""
    _run(settings_from(db, store), "retire", old, None, None, batch, as_json)


def parse_part(text: str) -> Any:
    """`ID=Label:cue,cue` (a new concept) or `ID:cue,cue` (an existing one)."""
    from catalog.evolve.change import Part

    head, _, cues = text.partition(":")
    ident, _, label = head.partition("=")
    words = tuple(c.strip() for c in cues.split(",") if c.strip())
    if not ident.strip() or not words:
        raise CatalogError(
            f"cannot read the part {text!r}",
            hint="--into ID=Label:cue,cue (new) or --into ID:cue,cue (existing)",
        )
    return Part(ident.strip(), label.strip() or None, words)


@ontology_app.command("split")
def split_command(
    old: Annotated[str, typer.Argument(help="The concept to split.")],
    into: Annotated[
        list[str],
        typer.Option(
            "--into", help="A part: ID=Label:cue,cue (new) or ID:cue,cue (existing); twice or more."
        ),
    ],
    rest: Annotated[
        str | None, typer.Option("--rest", help="The part that takes examples no cue matches (the first).")
    ] = None,
    batch: BatchOption = 5_000,
    db: DbOption = None,
    store: StoreOption = None,
    as_json: JsonOption = False,
) -> None:
    """Split a concept into parts: each example goes to the part whose cue words its text holds most
    (the rest part when none), with its method, version and confidence; a person's label too."""
    _run(settings_from(db, store), "split", old, rest, None, batch, as_json, [parse_part(p) for p in into])


@ontology_app.command("version")
def version_command(db: DbOption = None, store: StoreOption = None, as_json: JsonOption = False) -> None:
    """The ontology in force: its human version and content hash, and the changes made to it."""
    from catalog.evolve.change import read_log
    from catalog.schema import load_schema

    settings = settings_from(db, store)
    schema = load_schema(settings.extensions_in_force)
    changes = read_log(settings)
    data: dict[str, object] = {
        "version": schema.version,
        "hash": schema.version_hash,
        "extensions": [str(p) for p in settings.extensions_in_force],
        "changes": changes,
    }
    if as_json:
        print_json(data)
        return
    out.print(f"ontology {schema.version} ({schema.version_hash})", highlight=False)
    for e in changes:
        if e.get("state") == "declared":
            out.print(
                f"  {e['id']}: {e['kind']} {e['old']} -> {e['new']}  ({e['declared_at']})", highlight=False
            )


@ontology_app.command("diff")
def diff_command(
    a: Annotated[str, typer.Argument(help="shipped, current, or a Turtle file (an extension).")] = "shipped",
    b: Annotated[str, typer.Argument(help="shipped, current, or a Turtle file (an extension).")] = "current",
    db: DbOption = None,
    store: StoreOption = None,
    as_json: JsonOption = False,
) -> None:
    """What changed between two ontologies: concepts added, removed, moved, relabelled (with the
    examples each touched in this catalog), relationships and properties."""
    from catalog.evolve.change import read_log
    from catalog.evolve.diff import count_touched, diff, side

    settings = settings_from(db, store)
    found = diff(side(a, settings), side(b, settings), names=(a, b))
    if (settings.graph_path.exists() or settings.store != "embedded") and found.concepts:
        with open_catalog(settings, create=False) as s:
            count_touched(found, s, read_log(settings))
    if as_json:
        print_json(asdict(found))
        return
    out.print(
        f"{a} {found.version_a} ({found.hash_a}) -> {b} {found.version_b} ({found.hash_b})", highlight=False
    )
    if not found.concepts and not found.relationships:
        out.print("no change", highlight=False)
    for c in found.concepts:
        where = {"added": f"under {c.after or '(top)'}", "removed": f"replaced by {c.after or '(nothing)'}",
                 "moved": f"{c.before or '(top)'} -> {c.after or '(top)'}",
                 "relabelled": f"{c.before!r} -> {c.after!r}"}[c.change]  # fmt: skip
        touched = "" if c.examples is None else f"  ({c.examples:,} examples)"
        out.print(
            f"{c.change:<10} {c.scheme[:-1]} {c.concept}: {where}{touched}", highlight=False, markup=False
        )
    for r in found.relationships:
        out.print(f"{r['change']:<10} {r['relationship']} {r.get('property', '')}", highlight=False)


def register(app: typer.Typer) -> None:
    app.add_typer(ontology_app, name="ontology", rich_help_panel=PANEL)
