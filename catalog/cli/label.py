"""`curagraph classify` and `assign`: tasks, topics, formats and languages of the examples."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from catalog.classify import ClassifyReport, assign_by_person, classify_catalog
from catalog.classify.retrain import RetrainReport
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
from catalog.errors import CatalogError
from catalog.store import GraphStore

log = logging.getLogger(__name__)


def classify_with_progress(store: GraphStore, catalog_dir: Path, *, only_new: bool) -> ClassifyReport:
    """Classify with the catalog's learned task models where `classify --retrain` kept some, with
    progress on stderr."""
    from catalog.classify.retrain import load_models

    models = load_models(catalog_dir)
    with Reporter("classify") as reporter:
        return classify_catalog(store, only_new=only_new, progress=reporter, models=models)


def print_classify(report: ClassifyReport) -> None:
    kept = ", ".join(f"{k} {v:,}" for k, v in sorted(report.kept.items())) or "none"
    langs = ", ".join(f"{k} {v:,}" for k, v in sorted(report.languages.items(), key=lambda kv: -kv[1])[:8])
    risks = ", ".join(f"{k} {v:,}" for k, v in sorted(report.risks.items(), key=lambda kv: -kv[1])) or "none"
    err.print(
        f"classified {report.examples:,} examples: edges {report.assigned}; "
        f"kept (set by a person or the data's own labels): {kept}; languages: {langs or '-'}; "
        f"no evidence for a task (left unlabelled): {report.unlabelled:,}; safety flags: {risks}",
        highlight=False,
        soft_wrap=True,
    )


def classify(
    new_only: Annotated[bool, typer.Option("--new", help="Only examples never classified.")] = False,
    retrain: Annotated[
        bool,
        typer.Option(
            "--retrain",
            help="First refit the catalog's learned task models on its gold labels (manifest, human, "
            "model) and keep each only for the languages where it beats the rules leave-one-dataset-out.",
        ),
    ] = False,
    db: DbOption = None,
    store: StoreOption = None,
    as_json: JsonOption = False,
) -> None:
    """Assign format, language, task, topics and safety risks to every example. A person's assignments are kept."""
    settings = settings_from(db, store)
    refit = None
    with open_catalog(settings, create=False) as s:
        if retrain:
            from catalog.annotate.agreement import MIN_MODEL_KAPPA, MIN_OVERLAP, model_task_trust
            from catalog.classify.evaluate import GOLD_METHODS, gold_from_catalog
            from catalog.classify.retrain import retrain as refit_models

            kappa, overlap = model_task_trust(s, settings.db)
            trusted = kappa is not None and kappa >= MIN_MODEL_KAPPA and overlap >= MIN_OVERLAP
            methods = GOLD_METHODS if trusted else tuple(m for m in GOLD_METHODS if m != "model")
            shown = f"{kappa:.2f}" if kappa is not None else "-"
            err.print(
                f"model labels {'train' if trusted else 'do not train'} the learned model: kappa {shown} "
                f"with the data's own and people's tasks on {overlap:,} examples "
                f"(they train from kappa {MIN_MODEL_KAPPA} on {MIN_OVERLAP}+ examples)",
                highlight=False,
            )
            with Reporter("retrain (leave-one-dataset-out first)") as reporter:
                refit = refit_models(gold_from_catalog(s, methods), s.schema, settings.db, progress=reporter)
        report = classify_with_progress(s, settings.db, only_new=new_only)
    if as_json:
        print_json({**vars(report), **({"retrain": retrain_dict(refit)} if refit is not None else {})})
        return
    if refit is not None:
        print_retrain(refit)
    print_classify(report)


def retrain_dict(refit: RetrainReport) -> dict[str, object]:
    scores = {(t.method, t.language): round(t.macro_f1, 4) for t in refit.evaluation.tasks}
    return {
        "used": refit.used,
        "macro_f1": {f"{m}/{lang}": f1 for (m, lang), f1 in sorted(scores.items())},
        "trained_on": refit.trained_on,
        "model_file": str(refit.path) if refit.path else None,
    }


