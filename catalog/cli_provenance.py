"""`curagraph lineage` and `curagraph license-check`: where an example came from, and what may be
used under a policy once every ancestor's license counts."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.tree import Tree

from catalog.cli_base import DbOption, JsonOption, StoreOption, _print_json, _settings, _store, app, out
from catalog.errors import ConfigError
from catalog.provenance import check_licenses, lineage
from catalog.provenance.license import ModelConflict

import_app = typer.Typer(help="Import metadata from outside sources.", no_args_is_help=True)
app.add_typer(import_app, name="import")


@import_app.command("dpi")
def import_dpi_command(
    folder: Annotated[
        Path, typer.Argument(help="A Data-Provenance-Collection checkout (data_summaries/, constants/).")
    ],
    db: DbOption = None,
    store: StoreOption = None,
    as_json: JsonOption = False,
) -> None:
    """Load the Data Provenance Initiative's dataset summaries and link the catalog's datasets to them."""
    from catalog.provenance.dpi import import_dpi

    settings = _settings(db, store)
    with _store(settings, create=True) as s:
        report = import_dpi(s, folder)
    if as_json:
        _print_json(report.model_dump())
        return
    out.print(
        f"imported {report.entries:,} DPI entries from {report.files} files; "
        f"{len(report.licenses_created)} licenses the ontology lacks added with DPI's conditions",
        highlight=False,
    )
    for dataset, entries in sorted(report.linked.items()):
        out.print(
            f"  {dataset} is described by {', '.join(entries[:4])}{' ...' if len(entries) > 4 else ''}",
            highlight=False,
        )


def _print_model_conflicts(conflicts: list[ModelConflict]) -> None:
    for c in conflicts:
        said = "; ".join(f"{who} says {', '.join(models)}" for who, models in c.claims.items())
        out.print(f"[yellow]conflicting generator claims[/] on Dataset:{c.dataset}: {said}", highlight=False)


@app.command("lineage")
def lineage_command(
    example: Annotated[str, typer.Argument(help="Example id, or a unique prefix of 8+ characters.")],
    db: DbOption = None,
    store: StoreOption = None,
    as_json: JsonOption = False,
) -> None:
    """The chain from an example to its roots: sources, datasets, models, licenses, and its effective license."""
    from catalog.ids import resolve_example_id

    settings = _settings(db, store)
    with _store(settings, create=False) as s:
        result = lineage(s, resolve_example_id(s, example))
    if as_json:
        _print_json(result.model_dump())
        return
    eff = result.effective
    tree = Tree(f"[bold]Example {result.example}[/]")
    children: dict[str, list[tuple[str, str]]] = {}
    for a, rel, b in result.edges:
        children.setdefault(a, []).append((rel, b))

    def grow(branch: Tree, key: str, seen: set[str]) -> None:
        for rel, b in sorted(children.get(key, [])):
            label = f"{rel} -> {b}"
            if b in seen:
                branch.add(label + " (above)")
                continue
            grow(branch.add(label), b, seen | {b})

    grow(tree, f"Example:{result.example}", {f"Example:{result.example}"})
    out.print(tree)
    for src in result.sources:
        out.print(
            f"source of {src.example[:12]}: {src.file_name} line {src.line} (sha256 {str(src.checksum)[:16]}..., kept at {src.archive_path})",
            highlight=False,
            soft_wrap=True,
        )
    verdict = "may be used commercially" if eff.commercial_use else "[red]NOT for commercial use[/]"
    extra = [n for n, on in (("share-alike", eff.share_alike), ("no derivatives", eff.no_derivatives)) if on]
    out.print(f"\neffective license: {verdict}" + (f"; {', '.join(extra)}" if extra else ""))
    table = Table(show_edge=False)
    for col in ("condition", "license", "on", "claimed by", "path"):
        table.add_column(col, overflow="fold")
    for c in eff.conditions:
        table.add_row(c.condition, c.license, c.holder, c.claimed_by or "-", " -> ".join(c.path))
    out.print(table)
    for conflict in eff.conflicts:
        claims = "; ".join(f"{c.license} (claimed by {c.claimed_by})" for c in conflict.claims)
        out.print(f"[yellow]conflicting claims[/] on {conflict.holder}: {claims}", highlight=False)
    _print_model_conflicts(result.model_claims)
    if eff.unlicensed:
        out.print(f"[yellow]no license claim at all[/] on: {', '.join(eff.unlicensed)}", highlight=False)


@app.command("license-check")
def license_check_command(
    policy: Annotated[
        str,
        typer.Option("--policy", help="commercial: refuse anything non-commercial; any: list conditions."),
    ] = "commercial",
    db: DbOption = None,
    store: StoreOption = None,
    as_json: JsonOption = False,
) -> None:
    """What may and may not be used under the policy, and why, once every ancestor's license counts."""
    if policy not in ("commercial", "any"):
        raise ConfigError(f"unknown --policy {policy!r}", hint="commercial or any")
    settings = _settings(db, store)
    with _store(settings, create=False) as s:
        result = check_licenses(s, policy=policy)  # type: ignore[arg-type]
    if as_json:
        _print_json(result.model_dump())
        return
    out.print(
        f"[bold]license check[/] (policy {result.policy}): {result.examples:,} examples, "
        f"{result.allowed:,} usable, [red]{result.refused:,} not usable[/]",
        highlight=False,
    )
    table = Table(show_edge=False)
    for col in ("usable", "examples", "datasets (with ancestors)", "models", "why"):
        table.add_column(col, overflow="fold", justify="right" if col == "examples" else "left")
    for g in result.groups:
        # a source repeats its dataset's claims: name sources only when nothing else explains it
        named = [r for r in g.reasons if not r.holder.startswith("Source:")] or list(g.reasons)
        why = sorted({f"{r.condition}: {r.license} on {r.holder}" for r in named})
        table.add_row(
            "yes" if g.allowed else "[red]no[/]",
            f"{g.examples:,}",
            ", ".join(g.datasets),
            ", ".join(g.models) or "-",
            "; ".join(why) or "-",
        )
    out.print(table)
    for conflict in result.conflicts:
        claims = "; ".join(f"{c.license} (claimed by {c.claimed_by})" for c in conflict.claims)
        out.print(f"[yellow]conflicting claims[/] on {conflict.holder}: {claims}", highlight=False)
    _print_model_conflicts(result.model_conflicts)


