"""`curagraph ingest` and `import`: data files, and metadata from outside sources."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

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
from catalog.cli.label import classify_with_progress, print_classify
from catalog.config import Settings
from catalog.errors import CatalogError, NothingIngested
from catalog.ingest.pipeline import IngestPlan, prepare_ingest, run_ingest
from catalog.ingest.pipeline import Progress as IngestProgress
from catalog.model import IngestSummary
from catalog.schema import load_schema
from catalog.store import GraphStore

log = logging.getLogger(__name__)


def summary_dict(s: IngestSummary) -> dict[str, Any]:
    return {
        "read": s.read,
        "accepted": s.accepted,
        "quarantined": s.quarantined,
        "duplicates_skipped": s.duplicates_skipped,
        "quarantine_file": s.quarantine_file,
        "file": s.file,
        "format": s.format,
        "dataset": s.dataset_id,
        "source": s.source_id,
        "records": s.records,
        "seconds": s.seconds,
        "unmapped_labels": s.unmapped_labels,
    }


def ingest_plans(
    store: GraphStore,
    plans: list[IngestPlan],
    settings: Settings,
    *,
    failures: list[NothingIngested] | None = None,
) -> list[IngestSummary]:
    """Ingest each plan; a file that gives no example goes to `failures` (when given) and the
    others go on, else its error is raised."""
    summaries = []
    for plan in plans:
        label = plan.path.name
        with Reporter(f"ingest {label}", unit="bytes") as reporter:

            def update(p: IngestProgress, reporter: Reporter = reporter) -> None:
                pct = 100.0 * p.bytes_done / p.bytes_total if p.bytes_total else 100.0
                reporter.update(
                    reporter.label,
                    p.bytes_done,
                    p.bytes_total,
                    note=f"{p.accepted:,} accepted · {p.quarantined:,} quarantined · {p.duplicates_skipped:,} dup",
                    # what a pipe gets names what is committed (scripts and tests wait for it)
                    line=f"{reporter.label}: committed {p.read:,} read = {p.accepted:,} accepted + "
                    f"{p.quarantined:,} quarantined + {p.duplicates_skipped:,} duplicates ({pct:.0f}% of the file)",
                )

            try:
                summaries.append(run_ingest(store, plan, settings=settings, progress=update))
            except NothingIngested as exc:
                if failures is None:
                    raise
                failures.append(exc)
    return summaries


def print_summaries(summaries: list[IngestSummary]) -> None:
    table = Table(title="ingest summary", show_edge=False)
    for col in ("file", "format", "read", "accepted", "quarantined", "duplicates", "ex/s"):
        table.add_column(col, justify="left" if col in ("file", "format") else "right")
    for s in summaries:
        rate = f"{s.read / s.seconds:,.0f}" if s.seconds else "-"
        table.add_row(
            Path(s.file).name,
            s.format,
            f"{s.read:,}",
            f"{s.accepted:,}",
            f"{s.quarantined:,}",
            f"{s.duplicates_skipped:,}",
            rate,
        )
    out.print(table)
    for s in summaries:
        out.print(
            f"{Path(s.file).name}: read {s.read:,} = accepted {s.accepted:,} + quarantined {s.quarantined:,} "
            f"+ duplicates skipped {s.duplicates_skipped:,}",
            highlight=False,
            soft_wrap=True,
        )
        if s.quarantine_file:
            out.print(
                f"  quarantined records with line numbers and reasons: {s.quarantine_file}",
                highlight=False,
                soft_wrap=True,
            )
        if s.unmapped_labels:
            shown = ", ".join(f"{k!r} ({n:,})" for k, n in list(s.unmapped_labels.items())[:8])
            more = f" and {len(s.unmapped_labels) - 8} more" if len(s.unmapped_labels) > 8 else ""
            out.print(
                f"  {sum(s.unmapped_labels.values()):,} examples carry labels the manifest's task_labels "
                f"does not map (their task is left to the classifier): {shown}{more}",
                highlight=False,
                soft_wrap=True,
            )


def ingest(
    files: Annotated[
        list[Path],
        typer.Argument(
            help="Data files (JSON, JSON Lines, CSV or Parquet; gzip, bzip2 or xz compressed too).",
            show_default=False,
        ),
    ],
    manifest: Annotated[
        Path | None, typer.Option("--manifest", "-m", help="YAML manifest for the files.")
    ] = None,
    fmt: Annotated[
        str | None, typer.Option("--format", "-f", help="Force the reader (skips auto-detection).")
    ] = None,
    batch_size: Annotated[int | None, typer.Option("--batch-size", help="Examples per transaction.")] = None,
    no_classify: Annotated[
        bool,
        typer.Option(
            "--no-classify", help="Skip assigning format, language, task and topics to new examples."
        ),
    ] = False,
    db: DbOption = None,
    store: StoreOption = None,
    as_json: JsonOption = False,
) -> None:
    """Ingest files: detect the format, archive the raw file, quarantine bad records, write examples and
    provenance; then classify the new examples (format, language, task, topics)."""
    settings = settings_from(db, store, batch_size=batch_size)
    schema = load_schema(settings.extensions_in_force)
    # every file, manifest and format is checked before anything is written
    plans = [
        prepare_ingest(f, schema=schema, settings=settings, manifest_path=manifest, fmt=fmt) for f in files
    ]
    failures: list[NothingIngested] = []
    with open_catalog(settings, create=True) as s:
        summaries = ingest_plans(s, plans, settings, failures=failures)
        classified = (
            None if no_classify or not summaries else classify_with_progress(s, settings.db, only_new=True)
        )
    if classified is not None and not as_json:
        print_classify(classified)
    if as_json:
        if len(summaries) == 1:
            print_json(summary_dict(summaries[0]))
        else:
            totals = {
                k: sum(getattr(x, k) for x in summaries)
                for k in ("read", "accepted", "quarantined", "duplicates_skipped")
            }
            print_json({**totals, "files": [summary_dict(x) for x in summaries]})
    elif summaries:
        print_summaries(summaries)
    if failures:  # the files that gave examples are committed; say what went wrong with the others
        for failure in failures[1:]:
            err.print(f"error: {failure}", highlight=False, markup=False, soft_wrap=True)
        raise failures[0]


import_app = typer.Typer(help="Import metadata from outside sources.", no_args_is_help=True)


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

    settings = settings_from(db, store)
    with open_catalog(settings, create=True) as s:
        report = import_dpi(s, folder)
    if as_json:
        print_json(report.model_dump())
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


@import_app.command("rdf")
def import_rdf(
    rdf_file: Annotated[
        Path, typer.Argument(help="An export of `curagraph export rdf` (Turtle or JSON-LD).")
    ],
    db: DbOption = None,
    store: StoreOption = None,
    as_json: JsonOption = False,
) -> None:
    """Load an RDF export into a catalog: its nodes, edges and the properties on them."""
    import rdflib

    from catalog.export import from_rdf

    if not rdf_file.is_file():
        raise CatalogError(f"no file {rdf_file}", hint="give the path of a .ttl or .jsonld export")
    fmt = "json-ld" if rdf_file.suffix in (".jsonld", ".json") else "turtle"
    try:
        graph = rdflib.Graph().parse(rdf_file, format=fmt)
    except Exception as exc:  # rdflib raises many parser-specific types
        raise CatalogError(f"cannot parse {rdf_file} as {fmt}: {exc}", hint="is it an RDF export?") from None
    settings = settings_from(db, store)
    nodes = edges = 0
    with open_catalog(settings, create=True) as s:
        for batch in from_rdf(s.schema, graph):
            s.write(batch=batch)
            nodes += sum(len(g.rows) for g in batch.nodes)
            edges += sum(len(g.rows) for g in batch.relationships)
    if as_json:
        print_json({"file": str(rdf_file), "nodes": nodes, "edges": edges})
    else:
        out.print(f"imported {rdf_file}: {nodes:,} nodes, {edges:,} edges", highlight=False)


PANEL = "Bring data in"


def register(app: typer.Typer) -> None:
    """Add this group's commands to the app, in workflow order."""
    app.command(rich_help_panel=PANEL)(ingest)
    app.add_typer(import_app, name="import", rich_help_panel=PANEL)
