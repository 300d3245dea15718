"""Catalog queries both engines answer with the same Cypher; an engine supplies `_rows` and `write`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from catalog.model import CatalogStats, CypherResult, DatasetOverview, NodeRecord
from catalog.schema import Schema
from catalog.store import coverage_key as K
from catalog.store import cypher as Q
from catalog.store.base import NodeGroup, RelGroup, WriteBatch, WriteResult
from catalog.store.readonly import check_read_only
from catalog.store.values import node_record

#: (role, tasks, formats, language, topics, message languages) of a census row, before its count
CensusRow = tuple[Any, ...]


def census_signatures(
    census: Mapping[str, list[CensusRow]], *, role: str, exclude_duplicates: bool = False
) -> list[tuple[tuple[str, ...], tuple[str, ...], str | None, tuple[str, ...], int]]:
    """Coverage signatures (tasks, formats, language, topics, examples) of one role from a census,
    without the duplicates if asked, and without the census's "excluded" part if it has one."""
    merged: dict[tuple[Any, ...], int] = {}
    parts = [("all", 1), ("duplicates", -1)] if exclude_duplicates else [("all", 1)]
    if "excluded" in census:
        parts.append(("excluded", -1))
    for part, sign in parts:
        for r_role, tasks, formats, language, topics, _langs, n in census[part]:
            if r_role == role:
                sig = (tasks, formats, language, topics)
                merged[sig] = merged.get(sig, 0) + sign * n
    return [(*k, n) for k, n in sorted(merged.items(), key=lambda kv: repr(kv[0])) if n]


def census_language_mix(
    census: Mapping[str, list[CensusRow]], *, role: str
) -> list[tuple[str | None, tuple[str, ...], int]]:
    """(main language, distinct message languages, examples) of one role from a census."""
    merged: dict[tuple[Any, ...], int] = {}
    for r_role, _t, _f, language, _topics, langs, n in census["all"]:
        if r_role == role:
            key = (language, tuple(sorted(set(langs))))
            merged[key] = merged.get(key, 0) + n
    return [(*k, n) for k, n in sorted(merged.items(), key=lambda kv: repr(kv[0]))]


#: ids per existence probe: each probe joins against the whole table on the embedded engine, so
#: fewer and larger is faster (5,000-id probes cost 17 s more than 50,000-id probes at 1M)
PROBE = 100_000


