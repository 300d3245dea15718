"""The embedded engine through the server that holds it.

LadybugDB lets one process open a database for writing, and `curagraph serve` keeps it open. So a
running server records where it listens in the catalog folder (`server.json`: pid, URL and a
token made at start-up, readable by the catalog's owner only), and every other curagraph process
on that catalog sends its engine calls there instead of opening the file: `RemoteStore` is the
catalog's queries over four primitives (rows of one query, one write batch in one transaction, a
read-only query, a checkpoint) that the server runs on its own store, one at a time, between the
requests of its dashboards. Files (the raw archive, the quarantine, the signature index) are still
written by the command itself, in the same folder.

A server that died leaves a `server.json` whose pid is gone; it is removed and the command opens
the catalog itself. The engine's lock is the kernel's file lock, released with the process.
"""

from __future__ import annotations

import contextlib
import dataclasses
import http.client
import json
import logging
import os
import secrets
import stat
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import orjson

from catalog import errors
from catalog.errors import CatalogError, StoreUnavailable
from catalog.model import CypherResult
from catalog.schema import Schema
from catalog.store.batch import NodeDeletion, NodeGroup, RelDeletion, RelGroup, WriteBatch, WriteResult
from catalog.store.engine import Engine
from catalog.store.queries import CatalogStore

log = logging.getLogger(__name__)

SERVER_FILE = "server.json"
#: the path the server answers engine calls on (not part of the public API or its OpenAPI document)
ENGINE_PATH = "/_engine"
TOKEN_HEADER = "X-Curagraph-Engine-Token"
#: how long a command waits for the server to answer the ping that shows it is alive
PING_TIMEOUT_S = 5.0


# ---------------------------------------------------------------------- the server file


@dataclass(frozen=True)
class ServerEndpoint:
    pid: int
    url: str
    token: str

    @property
    def host_port(self) -> tuple[str, int]:
        parts = urlsplit(self.url)
        return parts.hostname or "127.0.0.1", parts.port or 80


def server_file(catalog_dir: Path) -> Path:
    return Path(catalog_dir) / SERVER_FILE


def new_token() -> str:
    return secrets.token_urlsafe(32)


def write_server_file(catalog_dir: Path, *, host: str, port: int, token: str) -> Path:
    """Record that this process serves the catalog; readable and writable by its owner only."""
    connect_host = "127.0.0.1" if host in ("0.0.0.0", "", "localhost") else host
    if connect_host == "::":
        connect_host = "::1"
    if ":" in connect_host:
        connect_host = f"[{connect_host}]"
    path = server_file(catalog_dir)
    body = {"pid": os.getpid(), "url": f"http://{connect_host}:{port}", "token": token}
    tmp = path.with_name(f".{SERVER_FILE}.{os.getpid()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, stat.S_IRUSR | stat.S_IWUSR)
    with os.fdopen(fd, "w") as f:
        json.dump(body, f)
    os.replace(tmp, path)
    log.info("serving the catalog's engine to other curagraph processes (%s)", path)
    return path


def remove_server_file(catalog_dir: Path) -> None:
    """Remove the server file if this process wrote it."""
    path = server_file(catalog_dir)
    with contextlib.suppress(OSError, ValueError):
        if json.loads(path.read_text()).get("pid") == os.getpid():
            path.unlink()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: alive
        return True
    try:  # a killed process its parent has not reaped yet is gone too
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True
    return state not in ("Z", "X")


def clear_stale_server_file(catalog_dir: Path) -> None:
    """Called by a process that has just opened the catalog itself: no server can hold it, so a
    server file left behind is stale."""
    path = server_file(catalog_dir)
    if path.exists():
        log.info("removing the stale %s", path)
        with contextlib.suppress(OSError):
            path.unlink()


def read_server_file(catalog_dir: Path) -> ServerEndpoint | None:
    """The server recorded in the catalog folder if its process is alive; a stale file (the server
    died) is removed so it cannot block anything."""
    path = server_file(catalog_dir)
    try:
        data = json.loads(path.read_text())
        endpoint = ServerEndpoint(pid=int(data["pid"]), url=str(data["url"]), token=str(data["token"]))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError):
        log.warning("ignoring an unreadable %s", path)
        return None
    if endpoint.pid == os.getpid() or not _alive(endpoint.pid):
        if endpoint.pid != os.getpid():
            log.info("removing %s: the server (pid %d) is gone", path, endpoint.pid)
            with contextlib.suppress(OSError):
                path.unlink()
        return None
    return endpoint


