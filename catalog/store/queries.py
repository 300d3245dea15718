"""The catalog store: every catalog query, written once over an engine (catalog/store/engine.py).

The queries are grouped by role: provenance, quality, coverage and browsing each in their own
module, joined here into `CatalogStore`. Each runs a `Query` constant from catalog/store/cypher/
and returns its typed rows or plain values, never an engine's records."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from catalog.model import CatalogStats, CypherResult, DatasetOverview, NodeRecord
from catalog.store import cypher as Q
from catalog.store.batch import NodeGroup, RelGroup, WriteBatch, WriteResult
from catalog.store.engine import Engine
from catalog.store.queries_base import PROBE, QueryBase
from catalog.store.queries_browse import BrowseQueries
from catalog.store.queries_coverage import CoverageQueries
from catalog.store.queries_provenance import ProvenanceQueries
from catalog.store.queries_quality import QualityQueries
from catalog.store.readonly import check_read_only
from catalog.store.values import check_params, edge_properties, node_record

log = logging.getLogger(__name__)

__all__ = ["PROBE", "CatalogStore"]


class CatalogStore(ProvenanceQueries, QualityQueries, CoverageQueries, BrowseQueries, QueryBase):
    """The catalog over one engine. `row_cap`, `query_timeout_s` and `byte_cap` bound a user's
    read-only query (Settings.row_cap, query_timeout_s, result_max_bytes)."""

    def __init__(
        self,
        engine: Engine,
        *,
        row_cap: int = 1000,
        query_timeout_s: float = 30.0,
        byte_cap: int = 4 * 1024 * 1024,
    ) -> None:
        self.engine = engine
        self.row_cap = row_cap
        self.query_timeout_s = query_timeout_s
        self.byte_cap = byte_cap

    @property
    def max_batch_examples(self) -> int | None:
        """The most examples one write transaction should hold on this engine (None: no limit)."""
        return self.engine.max_batch_examples

    # ------------------------------------------------------------ the engine's own

    def ensure_schema(self) -> None:
        """Create what the ontology declares (tables / constraints) and seed concepts and licenses."""
        self.engine.ensure_schema()

    def write(self, *, batch: WriteBatch) -> WriteResult:
        """Upsert the batch in one transaction (all of it lands or none); say what was created."""
        return self.engine.write(batch)

    def ping(self) -> None:
        """Reach the engine without waiting for the catalog's other calls (the server's /health)."""
        self.engine.ping()

    def flush(self) -> None:
        self.engine.flush()

    def close(self) -> None:
        self.engine.close()

    def read_cypher(
        self,
        *,
        query: str,
        params: Mapping[str, Any] | None = None,
        row_cap: int | None = None,
        timeout_s: float | None = None,
        byte_cap: int | None = None,
    ) -> CypherResult:
        """The lexical gate first (catalog/store/readonly.py: writes, escapes, and what the engine
        cannot parse in reasonable time), the parameters checked, then the engine's own gate; the
        answer is cut at the row cap or the byte cap, whichever comes first."""
        statement = check_read_only(query)
        check_params(params or {})
        self._note(statement, params)
        return self.engine.read_only(
            statement,
            params or {},
            row_cap=row_cap or self.row_cap,
            timeout_s=timeout_s or self.query_timeout_s,
            byte_cap=byte_cap or self.byte_cap,
        )

    # ------------------------------------------------------------ nodes and edges

    def upsert_nodes(self, *, label: str, rows: Sequence[Mapping[str, Any]]) -> int:
        self.write(batch=WriteBatch(nodes=[NodeGroup(label, rows)]))
        return len(rows)

    def upsert_relationships(
        self,
        *,
        rel_type: str,
        from_label: str,
        to_label: str,
        rows: Sequence[Mapping[str, Any]],
        key: tuple[str, ...] = (),
    ) -> int:
        self.write(batch=WriteBatch(relationships=[RelGroup(rel_type, from_label, to_label, rows, key)]))
        return len(rows)

    def existing_ids(self, *, label: str, ids: Sequence[str]) -> set[str]:
        """The subset of ids that already exist as nodes of the label."""
        query = Q.EXISTING_IDS.format(label=Q.label(self.schema, label))
        return {r.id for r in self._fetch_for(query, list(ids))}

    def get_node(self, *, label: str, node_id: str) -> NodeRecord | None:
        rows = self._fetch(Q.GET_NODE.format(label=Q.label(self.schema, label)), {"id": node_id})
        return node_record(rows[0].node) if rows else None

    def stats(self) -> CatalogStats:
        """Node count per label and relationship count per type, for every name the ontology declares."""
        nodes = {name: self.count_nodes(label=name) for name in sorted(self.schema.labels)}
        rels = {
            name: int(self._fetch(Q.COUNT_RELS.format(rel=Q.rel_type(self.schema, name)))[0].n)
            for name in sorted(self.schema.relationships)
        }
        return CatalogStats(nodes=nodes, relationships=rels)

    def examples_by_record_key(self, *, dataset: str, keys: Sequence[str]) -> dict[str, list[str]]:
        """Per record key: the ids of the dataset's examples read from records with that key."""
        out: dict[str, list[str]] = {}
        for r in self._fetch(Q.EXAMPLES_BY_RECORD_KEY, {"dataset": dataset, "keys": list(keys)}):
            out.setdefault(r.key, []).append(r.id)
        return {k: sorted(v) for k, v in out.items()}

    def nodes(self, *, label: str, ids: Sequence[str] | None = None) -> list[dict[str, Any]]:
        """Every node of the label (or those with the given ids) as its set properties, by id."""
        lab = Q.label(self.schema, label)
        if ids is None:
            rows = self._fetch(Q.NODES_ALL.format(label=lab))
        else:
            rows = self._fetch_for(Q.NODES_BY_ID.format(label=lab), ids)
        return [{k: v for k, v in node_record(r.node).properties.items() if v is not None} for r in rows]

    def edges(
        self, *, rel_type: str, from_label: str, to_label: str, src_ids: Sequence[str] | None = None
    ) -> list[dict[str, Any]]:
        """Every `rel_type` edge between the labels (or leaving the given nodes) as {src, dst, **props}."""
        spec = self.schema.check_endpoints(rel_type, from_label, to_label)
        query = (Q.EDGES_ALL if src_ids is None else Q.EDGES_FROM).format(
            from_label=Q.label(self.schema, from_label),
            to_label=Q.label(self.schema, to_label),
            rel=Q.rel_type(self.schema, rel_type),
        )
        rows = self._fetch(query) if src_ids is None else self._fetch_for(query, src_ids)
        out = []
        for r in rows:
            edge: dict[str, Any] = {"src": r.src, "dst": r.dst}
            edge.update(edge_properties(r.edge, spec.properties))
            out.append(edge)
        out.sort(key=lambda e: (e["src"], e["dst"], repr(sorted(e.items()))))
        return out

    def dataset_overview(self) -> list[DatasetOverview]:
        """Per dataset: example count, claimed licenses, models behind its examples."""
        counts = {r.dataset: int(r.examples) for r in self._fetch(Q.DATASET_EXAMPLES)}
        licenses: dict[str, list[str]] = {}
        for lic in self._fetch(Q.DATASET_LICENSES):
            licenses.setdefault(lic.dataset, []).append(lic.license)
        models: dict[str, list[str]] = {}
        for m in self._fetch(Q.DATASET_MODELS):
            models.setdefault(m.dataset, []).append(m.model)
        return [
            DatasetOverview(
                dataset=ds, examples=n, licenses=sorted(set(licenses.get(ds, []))), models=models.get(ds, [])
            )
            for ds, n in sorted(counts.items())
        ]
