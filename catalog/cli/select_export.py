"""`curagraph select` and `export`: a selection that fills a mix, and the catalog in standard formats."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError
from rich.table import Table

from catalog.cli.common import (
    DbOption,
    JsonOption,
    Reporter,
    StoreOption,
    open_catalog,
    out,
    print_json,
    settings_from,
)
from catalog.coverage import load_spec, resolve_spec_path
from catalog.coverage.spec import Eligibility
from catalog.errors import CatalogError, ConfigError
from catalog.store import GraphStore

log = logging.getLogger(__name__)


def select_command(
    target: Annotated[
        str, typer.Option("--target", help="A shipped spec name (instructgpt) or a YAML file.")
    ],
    n: Annotated[int, typer.Option("-n", help="How many examples to select.")],
    out_file: Annotated[
        Path, typer.Option("--out", help="Where to write the selection (ids and quota fills), JSON.")
    ] = Path("selection.json"),
    license_policy: Annotated[
        str | None,
        typer.Option("--license-policy", help="any or commercial (default: the spec's eligibility)."),
    ] = None,
    max_issue_severity: Annotated[
        str | None,
        typer.Option(
            "--max-issue-severity", help="info, warning or error: examples with worse issues are left out."
        ),
    ] = None,
    keep_duplicates: Annotated[
        bool, typer.Option("--keep-duplicates", help="Do not leave duplicates out.")
    ] = False,
    safety: Annotated[
        str | None,
        typer.Option(
            "--safety",
            help="exclude (default) or include examples flagged with a safety risk, e.g. for refusal data.",
        ),
    ] = None,
    min_confidence: Annotated[
        float | None,
        typer.Option(
            "--min-confidence",
            help="Tasks and topics below it do not fill quotas (a multiple of 0.05; default: the spec's, 0.5).",
        ),
    ] = None,
    db: DbOption = None,
    store: StoreOption = None,
    as_json: JsonOption = False,
) -> None:
    """N examples that fill the target mix: eligible (one per duplicate cluster, license-clean, no
    blocking issues), diverse within each cell; says what it could not fill."""
    from catalog.selection import select_examples

    settings = settings_from(db, store)
    with open_catalog(settings, create=False) as s:
        spec = load_spec(resolve_spec_path(target), schema=s.schema)
        rules = spec.eligibility.model_copy()
        if license_policy is not None:
            if license_policy not in ("any", "commercial"):
                raise ConfigError(f"unknown --license-policy {license_policy!r}", hint="any or commercial")
            rules.license_policy = license_policy  # type: ignore[assignment]
        if max_issue_severity is not None:
            if max_issue_severity not in ("info", "warning", "error"):
                raise ConfigError(
                    f"unknown --max-issue-severity {max_issue_severity!r}", hint="info, warning or error"
                )
            rules.max_issue_severity = max_issue_severity  # type: ignore[assignment]
        if keep_duplicates:
            rules.exclude_duplicates = False
        rules = with_label_rules(rules, safety=safety, min_confidence=min_confidence)
        reporter = Reporter("checking", enabled=not as_json)
        update, stop = reporter, reporter.close
        try:
            result = select_examples(s, spec, n, eligibility=rules, progress=update)
        finally:
            stop()
    out_file.parent.mkdir(parents=True, exist_ok=True)
    out_file.write_text(json.dumps(result.model_dump(), indent=1, ensure_ascii=False))
    if as_json:
        print_json({**result.model_dump(), "file": str(out_file)})
        return
    out.print(
        f"selected {result.selected:,} of {result.requested:,} from {result.pool:,} eligible examples "
        f"(left out: {', '.join(f'{k} {v:,}' for k, v in result.excluded.items()) or 'none'}); wrote {out_file}",
        highlight=False,
    )
    table = Table(show_edge=False, title="quota fills (unfilled first)")
    for col in ("dimension", "value", "wanted", "chosen", "eligible", "unfilled"):
        table.add_column(col, justify="left" if col in ("dimension", "value") else "right")
    for f in result.fills:
        table.add_row(
            f.dimension,
            f.value,
            f"{f.wanted:,}",
            f"{f.chosen:,}",
            f"{f.available:,}",
            f"{f.unfilled:,}" if f.unfilled else "-",
        )
    out.print(table)


def with_label_rules(rules: Eligibility, *, safety: str | None, min_confidence: float | None) -> Eligibility:
    """The rules with the safety policy and confidence threshold given on the command line."""
    changes: dict[str, object] = {}
    if safety is not None:
        if safety not in ("exclude", "include"):
            raise ConfigError(f"unknown --safety {safety!r}", hint="exclude or include")
        changes["safety"] = safety
    if min_confidence is not None:
        changes["min_confidence"] = min_confidence
    try:
        return Eligibility.model_validate({**rules.model_dump(), **changes})
    except ValidationError as exc:
        raise ConfigError(
            f"--min-confidence {min_confidence}: {exc.errors()[0]['msg'].removeprefix('Value error, ')}",
            hint="e.g. --min-confidence 0.6",
        ) from None


DatasetOption = Annotated[
    list[str] | None, typer.Option("--dataset", help="Select the examples of this dataset (repeatable).")
]


IdsOption = Annotated[
    Path | None, typer.Option("--ids", help="Select the example ids listed in this file, one per line.")
]


export_app = typer.Typer(help="Write the catalog or a selection in standard formats.", no_args_is_help=True)


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
    settings = settings_from(db, store)
    with open_catalog(settings, create=False) as s:
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
        print_json(summary)
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

    settings = settings_from(db, store)
    with open_catalog(settings, create=False) as s:
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
        print_json(summary)
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
    role: Annotated[
        list[str] | None,
        typer.Option("--role", help="Usage roles to write (repeatable): supply (the default), usage, eval."),
    ] = None,
    safety: Annotated[
        str,
        typer.Option("--safety", help="exclude (default) or include examples flagged with a safety risk."),
    ] = "exclude",
    db: DbOption = None,
    store: StoreOption = None,
    as_json: JsonOption = False,
) -> None:
    """Training JSON Lines for a selection, with a manifest: counts per dataset, source, license and
    generator, commercial use, roles, quota fills, example ids. Only training supply unless --role
    asks for more."""
    import json

    from catalog.export import example_ids_of
    from catalog.export.training import write_training

    if fmt not in ("openai", "alpaca"):
        raise CatalogError(f"unknown --format {fmt!r}", hint="openai or alpaca")
    if reasoning not in ("inline", "field", "drop"):
        raise CatalogError(f"unknown --reasoning {reasoning!r}", hint="inline, field or drop")
    if safety not in ("exclude", "include"):
        raise ConfigError(f"unknown --safety {safety!r}", hint="exclude or include")
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
    settings = settings_from(db, store)
    with open_catalog(settings, create=False) as s:
        chosen = example_ids_of(s, datasets=dataset or [], ids=_ids_from(ids, s) + chosen)
        manifest = write_training(
            s,
            chosen,
            out_file,
            fmt="alpaca" if fmt == "alpaca" else "openai",
            reasoning="field" if reasoning == "field" else "drop" if reasoning == "drop" else "inline",
            fills=fills,
            roles=tuple(role or ("supply",)),
            safety="include" if safety == "include" else "exclude",
        )
    summary = {
        k: manifest[k]
        for k in ("file", "format", "examples", "sha256", "commercial_use", "licenses", "generators")
    }
    summary["skipped"] = manifest["skipped"]["count"]
    summary["left_out_unsafe"] = manifest["left_out_by_safety"]["count"]
    summary["manifest"] = str(out_file.with_name(out_file.name + ".manifest.json"))
    if as_json:
        print_json(summary)
    else:
        out.print(
            f"wrote {out_file}: {manifest['examples']:,} examples ({fmt}), {summary['skipped']:,} skipped, "
            f"{summary['left_out_unsafe']:,} left out for a safety flag; "
            f"commercial use allowed for {manifest['commercial_use']['allowed']:,}; manifest {summary['manifest']}",
            highlight=False,
        )


PANEL = "Select and export"


def register(app: typer.Typer) -> None:
    """Add this group's commands to the app, in workflow order."""
    app.command("select", rich_help_panel=PANEL)(select_command)
    app.add_typer(export_app, name="export", rich_help_panel=PANEL)