def live_server(catalog_dir: Path) -> ServerEndpoint | None:
    """The server that holds this catalog and answers, or None."""
    endpoint = read_server_file(catalog_dir)
    if endpoint is None:
        return None
    try:
        _Client(endpoint, timeout_s=PING_TIMEOUT_S).call("ping", {})
    except StoreUnavailable as exc:
        log.info("the server in %s does not answer: %s", server_file(catalog_dir), exc)
        return None
    return endpoint


# ---------------------------------------------------------------------- the wire


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return {"$decimal": str(value)}
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"cannot send a {type(value).__name__} to the server")


def encode(value: Any) -> bytes:
    try:
        return orjson.dumps(value, default=_default, option=orjson.OPT_NON_STR_KEYS)
    except TypeError:
        # integers past 64 bits: the standard library's encoder takes them
        return json.dumps(value, default=_default, ensure_ascii=False).encode()


def _revive(value: Any) -> Any:
    if isinstance(value, list):
        return [_revive(v) for v in value]
    if isinstance(value, dict):
        if len(value) == 1 and "$decimal" in value:
            return Decimal(value["$decimal"])
        return {k: _revive(v) for k, v in value.items()}
    return value


def decode(body: bytes) -> Any:
    try:
        return _revive(orjson.loads(body))
    except orjson.JSONDecodeError:
        return _revive(json.loads(body))


def batch_to_wire(batch: WriteBatch) -> dict[str, Any]:
    return dataclasses.asdict(batch)


def batch_from_wire(data: Mapping[str, Any]) -> WriteBatch:
    return WriteBatch(
        nodes=[NodeGroup(**g) for g in data.get("nodes", [])],
        relationships=[
            RelGroup(**{**g, "key": tuple(g.get("key", ()))}) for g in data.get("relationships", [])
        ],
        deletions=[RelDeletion(**d) for d in data.get("deletions", [])],
        node_deletions=[NodeDeletion(**d) for d in data.get("node_deletions", [])],
    )


def error_to_wire(exc: CatalogError) -> dict[str, Any]:
    return {"class": type(exc).__name__, "message": exc.message, "hint": exc.hint}


def error_from_wire(data: Mapping[str, Any]) -> CatalogError:
    """The server's CatalogError, as the same class here (a class this version lacks: CatalogError)."""
    cls = getattr(errors, str(data.get("class", "")), None)
    if not (isinstance(cls, type) and issubclass(cls, CatalogError)):
        cls = CatalogError
    exc = cls.__new__(cls)
    CatalogError.__init__(exc, str(data.get("message", "the server failed")), hint=data.get("hint"))
    return exc


class _Client:
    """One keep-alive HTTP connection to the server's engine path."""

    def __init__(self, endpoint: ServerEndpoint, *, timeout_s: float | None) -> None:
        self.endpoint = endpoint
        host, port = endpoint.host_port
        self._conn = http.client.HTTPConnection(host.strip("[]"), port, timeout=timeout_s)

    def call(self, op: str, payload: Mapping[str, Any]) -> Any:
        body = encode(payload)
        headers = {TOKEN_HEADER: self.endpoint.token, "Content-Type": "application/json"}
        try:
            self._conn.request("POST", f"{ENGINE_PATH}/{op}", body=body, headers=headers)
            response = self._conn.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException) as exc:
            self._conn.close()
            raise StoreUnavailable(
                f"the curagraph server at {self.endpoint.url} (pid {self.endpoint.pid}) that holds this "
                f"catalog stopped answering: {exc}",
                hint="committed batches are kept; run the same command again (it opens the catalog "
                "itself once the server is gone)",
            ) from None
        if response.status == 200:
            return decode(data)
        try:
            failure = decode(data)
        except ValueError:
            failure = {}
        if isinstance(failure, dict) and "class" in failure:
            raise error_from_wire(failure)
        raise StoreUnavailable(
            f"the curagraph server at {self.endpoint.url} refused an engine call ({response.status})",
            hint="is it an older or newer curagraph? stop it, or run the command with the server's version",
        )

    def close(self) -> None:
        self._conn.close()


