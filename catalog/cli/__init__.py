"""The `curagraph` command line: one module per command group, registered here in the order
people work (the order of the help screen). Commands translate options to catalog calls; a
CatalogError becomes one line on stderr and exit code 2, here and nowhere else."""

from __future__ import annotations

import logging
from typing import Annotated

import typer

from catalog import logs
from catalog.cli import (
    annotate,
    coverage,
    data_in,
    label,
    ontology,
    provenance,
    quality,
    select_export,
    serve_ask,
    setup,
    topics,
)
from catalog.cli.common import err
from catalog.errors import CatalogError

log = logging.getLogger(__name__)

#: the command groups in workflow order; each adds its commands under its own help panel
GROUPS = (
    setup,
    data_in,
    label,
    annotate,
    topics,
    ontology,
    coverage,
    provenance,
    quality,
    select_export,
    serve_ask,
)


def _verbosity(
    verbose: Annotated[
        int, typer.Option("--verbose", "-v", count=True, help="Log what happens: -v info, -vv debug.")
    ] = 0,
) -> None:
    """A catalog of LLM fine-tuning data kept as a graph."""
    logs.configure(logs.level_for_verbosity(verbose))


def build_app() -> typer.Typer:
    app = typer.Typer(
        name="curagraph",
        help="A catalog of LLM fine-tuning data kept as a graph.",
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
    )
    app.callback()(_verbosity)
    for group in GROUPS:
        group.register(app)
    return app


app = build_app()


def main() -> None:
    try:
        app()
    except CatalogError as exc:
        log.debug("command failed", exc_info=exc)
        err.print(f"error: {exc}", highlight=False, markup=False, soft_wrap=True)
        raise SystemExit(2) from None
    except KeyboardInterrupt:
        err.print("interrupted; committed batches are kept, re-run to finish", markup=False)
        raise SystemExit(130) from None
