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
from typer.core import TyperGroup

from catalog.config import Settings
from catalog.errors import ConfigError
from catalog.store import GraphStore, open_store

#: the help screen's groups, in the order people work, and each group's commands in order
WORKFLOW: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Set up", ("init", "demo", "stats")),
    ("Bring data in", ("ingest", "import")),
    ("Label", ("classify", "assign")),
    ("Coverage", ("coverage",)),
    ("Provenance", ("lineage", "license-check", "synthetic")),
    ("Quality", ("check", "dedup", "quality")),
    ("Select and export", ("select", "export")),
    ("Serve and ask", ("serve", "cypher", "ask")),
)
_PANEL = {name: panel for panel, names in WORKFLOW for name in names}
_RANK = {name: n for n, name in enumerate(name for _, names in WORKFLOW for name in names)}


class WorkflowGroup(TyperGroup):
    """Lists the commands in workflow order, each under its group's panel; a command not in
    WORKFLOW comes last under 'Other' (tests/test_cli_help.py keeps WORKFLOW complete)."""

    def list_commands(self, ctx: Any) -> list[str]:
        names = super().list_commands(ctx)
        return sorted(names, key=lambda n: (_RANK.get(n, len(_RANK)), n))

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        command = super().get_command(ctx, cmd_name)
        if command is not None and not getattr(command, "rich_help_panel", None):
            command.rich_help_panel = _PANEL.get(cmd_name, "Other")  # type: ignore[attr-defined]
        return command


app = typer.Typer(
    cls=WorkflowGroup,
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
