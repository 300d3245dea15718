"""Catalog queries both engines answer with the same Cypher; an engine supplies `_rows` and `write`.

The queries are grouped by role: provenance, quality and coverage each in their own module, joined
here into `CatalogQueries`, which both engines extend."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from catalog.model import CatalogStats, CypherResult, DatasetOverview, NodeRecord
from catalog.schema import Schema
from catalog.store import cypher as Q
from catalog.store.base import NodeGroup, RelGroup, WriteBatch
from catalog.store.queries_base import PROBE, QueryBase
from catalog.store.queries_browse import BrowseQueries
from catalog.store.queries_coverage import CoverageQueries
from catalog.store.queries_provenance import ProvenanceQueries
from catalog.store.queries_quality import QualityQueries
from catalog.store.readonly import check_read_only
from catalog.store.values import check_params, chunks, node_record

log = logging.getLogger(__name__)

__all__ = ["PROBE", "CatalogQueries"]


class CatalogQueries(ProvenanceQueries, QualityQueries, CoverageQueries, BrowseQueries, QueryBase):
    schema: Schema
    row_cap: int
    query_timeout_s: float
    #: most bytes of rows (as JSON) a read-only query returns (Settings.result_max_bytes)
    byte_cap: int = 4 * 1024 * 1024

    def _run_read_only(
        self, statement: str, params: Mapping[str, Any], row_cap: int, timeout_s: float, byte_cap: int
    ) -> CypherResult:
        """Run one statement so that the engine itself refuses a write (the second gate)."""
        raise NotImplementedError

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
        return self._run_read_only(
            statement,
            params or {},
            row_cap or self.row_cap,
            timeout_s or self.query_timeout_s,
            byte_cap or self.byte_cap,
        )

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
        query = Q.EXISTING_IDS.format(label=Q.label(self.schema, label))
        found: set[str] = set()
        ids = list(ids)
        for part in chunks(ids, PROBE):
            found.update(r[0] for r in self._rows(query, {"ids": part}))
        return found

    def get_node(self, *, label: str, node_id: str) -> NodeRecord | None:
        rows = self._rows(Q.GET_NODE.format(label=Q.label(self.schema, label)), {"id": node_id})
        return node_record(rows[0][0]) if rows else None

    def stats(self) -> CatalogStats:
        nodes = {name: self.count_nodes(label=name) for name in sorted(self.schema.labels)}
        rels = {
            name: int(self._rows(Q.COUNT_RELS.format(rel=Q.rel_type(self.schema, name)))[0][0])
            for name in sorted(self.schema.relationships)
        }
        return CatalogStats(nodes=nodes, relationships=rels)

    def examples_by_record_key(self, *, dataset: str, keys: Sequence[str]) -> dict[str, list[str]]:
        """Per record key: the ids of the dataset's examples read from records with that key."""
        out: dict[str, list[str]] = {}
        for key, ident in self._rows(Q.EXAMPLES_BY_RECORD_KEY, {"dataset": dataset, "keys": list(keys)}):
            out.setdefault(key, []).append(ident)
        return {k: sorted(v) for k, v in out.items()}

    # ------------------------------------------------------------ whole nodes and edges

    def nodes(self, *, label: str, ids: Sequence[str] | None = None) -> list[dict[str, Any]]:
        """Every node of the label (or those with the given ids) as its set properties, by id."""
        lab = Q.label(self.schema, label)
        if ids is None:
            rows = self._rows(Q.NODES_ALL.format(label=lab))
        else:
            rows = self._rows_for(Q.NODES_BY_ID.format(label=lab), ids)
        return [{k: v for k, v in node_record(r[0]).properties.items() if v is not None} for r in rows]

    def edges(
        self, *, rel_type: str, from_label: str, to_label: str, src_ids: Sequence[str] | None = None
    ) -> list[dict[str, Any]]:
        """Every `rel_type` edge between the labels (or leaving the given nodes) as {src, dst, **props}."""
        spec = self.schema.check_endpoints(rel_type, from_label, to_label)
        keys = sorted(spec.properties)
        query = (Q.EDGES_ALL if src_ids is None else Q.EDGES_FROM).format(
            from_label=Q.label(self.schema, from_label),
            to_label=Q.label(self.schema, to_label),
            rel=Q.rel_type(self.schema, rel_type),
            props="".join(f", x.{Q.quote(k)}" for k in keys),
        )
        rows = self._rows(query) if src_ids is None else self._rows_for(query, src_ids)
        out = []
        for src, dst, *values in rows:
            edge = {"src": src, "dst": dst}
            edge.update({k: v for k, v in zip(keys, values, strict=True) if v is not None})
            out.append(edge)
        out.sort(key=lambda e: (e["src"], e["dst"], repr(sorted(e.items()))))
        return out

    def dataset_overview(self) -> list[DatasetOverview]:
        counts = {row[0]: int(row[1]) for row in self._rows(Q.DATASET_EXAMPLES)}
        licenses: dict[str, list[str]] = {}
        for ds, lic, _claimant in self._rows(Q.DATASET_LICENSES):
            licenses.setdefault(ds, []).append(lic)
        models: dict[str, list[str]] = {}
        for ds, model in self._rows(Q.DATASET_MODELS):
            models.setdefault(ds, []).append(model)
        return [
            DatasetOverview(
                dataset=ds, examples=n, licenses=sorted(set(licenses.get(ds, []))), models=models.get(ds, [])
            )
            for ds, n in sorted(counts.items())
        ]
