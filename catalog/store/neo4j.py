"""The server engine: Neo4j 5 through the official driver.

Writes go in UNWIND batches inside one managed transaction per WriteBatch (MERGE on the
uniqueness-constrained id); reads run with READ routing in READ access mode, a per-query timeout
and a row cap. Read-only Cypher passes the shared lexical gate, then an EXPLAIN whose query type
must be read-only, then runs in a READ session, so the server itself refuses a write.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from catalog.errors import QueryFailed, QueryRefused, QueryTimeout, StoreError, StoreUnavailable
from catalog.model import CypherResult
from catalog.schema import KEY_PROPERTY, Schema
from catalog.store import coverage_key
from catalog.store import cypher as Q
from catalog.store.batch import NodeGroup, RelGroup, WriteBatch, WriteResult
from catalog.store.guard import validate_batch
from catalog.store.queries import CatalogStore
from catalog.store.seed import seed_batch
from catalog.store.values import ResultBudget, chunks

log = logging.getLogger(__name__)

#: rows per UNWIND statement inside a write transaction
_CHUNK = 10_000


def _plain(value: Any) -> Any:
    from neo4j.graph import Node, Path, Relationship

    if isinstance(value, Node):
        return {"_label": next(iter(value.labels), ""), **{k: _plain(v) for k, v in value.items()}}
    if isinstance(value, Relationship):
        return {"_label": value.type, **{k: _plain(v) for k, v in value.items()}}
    if isinstance(value, Path):
        return {
            "nodes": [_plain(n) for n in value.nodes],
            "relationships": [_plain(r) for r in value.relationships],
        }
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    if hasattr(value, "iso_format"):
        return value.iso_format()
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    return str(value)


class Neo4jEngine:
    """The engine contract (catalog/store/engine.py) on a Neo4j 5 server."""

    name = "neo4j"
    #: one managed transaction holds a whole WriteBatch; the server keeps its state in heap
    max_batch_examples: int | None = 10_000

    def __init__(
        self,
        uri: str,
        *,
        user: str,
        password: str,
        database: str = "neo4j",
        schema: Schema,
        retry_s: float = 5.0,
    ) -> None:
        import neo4j

        self.schema = schema
        self.uri = uri
        self.database = database
        self._neo4j = neo4j
        try:
            self._driver = neo4j.GraphDatabase.driver(
                uri,
                auth=(user, password),
                max_transaction_retry_time=retry_s,
                connection_timeout=5.0,
                notifications_min_severity="OFF",  # "type does not exist yet" warnings on an empty catalog
            )
        except (ValueError, neo4j.exceptions.ConfigurationError) as exc:
            raise StoreUnavailable(
                f"bad Neo4j URI {uri!r}: {exc}", hint="use bolt://HOST:PORT or neo4j://HOST:PORT"
            ) from exc
        with self._errors():
            self._driver.verify_connectivity()

    # ------------------------------------------------------------------ plumbing

    @contextmanager
    def _errors(self, query: str | None = None, *, timeout_s: float | None = None) -> Iterator[None]:
        """Translate driver errors into the catalog's, naming the URI or the query (and the time
        limit the caller set: it is the call's, never the engine's, as requests run concurrently)."""
        ex = self._neo4j.exceptions
        try:
            yield
        except ex.AuthError as exc:
            raise StoreUnavailable(
                f"Neo4j at {self.uri} refused the user or password",
                hint="check CURAGRAPH_NEO4J_USER and CURAGRAPH_NEO4J_PASSWORD",
            ) from exc
        except (ex.ServiceUnavailable, ex.SessionExpired, OSError) as exc:
            raise StoreUnavailable(
                f"cannot reach Neo4j at {self.uri}",
                hint="is the server running? committed batches are kept; run the same command again once it is up",
            ) from exc
        except ex.ClientError as exc:
            code = exc.code or ""
            where = f" in {query[:120]!r}" if query else ""
            if "TransactionTimedOut" in code or "Timeout" in code:
                raise QueryTimeout(
                    f"the query ran past its time limit of {timeout_s or 0:g} s{where}",
                    hint="narrow the MATCH, add a LIMIT, or raise CURAGRAPH_QUERY_TIMEOUT_S",
                ) from exc
            if "AccessMode" in code or "Forbidden" in code:
                raise QueryRefused(
                    "Neo4j refused a write on the read-only path", hint=exc.message or code
                ) from exc
            raise QueryFailed(f"Neo4j rejected the query{where}: {exc.message or code}") from exc
        except ex.Neo4jError as exc:
            if "MemoryPoolOutOfMemory" in (exc.code or "") or "MemoryLimitExceeded" in (exc.code or ""):
                raise QueryFailed(
                    "the query needs more memory than one transaction may use on this Neo4j server",
                    hint="return less (a LIMIT, fewer columns, no huge lists), or raise db.memory.transaction.max",
                ) from exc
            raise StoreError(f"Neo4j at {self.uri} failed: {exc.message or exc.code}") from exc

    def rows(self, query: str, params: Mapping[str, Any] | None = None) -> list[list[Any]]:
        with self._errors(query):
            records, _, _ = self._driver.execute_query(
                query, dict(params or {}), database_=self.database, routing_=self._neo4j.RoutingControl.READ
            )
        return [[_plain(v) for v in r.values()] for r in records]

    # ------------------------------------------------------------------ schema

    def constraints(self) -> list[str]:
        """One uniqueness constraint on `id` per label the ontology declares, and its composite indexes."""
        return [
            f"CREATE CONSTRAINT {Q.quote(name.lower() + '_id_unique')} IF NOT EXISTS "
            f"FOR (n:{Q.quote(name)}) REQUIRE n.{Q.quote(KEY_PROPERTY)} IS UNIQUE"
            for name in sorted(self.schema.labels)
        ] + [
            f"CREATE INDEX {Q.quote(ix.name)} IF NOT EXISTS FOR (n:{Q.label(self.schema, ix.label)}) "
            f"ON ({', '.join('n.' + Q.quote(p) for p in ix.properties)})"
            for ix in self.schema.indexes
        ]

    def ensure_schema(self) -> None:
        for statement in self.constraints():
            with self._errors(statement):
                self._driver.execute_query(statement, database_=self.database)
        self.write(seed_batch(self.schema))

    # ------------------------------------------------------------------ writes

    def write(self, batch: WriteBatch) -> WriteResult:
        validate_batch(self.schema, batch)
        keyed = coverage_key.touched(batch)
        if keyed:
            batch = coverage_key.with_keys_for_new(batch, keyed)
        with self._errors(), self._driver.session(database=self.database) as session:
            return session.execute_write(self._write_tx, batch)

    def _write_tx(self, tx: Any, batch: WriteBatch) -> WriteResult:
        result = WriteResult()
        known: dict[str, set[str]] = {}  # ids this transaction merged: they exist now
        keyed = coverage_key.touched(batch)
        if keyed:  # examples this write creates get their keys with the row; the others need fixing after
            written = {r[KEY_PROPERTY] for g in batch.nodes if g.label == "Example" for r in g.rows}
            new = written.intersection({i for ids in keyed.values() for i in ids})
            if new:
                query = Q.EXISTING_IDS.format(label=Q.label(self.schema, "Example")).text
                new -= {rec[0] for rec in tx.run(query, ids=sorted(new))}
            keyed = {prop: [i for i in ids if i not in new] for prop, ids in keyed.items()}
        for nd in batch.node_deletions:
            query = Q.DELETE_NODES.format(label=Q.label(self.schema, nd.label)).text
            for part in chunks(nd.ids, _CHUNK):
                tx.run(query, ids=part).consume()
        for deletion in batch.deletions:
            for ids in chunks(deletion.src_ids, _CHUNK):
                tx.run(Q.delete_rels(self.schema, deletion), Q.delete_params(deletion, ids)).consume()
        for group in batch.nodes:
            made = self._merge_nodes(tx, group)
            result.nodes_created[group.label] = result.nodes_created.get(group.label, 0) + made
            known.setdefault(group.label, set()).update(r[KEY_PROPERTY] for r in group.rows)
        for rgroup in batch.relationships:
            made = self._merge_rels(tx, rgroup, known)
            result.relationships_created[rgroup.rel_type] = (
                result.relationships_created.get(rgroup.rel_type, 0) + made
            )
        if keyed:

            def read(query: str, params: Mapping[str, Any]) -> list[list[Any]]:
                return [list(r.values()) for r in tx.run(query, dict(params))]

            fix = coverage_key.keys_after(read, coverage_key.summary_key_queries(self.schema), keyed)
            if fix:
                self._merge_nodes(tx, fix)
        return result

    @staticmethod
    def _given(row: Mapping[str, Any], skip: tuple[str, ...]) -> dict[str, Any]:
        """The properties a row gives: Neo4j removes a property set to null, and an upsert never blanks."""
        return {k: v for k, v in row.items() if k not in skip and v is not None and v != []}

    def _merge_nodes(self, tx: Any, group: NodeGroup) -> int:
        if not group.rows:
            return 0
        rows = [{"id": r[KEY_PROPERTY], "props": self._given(r, (KEY_PROPERTY,))} for r in group.rows]
        on_match = " ON MATCH SET n += r.props" if group.update_existing else ""
        query = Q.MERGE_NODES_NEO4J.format(label=Q.label(self.schema, group.label), on_match=on_match).text
        made = 0
        for part in chunks(rows, _CHUNK):
            made += tx.run(query, rows=part).consume().counters.nodes_created
        return int(made)

    def _merge_rels(self, tx: Any, group: RelGroup, known: Mapping[str, set[str]]) -> int:
        if not group.rows:
            return 0
        names = {
            "from_label": Q.label(self.schema, group.from_label),
            "to_label": Q.label(self.schema, group.to_label),
            "rel": Q.rel_type(self.schema, group.rel_type),
        }
        # endpoints first: MATCH would silently skip a row whose endpoint is missing
        for side, lab in (("src", group.from_label), ("dst", group.to_label)):
            have = known.get(lab, set())
            wanted = sorted({r[side] for r in group.rows} - have)
            if not wanted:
                continue
            query = Q.EXISTING_IDS.format(label=Q.label(self.schema, lab)).text
            found = {rec[0] for rec in tx.run(query, ids=wanted)}
            missing = [w for w in wanted if w not in found]
            if missing:
                raise StoreError(
                    f"cannot create [:{group.rel_type}] edges: endpoint nodes do not exist: "
                    + ", ".join(f":{lab} {m!r}" for m in missing[:5]),
                    hint="write the nodes before the relationships that connect them",
                )
        skip = ("src", "dst", *group.key)
        rows = [
            {
                "src": r["src"],
                "dst": r["dst"],
                "key": {k: r.get(k) for k in group.key},
                "props": self._given(r, skip),
            }
            for r in group.rows
        ]
        key_props = (
            "{" + ", ".join(f"{Q.quote(k)}: r.key.{Q.quote(k)}" for k in group.key) + "}" if group.key else ""
        )
        on_match = " ON MATCH SET x += r.props" if group.update_existing else ""
        query = Q.MERGE_RELS_NEO4J.format(key_props=key_props, on_match=on_match, **names).text
        made = 0
        for i in range(0, len(rows), _CHUNK):
            made += tx.run(query, rows=rows[i : i + _CHUNK]).consume().counters.relationships_created
        return int(made)

    # ------------------------------------------------------------------ reads

    def read_only(
        self, statement: str, params: Mapping[str, Any], *, row_cap: int, timeout_s: float, byte_cap: int
    ) -> CypherResult:
        """EXPLAIN must say read-only; then a READ-mode session, where the server refuses any write."""
        neo4j = self._neo4j
        with (
            self._errors(statement, timeout_s=timeout_s),
            self._driver.session(database=self.database, default_access_mode=neo4j.READ_ACCESS) as session,
        ):
            plan = session.run(neo4j.Query("EXPLAIN " + statement, timeout=timeout_s), dict(params)).consume()
            if plan.query_type not in ("r", None):
                raise QueryRefused(
                    f"Neo4j plans this query as type {plan.query_type!r}, not read-only",
                    hint="only MATCH ... RETURN queries run here",
                )

            def work(tx: Any) -> CypherResult:
                result = tx.run(statement, dict(params))
                columns = list(result.keys())
                rows: list[list[Any]] = []
                truncated = False
                budget = ResultBudget(row_cap, byte_cap)
                for record in result:
                    if budget.rows == row_cap:
                        truncated = True
                        break
                    row = [_plain(v) for v in record.values()]
                    if not budget.fits(row):
                        truncated = True
                        break
                    rows.append(row)
                result.consume()
                return CypherResult(columns=columns, rows=rows, truncated=truncated)

            return session.execute_read(neo4j.unit_of_work(timeout=timeout_s)(work))

    def wipe(self, *, label: str | None = None) -> None:
        """Delete every node (or every node of one label) with its edges. For tests and benchmarks."""
        target = ":" + Q.label(self.schema, label) if label else ""
        steps = (
            [Q.WIPE_NODES_NEO4J.format(label=target).text]
            if label
            else [Q.WIPE_RELS_NEO4J.text, Q.WIPE_NODES_NEO4J.format(label="").text]
        )
        with self._errors():
            for query in steps:
                while self._driver.execute_query(query, chunk=10_000, database_=self.database).records[0][0]:
                    pass

    def ping(self) -> None:
        with self._errors():
            self._driver.execute_query("RETURN 1", database_=self.database)

    def flush(self) -> None:
        """Nothing to do: the server persists committed transactions itself."""

    def close(self) -> None:
        self._driver.close()


class Neo4jStore(CatalogStore):
    """The catalog store over a Neo4j 5 server."""

    engine: Neo4jEngine

    def __init__(
        self,
        uri: str,
        *,
        user: str,
        password: str,
        database: str = "neo4j",
        schema: Schema,
        query_timeout_s: float = 30.0,
        row_cap: int = 1000,
        retry_s: float = 5.0,
        byte_cap: int = 4 * 1024 * 1024,
    ) -> None:
        engine = Neo4jEngine(
            uri, user=user, password=password, database=database, schema=schema, retry_s=retry_s
        )
        super().__init__(engine, row_cap=row_cap, query_timeout_s=query_timeout_s, byte_cap=byte_cap)
        self.uri, self.database = uri, database

    def wipe(self, *, label: str | None = None) -> None:
        """Delete every node (or every node of one label) with its edges. For tests and benchmarks."""
        self.engine.wipe(label=label)
