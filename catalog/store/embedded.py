"""The embedded engine: LadybugDB (PyPI `ladybug`, the maintained fork of Kuzu), on disk, in process."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from catalog.errors import QueryFailed, QueryRefused, QueryTimeout, StoreError, StoreUnavailable
from catalog.model import CypherResult
from catalog.schema import KEY_PROPERTY, Schema
from catalog.store import coverage_key
from catalog.store import cypher as Q
from catalog.store.batch import NodeGroup, RelGroup, WriteBatch, WriteResult
from catalog.store.embedded_support import (
    ARROW_TYPES,
    VAR_LENGTH_MAX_DEPTH,
    arrow_row_sizes,
    arrow_types,
    by_present_keys,
    merge_rows,
)
from catalog.store.guard import validate_batch
from catalog.store.queries import CatalogStore
from catalog.store.queries_base import PROBE
from catalog.store.seed import seed_batch
from catalog.store.values import ResultBudget, chunks, plain

log = logging.getLogger(__name__)

#: rows per UNWIND statement
_CHUNK = 5000
#: from this many new rows on, a group is bulk-loaded with COPY instead of UNWIND ... CREATE
_COPY_MIN_ROWS = 64


class EmbeddedEngine:
    """The engine contract (catalog/store/engine.py) on LadybugDB. `path` is a database file, or
    ':memory:'."""

    name = "embedded"
    #: no limit: larger batches mean fewer checkpoints (see docs/benchmarks.md)
    max_batch_examples: int | None = None

    def __init__(
        self,
        path: Path | str,
        *,
        schema: Schema,
        read_only: bool = False,
        buffer_pool_mb: int = 4096,
        read_connections: int = 4,
    ) -> None:
        import ladybug

        self.schema = schema
        self.path = str(path)
        self.buffer_pool_mb = buffer_pool_mb
        self._ladybug = ladybug
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        try:
            # Keep the engine's own checkpointing: COPY bypasses the write-ahead log and is made
            # durable by the checkpoint at commit. With auto_checkpoint off, COPY'd batches were
            # lost on SIGKILL (tests/test_cli.py::test_killed_ingest_resumes_to_the_same_catalog).
            self._db = ladybug.Database(
                self.path, read_only=read_only, buffer_pool_size=buffer_pool_mb * 1024 * 1024
            )
            # the writer: writes, schema, checkpoints (one write transaction at a time: the lock)
            self._conn = ladybug.Connection(self._db)
            # its own connection, so that a health check never waits behind the catalog's calls
            self._ping_conn = ladybug.Connection(self._db)
            self._ping_lock = threading.Lock()
        except RuntimeError as exc:
            msg = str(exc)
            hint = "is another curagraph process using this catalog? stop it or pass another --db"
            if "lock" not in msg.lower():
                hint = (
                    "check the --db path; the file may belong to another program or an incompatible version"
                )
            raise StoreUnavailable(
                f"cannot open the embedded catalog at {self.path}: {msg}", hint=hint
            ) from exc
        self._write_lock = threading.RLock()
        self._writer: int | None = None  # the thread inside a write transaction
        # reads run on their own connections, several at once (the engine runs read transactions
        # side by side with one writer): a long user query holds one of them, not the engine
        self._idle: list[Any] = []
        self._idle_lock = threading.Lock()
        self._read_slots = threading.BoundedSemaphore(max(1, read_connections))
        self._readers: list[Any] = []
        self._in_tx = False
        self._created: dict[str, set[str]] = {}
        self._column_cache: dict[str, list[str]] = {}
        if not ARROW_TYPES:
            arrow_types()
        self._execute(f"CALL var_length_extend_max_depth={VAR_LENGTH_MAX_DEPTH}")

    # ------------------------------------------------------------------ plumbing

    def _connect(self) -> Any:
        conn = self._ladybug.Connection(self._db)
        conn.execute(f"CALL var_length_extend_max_depth={VAR_LENGTH_MAX_DEPTH}")
        return conn

    @contextmanager
    def _reader(self) -> Iterator[Any]:
        """A read connection for this call: the writer's own inside this thread's write transaction
        (its reads must see what it wrote), else an idle reader, made when none is."""
        if self._writer == threading.get_ident():
            yield self._conn
            return
        with self._read_slots:
            with self._idle_lock:
                conn = self._idle.pop() if self._idle else None
            if conn is None:
                conn = self._connect()
                with self._idle_lock:
                    self._readers.append(conn)
            try:
                yield conn
            finally:
                with self._idle_lock:
                    self._idle.append(conn)

    def _execute(
        self,
        query: str,
        params: Mapping[str, Any] | None = None,
        *,
        timeout_s: float | None = None,
        conn: Any = None,
    ) -> Any:
        """Run one statement (on the writer unless `conn` names a reader); `timeout_s` names the time
        limit the caller set, for its error."""
        try:
            return (conn or self._conn).execute(query, dict(params) if params else {})
        except (ValueError, TypeError) as exc:  # a parameter value the engine's binding cannot convert
            log.info("parameter conversion failed: %s", exc)
            raise QueryFailed(
                "the embedded engine could not take a parameter value",
                hint="parameters are JSON values; a list holds values of one type",
            ) from None
        except RuntimeError as exc:
            msg = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            if msg == "Interrupted.":
                raise QueryTimeout(
                    f"the query ran past its time limit of {timeout_s or 0:g} s",
                    hint="narrow the MATCH, add a LIMIT, or raise CURAGRAPH_QUERY_TIMEOUT_S",
                ) from exc
            if "read-only transaction" in msg:
                raise QueryRefused("the engine refused a write on the read-only path", hint=msg) from exc
            if "buffer pool is full" in msg.lower() or "Unable to allocate memory" in msg:
                durable = "committed data is kept; " if "committed successfully" in msg else ""
                raise StoreError(
                    f"the embedded engine ran out of its {self.buffer_pool_mb} MiB buffer pool",
                    hint=f"{durable}raise CURAGRAPH_BUFFER_POOL_MB (checkpointing a larger catalog needs more) "
                    "or lower CURAGRAPH_BATCH_SIZE, then run the same command again",
                ) from exc
            raise QueryFailed(f"the embedded engine rejected the query: {msg}") from exc

    def rows(self, query: str, params: Mapping[str, Any] | None = None) -> list[list[Any]]:
        with self._reader() as conn:
            result = self._execute(query, params, conn=conn)
            return [list(r) for r in result.get_all()]

    def _rows_on_writer(self, query: str, params: Mapping[str, Any] | None = None) -> list[list[Any]]:
        """Reads of the write path and the schema: on the writer, inside its transaction."""
        return [list(r) for r in self._execute(query, params).get_all()]

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        if self._in_tx and self._writer == threading.get_ident():  # nested use joins it
            yield
            return
        with self._write_lock:
            self._execute("BEGIN TRANSACTION")
            self._in_tx, self._writer = True, threading.get_ident()
            self._created = {}
            try:
                yield
            except BaseException:
                self._in_tx, self._writer = False, None
                self._created = {}
                with suppress(RuntimeError):  # the engine may have aborted it already
                    self._conn.execute("ROLLBACK")
                raise
            self._in_tx, self._writer = False, None
            self._created = {}
            self._execute("COMMIT")

    # ------------------------------------------------------------------ schema

    def _existing_tables(self) -> dict[str, str]:
        return {row[1]: row[2] for row in self._rows_on_writer("CALL show_tables() RETURN *")}

    def ddl(self) -> list[str]:
        """The DDL the ontology implies, in creation order."""
        statements = []
        for lab in sorted(self.schema.labels.values(), key=lambda x: x.name):
            cols = [f"{Q.quote(KEY_PROPERTY)} STRING PRIMARY KEY"]
            cols += [
                f"{Q.quote(p.name)} {p.type}"
                for p in sorted(lab.properties.values(), key=lambda p: p.name)
                if p.name != KEY_PROPERTY
            ]
            statements.append(f"CREATE NODE TABLE IF NOT EXISTS {Q.quote(lab.name)}({', '.join(cols)})")
        for rel in sorted(self.schema.relationships.values(), key=lambda x: x.name):
            parts = [f"FROM {Q.quote(a)} TO {Q.quote(b)}" for a, b in sorted(rel.pairs)]
            parts += [
                f"{Q.quote(p.name)} {p.type}" for p in sorted(rel.properties.values(), key=lambda p: p.name)
            ]
            statements.append(f"CREATE REL TABLE IF NOT EXISTS {Q.quote(rel.name)}({', '.join(parts)})")
        return statements

    def ensure_schema(self) -> None:
        with self._write_lock:
            tables = self._existing_tables()
            for statement in self.ddl():
                self._execute(statement)
            # properties the ontology gained since the catalog was created
            for name, specs in [(n, lab.properties) for n, lab in self.schema.labels.items()] + [
                (n, rel.properties) for n, rel in self.schema.relationships.items()
            ]:
                if name not in tables:
                    continue
                have = {row[1] for row in self._rows_on_writer(f"CALL table_info('{name}') RETURN *")}
                for prop in sorted(set(specs) - have):
                    self._execute(f"ALTER TABLE {Q.quote(name)} ADD {Q.quote(prop)} {specs[prop].type}")
            self._column_cache.clear()
            self.write(seed_batch(self.schema))

    # ------------------------------------------------------------------ writes

    def _existing(self, label: str, ids: Sequence[str]) -> set[str]:
        return coverage_key.existing_ids(self.rows, self.schema, label, ids, PROBE)

    def write(self, batch: WriteBatch) -> WriteResult:
        validate_batch(self.schema, batch)
        keyed = coverage_key.touched(batch)
        if keyed:
            batch = coverage_key.with_keys_for_new(batch, keyed)
        result = WriteResult()
        with self._transaction():
            for nd in batch.node_deletions:
                query = Q.DELETE_NODES.format(label=Q.label(self.schema, nd.label)).text
                for part in chunks(nd.ids, _CHUNK):
                    self._execute(query, {"ids": part})
            for deletion in batch.deletions:
                for part in chunks(deletion.src_ids, _CHUNK):
                    self._execute(Q.delete_rels(self.schema, deletion), Q.delete_params(deletion, part))
            for group in batch.nodes:
                made = self._upsert_nodes(group)
                result.nodes_created[group.label] = result.nodes_created.get(group.label, 0) + made
            for rgroup in batch.relationships:
                made = self._upsert_rels(rgroup)
                kind = rgroup.rel_type
                result.relationships_created[kind] = result.relationships_created.get(kind, 0) + made
            if keyed:  # examples created here got their keys with the row; the others from their edges
                fresh = self._created.get("Example", set())
                stale = {prop: [i for i in ids if i not in fresh] for prop, ids in keyed.items()}
                fix = coverage_key.keys_after(self.rows, coverage_key.summary_key_queries(self.schema), stale)
                if fix:
                    self._upsert_nodes(fix)
        return result

    def _columns(self, table: str) -> list[str]:
        """The table's columns in the engine's order (COPY maps columns by position)."""
        cols = self._column_cache.get(table)
        if cols is None:
            cols = [row[1] for row in self._rows_on_writer(f"CALL table_info('{table}') RETURN *")]
            self._column_cache[table] = cols
        return cols

    def _copy(
        self, statement: str, columns: list[tuple[str, str]], rows: Sequence[Mapping[str, Any]]
    ) -> None:
        """Bulk-load rows through an Arrow table: ~300k rows/s against ~10k/s for UNWIND ... CREATE."""
        import pyarrow as pa

        arrays = [pa.array([r.get(name) for r in rows], type=ARROW_TYPES[kind]) for name, kind in columns]
        table = pa.Table.from_arrays(arrays, names=[name for name, _ in columns])
        self._execute(statement, {"rows": table})

    def _upsert_nodes(self, group: NodeGroup) -> int:
        if not group.rows:
            return 0
        by_id = merge_rows([r[KEY_PROPERTY] for r in group.rows], group.rows)
        # checked in the write transaction, so COPY only ever sees new keys: a COPY that fails on a
        # duplicate key corrupts the engine's memory (LadybugDB 0.22; see docs/architecture.md)
        existing = self._existing(group.label, list(by_id))
        lab = Q.label(self.schema, group.label)
        new = [r for i, r in by_id.items() if i not in existing]
        if len(new) >= _COPY_MIN_ROWS:
            props = self.schema.labels[group.label].properties
            columns = [(c, props[c].type) for c in self._columns(group.label)]
            self._copy(Q.COPY_ROWS_EMBEDDED.format(table=lab, options="").text, columns, new)
        elif new:
            for present, rows in by_present_keys(new):
                create = Q.CREATE_NODES.format(label=lab, props=Q.map_literal("r", present)).text
                self._execute(create, {"rows": rows})
        self._created.setdefault(group.label, set()).update(r[KEY_PROPERTY] for r in new)
        # an upsert sets the properties a row carries; it never blanks the others
        old = [r for i, r in by_id.items() if i in existing] if group.update_existing else []
        for present, rows in by_present_keys(old):
            set_keys = [k for k in present if k != KEY_PROPERTY]
            if not set_keys:
                continue
            update = Q.UPDATE_NODES.format(label=lab, assignments=Q.assignments("n", "r", set_keys)).text
            for part in chunks(rows, _CHUNK):
                self._execute(update, {"rows": part})
        return len(new)

    def _upsert_rels(self, group: RelGroup) -> int:
        if not group.rows:
            return 0
        ident = ("src", "dst", *group.key)
        if group.key:
            idents: list[tuple[Any, ...]] = [tuple(r.get(k) for k in ident) for r in group.rows]
        else:
            idents = [(r["src"], r["dst"]) for r in group.rows]
        unique = merge_rows(idents, group.rows)
        rows = list(unique.values())
        names = {
            "from_label": Q.label(self.schema, group.from_label),
            "to_label": Q.label(self.schema, group.to_label),
            "rel": Q.rel_type(self.schema, group.rel_type),
        }
        # an edge touching a node created in this transaction cannot exist yet
        fresh_src = self._created.get(group.from_label, set())
        fresh_dst = self._created.get(group.to_label, set())
        maybe_old = (
            [r for r in rows if r["src"] not in fresh_src and r["dst"] not in fresh_dst] if rows else []
        )
        key_filter = f"WHERE {Q.key_match('x', 'r', group.key)} " if group.key else ""
        existing: set[tuple[Any, ...]] = set()
        if maybe_old:
            key_cols = "".join(f", r.{Q.quote(k)} AS {Q.quote(k)}" for k in group.key)
            find = Q.EXISTING_RELS.format(key_filter=key_filter, key_cols=key_cols, **names).text
            probe = [{k: r.get(k) for k in ident} for r in maybe_old]
            for chunk in chunks(probe, _CHUNK):
                existing.update(tuple(r) for r in self._rows_on_writer(find, {"rows": chunk}))
        new = [r for i, r in unique.items() if i not in existing] if existing else rows
        # endpoints not created in this transaction must exist before a COPY, which must not fail
        stale_src = {r["src"] for r in new if r["src"] not in fresh_src}
        stale_dst = {r["dst"] for r in new if r["dst"] not in fresh_dst}
        if (stale_src and len(self._existing(group.from_label, sorted(stale_src))) < len(stale_src)) or (
            stale_dst and len(self._existing(group.to_label, sorted(stale_dst))) < len(stale_dst)
        ):
            self._raise_missing_endpoints(group, new)
        if len(new) >= _COPY_MIN_ROWS:
            props = self.schema.relationships[group.rel_type].properties
            columns = [("src", "STRING"), ("dst", "STRING")]
            columns += [(c, props[c].type) for c in self._columns(group.rel_type) if c in props]
            options = f" (from='{group.from_label}', to='{group.to_label}')"
            self._copy(Q.COPY_ROWS_EMBEDDED.format(table=names["rel"], options=options).text, columns, new)
        elif new:
            for present, part in by_present_keys(new, always=("src", "dst", *group.key)):
                given = [k for k in present if k not in ("src", "dst")]
                create = Q.CREATE_RELS.format(props=Q.map_literal("r", given), **names).text
                made = self._rows_on_writer(create, {"rows": part})[0][0]
                if made != len(part):
                    self._raise_missing_endpoints(group, part)
        old = [r for i, r in unique.items() if i in existing] if existing and group.update_existing else []
        for present, part in by_present_keys(old, always=("src", "dst", *group.key)):
            set_keys = [k for k in present if k not in ident]
            if not set_keys:
                continue
            update = Q.UPDATE_RELS.format(
                key_filter=key_filter, assignments=Q.assignments("x", "r", set_keys), **names
            ).text
            for chunk in chunks(part, _CHUNK):
                self._execute(update, {"rows": chunk})
        return len(new)

    def _raise_missing_endpoints(self, group: RelGroup, rows: Sequence[Mapping[str, Any]]) -> None:
        srcs = self._existing(group.from_label, [r["src"] for r in rows])
        dsts = self._existing(group.to_label, [r["dst"] for r in rows])
        missing = [f":{group.from_label} {r['src']!r}" for r in rows if r["src"] not in srcs]
        missing += [f":{group.to_label} {r['dst']!r}" for r in rows if r["dst"] not in dsts]
        raise StoreError(
            f"cannot create [:{group.rel_type}] edges: endpoint nodes do not exist: {', '.join(sorted(set(missing))[:5])}",
            hint="write the nodes before the relationships that connect them",
        )

    # ------------------------------------------------------------------ reads

    def read_only(
        self, statement: str, params: Mapping[str, Any], *, row_cap: int, timeout_s: float, byte_cap: int
    ) -> CypherResult:
        """Run inside a READ ONLY transaction on a reader: the engine itself refuses any write."""
        if self._writer == threading.get_ident():
            raise StoreError("read-only queries cannot run inside an open write transaction")
        with self._reader() as conn:
            self._execute("BEGIN TRANSACTION READ ONLY", conn=conn)
            conn.set_query_timeout(max(1, int(timeout_s * 1000)))
            try:
                return self._read_answer(conn, statement, params, row_cap, timeout_s, byte_cap)
            finally:
                conn.set_query_timeout(0)
                with suppress(RuntimeError):  # a failed statement has already ended the transaction
                    conn.execute("ROLLBACK")

    def _read_answer(
        self,
        conn: Any,
        statement: str,
        params: Mapping[str, Any],
        row_cap: int,
        timeout_s: float,
        byte_cap: int,
    ) -> CypherResult:
        result = self._execute(statement, params, timeout_s=timeout_s, conn=conn)
        if isinstance(result, list):  # several statements slipped through
            raise QueryRefused("only one statement may run at a time")
        columns = list(result.get_column_names())
        rows: list[list[Any]] = []
        truncated = False
        budget = ResultBudget(row_cap, byte_cap)
        sizes = arrow_row_sizes(result, row_cap)
        while result.has_next():
            if budget.rows == row_cap:
                truncated = True
                break
            if sizes is not None and sizes[budget.rows] > byte_cap:
                # a row larger than the whole cap is never turned into Python values (a
                # 15M-element list would take gigabytes as Python ints): the answer stops here
                truncated = True
                break
            row = [plain(v) for v in result.get_next()]
            if not budget.fits(row):
                truncated = True
                break
            rows.append(row)
        return CypherResult(columns=columns, rows=rows, truncated=truncated)

    def ping(self) -> None:
        with self._ping_lock:
            try:
                self._ping_conn.execute("RETURN 1")
            except RuntimeError as exc:
                raise StoreUnavailable(f"the embedded engine does not answer: {exc}") from None

    def flush(self) -> None:
        """Checkpoint: fold the write-ahead log (small UNWIND writes) into the database file. The
        engine waits for the reads in flight to finish first."""
        with self._write_lock:
            if not self._in_tx:
                self._execute("CHECKPOINT")

    def close(self) -> None:
        with suppress(StoreError):
            self.flush()
        try:
            with self._idle_lock:
                for conn in self._readers:
                    conn.close()
                self._readers, self._idle = [], []
            self._ping_conn.close()
            self._conn.close()
        finally:
            self._db.close()


class EmbeddedStore(CatalogStore):
    """The catalog store over an embedded LadybugDB engine."""

    engine: EmbeddedEngine

    def __init__(
        self,
        path: Path | str,
        *,
        schema: Schema,
        query_timeout_s: float = 30.0,
        row_cap: int = 1000,
        read_only: bool = False,
        buffer_pool_mb: int = 4096,
        byte_cap: int = 4 * 1024 * 1024,
        read_connections: int = 4,
    ) -> None:
        engine = EmbeddedEngine(
            path,
            schema=schema,
            read_only=read_only,
            buffer_pool_mb=buffer_pool_mb,
            read_connections=read_connections,
        )
        super().__init__(engine, row_cap=row_cap, query_timeout_s=query_timeout_s, byte_cap=byte_cap)
        self.path = engine.path
