"""`curagraph check`, `dedup` and `quality`: findings, near-duplicates and their summary."""

from __future__ import annotations

import logging
from typing import Annotated, Any

import typer
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
from catalog.errors import ConfigError

log = logging.getLogger(__name__)


CATALOG_CHECKS = ("consistency",)


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
    settings = settings_from(db, store)
    reporter = Reporter("checking", enabled=not as_json)
    update, stop = reporter, reporter.close
    try:
        with open_catalog(settings, create=False) as s:
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
        print_json(result)
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
    from catalog.quality.dedup import DedupConfig, dedup, undo

    if not 0.0 < threshold <= 1.0:
        raise ConfigError(
            f"--threshold {threshold} is not a similarity", hint="give a value in (0, 1], e.g. 0.8"
        )
    settings = settings_from(db, store)
    with open_catalog(settings, create=False) as s:
        if undo_all:
            n = undo(s)
            print_json({"removed": n}) if as_json else out.print(f"removed {n:,} DUPLICATE_OF edges")
            return
        reporter = Reporter("checking", enabled=not as_json)
        update, stop = reporter, reporter.close
        try:
            report = dedup(s, settings.db / "dedup", config=DedupConfig(threshold=threshold), progress=update)
        finally:
            stop()
    if as_json:
        print_json(report.model_dump())
        return
    out.print(
        f"dedup: {report.new:,} new of {report.examples:,} examples signed; {report.candidates:,} candidate pairs, "
        f"{report.exact_checks:,} settled exactly; {report.clusters:,} clusters touched, "
        f"{report.duplicates:,} duplicates point to their kept representative ({report.seconds:.1f} s)",
        highlight=False,
    )


def quality_command(db: DbOption = None, store: StoreOption = None, as_json: JsonOption = False) -> None:
    """What the checks found: issues per factor, check, kind and severity; duplicate clusters."""
    settings = settings_from(db, store)
    with open_catalog(settings, create=False) as s:
        summary = s.issue_summary()
        clusters = s.duplicate_clusters()
        risks = [r._asdict() for r in s.risk_counts()]
    data = {
        "issues": summary,
        "duplicate_clusters": len(clusters),
        "duplicates": sum(len(v) for v in clusters.values()),
        "safety": risks,
    }
    if as_json:
        print_json(data)
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
    safety = Table(show_edge=False, title="safety flags (left out of select and export unless included)")
    for col in ("dataset", "risk", "method", "examples"):
        safety.add_column(col, justify="right" if col == "examples" else "left")
    for r in risks:
        safety.add_row(r["dataset"] or "-", r["risk"], r["method"] or "-", f"{r['examples']:,}")
    out.print(safety if risks else "safety flags: none")


PANEL = "Quality"


def register(app: typer.Typer) -> None:
    """Add this group's commands to the app, in workflow order."""
    app.command("check", rich_help_panel=PANEL)(check_command)
    app.command("dedup", rich_help_panel=PANEL)(dedup_command)
    app.command("quality", rich_help_panel=PANEL)(quality_command)
