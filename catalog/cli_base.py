"""What every `curagraph` command shares: the Typer app, common options, settings, store, output."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from catalog.config import Settings
from catalog.errors import ConfigError
from catalog.store import GraphStore, open_store

app = typer.Typer(
    name="curagraph",
    help="A catalog of LLM fine-tuning data kept as a graph.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
err = Console(stderr=True)
# piped output is not cut at 80 columns (tables of the gap report need more)
out = Console(width=None if sys.stdout.isatty() else 120)

DbOption = Annotated[
    Path | None,
    typer.Option("--db", help="Catalog directory (default: $CURAGRAPH_DB or ./curagraph-catalog)."),
]
StoreOption = Annotated[
    str | None, typer.Option("--store", help="Graph engine: embedded (default) or neo4j.")
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON document on stdout.")]


def _settings(db: Path | None, store: str | None, **extra: Any) -> Settings:
    overrides: dict[str, Any] = {k: v for k, v in extra.items() if v is not None}
    if db is not None:
        overrides["db"] = db
    if store is not None:
        if store not in ("embedded", "neo4j"):
            raise ConfigError(f"unknown engine {store!r}", hint="use --store embedded or --store neo4j")
        overrides["store"] = store
    try:
        return Settings(**overrides)
    except ValueError as exc:  # pydantic validation of env or options
        raise ConfigError(f"invalid setting: {str(exc).splitlines()[-1].strip()}") from None


@contextmanager
def _store(settings: Settings, *, create: bool) -> Iterator[GraphStore]:
    store = open_store(settings, create=create)
    try:
        yield store
    finally:
        store.close()


def _print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, default=str) + "\n")
