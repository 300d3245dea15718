"""`curagraph classify`, `assign` and `coverage`: assignment of tasks, topics, formats and
languages, and the gap report against a target mix."""

from __future__ import annotations

import csv
import sys
import time
from collections.abc import Callable
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from catalog.classify import ClassifyReport, assign_by_person, classify_catalog
from catalog.cli_base import DbOption, JsonOption, StoreOption, _print_json, _settings, _store, app, err, out
from catalog.coverage import GapReport, build_report, load_spec, resolve_spec_path
from catalog.coverage.advise import Technique, advise
from catalog.errors import ConfigError
from catalog.schema import load_schema
from catalog.store import GraphStore


def classify_with_progress(store: GraphStore, *, only_new: bool) -> ClassifyReport:
    """Classify with a progress bar on a terminal, or a log line every 2 s otherwise."""
    if err.is_terminal:
        bar = Progress(
            TextColumn("[bold]classify"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=err,
            transient=True,
        )
        task = bar.add_task("classify", total=None)
        with bar:
            return classify_catalog(
                store,
                only_new=only_new,
                progress=lambda done, total: bar.update(task, completed=done, total=total),
            )
    last = [0.0]

    def log(done: int, total: int) -> None:
        now = time.monotonic()
        if now - last[0] >= 2.0 or done == total:
            last[0] = now
            err.print(f"classify: {done:,} of {total:,} examples", highlight=False)

    return classify_catalog(store, only_new=only_new, progress=log)


def print_classify(report: ClassifyReport) -> None:
    kept = ", ".join(f"{k} {v:,}" for k, v in sorted(report.kept.items())) or "none"
    langs = ", ".join(f"{k} {v:,}" for k, v in sorted(report.languages.items(), key=lambda kv: -kv[1])[:8])
    err.print(
        f"classified {report.examples:,} examples: edges {report.assigned}; "
        f"kept (set by a person or the data's own labels): {kept}; languages: {langs or '-'}",
        highlight=False,
        soft_wrap=True,
    )


@app.command()
def classify(
    new_only: Annotated[bool, typer.Option("--new", help="Only examples never classified.")] = False,
    db: DbOption = None,
    store: StoreOption = None,
    as_json: JsonOption = False,
) -> None:
    """Assign format, language, task and topics to every example. A person's assignments are kept."""
    settings = _settings(db, store)
    with _store(settings, create=False) as s:
        report = classify_with_progress(s, only_new=new_only)
    if as_json:
        _print_json(vars(report))
    else:
        print_classify(report)


@app.command()
def assign(
    example: Annotated[str, typer.Argument(help="Example id, or a unique prefix of 8+ characters.")],
    task: Annotated[str | None, typer.Option("--task", help="Task id from the ontology.")] = None,
    topic: Annotated[list[str] | None, typer.Option("--topic", help="Topic id (repeatable).")] = None,
    fmt: Annotated[list[str] | None, typer.Option("--format", help="Format id (repeatable).")] = None,
    db: DbOption = None,
    store: StoreOption = None,
) -> None:
    """Correct an example's task, topics or formats by hand; `classify` never overwrites it."""
    settings = _settings(db, store)
    from catalog.ids import resolve_example_id

    with _store(settings, create=False) as s:
        example = resolve_example_id(s, example)
        assign_by_person(s, example_id=example, task=task, topics=topic or [], formats=fmt or [])
    err.print(f"assigned by hand: {example}", highlight=False)


@app.command()
def coverage(
    target: Annotated[
        str, typer.Option("--target", "-t", help="Target spec: a YAML file, or a shipped one (instructgpt).")
    ] = "instructgpt",
    as_csv: Annotated[bool, typer.Option("--csv", help="Print the gap rows as CSV on stdout.")] = False,
    show_advice: Annotated[
        bool, typer.Option("--advise", help="Suggest example counts per cell (guidance).")
    ] = False,
    technique: Annotated[str, typer.Option("--technique", help="For --advise: lora or full.")] = "lora",
    base_model: Annotated[str, typer.Option("--base-model", help="For --advise: strong or weak.")] = "strong",
    limit: Annotated[int, typer.Option("--limit", help="Rows shown in the table.")] = 25,
    db: DbOption = None,
    store: StoreOption = None,
    as_json: JsonOption = False,
) -> None:
    """Gap report: per cell of the target mix, have / want / deficit / surplus, and demand vs supply."""
    if as_json and as_csv:
        raise ConfigError("--json and --csv exclude each other")
    settings = _settings(db, store)
    technique_ = _technique(technique, base_model)
    spec = load_spec(
        resolve_spec_path(target), schema=load_schema(settings.ontology_extensions)
    )  # before any I/O
    with _store(settings, create=False) as s:
        report = build_report(s, spec)
        advice = advise(s.schema, report, technique=technique_) if show_advice else None
    if as_json:
        data: dict[str, Any] = report.model_dump()
        if advice is not None:
            data["advice"] = [a.model_dump() for a in advice]
        _print_json(data)
    elif as_csv:
        write_csv(report, sys.stdout.write)
    else:
        print_report(report, limit=limit)
        if advice is not None:
            print_advice(advice)


def _technique(technique: str, base_model: str) -> Technique:
    if technique not in ("lora", "full"):
        raise ConfigError(f"unknown --technique {technique!r}", hint="lora or full")
    if base_model not in ("strong", "weak"):
        raise ConfigError(f"unknown --base-model {base_model!r}", hint="strong or weak")
    return Technique(method=technique, base_model=base_model)  # type: ignore[arg-type]


def write_csv(report: GapReport, write: Callable[[str], Any]) -> None:
    class _Out:
        def write(self, text: str) -> Any:
            return write(text)

    writer = csv.writer(_Out(), lineterminator="\n")
    writer.writerow(["dimension", "value", "have", "want", "deficit", "surplus", "share_have", "share_want"])
    for r in report.rows:
        writer.writerow(
            [r.dimension, r.value, r.have, r.want, r.deficit, r.surplus, r.share_have, r.share_want]
        )


def print_report(report: GapReport, *, limit: int = 25) -> None:
    t = report.totals
    out.print(
        f"[bold]gap report[/] against [bold]{report.spec}[/]: {t.examples:,} eligible supply examples "
        f"(want {report.total_wanted or '-'}), {t.demand_examples:,} usage prompts; "
        f"no task {t.without_task:,} · no topic {t.without_topic:,} · no format {t.without_format:,} · "
        f"language undetermined {t.language_undetermined:,}",
        highlight=False,
    )
    table = Table(title="cells by deficit", show_edge=False)
    table.add_column("dim", no_wrap=True)
    table.add_column("value", overflow="fold", min_width=16)
    for col in ("have", "want", "deficit", "surplus", "have %", "want %"):
        table.add_column(col, justify="right", no_wrap=True)
    shown = [r for r in report.rows if r.want > 0 or (r.have > 0 and r.dimension != "topic")][:limit]
    for r in shown:
        table.add_row(
            r.dimension,
            r.value,
            f"{r.have:,}",
            f"{r.want:,}",
            f"[red]{r.deficit:,}[/]" if r.deficit else "0",
            f"{r.surplus:,}",
            f"{r.share_have:.1%}",
            f"{r.share_want:.1%}" if r.share_want is not None else "-",
        )
    out.print(table)
    if report.empty:
        out.print("wanted but empty: " + ", ".join(report.empty), highlight=False)
    out.print(
        f"topics with no examples ({len(report.topics_never_seen)}): " + ", ".join(report.topics_never_seen),
        highlight=False,
        soft_wrap=True,
    )
    mixed = [m for m in report.language_mix if m["mixed"]]
    if mixed:
        out.print(
            "examples whose messages mix languages: "
            + ", ".join(
                f"{m['language']} -> {'+'.join(m['message_languages'])} {m['examples']:,} ({m['role']})"
                for m in mixed
            ),
            highlight=False,
        )
    under = [u for u in report.usage if u.underserved and u.demand]
    if under:
        ut = Table(title="usage: cells where demand exceeds supply", show_edge=False)
        for col in ("dimension", "value", "demand share", "supply share", "demand", "supply"):
            ut.add_column(col, justify="left" if col in ("dimension", "value") else "right")
        for u in under[:limit]:
            ut.add_row(
                u.dimension,
                u.value,
                f"{u.demand_share:.1%}",
                f"{u.supply_share:.1%}",
                f"{u.demand:,}",
                f"{u.supply:,}",
            )
        out.print(ut)


def print_advice(advice: list[Any]) -> None:
    table = Table(
        title="suggested examples per cell (guidance, not a measurement: docs/quantity-guidance.md)",
        show_edge=False,
    )
    for col in ("cell", "complexity", "suggest", "have", "why"):
        table.add_column(col, justify="right" if col in ("suggest", "have") else "left", overflow="fold")
    for a in advice:
        table.add_row(a.cell, a.complexity, f"{a.suggested:,}", f"{a.have:,}", a.rationale)
    out.print(table)
