"""What every command shares: the options, the settings, opening the catalog, the consoles, one
JSON printer and one progress reporter. Commands translate options to catalog calls; errors are
translated once, in `catalog.cli.main`."""

from __future__ import annotations

import json
import logging
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import Annotated, Any, Literal

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from catalog.config import Settings
from catalog.errors import ConfigError
from catalog.store import GraphStore, open_store

log = logging.getLogger(__name__)

# markup off: data is printed as data ("[bold]x[/bold]" in an example or a query stays as it is);
# the CLI's own emphasis is rich Text with styles (see `styled`)
err = Console(stderr=True, markup=False)
# piped output is not cut at 80 columns (tables of the gap report need more)
out = Console(width=None if sys.stdout.isatty() else 120, markup=False)


def styled(*parts: str | tuple[str, str]) -> Text:
    """Text from plain parts and (text, style) pairs; no part is read as markup."""
    return Text.assemble(*parts)


DbOption = Annotated[
    Path | None,
    typer.Option("--db", help="Catalog directory (default: $CURAGRAPH_DB or ./curagraph-catalog)."),
]
StoreOption = Annotated[
    str | None, typer.Option("--store", help="Graph engine: embedded (default) or neo4j.")
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON document on stdout.")]
RdfFormat = Literal["turtle", "json-ld"]


def settings_from(db: Path | None, store: str | None, **extra: Any) -> Settings:
    """The settings (environment, then these options)."""
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
def open_catalog(settings: Settings, *, create: bool) -> Iterator[GraphStore]:
    """The catalog's store for one command (through `curagraph serve` when it holds the catalog)."""
    store = open_store(settings, create=create)
    try:
        yield store
    finally:
        store.close()


def print_json(data: Any) -> None:
    """One JSON document on stdout (the --json output of every command)."""
    sys.stdout.write(json.dumps(data, ensure_ascii=False, default=str) + "\n")


class Reporter:
    """Progress of long work, by stage: a rich bar per stage on a terminal; elsewhere (a pipe, a
    log file) one line on stderr at most every `every_s` seconds and at the end of a stage.

    Call it as `reporter(done, total)` or `reporter(stage, done, total)`, the shape the catalog's
    `progress=` callbacks take; `update(...)` also takes a note for the line.
    """

    def __init__(
        self,
        label: str,
        *,
        enabled: bool = True,
        unit: Literal["items", "bytes"] = "items",
        every_s: float = 2.0,
    ) -> None:
        self.label, self.enabled, self.unit, self.every_s = label, enabled, unit, every_s
        self._bar: Progress | None = None
        self._tasks: dict[str, TaskID] = {}
        self._last: dict[str, float] = {}
        if enabled and err.is_terminal:
            counter = DownloadColumn() if unit == "bytes" else MofNCompleteColumn()
            self._bar = Progress(
                TextColumn("{task.description}", style="bold", markup=False),
                BarColumn(),
                counter,
                TextColumn("{task.fields[note]}"),
                TimeElapsedColumn(),
                TimeRemainingColumn(),
                console=err,
                transient=True,
            )
            self._bar.start()

    def __call__(self, *args: Any) -> None:
        stage, done, total = args if len(args) == 3 else (self.label, *args)
        self.update(stage, done, total)

    def update(
        self, stage: str, done: int, total: int | None, note: str = "", line: str | None = None
    ) -> None:
        """`note` goes beside the bar; `line` replaces the plain line a pipe gets."""
        if not self.enabled:
            return
        if self._bar is not None:
            if stage not in self._tasks:
                self._tasks[stage] = self._bar.add_task(stage, total=total, note=note)
            self._bar.update(self._tasks[stage], completed=done, total=total, note=note)
            return
        now = time.monotonic()
        finished = total is not None and done >= total
        if finished or now - self._last.get(stage, 0.0) >= self.every_s:
            self._last[stage] = now
            text = line if line is not None else _describe(stage, done, total, note)
            err.print(text, highlight=False, markup=False, soft_wrap=True)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None

    def __enter__(self) -> Reporter:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def _describe(stage: str, done: int, total: int | None, note: str) -> str:
    of = f" of {total:,}" if total is not None else ""
    return f"{stage}: {done:,}{of}" + (f" ({note})" if note else "")
