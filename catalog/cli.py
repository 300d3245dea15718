"""The `curagraph` command line. It translates options to catalog calls and errors to exit code 2."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from catalog import cli_export, cli_provenance, cli_quality  # noqa: F401  (register their commands)
from catalog.cli_base import (
    DbOption,
    JsonOption,
    StoreOption,
    _print_json,
    _settings,
    _store,
    app,
    err,
    out,
)
from catalog.cli_coverage import classify_with_progress, print_classify, print_report
from catalog.config import Settings
from catalog.coverage import GapReport
from catalog.errors import CatalogError, ConfigError, NothingIngested, StoreUnavailable
from catalog.ingest.pipeline import IngestPlan, prepare_ingest, run_ingest
from catalog.ingest.pipeline import Progress as IngestProgress
from catalog.model import IngestSummary
from catalog.schema import load_schema
from catalog.store import GraphStore

# ---------------------------------------------------------------------- init / stats


@app.command()
def init(db: DbOption = None, store: StoreOption = None, as_json: JsonOption = False) -> None:
    """Create an empty catalog: the schema from the ontology, with its topics, tasks, formats and licenses."""
    settings = _settings(db, store)
    with _store(settings, create=True) as s:
        stats = s.stats()
    if as_json:
        _print_json({"db": str(settings.db), "store": settings.store, **stats.model_dump()})
    else:
        err.print(f"catalog ready at [bold]{settings.db}[/] ({settings.store} engine)")
        _stats_table(stats.nodes, stats.relationships)


def _stats_table(nodes: dict[str, int], rels: dict[str, int]) -> None:
    table = Table(title="catalog contents", show_edge=False)
    table.add_column("nodes")
    table.add_column("count", justify="right")
    table.add_column("relationships")
    table.add_column("count", justify="right")
    n, r = sorted(nodes.items()), sorted(rels.items())
    for i in range(max(len(n), len(r))):
        a = n[i] if i < len(n) else ("", "")
        b = r[i] if i < len(r) else ("", "")
        table.add_row(a[0], f"{a[1]:,}" if a[0] else "", b[0], f"{b[1]:,}" if b[0] else "")
    out.print(table)


@app.command()
def stats(db: DbOption = None, store: StoreOption = None, as_json: JsonOption = False) -> None:
    """Node counts per label and relationship counts per type."""
    settings = _settings(db, store)
    with _store(settings, create=False) as s:
        result = s.stats()
    if as_json:
        _print_json(result.model_dump())
    else:
        _stats_table(result.nodes, result.relationships)


# ---------------------------------------------------------------------- ingest


def _progress_sink(label: str) -> tuple[Callable[[IngestProgress], None], Callable[[], None]]:
    """A rich progress bar on a terminal; otherwise a log line on stderr at most every 2 s."""
    if err.is_terminal:
        bar = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            DownloadColumn(),
            TextColumn("{task.fields[counts]}"),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            console=err,
            transient=True,
        )
        task = bar.add_task(label, total=None, counts="")
        bar.start()

        def update(p: IngestProgress) -> None:
            bar.update(
                task,
                completed=p.bytes_done,
                total=p.bytes_total,
                counts=f"{p.accepted:,} accepted · {p.quarantined:,} quarantined · {p.duplicates_skipped:,} dup",
            )

        return update, bar.stop

    last = [0.0]

    def log(p: IngestProgress) -> None:
        now = time.monotonic()
        if now - last[0] >= 2.0 or last[0] == 0.0:
            last[0] = now
            pct = 100.0 * p.bytes_done / p.bytes_total if p.bytes_total else 100.0
            err.print(
                f"ingest {label}: committed {p.read:,} read = {p.accepted:,} accepted + {p.quarantined:,} quarantined"
                f" + {p.duplicates_skipped:,} duplicates ({pct:.0f}% of the file)",
                highlight=False,
                soft_wrap=True,
            )

    return log, lambda: None


def _summary_dict(s: IngestSummary) -> dict[str, Any]:
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
        update, stop = _progress_sink(plan.path.name)
        try:
            summaries.append(run_ingest(store, plan, settings=settings, progress=update))
        except NothingIngested as exc:
            if failures is None:
                raise
            failures.append(exc)
        finally:
            stop()
    return summaries


def _print_summaries(summaries: list[IngestSummary]) -> None:
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
        assert s.balanced()
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


@app.command()
def ingest(
    files: Annotated[
        list[Path], typer.Argument(help="Data files (JSON, JSON Lines or CSV).", show_default=False)
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
    settings = _settings(db, store, batch_size=batch_size)
    schema = load_schema(settings.ontology_extensions)
    # every file, manifest and format is checked before anything is written
    plans = [
        prepare_ingest(f, schema=schema, settings=settings, manifest_path=manifest, fmt=fmt) for f in files
    ]
    failures: list[NothingIngested] = []
    with _store(settings, create=True) as s:
        summaries = ingest_plans(s, plans, settings, failures=failures)
        classified = None if no_classify or not summaries else classify_with_progress(s, only_new=True)
    if classified is not None and not as_json:
        print_classify(classified)
    if as_json:
        if len(summaries) == 1:
            _print_json(_summary_dict(summaries[0]))
        else:
            totals = {
                k: sum(getattr(x, k) for x in summaries)
                for k in ("read", "accepted", "quarantined", "duplicates_skipped")
            }
            _print_json({**totals, "files": [_summary_dict(x) for x in summaries]})
    elif summaries:
        _print_summaries(summaries)
    if failures:  # the files that gave examples are committed; say what went wrong with the others
        for failure in failures[1:]:
            err.print(f"error: {failure}", highlight=False, markup=False, soft_wrap=True)
        raise failures[0]


# ---------------------------------------------------------------------- cypher


def _parse_params(pairs: list[str], params_json: str | None) -> dict[str, Any]:
    params: dict[str, Any] = {}
    if params_json:
        try:
            loaded = json.loads(params_json)
        except json.JSONDecodeError as exc:
            raise ConfigError(f"--params is not valid JSON: {exc}") from None
        if not isinstance(loaded, dict):
            raise ConfigError("--params must be a JSON object")
        params.update(loaded)
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise ConfigError(f"--param {pair!r} is not KEY=VALUE")
        try:
            params[key] = json.loads(value)
        except json.JSONDecodeError:
            params[key] = value
    return params


@app.command()
def cypher(
    query: Annotated[str, typer.Argument(help="One read-only Cypher statement.")],
    param: Annotated[
        list[str] | None, typer.Option("--param", "-p", help="KEY=VALUE (VALUE as JSON if it parses).")
    ] = None,
    params: Annotated[str | None, typer.Option("--params", help="All parameters as one JSON object.")] = None,
    row_cap: Annotated[int | None, typer.Option("--row-cap", help="Most rows returned.")] = None,
    timeout: Annotated[float | None, typer.Option("--timeout", help="Time limit in seconds.")] = None,
    db: DbOption = None,
    store: StoreOption = None,
    as_json: JsonOption = False,
) -> None:
    """Run one read-only Cypher query. Writes are refused by the engine."""
    settings = _settings(db, store)
    values = _parse_params(param or [], params)
    with _store(settings, create=False) as s:
        result = s.read_cypher(query=query, params=values, row_cap=row_cap, timeout_s=timeout)
    if as_json:
        _print_json(result.model_dump())
        return
    table = Table(show_edge=False)
    for col in result.columns:
        table.add_column(col, overflow="fold")
    for row in result.rows:
        table.add_row(*(json.dumps(v, ensure_ascii=False) if not isinstance(v, str) else v for v in row))
    out.print(table)
    note = f"{len(result.rows)} row(s)" + (" (truncated by the row cap)" if result.truncated else "")
    err.print(note)


# ---------------------------------------------------------------------- serve


@app.command()
def serve(
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8000,
    db: DbOption = None,
    store: StoreOption = None,
) -> None:
    """Serve the REST API (OpenAPI at /docs) and the dashboards (/ui) over the catalog."""
    settings = _settings(db, store)
    _serve(settings, host, port)


@contextmanager
def _store_for_serving(settings: Settings) -> Iterator[GraphStore]:
    from catalog.store import open_store
    from catalog.store.remote import live_server

    if settings.store == "embedded" and (holder := live_server(settings.db)) is not None:
        raise StoreUnavailable(
            f"the catalog at {settings.db} is already served by curagraph (pid {holder.pid}) at {holder.url}",
            hint="use that server, or stop it first",
        )
    store = open_store(settings, create=False, via_server=False)
    try:
        yield store
    finally:
        store.close()


def _serve(settings: Settings, host: str, port: int) -> None:
    import uvicorn

    from api.app import create_app

    if host not in ("127.0.0.1", "localhost", "::1") and not settings.api_token.get_secret_value():
        err.print(
            f"serving on {host} with no CURAGRAPH_API_TOKEN: reads are open, writes are off", highlight=False
        )
    out.print(
        f"dashboards at http://{host}:{port}/ui, API docs at http://{host}:{port}/docs", highlight=False
    )
    # open the catalog before serving, so a catalog that cannot be opened (another server holds
    # it, no catalog there) is a one-line error, not a failed start-up inside uvicorn
    with _store_for_serving(settings) as opened:
        app = create_app(settings, store=opened, listen=(host, port))
        uvicorn.run(app, host=host, port=port, log_level="warning")


# ---------------------------------------------------------------------- demo


@app.command()
def demo(
    db: Annotated[Path, typer.Option("--db", help="Where to build the demo catalog.")] = Path("demo-catalog"),
    fresh: Annotated[
        bool, typer.Option("--fresh", help="Delete the demo catalog first (embedded engine).")
    ] = False,
    store: StoreOption = None,
    serve_after: Annotated[
        bool, typer.Option("--serve", help="Then serve the API and dashboards on the demo catalog.")
    ] = False,
    port: Annotated[int, typer.Option("--port", help="Port for --serve.")] = 8000,
    as_json: JsonOption = False,
) -> None:
    """Build a catalog from the demo sample shipped with curagraph, then show what it holds."""
    from catalog.demo import build_demo

    settings = _settings(db, store)
    report = build_demo(
        settings,
        fresh=fresh,
        ingest=lambda st, plans: ingest_plans(st, plans, settings),
        classify=lambda st: classify_with_progress(st, only_new=True),
    )
    if as_json:
        _print_json(report)
        return
    _print_summaries([IngestSummary.model_validate(x) for x in report["ingest"]])
    _stats_table(report["stats"]["nodes"], report["stats"]["relationships"])
    table = Table(title="datasets in the demo catalog", show_edge=False)
    for col in ("dataset", "examples", "licenses", "generated by"):
        table.add_column(col, justify="right" if col == "examples" else "left")
    for row in report["datasets"]:
        table.add_row(
            row["dataset"],
            f"{row['examples']:,}",
            ", ".join(row["licenses"]),
            ", ".join(row["models"]) or "-",
        )
    out.print(table)
    print_report(GapReport.model_validate(report["coverage"]), limit=15)
    q = report["quality"]
    out.print(
        f"\nquality: {sum(q['issues'].values()):,} issues ({', '.join(f'{k} {v}' for k, v in sorted(q['issues'].items()))}); "
        f"{q['conflicting_answers']:,} conflicting answers; {q['duplicates']:,} near-duplicates",
        highlight=False,
    )
    out.print(
        f'\ncatalog: {settings.db}   try: curagraph cypher --db {settings.db} "{report["example_query"]}"',
        highlight=False,
    )
    store_flag = f" --store {settings.store}" if settings.store != "embedded" else ""
    out.print(
        f"dashboards: curagraph serve --db {settings.db}{store_flag}  ->  http://127.0.0.1:{port}/ui "
        f"(coverage, provenance, quality, examples; API docs at /docs)",
        highlight=False,
    )
    if serve_after:
        _serve(settings, "127.0.0.1", port)


def main() -> None:
    try:
        app()
    except CatalogError as exc:
        err.print(f"error: {exc}", highlight=False, markup=False, soft_wrap=True)
        raise SystemExit(2) from None
    except KeyboardInterrupt:
        err.print("interrupted; committed batches are kept, re-run to finish")
        raise SystemExit(130) from None


if __name__ == "__main__":
    main()
