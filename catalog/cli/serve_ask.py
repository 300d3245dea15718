"""`curagraph serve`, `cypher` and `ask`: the API and dashboards, read-only Cypher, questions."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from catalog import logs
from catalog.cli.common import (
    DbOption,
    JsonOption,
    StoreOption,
    err,
    open_catalog,
    out,
    print_json,
    settings_from,
)
from catalog.config import Settings
from catalog.errors import ConfigError, StoreUnavailable
from catalog.store import GraphStore, open_store

log = logging.getLogger(__name__)


def serve(
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8000,
    db: DbOption = None,
    store: StoreOption = None,
) -> None:
    """Serve the REST API (OpenAPI at /docs) and the dashboards (/ui) over the catalog."""
    settings = settings_from(db, store)
    serve_catalog(settings, host, port)


@contextmanager
def _store_for_serving(settings: Settings) -> Iterator[GraphStore]:
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


def serve_catalog(settings: Settings, host: str, port: int) -> None:
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
        # curagraph's own log (start-up, failed requests with their traceback) at the settings'
        # level; uvicorn's access log only at debug
        logs.configure(settings.log_level)
        log.info("serving %s (%s engine) on http://%s:%d", settings.db, settings.store, host, port)
        uvicorn.run(
            app,
            host=host,
            port=port,
            log_level=settings.log_level,
            access_log=settings.log_level == "debug",
            log_config=None,
        )


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
    settings = settings_from(db, store)
    values = _parse_params(param or [], params)
    with open_catalog(settings, create=False) as s:
        result = s.read_cypher(query=query, params=values, row_cap=row_cap, timeout_s=timeout)
    if as_json:
        print_json(result.model_dump())
        return
    table = Table(show_edge=False)
    for col in result.columns:
        table.add_column(col, overflow="fold")
    for row in result.rows:
        table.add_row(*(json.dumps(v, ensure_ascii=False) if not isinstance(v, str) else v for v in row))
    out.print(table)
    note = f"{len(result.rows)} row(s)" + (" (truncated by the row cap)" if result.truncated else "")
    err.print(note)


def ask_command(
    question: Annotated[str, typer.Argument(help="A question in English, Korean or Chinese.")],
    db: DbOption = None,
    store: StoreOption = None,
    as_json: JsonOption = False,
) -> None:
    """Answer a question with Cypher: a template for the common questions, else the configured model
    (CURAGRAPH_LLM_BASE_URL), whose query the ontology checks. Shows the Cypher it ran."""
    from catalog.ask import ask

    settings = settings_from(db, store)
    with open_catalog(settings, create=False) as s:
        answer = ask(s, question, settings)
    if as_json:
        print_json(answer.model_dump())
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


PANEL = "Serve and ask"


def register(app: typer.Typer) -> None:
    """Add this group's commands to the app, in workflow order."""
    app.command(rich_help_panel=PANEL)(serve)
    app.command(rich_help_panel=PANEL)(cypher)
    app.command("ask", rich_help_panel=PANEL)(ask_command)
