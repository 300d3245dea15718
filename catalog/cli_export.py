"""`curagraph export rdf|croissant` and `curagraph import rdf`: the catalog in standard vocabularies
and back."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import typer

from catalog.cli_base import DbOption, JsonOption, StoreOption, _print_json, _settings, _store, app, out
from catalog.cli_provenance import import_app
from catalog.errors import CatalogError
from catalog.store import GraphStore

export_app = typer.Typer(help="Write the catalog or a selection in standard formats.", no_args_is_help=True)
app.add_typer(export_app, name="export")

DatasetOption = Annotated[
    list[str] | None, typer.Option("--dataset", help="Select the examples of this dataset (repeatable).")
]
IdsOption = Annotated[
    Path | None, typer.Option("--ids", help="Select the example ids listed in this file, one per line.")
]
RdfFormat = Literal["turtle", "json-ld"]


def _ids_from(path: Path | None, store: GraphStore) -> list[str]:
    """The ids listed in the file, one per line; a short id (a unique prefix) becomes the full one."""
    from catalog.ids import resolve_example_id
    from catalog.ingest.canonical import ID_HEX_CHARS

    if path is None:
        return []
    if not path.is_file():
        raise CatalogError(f"no file {path}", hint="--ids names a text file with one example id per line")
    ids = [line.strip() for line in path.read_text().splitlines() if line.strip()]
    return [i if len(i) == ID_HEX_CHARS else resolve_example_id(store, i) for i in ids]


@export_app.command("rdf")
def export_rdf(
    out_file: Annotated[Path, typer.Argument(help="The file to write (.ttl or .jsonld).")],
    rdf_format: Annotated[
        str | None, typer.Option("--format", help="turtle or json-ld (default: from the file's suffix).")
    ] = None,
    dataset: DatasetOption = None,
    ids: IdsOption = None,
    no_validate: Annotated[bool, typer.Option("--no-validate", help="Skip the SHACL validation.")] = False,
    db: DbOption = None,
    store: StoreOption = None,
    as_json: JsonOption = False,
) -> None:
    """The catalog (or a selection and everything its provenance reaches) as RDF: PROV-O, DCAT, SKOS,
    validated against the ontology's SHACL shapes before it is written."""
    from catalog.export import example_ids_of, selection, to_rdf, validate, whole_catalog

    fmt = rdf_format or ("json-ld" if out_file.suffix in (".jsonld", ".json") else "turtle")
    if fmt not in ("turtle", "json-ld"):
        raise CatalogError(f"unknown RDF format {fmt!r}", hint="use --format turtle or --format json-ld")
    settings = _settings(db, store)
    with _store(settings, create=False) as s:
        chosen = example_ids_of(s, datasets=dataset or [], ids=_ids_from(ids, s))
        sub = selection(s, chosen) if (dataset or ids) else whole_catalog(s)
        graph = to_rdf(s.schema, sub)
    conforms, report = (True, "") if no_validate else validate(graph)
    if not conforms:
        first = [line for line in report.splitlines() if line.strip().startswith(("Message", "Focus Node"))][
            :6
        ]
        raise CatalogError(
            "the export does not pass the ontology's SHACL shapes: " + "; ".join(x.strip() for x in first),
            hint="fix the data the shapes name (or pass --no-validate to write it anyway)",
        )
    out_file.parent.mkdir(parents=True, exist_ok=True)
    graph.serialize(destination=str(out_file), format=fmt)
    nodes, edges = sub.count()
    summary = {
        "file": str(out_file),
        "format": fmt,
        "triples": len(graph),
        "nodes": nodes,
        "edges": edges,
        "examples": len(sub.examples()),
        "shacl": "skipped" if no_validate else "conforms",
    }
    if as_json:
        _print_json(summary)
    else:
        out.print(
            f"wrote {out_file}: {len(graph):,} triples ({summary['examples']:,} examples, {nodes:,} nodes, "
            f"{edges:,} edges); SHACL: {summary['shacl']}",
            highlight=False,
        )