def print_retrain(refit: RetrainReport) -> None:
    scores = {(t.method, t.language): t.macro_f1 for t in refit.evaluation.tasks}
    for lang, method in sorted(refit.used.items()):
        rivals = ", ".join(f"{m} {f1:.3f}" for (m, lg), f1 in sorted(scores.items()) if lg == lang)
        err.print(f"tasks in {lang}: {method} (macro F1 leave-one-dataset-out: {rivals})", highlight=False)
    if refit.path is None:
        err.print(
            "no learned model beats the rules in any language: the rules label every task", highlight=False
        )
    else:
        sizes = ", ".join(f"{k} on {n:,} gold labels" for k, n in refit.trained_on.items())
        err.print(f"learned task models ({sizes}) written to {refit.path}", highlight=False)


def assign(
    example: Annotated[str, typer.Argument(help="Example id, or a unique prefix of 8+ characters.")],
    task: Annotated[str | None, typer.Option("--task", help="Task id from the ontology.")] = None,
    topic: Annotated[list[str] | None, typer.Option("--topic", help="Topic id (repeatable).")] = None,
    fmt: Annotated[list[str] | None, typer.Option("--format", help="Format id (repeatable).")] = None,
    risk: Annotated[
        list[str] | None, typer.Option("--risk", help="Safety risk id from the ontology (repeatable).")
    ] = None,
    safe: Annotated[
        bool,
        typer.Option(
            "--safe",
            help="Reviewed: no risk. Clears the safety flags the cues set; select and export keep the example.",
        ),
    ] = False,
    db: DbOption = None,
    store: StoreOption = None,
) -> None:
    """Correct an example's task, topics, formats or safety risks by hand; `classify` never overwrites it."""
    settings = settings_from(db, store)
    from catalog.ids import resolve_example_id

    with open_catalog(settings, create=False) as s:
        example = resolve_example_id(s, example)
        if safe and risk:
            raise CatalogError("--safe and --risk contradict each other", hint="give one of them")
        risks = [s.schema.no_risk] if safe else (risk or [])
        assign_by_person(s, example_id=example, task=task, topics=topic or [], formats=fmt or [], risks=risks)
    err.print(f"assigned by hand: {example}", highlight=False)


labels_app = typer.Typer(help="How good the labels are.", no_args_is_help=True)


@labels_app.command("eval")
def labels_eval(
    gold: Annotated[
        list[Path] | None,
        typer.Option(
            "--gold",
            help="A hand-labelled JSON Lines file ({dataset, messages, task, topics, risks, reason} per line); repeatable.",
        ),
    ] = None,
    no_learned: Annotated[
        bool, typer.Option("--no-learned", help="Score only the rules, not the learned classifier.")
    ] = False,
    markdown_out: Annotated[bool, typer.Option("--markdown", help="Print Markdown tables.")] = False,
    db: DbOption = None,
    store: StoreOption = None,
    as_json: JsonOption = False,
) -> None:
    """Score the labelling methods leave-one-dataset-out on the catalog's gold labels (the data's own,
    a person's, a model annotator's; never the classifier's) and on --gold files: precision, recall,
    F1, macro F1, confusion and calibration per language, topic precision, safety flag rates."""
    from catalog.classify.evaluate import evaluate, gold_from_catalog, gold_from_file, markdown

    settings = settings_from(db, store)
    with open_catalog(settings, create=False) as s:
        items = gold_from_catalog(s)
        schema = s.schema
    for path in gold or []:
        items += gold_from_file(path)
    if not items:
        raise CatalogError(
            "no gold labels to score against",
            hint="ingest a dataset whose manifest maps its labels (task / task_labels), assign some by hand, or give --gold FILE",
        )
    with Reporter("leave-one-dataset-out") as reporter:
        report = evaluate(items, schema, learned=not no_learned, progress=reporter)
    if as_json:
        print_json(
            {
                "gold": report.gold,
                "used": report.used,
                "tasks": [
                    {
                        "method": t.method,
                        "language": t.language,
                        "n": t.n,
                        "abstained": t.abstained,
                        "accuracy": round(t.accuracy, 4),
                        "macro_f1": round(t.macro_f1, 4),
                        "classes": [
                            {
                                "label": c.label,
                                "support": c.support,
                                "precision": round(c.precision, 4),
                                "recall": round(c.recall, 4),
                                "f1": round(c.f1, 4),
                            }
                            for c in t.classes
                        ],
                        "confusion": t.confusion,
                        "calibration": [
                            {"low": lo, "high": hi, "n": n, "accuracy": round(acc, 4)}
                            for lo, hi, n, acc in t.calibration
                        ],
                    }
                    for t in report.tasks
                ],
                "topics": [vars(t) for t in report.topics],
                "safety": [vars(t) for t in report.safety],
            }
        )
        return
    if markdown_out:
        out.print(markdown(report), markup=False, highlight=False)
        return
    table = Table(show_edge=False, title="tasks, leave-one-dataset-out (top level of the task scheme)")
    for col in ("language", "method", "gold", "abstained", "accuracy", "macro F1", "used"):
        table.add_column(col, justify="left" if col in ("language", "method", "used") else "right")
    for t in sorted(report.tasks, key=lambda t: (t.language, t.method)):
        used = report.used.get(t.language, "rules") == t.method
        table.add_row(
            t.language,
            t.method,
            f"{t.n:,}",
            f"{t.abstained:,}",
            f"{t.accuracy:.3f}",
            f"{t.macro_f1:.3f}",
            "yes" if used else "no",
        )
    out.print(table)
    for tp in report.topics:
        out.print(
            f"topics, {tp.language}: {tp.correct}/{tp.predicted} right (precision {tp.precision:.2f}); "
            f"{tp.with_topic} of {tp.n} labelled examples got a topic",
            highlight=False,
        )
    for sf in report.safety:
        out.print(f"safety, {sf.dataset}: {sf.flagged:,} of {sf.n:,} flagged", highlight=False)


