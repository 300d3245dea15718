"""`curagraph lineage`, `license-check` and `synthetic`: where examples came from and what may be done with them."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Annotated, Any

import typer
from rich.table import Table
from rich.tree import Tree

from catalog.cli.common import (
    DbOption,
    JsonOption,
    StoreOption,
    open_catalog,
    out,
    print_json,
    settings_from,
    styled,
)
from catalog.errors import ConfigError
from catalog.provenance import check_licenses, lineage
from catalog.provenance.license import ModelConflict

log = logging.getLogger(__name__)


def lineage_command(
    example: Annotated[str, typer.Argument(help="Example id, or a unique prefix of 8+ characters.")],
    db: DbOption = None,
    store: StoreOption = None,
    as_json: JsonOption = False,
) -> None:
    """The chain from an example to its roots: sources, datasets, models, licenses, and its effective license."""
    from catalog.ids import resolve_example_id

    settings = settings_from(db, store)
    with open_catalog(settings, create=False) as s:
        result = lineage(s, resolve_example_id(s, example))
    if as_json:
        print_json(result.model_dump())
        return
    eff = result.effective
    tree = Tree(styled((f"Example {result.example}", "bold")))
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
    for ann in result.annotations:
        out.print(f"labelled by {ann.model} ({ann.role}) in {ann.activity}", highlight=False, soft_wrap=True)
    verdict = ("may be used commercially", "") if eff.commercial_use else ("NOT for commercial use", "red")
    extra = [n for n, on in (("share-alike", eff.share_alike), ("no derivatives", eff.no_derivatives)) if on]
    out.print(styled("\neffective license: ", verdict, f"; {', '.join(extra)}" if extra else ""))
    table = Table(show_edge=False)
    for col in ("condition", "license", "on", "claimed by", "path"):
        table.add_column(col, overflow="fold")
    for c in eff.conditions:
        table.add_row(c.condition, c.license, c.holder, c.claimed_by or "-", " -> ".join(c.path))
    out.print(table)
    print_license_conflicts(eff.conflicts)
    print_model_conflicts(result.model_claims)
    if eff.unlicensed:
        out.print(
            styled(("no license claim at all", "yellow"), f" on: {', '.join(eff.unlicensed)}"),
            highlight=False,
        )


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
    settings = settings_from(db, store)
    with open_catalog(settings, create=False) as s:
        result = check_licenses(s, policy=policy)  # type: ignore[arg-type]
    if as_json:
        print_json(result.model_dump())
        return
    out.print(
        styled(
            ("license check", "bold"),
            f" (policy {result.policy}): {result.examples:,} examples, {result.allowed:,} usable, ",
            (f"{result.refused:,} not usable", "red"),
        ),
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
            "yes" if g.allowed else styled(("no", "red")),
            f"{g.examples:,}",
            ", ".join(g.datasets),
            ", ".join(g.models) or "-",
            "; ".join(why) or "-",
        )
    out.print(table)
    print_license_conflicts(result.conflicts)
    print_model_conflicts(result.model_conflicts)


def synthetic_command(
    top: Annotated[int, typer.Option("--top", help="Cells to list per model (largest share first).")] = 8,
    db: DbOption = None,
    store: StoreOption = None,
    as_json: JsonOption = False,
) -> None:
    """Synthetic-data audit: generator and teacher share per task, topic, format and language;
    language drift; models trained on data they (or their base models) generated."""
    from catalog.provenance.synthetic import synthetic_audit

    settings = settings_from(db, store)
    with open_catalog(settings, create=False) as s:
        audit = synthetic_audit(s)
    if as_json:
        print_json(audit.model_dump())
        return
    out.print(
        styled(
            ("synthetic-data audit", "bold"),
            f": {audit.synthetic:,} of {audit.examples:,} training examples were generated, "
            "translated or taught by a model",
        ),
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
            styled(
                ("self-distillation", "red"),
                f": {loop.model} was trained on {' -> '.join(loop.data_path)}, which holds "
                f"{loop.examples:,} examples generated by {loop.generator}"
                + (f" (via {via})" if len(loop.via) > 1 else ""),
            ),
            highlight=False,
        )
    if not audit.loops:
        out.print("no self-distillation loop (models' TRAINED_ON / FINE_TUNED_FROM come from manifests)")


def print_license_conflicts(conflicts: Sequence[Any]) -> None:
    """Holders whose license claims disagree, with every claim and who made it."""
    for conflict in conflicts:
        claims = "; ".join(f"{c.license} (claimed by {c.claimed_by})" for c in conflict.claims)
        out.print(
            styled(("conflicting claims", "yellow"), f" on {conflict.holder}: {claims}"), highlight=False
        )


def print_model_conflicts(conflicts: list[ModelConflict]) -> None:
    for c in conflicts:
        said = "; ".join(f"{who} says {', '.join(models)}" for who, models in c.claims.items())
        out.print(
            styled(("conflicting generator claims", "yellow"), f" on Dataset:{c.dataset}: {said}"),
            highlight=False,
        )


PANEL = "Provenance"


def register(app: typer.Typer) -> None:
    """Add this group's commands to the app, in workflow order."""
    app.command("lineage", rich_help_panel=PANEL)(lineage_command)
    app.command("license-check", rich_help_panel=PANEL)(license_check_command)
    app.command("synthetic", rich_help_panel=PANEL)(synthetic_command)