@app.command("synthetic")
def synthetic_command(
    top: Annotated[int, typer.Option("--top", help="Cells to list per model (largest share first).")] = 8,
    db: DbOption = None,
    store: StoreOption = None,
    as_json: JsonOption = False,
) -> None:
    """Synthetic-data audit: generator and teacher share per task, topic, format and language;
    language drift; models trained on data they (or their base models) generated."""
    from catalog.provenance.synthetic import synthetic_audit

    settings = _settings(db, store)
    with _store(settings, create=False) as s:
        audit = synthetic_audit(s)
    if as_json:
        _print_json(audit.model_dump())
        return
    out.print(
        f"[bold]synthetic-data audit[/]: {audit.synthetic:,} of {audit.examples:,} training examples were "
        "generated, translated or taught by a model",
        highlight=False,
    )
    table = Table(show_edge=False, title="by model")
    for col in ("model", "role", "examples", "share", f"largest cells (top {top})"):
        table.add_column(col, overflow="fold", justify="right" if col in ("examples", "share") else "left")
    for m in audit.models:
        cells = sorted(
            (c for c in audit.cells if c.model == m.model and c.role == m.role and c.dimension != "format"),
            key=lambda c: (-c.share, -c.examples, c.dimension, c.value),
        )[:top]
        table.add_row(
            m.model,
            m.role,
            f"{m.examples:,}",
            f"{m.share:.1%}",
            ", ".join(f"{c.dimension} {c.value} {c.share:.0%} ({c.examples:,})" for c in cells),
        )
    out.print(table)
    if audit.drift:
        drift = Table(show_edge=False, title="language drift")
        for col in ("kind", "dataset / method", "what", "examples", "e.g."):
            drift.add_column(col, overflow="fold", justify="right" if col == "examples" else "left")
        for d in audit.drift:
            drift.add_row(
                d.kind,
                d.dataset or d.method or "-",
                d.detail,
                f"{d.examples:,}",
                ", ".join(x[:12] for x in d.sample[:2]),
            )
        out.print(drift)
    else:
        out.print("no language drift")
    for loop in audit.loops:
        via = " -> ".join(loop.via)
        out.print(
            f"[red]self-distillation[/]: {loop.model} was trained on {' -> '.join(loop.data_path)}, which holds "
            f"{loop.examples:,} examples generated by {loop.generator}"
            + (f" (via {via})" if len(loop.via) > 1 else ""),
            highlight=False,
        )
    if not audit.loops:
        out.print("no self-distillation loop (models' TRAINED_ON / FINE_TUNED_FROM come from manifests)")