PANEL = "Label"


@labels_app.command("agreement")
def labels_agreement(
    a: Annotated[str, typer.Option("--a", help="A method: rules, model, human, manifest.")] = "rules",
    b: Annotated[str, typer.Option("--b", help="The other method.")] = "model",
    dimension: Annotated[
        list[str] | None, typer.Option("--dimension", help="task, topic or safety (repeatable; default all).")
    ] = None,
    model: Annotated[
        str | None, typer.Option("--model", help="The annotator model, when the ledger holds several.")
    ] = None,
    db: DbOption = None,
    store: StoreOption = None,
    as_json: JsonOption = False,
) -> None:
    """Cohen's kappa and the confusion between two labelling methods, per dimension."""
    from catalog.annotate.agreement import agreement
    from catalog.annotate.prompts import DIMENSIONS

    dims = dimension or list(DIMENSIONS)
    if any(d not in DIMENSIONS for d in dims):
        raise CatalogError(f"unknown dimension in {dims}", hint=f"choose from {', '.join(DIMENSIONS)}")
    settings = settings_from(db, store)
    with open_catalog(settings, create=False) as s:
        results = [agreement(s, settings.db, a, b, d, model=model) for d in dims]  # type: ignore[arg-type]
    if as_json:
        print_json([vars(r) for r in results])
        return
    table = Table(show_edge=False, title=f"agreement of {a} and {b}")
    for col in ("dimension", "examples both labelled", "observed agreement", "Cohen's kappa"):
        table.add_column(col, justify="left" if col == "dimension" else "right")
    for r in results:
        kappa = f"{r.kappa:.3f}" if r.kappa is not None else "-"
        table.add_row(r.dimension, f"{r.n:,}", f"{r.observed:.3f}" if r.n else "-", kappa)
    out.print(table)
    for r in results:
        if r.confusion and r.dimension != "topic":
            cells = "; ".join(
                f"{x} -> " + ", ".join(f"{y} {n}" for y, n in sorted(row.items()))
                for x, row in r.confusion.items()
            )
            out.print(f"{r.dimension} ({a} -> {b}): {cells}", markup=False, highlight=False)


def register(app: typer.Typer) -> None:
    """Add this group's commands to the app, in workflow order."""
    app.command(rich_help_panel=PANEL)(classify)
    app.command(rich_help_panel=PANEL)(assign)
    app.add_typer(labels_app, name="labels", rich_help_panel=PANEL)
