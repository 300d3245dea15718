"""Graph stores: the catalog store (GraphStore) over one of the engines behind it."""

from __future__ import annotations

import logging

from catalog.config import Settings
from catalog.errors import ConfigError, StoreUnavailable
from catalog.schema import Schema, load_schema
from catalog.store.base import GraphStore, NodeGroup, RelGroup, WriteBatch

log = logging.getLogger(__name__)


def open_store(
    settings: Settings, *, schema: Schema | None = None, create: bool = True, via_server: bool = True
) -> GraphStore:
    """Open the engine the settings name. `create=False` refuses to create a new embedded catalog.

    On the embedded engine, when `curagraph serve` holds the catalog (its `server.json` names a
    live process that answers), the store runs its engine calls through that server unless
    `via_server` is False (the server itself)."""
    schema = schema or load_schema(settings.extensions_in_force)
    if settings.store == "embedded":
        from catalog.store.embedded import EmbeddedStore
        from catalog.store.remote import RemoteStore, clear_stale_server_file, live_server, read_server_file

        if via_server and (endpoint := live_server(settings.db)) is not None:
            return RemoteStore(
                endpoint,
                schema=schema,
                query_timeout_s=settings.query_timeout_s,
                row_cap=settings.row_cap,
                byte_cap=settings.result_max_bytes,
            )
        if not create and not settings.graph_path.exists():
            raise ConfigError(
                f"no catalog at {settings.db}",
                hint="run 'curagraph init --db PATH' or 'curagraph ingest' first, or point --db / CURAGRAPH_DB at one",
            )
        try:
            store = EmbeddedStore(
                settings.graph_path,
                schema=schema,
                query_timeout_s=settings.query_timeout_s,
                row_cap=settings.row_cap,
                buffer_pool_mb=settings.buffer_pool_mb,
                byte_cap=settings.result_max_bytes,
                read_connections=settings.api_engine_concurrency,
            )
        except StoreUnavailable as exc:
            holder = read_server_file(settings.db)
            if holder is None:
                raise
            raise StoreUnavailable(
                f"the catalog at {settings.db} is held by a curagraph server (pid {holder.pid}, {holder.url}) "
                "that does not answer engine calls",
                hint="wait for it to finish starting, or stop it and run the command again",
            ) from exc
        clear_stale_server_file(settings.db)
        store.ensure_schema()
        log.info("opened the embedded catalog at %s", settings.graph_path)
        return store
    from catalog.store.neo4j import Neo4jStore

    password = settings.neo4j_password.get_secret_value()
    if not password:
        raise ConfigError(
            f"no password for Neo4j at {settings.neo4j_uri}",
            hint="set CURAGRAPH_NEO4J_PASSWORD (and CURAGRAPH_NEO4J_URI, CURAGRAPH_NEO4J_USER)",
        )
    neo = Neo4jStore(
        settings.neo4j_uri,
        user=settings.neo4j_user,
        password=password,
        database=settings.neo4j_database,
        schema=schema,
        query_timeout_s=settings.query_timeout_s,
        row_cap=settings.row_cap,
        byte_cap=settings.result_max_bytes,
    )
    neo.ensure_schema()
    log.info("connected to Neo4j at %s (database %s)", settings.neo4j_uri, settings.neo4j_database)
    return neo


__all__ = ["GraphStore", "NodeGroup", "RelGroup", "WriteBatch", "open_store"]
