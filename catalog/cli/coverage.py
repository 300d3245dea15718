"""`curagraph coverage`: the gap report against a target mix."""

from __future__ import annotations

import csv
import logging
import sys
from collections.abc import Callable
from typing import Annotated, Any

import typer
from rich.table import Table

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
from catalog.coverage import GapReport, load_spec, resolve_spec_path
from catalog.coverage.advise import Technique, advise
from catalog.eligibility import build_report
from catalog.errors import ConfigError
from catalog.schema import load_schema

log = logging.getLogger(__name__)


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
    settings = settings_from(db, store)
    technique_ = _technique(technique, base_model)
    spec = load_spec(
        resolve_spec_path(target), schema=load_schema(settings.extensions_in_force)
    )  # before any I/O
    with open_catalog(settings, create=False) as s:
        report = build_report(s, spec)
        advice = advise(s.schema, report, technique=technique_) if show_advice else None
    if as_json:
        data: dict[str, Any] = report.model_dump()
        if advice is not None:
            data["advice"] = [a.model_dump() for a in advice]
        print_json(data)
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
    writer.writerow(
        ["dimension", "value", "have", "uncertain", "want", "deficit", "surplus", "share_have", "share_want"]
    )
    for r in report.rows:
        writer.writerow(
            [
                r.dimension,
                r.value,
                r.have,
                r.uncertain,
                r.want,
                r.deficit,
                r.surplus,
                r.share_have,
                r.share_want,
            ]
        )


def print_report(report: GapReport, *, limit: int = 25) -> None:
    t = report.totals
    out.print(
        styled(
            ("gap report", "bold"),
            " against ",
            (report.spec, "bold"),
            f": {t.examples:,} eligible supply examples (want {report.total_wanted or '-'}), "
            f"{t.demand_examples:,} usage prompts; "
            f"task: uncertain {t.uncertain_task:,} · unlabelled {t.unlabelled_task:,}; "
            f"topic: uncertain {t.uncertain_topic:,} · unlabelled {t.unlabelled_topic:,}; "
            f"no format {t.without_format:,} · language undetermined {t.language_undetermined:,}",
        ),
        highlight=False,
    )
    out.print(
        f"have = confident labels (confidence >= {t.min_confidence:g}); uncertain = labelled only below it, "
        "not counted; unlabelled = no evidence for any label. Deficits are computed on confident labels.",
        highlight=False,
        style="dim",
    )
    table = Table(title="cells by deficit", show_edge=False)
    table.add_column("dim", no_wrap=True)
    table.add_column("value", overflow="fold", min_width=16)
    for col in ("have", "uncertain", "want", "deficit", "surplus", "have %", "want %"):
        table.add_column(col, justify="right", no_wrap=True)
    shown = [r for r in report.rows if r.want > 0 or (r.have > 0 and r.dimension != "topic")][:limit]
    for r in shown:
        table.add_row(
            r.dimension,
            r.value,
            f"{r.have:,}",
            f"{r.uncertain:,}",
            f"{r.want:,}",
            styled((f"{r.deficit:,}", "red")) if r.deficit else "0",
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


PANEL = "Coverage"


def register(app: typer.Typer) -> None:
    """Add this group's commands to the app, in workflow order."""
    app.command(rich_help_panel=PANEL)(coverage)
