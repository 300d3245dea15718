"""Provenance queries (lineage, origins, license inputs, the synthetic-data audit), shared by both engines."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from catalog import census as K
from catalog.store import cypher as Q
from catalog.store.queries_base import PROBE, QueryBase
from catalog.store.values import chunks

log = logging.getLogger(__name__)


def _origins(key: str | None, models_of: Mapping[str, list[str]]) -> list[list[str]]:
    """[datasets, sources, models] from an origin key (activities resolved to their models)."""
    datasets, sources, activities = K.parse_key(key) if key else ((), (), ())
    models = sorted({m for a in activities for m in models_of.get(a, [])})
    return [list(datasets), list(sources), models]


#: ids per existence probe: each probe joins against the whole table on the embedded engine, so
#: fewer and larger is faster (5,000-id probes cost 17 s more than 50,000-id probes at 1M)


class ProvenanceQueries(QueryBase):
    # ------------------------------------------------------------ provenance

    def lineage_rows(self, *, example_id: str) -> dict[str, list[list[Any]]]:
        """The raw facts of one example's lineage: its ancestor examples and every edge that ties
        them to datasets (and their ancestors), source files, generating models and license claims."""
        ancestors = sorted({r[0] for r in self._rows(Q.EXAMPLE_ANCESTORS, {"id": example_id})} - {example_id})
        ids = [example_id, *ancestors]
        parents = self._parent_edges(ids)
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
        one by one with their parent edges, the origins of their roots, dataset lineage, all claims.
        From the origin keys (one group-by) when every example has one, else from the edges."""
        common = {
            "dataset_edges": self._rows(Q.ALL_DATASET_EDGES),
            "source_datasets": self._rows(Q.SOURCE_DATASETS),
            "claims": [
                [label, *row]
                for label in ("Dataset", "Source", "Model")
                for row in self._rows(Q.ALL_CLAIMS.format(label=Q.label(self.schema, label)))
            ],
            "dataset_models": self._rows(Q.DATASET_MODEL_CLAIMS),
        }
        groups = self._rows(Q.ORIGIN_KEY_GROUPS)
        if sum(int(n) for _k, n in groups) == self.count_nodes(label="Example"):
            models_of = self._activity_models()
            derived_rows = self._rows(Q.DERIVED_ORIGIN_KEYS)
            own: dict[str, str] = {}
            for child, child_key, parent, parent_key in derived_rows:
                own[child] = child_key
                own.setdefault(parent, parent_key)
            children = {r[0] for r in derived_rows}
            counts = {k: int(n) for k, n in groups}
            for child in children:  # derived examples are counted one by one, with what they inherit
                counts[own[child]] -= 1
            return {
                **common,
                "groups": [[*_origins(k, models_of), n] for k, n in sorted(counts.items()) if n],
                "derived": [[i, *_origins(k, models_of)] for i, k in sorted(own.items())],
                "derived_edges": [[c, p] for c, _ck, p, _pk in derived_rows],
            }
        derived = self._rows(Q.DERIVED_ORIGINS)
        edges = self._rows(Q.DERIVED_EDGES)
        derived_ids = {r[0] for r in derived}
        roots = sorted({p for _, p in edges} - derived_ids)
        return {
            **common,
            "groups": self._rows(Q.EXAMPLE_ORIGINS),
            "derived": derived + self._origins_of(roots),
            "derived_edges": edges,
        }

    def _parent_edges(self, ids: Sequence[str]) -> list[list[Any]]:
        """(child, parent, method) of the DERIVED_FROM edges leaving the given examples."""
        return self._rows_for(Q.PARENTS_OF, ids)

    def _activity_models(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for activity, model in self._rows(Q.ACTIVITY_MODELS):
            out.setdefault(activity, []).append(model)
        return out

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
        models_of = self._activity_models()
        keyed = self._rows(Q.EXAMPLE_ORIGIN_KEYS)
        examples = [[i, *_origins(k, models_of)] for i, k in keyed if k is not None]
        examples += self._origins_of(sorted(i for i, k in keyed if k is None))
        return {
            "examples": examples,
            "derived_edges": self._rows(Q.DERIVED_EDGES),
            "dataset_edges": self._rows(Q.ALL_DATASET_EDGES),
            "source_datasets": self._rows(Q.SOURCE_DATASETS),
            "claims": [
                [label, *row]
                for label in ("Dataset", "Source", "Model")
                for row in self._rows(Q.ALL_CLAIMS.format(label=Q.label(self.schema, label)))
            ],
        }

    def _origins_of(self, ids: Sequence[str]) -> list[list[Any]]:
        """[id, datasets, sources, models] of each given example (its direct origins)."""
        out: dict[str, list[list[str]]] = {i: [[], [], []] for i in ids}
        for slot, query in enumerate((Q.DATASETS_OF, Q.SOURCES_OF, Q.MODELS_OF)):
            for part in chunks(ids, PROBE):
                for ident, target in self._rows(query, {"ids": part}):
                    out[ident][slot].append(target)
        return [[i, *parts] for i, parts in out.items()]

    def license_terms(self) -> dict[str, dict[str, Any]]:
        """Every License node's conditions: the ontology's licenses and any an import added."""
        keys = ("kind", "commercial_use", "share_alike", "attribution_required", "no_derivatives")
        return {r[0]: dict(zip(keys, r[1:], strict=True)) for r in self._rows(Q.LICENSE_TERMS)}

    def catalog_datasets(self) -> list[tuple[str, str | None, str | None, str | None]]:
        """(id, name, origin URL, manifest JSON) of every dataset."""
        return [(r[0], r[1], r[2], r[3]) for r in self._rows(Q.CATALOG_DATASETS)]
