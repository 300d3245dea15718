"""Graph stores: the GraphStore protocol and the engines behind it."""

from __future__ import annotations

from catalog.config import Settings
from catalog.errors import ConfigError
from catalog.schema import Schema, load_schema
from catalog.store.base import GraphStore, NodeGroup, RelGroup, WriteBatch


def open_store(settings: Settings, *, schema: Schema | None = None, create: bool = True) -> GraphStore:
    """Open the engine the settings name. `create=False` refuses to create a new embedded catalog."""
    schema = schema or load_schema(settings.ontology_extensions)
    if settings.store == "embedded":
        from catalog.store.embedded import EmbeddedStore

        if not create and not settings.graph_path.exists():
            raise ConfigError(
                f"no catalog at {settings.db}",
                hint="run 'curagraph init --db PATH' or 'curagraph ingest' first, or point --db / CURAGRAPH_DB at one",
            )
        store = EmbeddedStore(
            settings.graph_path,
            schema=schema,
            query_timeout_s=settings.query_timeout_s,
            row_cap=settings.row_cap,
            buffer_pool_mb=settings.buffer_pool_mb,
        )
        store.ensure_schema()
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
    )
    neo.ensure_schema()
    return neo


__all__ = ["GraphStore", "NodeGroup", "RelGroup", "WriteBatch", "open_store"]