# ---------------------------------------------------------------------- the store


class RemoteEngine:
    """The engine contract (catalog/store/engine.py) run by the server that holds the embedded
    engine: each call crosses the socket once."""

    name = "embedded"
    #: a write batch crosses a socket as JSON: keep each to a few tens of MB
    max_batch_examples: int | None = 20_000

    def __init__(self, endpoint: ServerEndpoint, *, schema: Schema) -> None:
        self.schema = schema
        self.endpoint = endpoint
        self.path = endpoint.url
        self._client = _Client(endpoint, timeout_s=None)
        log.info("using the catalog through the server at %s (pid %d)", endpoint.url, endpoint.pid)

    def ensure_schema(self) -> None:
        """The server created (or upgraded) the schema when it opened the catalog."""

    def rows(self, query: str, params: Mapping[str, Any] | None = None) -> list[list[Any]]:
        rows: list[list[Any]] = self._client.call("rows", {"query": query, "params": dict(params or {})})
        return rows

    def write(self, batch: WriteBatch) -> WriteResult:
        data = self._client.call("write", batch_to_wire(batch))
        return WriteResult(**data)

    def read_only(
        self, statement: str, params: Mapping[str, Any], *, row_cap: int, timeout_s: float, byte_cap: int
    ) -> CypherResult:
        data = self._client.call(
            "read_only",
            {
                "statement": statement,
                "params": dict(params),
                "row_cap": row_cap,
                "timeout_s": timeout_s,
                "byte_cap": byte_cap,
            },
        )
        return CypherResult.model_validate(data)

    def ping(self) -> None:
        self._client.call("ping", {})

    def flush(self) -> None:
        self._client.call("flush", {})

    def close(self) -> None:
        self._client.close()


class RemoteStore(CatalogStore):
    """The catalog store over the engine of a `curagraph serve` that holds the catalog."""

    engine: RemoteEngine

    def __init__(
        self,
        endpoint: ServerEndpoint,
        *,
        schema: Schema,
        query_timeout_s: float = 30.0,
        row_cap: int = 1000,
        byte_cap: int = 4 * 1024 * 1024,
    ) -> None:
        super().__init__(
            RemoteEngine(endpoint, schema=schema),
            row_cap=row_cap,
            query_timeout_s=query_timeout_s,
            byte_cap=byte_cap,
        )
        self.endpoint, self.path = endpoint, endpoint.url


def serve_engine_call(engine: Engine, op: str, payload: Mapping[str, Any]) -> Any:
    """Run one engine call from another process on the server's own embedded engine (the caller
    holds the store's slot). Returns what goes back on the wire."""
    if op == "ping":
        return {"pid": os.getpid()}
    if op == "rows":
        return engine.rows(str(payload["query"]), payload.get("params") or {})
    if op == "write":
        return dataclasses.asdict(engine.write(batch_from_wire(payload)))
    if op == "read_only":
        result = engine.read_only(
            str(payload["statement"]),
            payload.get("params") or {},
            row_cap=int(payload["row_cap"]),
            timeout_s=float(payload["timeout_s"]),
            byte_cap=int(payload["byte_cap"]),
        )
        return result.model_dump()
    if op == "flush":
        engine.flush()
        return {}
    raise CatalogError(
        f"unknown engine call {op!r}", hint="the command and the server run different versions"
    )