@export_app.command("croissant")
def export_croissant(
    out_dir: Annotated[Path, typer.Argument(help="Folder for croissant.json and examples.jsonl.")],
    name: Annotated[str, typer.Option("--name", help="The exported dataset's name.")] = "curagraph-selection",
    dataset: DatasetOption = None,
    ids: IdsOption = None,
    validate: Annotated[
        bool, typer.Option("--validate/--no-validate", help="Validate with mlcroissant if it is installed.")
    ] = True,
    db: DbOption = None,
    store: StoreOption = None,
    as_json: JsonOption = False,
) -> None:
    """A selection as a Croissant 1.1 dataset with row-level provenance (prov:wasDerivedFrom) and each
    example's effective license."""
    from catalog.export import example_ids_of, validate_croissant, write_croissant

    settings = _settings(db, store)
    with _store(settings, create=False) as s:
        chosen = example_ids_of(s, datasets=dataset or [], ids=_ids_from(ids, s))
        path = write_croissant(s, chosen, out_dir, name=name)
    errors: list[str] | None = None
    if validate:
        try:
            errors = validate_croissant(path)
        except CatalogError as exc:
            if "needs mlcroissant" not in str(exc):
                raise
    if errors:
        raise CatalogError(f"{path} fails Croissant validation: {errors[0]}", hint="report this as a bug")
    summary = {
        "croissant": str(path),
        "data": str(out_dir / "examples.jsonl"),
        "examples": len(chosen),
        "validated": errors is not None,
    }
    if as_json:
        _print_json(summary)
    else:
        checked = (
            "valid (mlcroissant)"
            if errors is not None
            else "not validated (pip install 'curagraph[croissant]')"
        )
        out.print(f"wrote {path} and examples.jsonl: {len(chosen):,} examples; {checked}", highlight=False)


@export_app.command("jsonl")
def export_jsonl(
    out_file: Annotated[
        Path, typer.Argument(help="The training file to write (.jsonl); its manifest goes beside it.")
    ],
    selection_file: Annotated[
        Path | None, typer.Option("--selection", help="A selection written by `curagraph select`.")
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="openai (chat messages) or alpaca.")] = "openai",
    reasoning: Annotated[
        str, typer.Option("--reasoning", help="inline (before the answer), field (openai only) or drop.")
    ] = "inline",
    dataset: DatasetOption = None,
    ids: IdsOption = None,
    db: DbOption = None,
    store: StoreOption = None,
    as_json: JsonOption = False,
) -> None:
    """Training JSON Lines for a selection, with a manifest: counts per dataset, source, license and
    generator, commercial use, quota fills, example ids."""
    import json

    from catalog.export import example_ids_of
    from catalog.export.training import write_training

    if fmt not in ("openai", "alpaca"):
        raise CatalogError(f"unknown --format {fmt!r}", hint="openai or alpaca")
    if reasoning not in ("inline", "field", "drop"):
        raise CatalogError(f"unknown --reasoning {reasoning!r}", hint="inline, field or drop")
    chosen: list[str] = []
    fills = None
    if selection_file is not None:
        if not selection_file.is_file():
            raise CatalogError(
                f"no selection file {selection_file}", hint="write one with `curagraph select --out`"
            )
        data = json.loads(selection_file.read_text())
        chosen += list(data.get("ids") or [])
        fills = data.get("fills")
    settings = _settings(db, store)
    with _store(settings, create=False) as s:
        chosen = example_ids_of(s, datasets=dataset or [], ids=_ids_from(ids, s) + chosen)
        manifest = write_training(s, chosen, out_file, fmt=fmt, reasoning=reasoning, fills=fills)  # type: ignore[arg-type]
    summary = {
        k: manifest[k]
        for k in ("file", "format", "examples", "sha256", "commercial_use", "licenses", "generators")
    }
    summary["skipped"] = manifest["skipped"]["count"]
    summary["manifest"] = str(out_file.with_name(out_file.name + ".manifest.json"))
    if as_json:
        _print_json(summary)
    else:
        out.print(
            f"wrote {out_file}: {manifest['examples']:,} examples ({fmt}), {summary['skipped']:,} skipped; "
            f"commercial use allowed for {manifest['commercial_use']['allowed']:,}; manifest {summary['manifest']}",
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
    settings = _settings(db, store)
    nodes = edges = 0
    with _store(settings, create=True) as s:
        for batch in from_rdf(s.schema, graph):
            s.write(batch=batch)
            nodes += sum(len(g.rows) for g in batch.nodes)
            edges += sum(len(g.rows) for g in batch.relationships)
    if as_json:
        _print_json({"file": str(rdf_file), "nodes": nodes, "edges": edges})
    else:
        out.print(f"imported {rdf_file}: {nodes:,} nodes, {edges:,} edges", highlight=False)