class CatalogQueries:
    schema: Schema

    def _rows(self, query: str, params: Mapping[str, Any] | None = None) -> list[list[Any]]:
        raise NotImplementedError

    def write(self, *, batch: WriteBatch) -> WriteResult:
        raise NotImplementedError

    row_cap: int
    query_timeout_s: float

    def _run_read_only(
        self, statement: str, params: Mapping[str, Any], row_cap: int, timeout_s: float
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
    ) -> CypherResult:
        """The lexical gate first (catalog/store/readonly.py), then the engine's own."""
        statement = check_read_only(query)
        return self._run_read_only(
            statement, params or {}, row_cap or self.row_cap, timeout_s or self.query_timeout_s
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
        for i in range(0, len(ids), PROBE):
            found.update(r[0] for r in self._rows(query, {"ids": ids[i : i + PROBE]}))
        return found

    def get_node(self, *, label: str, node_id: str) -> NodeRecord | None:
        rows = self._rows(Q.GET_NODE.format(label=Q.label(self.schema, label)), {"id": node_id})
        return node_record(rows[0][0]) if rows else None

    def count_nodes(self, *, label: str) -> int:
        return int(self._rows(Q.COUNT_NODES.format(label=Q.label(self.schema, label)))[0][0])

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

    # ------------------------------------------------------------ quality

    def examples_to_check(self, *, tag: str) -> list[str]:
        """Ids of the examples the check `tag` (",name@version,") has not looked at, in order."""
        return [r[0] for r in self._rows(Q.EXAMPLES_TO_CHECK, {"tag": tag})]

    def examples_for_checks(self, *, ids: Sequence[str]) -> list[dict[str, Any]]:
        keys = ("id", "messages", "tools", "has_reasoning", "language", "checked_with", "usage_role")
        return [
            dict(zip(keys, r, strict=True)) for r in self._rows(Q.EXAMPLES_FOR_CHECKS, {"ids": list(ids)})
        ]

    def issues_of(self, *, ids: Sequence[str], checkers: Sequence[str]) -> list[tuple[str, str]]:
        """(example id, issue id) of the given checkers' issues on the examples."""
        rows = self._rows(Q.ISSUES_OF, {"ids": list(ids), "checkers": list(checkers)})
        return [(r[0], r[1]) for r in rows]

    def issue_summary(self) -> list[dict[str, Any]]:
        keys = ("factor", "checker", "checker_version", "kind", "severity", "issues", "examples")
        rows = [dict(zip(keys, r, strict=True)) for r in self._rows(Q.ISSUE_SUMMARY)]
        return sorted(
            rows, key=lambda r: (r["factor"] or "", r["checker"] or "", r["kind"] or "", r["severity"] or "")
        )

    def example_issues(self, *, example_id: str) -> list[dict[str, Any]]:
        keys = ("id", "factor", "checker", "checker_version", "kind", "severity", "message", "span")
        return [dict(zip(keys, r, strict=True)) for r in self._rows(Q.EXAMPLE_ISSUES, {"id": example_id})]

    def examples_with_issues(self, *, severities: Sequence[str]) -> set[str]:
        return {r[0] for r in self._rows(Q.EXAMPLES_WITH_ISSUES, {"severities": list(severities)})}

    # ------------------------------------------------------------ near-duplicates

    def selection_rows(self, *, role: str) -> list[tuple[str, str | None, str | None]]:
        """(id, coverage key, language) of every example of the role."""
        return [(r[0], r[1], r[2]) for r in self._rows(Q.SELECTION_ROWS, {"role": role})]

    def example_ids_of_role(self, *, role: str) -> list[str]:
        return [r[0] for r in self._rows(Q.EXAMPLE_IDS_OF_ROLE, {"role": role})]

    def example_messages(self, *, ids: Sequence[str]) -> list[tuple[str, str | None]]:
        out: list[tuple[str, str | None]] = []
        for i in range(0, len(ids), PROBE):
            out += [(r[0], r[1]) for r in self._rows(Q.EXAMPLE_MESSAGES, {"ids": list(ids[i : i + PROBE])})]
        return out

    def duplicate_edges(self, *, ids: Sequence[str]) -> list[tuple[str, str, float, str]]:
        """(member, representative, score, method) of DUPLICATE_OF edges leaving or reaching the ids."""
        if not ids:
            return []
        rows = self._rows(Q.DUPLICATES_FROM, {"ids": list(ids)}) + self._rows(
            Q.DUPLICATES_TO, {"ids": list(ids)}
        )
        return sorted({(r[0], r[1], float(r[2] or 0.0), str(r[3] or "")) for r in rows})

    def duplicate_members(self) -> list[str]:
        return [r[0] for r in self._rows(Q.DUPLICATE_MEMBERS)]

    def duplicate_clusters(self) -> dict[str, list[tuple[str, float, str]]]:
        """Per representative: its duplicates (member, score, method)."""
        out: dict[str, list[tuple[str, float, str]]] = {}
        for rep, member, score, method in self._rows(Q.DUPLICATE_CLUSTERS):
            out.setdefault(rep, []).append((member, float(score or 0.0), str(method or "")))
        return out

    def dedup_facts(self, *, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        """What choosing a representative weighs: synthetic or not, issue counts, first ingest time."""
        facts: dict[str, dict[str, Any]] = {
            i: {"synthetic": False, "errors": 0, "issues": 0, "ingested_at": None} for i in ids
        }
        for i in range(0, len(ids), PROBE):
            chunk = {"ids": list(ids[i : i + PROBE])}
            for (ident,) in self._rows(Q.SYNTHETIC_AMONG, chunk):
                facts[ident]["synthetic"] = True
            for ident, severity, n in self._rows(Q.ISSUE_COUNTS_AMONG, chunk):
                facts[ident]["issues"] += int(n)
                if severity == "error":
                    facts[ident]["errors"] += int(n)
            for ident, first in self._rows(Q.FIRST_INGESTED_AMONG, chunk):
                facts[ident]["ingested_at"] = first
        return facts

    # ------------------------------------------------------------ whole nodes and edges

    def nodes(self, *, label: str, ids: Sequence[str] | None = None) -> list[dict[str, Any]]:
        """Every node of the label (or those with the given ids) as its set properties, by id."""
        lab = Q.label(self.schema, label)
        if ids is None:
            rows = self._rows(Q.NODES_ALL.format(label=lab))
        else:
            rows = [r for i in range(0, len(ids), PROBE) for r in self._rows(
                Q.NODES_BY_ID.format(label=lab), {"ids": list(ids[i : i + PROBE])}
            )]  # fmt: skip
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
        if src_ids is None:
            rows = self._rows(query)
        else:
            rows = [r for i in range(0, len(src_ids), PROBE) for r in self._rows(
                query, {"ids": list(src_ids[i : i + PROBE])}
            )]  # fmt: skip
        out = []
        for src, dst, *values in rows:
            edge = {"src": src, "dst": dst}
            edge.update({k: v for k, v in zip(keys, values, strict=True) if v is not None})
            out.append(edge)
        out.sort(key=lambda e: (e["src"], e["dst"], repr(sorted(e.items()))))
        return out

    # ------------------------------------------------------------ provenance

    def lineage_rows(self, *, example_id: str) -> dict[str, list[list[Any]]]:
        """The raw facts of one example's lineage: its ancestor examples and every edge that ties
        them to datasets (and their ancestors), source files, generating models and license claims."""
        parents = self._rows(Q.LINEAGE_EXAMPLE_PARENTS, {"id": example_id})
        ids = [
            example_id,
            *sorted({r[1] for r in parents} - {example_id}),
        ]  # every ancestor is someone's parent
        out: dict[str, list[list[Any]]] = {
            "examples": [[i] for i in ids],
            "example_parents": parents,
            "datasets": self._rows(Q.LINEAGE_DATASETS, {"id": example_id}),
            "sources": self._rows(Q.LINEAGE_SOURCES, {"id": example_id}),
            "models": self._rows(Q.LINEAGE_MODELS, {"id": example_id}),
        }
        direct = sorted({r[1] for r in out["datasets"]} | {r[7] for r in out["sources"]})
        all_datasets = sorted(set(direct) | {r[0] for r in self._rows(Q.DATASET_ANCESTORS, {"ids": direct})})
        out["dataset_parents"] = self._rows(Q.LINEAGE_DATASET_PARENTS, {"ids": all_datasets})
        holders = {
            "Dataset": all_datasets,
            "Source": sorted({r[1] for r in out["sources"]}),
            "Model": sorted({r[3] for r in out["models"]}),
        }
        out["dataset_models"] = self._rows(Q.LINEAGE_DATASET_MODELS, {"ids": all_datasets})
        out["claims"] = [
            [label, *row]
            for label, hold in holders.items()
            for row in self._rows(Q.LICENSE_CLAIMS.format(label=Q.label(self.schema, label)), {"ids": hold})
        ]
        return {k: sorted(v, key=repr) for k, v in out.items()}

    def origin_rows(self) -> dict[str, list[list[Any]]]:
        """The whole catalog's license inputs: origin groups of underived examples, derived examples
        one by one with their parent edges, the origins of their roots, dataset lineage, all claims."""
        derived = self._rows(Q.DERIVED_ORIGINS)
        edges = self._rows(Q.DERIVED_EDGES)
        derived_ids = {r[0] for r in derived}
        roots = sorted({p for _, p in edges} - derived_ids)
        return {
            "groups": self._rows(Q.EXAMPLE_ORIGINS),
            "derived": derived + self._rows(Q.ORIGINS_OF, {"ids": roots}),
            "derived_edges": edges,
            "dataset_edges": self._rows(Q.ALL_DATASET_EDGES),
            "source_datasets": self._rows(Q.SOURCE_DATASETS),
            "claims": [
                [label, *row]
                for label in ("Dataset", "Source", "Model")
                for row in self._rows(Q.ALL_CLAIMS.format(label=Q.label(self.schema, label)))
            ],
            "dataset_models": self._rows(Q.DATASET_MODEL_CLAIMS),
        }

    def synthetic_rows(self, *, role: str = "supply") -> dict[str, list[list[Any]]]:
        """The synthetic-data audit's inputs: examples per generator and coverage cell, languages per
        dataset, derivations with both languages, and what models were trained on and tuned from."""
        return {
            "signatures": self._rows(Q.SYNTHETIC_SIGNATURES, {"role": role}),
            "synthetic_total": self._rows(Q.SYNTHETIC_TOTAL, {"role": role}),
            "dataset_languages": self._rows(Q.DATASET_LANGUAGES),
            "derivations": self._rows(Q.PARENT_LANGUAGES),
            "trained_on": self._rows(Q.MODEL_TRAINING),
            "model_bases": self._rows(Q.MODEL_BASES),
            "dataset_generators": self._rows(Q.DATASET_GENERATORS),
            "dataset_edges": self._rows(Q.ALL_DATASET_EDGES),
        }

    def dataset_examples_by_language(
        self, *, dataset: str, language: str, limit: int = 500
    ) -> list[tuple[str, list[str]]]:
        """(id, message languages) of the dataset's examples whose main language is `language`."""
        rows = self._rows(
            Q.DATASET_EXAMPLES_BY_LANGUAGE, {"dataset": dataset, "language": language, "limit": limit}
        )
        return [(r[0], list(r[1] or [])) for r in rows]

    def example_origin_rows(self) -> dict[str, list[list[Any]]]:
        """Every example's own origins (id, datasets, sources, models), the derived edges, dataset
        lineage and all claims: what per-example license verdicts need."""
        return {
            "examples": self._rows(Q.EVERY_EXAMPLE_ORIGINS),
            "derived_edges": self._rows(Q.DERIVED_EDGES),
            "dataset_edges": self._rows(Q.ALL_DATASET_EDGES),
            "source_datasets": self._rows(Q.SOURCE_DATASETS),
            "claims": [
                [label, *row]
                for label in ("Dataset", "Source", "Model")
                for row in self._rows(Q.ALL_CLAIMS.format(label=Q.label(self.schema, label)))
            ],
        }

    def license_terms(self) -> dict[str, dict[str, Any]]:
        """Every License node's conditions: the ontology's licenses and any an import added."""
        keys = ("kind", "commercial_use", "share_alike", "attribution_required", "no_derivatives")
        return {r[0]: dict(zip(keys, r[1:], strict=True)) for r in self._rows(Q.LICENSE_TERMS)}

    def catalog_datasets(self) -> list[tuple[str, str | None, str | None, str | None]]:
        """(id, name, origin URL, manifest JSON) of every dataset."""
        return [(r[0], r[1], r[2], r[3]) for r in self._rows(Q.CATALOG_DATASETS)]

    # ------------------------------------------------------------ classification

    def example_ids(self, *, unclassified_only: bool = False) -> list[str]:
        """Every example id in order, or those without a format yet (never classified)."""
        query = Q.UNCLASSIFIED_EXAMPLE_IDS if unclassified_only else Q.ALL_EXAMPLE_IDS
        return [r[0] for r in self._rows(query)]

    def dataset_example_ids(self, *, dataset: str) -> list[str]:
        return [r[0] for r in self._rows(Q.DATASET_EXAMPLE_IDS, {"dataset": dataset})]

    def examples_for_classification(self, *, ids: Sequence[str]) -> list[dict[str, Any]]:
        keys = ("id", "messages", "tools", "has_tool_calls", "has_reasoning", "n_user_turns")
        return [
            dict(zip(keys, r, strict=True))
            for r in self._rows(Q.EXAMPLES_FOR_CLASSIFICATION, {"ids": list(ids)})
        ]

    def _assignments_query(self, rel_type: str) -> str:
        rel = self.schema.relationship(rel_type)
        (to_label,) = {b for a, b in rel.pairs if a == "Example"}
        return Q.ASSIGNMENTS.format(
            rel=Q.rel_type(self.schema, rel_type), to_label=Q.label(self.schema, to_label)
        )

    def _coverage_key_queries(self) -> list[str]:
        return [self._assignments_query(rel) for rel, _ in K.KEYED]

    def assignments(self, *, rel_type: str, ids: Sequence[str]) -> dict[str, list[tuple[str, str | None]]]:
        """Per example id: the (concept id, method) of its `rel_type` edges (FOR_TASK, ABOUT, HAS_FORMAT)."""
        query = self._assignments_query(rel_type)
        out: dict[str, list[tuple[str, str | None]]] = {}
        for ex, concept, method in self._rows(query, {"ids": list(ids)}):
            out.setdefault(ex, []).append((concept, method))
        return out

    # ------------------------------------------------------------ coverage

    def coverage_census(self) -> dict[str, list[CensusRow]]:
        """Every example as (role, tasks, formats, language, topics, message languages, count), merged:
        "all" of them, and the "duplicates" among them (those with a DUPLICATE_OF edge)."""
        total = self.count_nodes(label="Example")
        out: dict[str, dict[CensusRow, int]] = {"all": {}, "duplicates": {}}
        counted = 0
        for part, query in (("all", Q.COVERAGE_CENSUS), ("duplicates", Q.DUPLICATE_CENSUS)):
            for role, key, language, langs, n in self._rows(query):
                tasks, formats, topics = K.parse_key(key)
                row = (role, tasks, formats, language, topics, tuple(langs or ()))
                out[part][row] = out[part].get(row, 0) + int(n)
                counted += int(n) if part == "all" else 0
        if counted < total:  # some examples are not described by their key: count them from their edges
            for part in ("all", "duplicates"):
                for role, tasks, formats, language, langs, topics, n in self._rows(
                    Q.CENSUS_FROM_EDGES, {"duplicates_only": part == "duplicates"}
                ):
                    row = (
                        role,
                        tuple(sorted(set(tasks))),
                        tuple(sorted(set(formats))),
                        language,
                        tuple(sorted(set(topics))),
                        tuple(langs or ()),
                    )
                    out[part][row] = out[part].get(row, 0) + int(n)
        return {part: [(*row, n) for row, n in sorted(rows.items(), key=repr)] for part, rows in out.items()}

    def census_of(self, *, ids: Sequence[str]) -> list[CensusRow]:
        """The census rows of the given examples (as `coverage_census`, from their keys; an example
        without a key counts as assigned nothing)."""
        out: dict[CensusRow, int] = {}
        for i in range(0, len(ids), PROBE):
            for role, key, language, langs, n in self._rows(Q.CENSUS_OF, {"ids": list(ids[i : i + PROBE])}):
                tasks, formats, topics = K.parse_key(key) if key else ((), (), ())
                row = (role, tasks, formats, language, topics, tuple(langs or ()))
                out[row] = out.get(row, 0) + int(n)
        return [(*row, n) for row, n in sorted(out.items(), key=repr)]

    def coverage_signatures(
        self, *, role: str = "supply", with_duplicates: bool = True
    ) -> list[tuple[tuple[str, ...], tuple[str, ...], str | None, tuple[str, ...], int]]:
        """(tasks, formats, language, topics, examples) for every combination present, merged."""
        return census_signatures(self.coverage_census(), role=role, exclude_duplicates=not with_duplicates)

    def language_mix(self, *, role: str = "supply") -> list[tuple[str | None, tuple[str, ...], int]]:
        """(main language, distinct message languages, examples), merged."""
        return census_language_mix(self.coverage_census(), role=role)

    def coverage_signatures_from_edges(
        self, *, role: str = "supply", with_duplicates: bool = True, unkeyed_only: bool = False
    ) -> list[tuple[tuple[Any, ...], int]]:
        """The same signatures computed from the assignment edges (the truth the keys summarise):
        for examples without a key, and for tests that check the keys against the edges."""
        merged: dict[tuple[Any, ...], int] = {}
        params = {"role": role, "with_duplicates": with_duplicates, "unkeyed_only": unkeyed_only}
        for tasks, formats, language, topics, n in self._rows(Q.COVERAGE_SIGNATURES, params):
            sig = (
                tuple(sorted(set(tasks))),
                tuple(sorted(set(formats))),
                language,
                tuple(sorted(set(topics))),
            )
            merged[sig] = merged.get(sig, 0) + int(n)
        return sorted(merged.items(), key=lambda kv: repr(kv[0]))

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
