"""`curagraph check`, `curagraph dedup` and `curagraph quality`: the six quality factors as graph data."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from catalog.cli_base import DbOption, JsonOption, StoreOption, _print_json, _settings, _store, app, err, out

CATALOG_CHECKS = ("consistency",)


def _progress(enabled: bool) -> tuple[Callable[..., None], Callable[[], None]]:
    """A rich progress bar on a terminal, nothing otherwise."""
    if not enabled or not err.is_terminal:
        return (lambda *a: None), (lambda: None)
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err,
    )
    bar.start()
    tasks: dict[str, Any] = {}

    def update(*args: Any) -> None:
        stage, done, total = args if len(args) == 3 else ("checking", *args)
        if stage not in tasks:
            tasks[stage] = bar.add_task(stage, total=total)
        bar.update(tasks[stage], completed=done, total=total)

    return update, bar.stop


@app.command("check")
def check_command(
    only: Annotated[
        list[str] | None,
        typer.Option(
            "--only",
            help="Run only this check (repeatable): format, personal-data, boilerplate, length, consistency.",
        ),
    ] = None,
    everything: Annotated[
        bool, typer.Option("--all", help="Look at every example again, not only new ones.")
    ] = False,
    db: DbOption = None,
    store: StoreOption = None,
    as_json: JsonOption = False,
) -> None:
    """Quality checks: each finding becomes a QualityIssue (checker, version, severity, span). A re-run
    looks only at examples a check, or its new version, has not seen."""
    from catalog.quality.consistency import check_consistency
    from catalog.quality.run import run_checks, select_checks

    wanted = list(only or [])
    per_example = [n for n in wanted if n not in CATALOG_CHECKS]
    run_catalog = not wanted or any(n in CATALOG_CHECKS for n in wanted)
    checks = select_checks(per_example) if (per_example or not wanted) else []
    settings = _settings(db, store)
    update, stop = _progress(not as_json)
    try:
        with _store(settings, create=False) as s:
            report = run_checks(s, checks, everything=everything, progress=update) if checks else None
            consistency = (
                check_consistency(s, settings.db / "dedup", progress=update) if run_catalog else None
            )
    finally:
        stop()
    result: dict[str, Any] = {
        "checked": report.checked if report else {},
        "issues": report.issues if report else {},
        "kinds": report.kinds if report else {},
        "consistency": vars(consistency) if consistency else None,
    }
    if as_json:
        _print_json(result)
        return
    table = Table(show_edge=False, title="quality checks")
    for col in ("check", "examples looked at", "findings"):
        table.add_column(col, justify="left" if col == "check" else "right")
    for name in sorted(set(result["checked"]) | set(result["issues"])):
        table.add_row(name, f"{result['checked'].get(name, 0):,}", f"{result['issues'].get(name, 0):,}")
    out.print(table)
    for kind, n in sorted(result["kinds"].items(), key=lambda kv: -kv[1]):
        out.print(f"  {kind}: {n:,}", highlight=False)
    if consistency:
        out.print(
            f"consistency: {consistency.groups:,} groups of near-identical prompts looked at; "
            f"{consistency.conflicting:,} examples with conflicting answers, {consistency.divergent:,} divergent",
            highlight=False,
        )


@app.command("dedup")
def dedup_command(
    threshold: Annotated[
        float, typer.Option("--threshold", help="Jaccard similarity of character 5-grams.")
    ] = 0.8,
    undo_all: Annotated[
        bool, typer.Option("--undo", help="Delete every DUPLICATE_OF edge dedup wrote.")
    ] = False,
    db: DbOption = None,
    store: StoreOption = None,
    as_json: JsonOption = False,
) -> None:
    """Near-duplicate clusters (MinHash LSH, verified), one representative kept per cluster by policy
    (human over synthetic, fewer issues, earlier); incremental."""
    from catalog.errors import ConfigError
    from catalog.quality.dedup import DedupConfig, dedup, undo

    if not 0.0 < threshold <= 1.0:
        raise ConfigError(
            f"--threshold {threshold} is not a similarity", hint="give a value in (0, 1], e.g. 0.8"
        )
    settings = _settings(db, store)
    with _store(settings, create=False) as s:
        if undo_all:
            n = undo(s)
            _print_json({"removed": n}) if as_json else out.print(f"removed {n:,} DUPLICATE_OF edges")
            return
        update, stop = _progress(not as_json)
        try:
            report = dedup(s, settings.db / "dedup", config=DedupConfig(threshold=threshold), progress=update)
        finally:
            stop()
    if as_json:
        _print_json(report.model_dump())
        return
    out.print(
        f"dedup: {report.new:,} new of {report.examples:,} examples signed; {report.candidates:,} candidate pairs, "
        f"{report.exact_checks:,} settled exactly; {report.clusters:,} clusters touched, "
        f"{report.duplicates:,} duplicates point to their kept representative ({report.seconds:.1f} s)",
        highlight=False,
    )


@app.command("quality")
def quality_command(db: DbOption = None, store: StoreOption = None, as_json: JsonOption = False) -> None:
    """What the checks found: issues per factor, check, kind and severity; duplicate clusters."""
    settings = _settings(db, store)
    with _store(settings, create=False) as s:
        summary = s.issue_summary()
        clusters = s.duplicate_clusters()
    data = {
        "issues": summary,
        "duplicate_clusters": len(clusters),
        "duplicates": sum(len(v) for v in clusters.values()),
    }
    if as_json:
        _print_json(data)
        return
    table = Table(show_edge=False, title="quality issues")
    for col in ("factor", "check", "kind", "severity", "issues", "examples"):
        table.add_column(col, justify="right" if col in ("issues", "examples") else "left")
    for r in summary:
        table.add_row(
            r["factor"],
            f"{r['checker']}@{r['checker_version']}",
            r["kind"],
            r["severity"],
            f"{r['issues']:,}",
            f"{r['examples']:,}",
        )
    out.print(table)
    out.print(
        f"near-duplicates: {data['duplicates']:,} examples in {data['duplicate_clusters']:,} clusters",
        highlight=False,
    )


@app.command("select")
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
    db: DbOption = None,
    store: StoreOption = None,
    as_json: JsonOption = False,
) -> None:
    """N examples that fill the target mix: eligible (one per duplicate cluster, license-clean, no
    blocking issues), diverse within each cell; says what it could not fill."""
    from catalog.coverage import load_spec, resolve_spec_path
    from catalog.errors import ConfigError
    from catalog.select import select_examples

    settings = _settings(db, store)
    with _store(settings, create=False) as s:
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
        update, stop = _progress(not as_json)
        try:
            result = select_examples(s, spec, n, eligibility=rules, progress=update)
        finally:
            stop()
    out_file.parent.mkdir(parents=True, exist_ok=True)
    out_file.write_text(json.dumps(result.model_dump(), indent=1, ensure_ascii=False))
    if as_json:
        _print_json({**result.model_dump(), "file": str(out_file)})
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


@app.command("ask")
def ask_command(
    question: Annotated[str, typer.Argument(help="A question in English, Korean or Chinese.")],
    db: DbOption = None,
    store: StoreOption = None,
    as_json: JsonOption = False,
) -> None:
    """Answer a question with Cypher: a template for the common questions, else the configured model
    (CURAGRAPH_LLM_BASE_URL), whose query the ontology checks. Shows the Cypher it ran."""
    from catalog.ask import ask

    settings = _settings(db, store)
    with _store(settings, create=False) as s:
        answer = ask(s, question, settings)
    if as_json:
        _print_json(answer.model_dump())
        return
    # data is printed as data: no rich markup in answers, Cypher (`[c:LICENSED_UNDER]`) or values
    out.print(answer.answer, style="bold", highlight=False, markup=False)
    out.print(
        f"({answer.source}{f', {answer.attempts} attempt(s)' if answer.attempts else ''})",
        style="dim",
        highlight=False,
        markup=False,
    )
    for ran in answer.cypher:
        params = f"   params {json.dumps(ran.params, ensure_ascii=False)}" if ran.params else ""
        out.print(
            f"cypher: {ran.cypher}{params}", style="cyan", highlight=False, soft_wrap=True, markup=False
        )
    if answer.rows and len(answer.rows) > 1:
        table = Table(show_edge=False)
        for col in answer.columns:
            table.add_column(Text(str(col)))
        for row in answer.rows[:30]:
            table.add_row(*(Text(str(v)) for v in row))
        out.print(table)
