"""Provenance queries (lineage, origins, license inputs, the synthetic-data audit), shared by both
engines. Each returns its facts as typed rows (catalog/store/cypher/provenance.py) gathered in a
dataclass that the domain (catalog/provenance/) reads by name."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from catalog import census as K
from catalog.store import cypher as Q
from catalog.store.cypher.provenance import (
    DatasetGeneratorRow,
    DatasetLanguagesRow,
    DatasetModelClaimRow,
    DatasetRow,
    DerivationLanguagesRow,
    EdgePairRow,
    ExampleDatasetRow,
    ExampleLanguagesRow,
    ExampleModelRow,
    ExampleOriginsRow,
    ExampleSourceRow,
    ModelBaseRow,
    ModelDatasetRow,
    OriginGroupRow,
    ParentRow,
    SourceDatasetRow,
    SyntheticSignatureRow,
)
from catalog.store.queries_base import QueryBase

log = logging.getLogger(__name__)

#: the labels whose nodes carry license claims
CLAIM_HOLDERS = ("Dataset", "Source", "Model")


class LabelledClaim(NamedTuple):
    """A license claim with the label of the node that holds it."""

    label: str
    holder: str
    license: str
    claimed_by: str | None
    evidence: str | None


@dataclass
class LicenseInputs:
    """What every license verdict needs besides the examples: dataset lineage, which dataset each
    source file belongs to, every claim, and who claims which model generated a dataset."""

    dataset_edges: list[EdgePairRow]
    source_datasets: list[SourceDatasetRow]
    claims: list[LabelledClaim]
    dataset_models: list[DatasetModelClaimRow] = field(default_factory=list)


@dataclass
class LineageFacts:
    """One example's lineage, raw: the example and its ancestors, and every edge that ties them to
    datasets (and their ancestors), source files, generating models and license claims."""

    examples: list[str]
    example_parents: list[ParentRow]
    datasets: list[ExampleDatasetRow]
    sources: list[ExampleSourceRow]
    models: list[ExampleModelRow]
    dataset_parents: list[ParentRow]
    dataset_models: list[DatasetModelClaimRow]
    claims: list[LabelledClaim]
    annotations: list[ExampleModelRow] = field(default_factory=list)  # the models that labelled it


@dataclass
class OriginFacts:
    """The whole catalog's license inputs: origin groups of underived examples (counted), derived
    examples one by one with their own origins, and the DERIVED_FROM edges among examples."""

    groups: list[OriginGroupRow]
    derived: list[ExampleOriginsRow]
    derived_edges: list[EdgePairRow]
    inputs: LicenseInputs


@dataclass
class ExampleOriginFacts:
    """Every example's own origins and the derived edges: per-example license verdicts."""

    examples: list[ExampleOriginsRow]
    derived_edges: list[EdgePairRow]
    inputs: LicenseInputs


@dataclass
class SyntheticFacts:
    """The synthetic-data audit's inputs (catalog/provenance/synthetic.py)."""

    signatures: list[SyntheticSignatureRow]
    synthetic_total: int
    dataset_languages: list[DatasetLanguagesRow]
    derivations: list[DerivationLanguagesRow]
    trained_on: list[ModelDatasetRow]
    model_bases: list[ModelBaseRow]
    dataset_generators: list[DatasetGeneratorRow]
    dataset_edges: list[EdgePairRow]


def _origins(ident: str, key: str | None, models_of: Mapping[str, list[str]]) -> ExampleOriginsRow:
    """An example's direct origins from its origin key (activities resolved to their models)."""
    datasets, sources, activities = K.parse_key(key) if key else ((), (), ())
    models = sorted({m for a in activities for m in models_of.get(a, [])})
    return ExampleOriginsRow(ident, list(datasets), list(sources), models)


class ProvenanceQueries(QueryBase):
    def lineage_rows(self, *, example_id: str) -> LineageFacts:
        """The raw facts of one example's lineage."""
        ancestors = sorted(
            {r.id for r in self._fetch(Q.EXAMPLE_ANCESTORS, {"id": example_id})} - {example_id}
        )
        ids = [example_id, *ancestors]
        one = {"id": example_id}
        datasets = self._fetch(Q.LINEAGE_DATASETS, one)
        sources = self._fetch(Q.LINEAGE_SOURCES, one)
        models = self._fetch(Q.LINEAGE_MODELS, one)
        direct = sorted({r.dataset for r in datasets} | {r.dataset for r in sources})
        all_datasets = sorted(set(direct) | {r.id for r in self._fetch(Q.DATASET_ANCESTORS, {"ids": direct})})
        holders = {
            "Dataset": all_datasets,
            "Source": sorted({r.source for r in sources}),
            "Model": sorted({r.model for r in models}),
        }
        claims = [
            LabelledClaim(label, *row)
            for label, hold in holders.items()
            for row in self._fetch(Q.LICENSE_CLAIMS.format(label=Q.label(self.schema, label)), {"ids": hold})
        ]
        return LineageFacts(
            examples=ids,
            example_parents=sorted(self._parent_edges(ids), key=repr),
            datasets=sorted(datasets, key=repr),
            sources=sorted(sources, key=repr),
            models=sorted(models, key=repr),
            dataset_parents=sorted(self._fetch(Q.LINEAGE_DATASET_PARENTS, {"ids": all_datasets}), key=repr),
            dataset_models=sorted(self._fetch(Q.LINEAGE_DATASET_MODELS, {"ids": all_datasets}), key=repr),
            claims=sorted(claims, key=repr),
            annotations=sorted(self._fetch(Q.LINEAGE_ANNOTATIONS, one), key=repr),
        )

    def _license_inputs(self, *, dataset_models: bool) -> LicenseInputs:
        return LicenseInputs(
            dataset_edges=self._fetch(Q.ALL_DATASET_EDGES),
            source_datasets=self._fetch(Q.SOURCE_DATASETS),
            claims=[
                LabelledClaim(label, *row)
                for label in CLAIM_HOLDERS
                for row in self._fetch(Q.ALL_CLAIMS.format(label=Q.label(self.schema, label)))
            ],
            dataset_models=self._fetch(Q.DATASET_MODEL_CLAIMS) if dataset_models else [],
        )

    def origin_rows(self) -> OriginFacts:
        """The whole catalog's license inputs. From the origin keys (one group-by) when every example
        has one, else from the edges."""
        inputs = self._license_inputs(dataset_models=True)
        groups = self._fetch(Q.ORIGIN_KEY_GROUPS)
        if sum(int(g.examples) for g in groups) == self.count_nodes(label="Example"):
            models_of = self._activity_models()
            derived_rows = self._fetch(Q.DERIVED_ORIGIN_KEYS)
            own: dict[str, Any] = {}
            for d in derived_rows:
                own[d.child] = d.child_key
                own.setdefault(d.parent, d.parent_key)
            counts = {g.origin_key: int(g.examples) for g in groups}
            for child in {d.child for d in derived_rows}:  # counted one by one, with what they inherit
                counts[own[child]] -= 1
            keyed = []
            for key, n in sorted(counts.items()):
                if n:
                    o = _origins("", key, models_of)
                    keyed.append(OriginGroupRow(o.datasets, o.sources, o.models, n))
            return OriginFacts(
                groups=keyed,
                derived=[_origins(i, k, models_of) for i, k in sorted(own.items())],
                derived_edges=[EdgePairRow(d.child, d.parent) for d in derived_rows],
                inputs=inputs,
            )
        derived = self._fetch(Q.DERIVED_ORIGINS)
        edges = self._fetch(Q.DERIVED_EDGES)
        roots = sorted({e.parent for e in edges} - {r.id for r in derived})
        return OriginFacts(
            groups=self._fetch(Q.EXAMPLE_ORIGINS),
            derived=derived + self._origins_of(roots),
            derived_edges=edges,
            inputs=inputs,
        )

    def _parent_edges(self, ids: Sequence[str]) -> list[ParentRow]:
        """(child, parent, method) of the DERIVED_FROM edges leaving the given examples: one anchored
        query per id on the embedded engine, where an UNWIND probe joins the whole edge table."""
        if self.engine.name == "embedded":
            return [r for i in ids for r in self._fetch(Q.PARENTS_OF_ONE_EMBEDDED, {"id": i})]
        return self._fetch_for(Q.PARENTS_OF, ids)

    def _activity_models(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for r in self._fetch(Q.ACTIVITY_MODELS):
            out.setdefault(r.activity, []).append(r.model)
        return out

    def synthetic_rows(self, *, role: str = "supply") -> SyntheticFacts:
        """The synthetic-data audit's inputs: examples per generator and coverage cell, languages per
        dataset, derivations with both languages, and what models were trained on and tuned from."""
        total = self._fetch(Q.SYNTHETIC_TOTAL, {"role": role})
        return SyntheticFacts(
            signatures=self._fetch(Q.SYNTHETIC_SIGNATURES, {"role": role}),
            synthetic_total=int(total[0].examples) if total else 0,
            dataset_languages=self._fetch(Q.DATASET_LANGUAGES),
            derivations=self._fetch(Q.PARENT_LANGUAGES),
            trained_on=self._fetch(Q.MODEL_TRAINING),
            model_bases=self._fetch(Q.MODEL_BASES),
            dataset_generators=self._fetch(Q.DATASET_GENERATORS),
            dataset_edges=self._fetch(Q.ALL_DATASET_EDGES),
        )

    def dataset_examples_by_language(
        self, *, dataset: str, language: str, limit: int = 500
    ) -> list[ExampleLanguagesRow]:
        """The dataset's examples whose main language is `language`, with their message languages."""
        return self._fetch(
            Q.DATASET_EXAMPLES_BY_LANGUAGE, {"dataset": dataset, "language": language, "limit": limit}
        )

    def example_origin_rows(self) -> ExampleOriginFacts:
        """Every example's own origins, the derived edges, dataset lineage and all claims: what
        per-example license verdicts need."""
        models_of = self._activity_models()
        keyed = self._fetch(Q.EXAMPLE_ORIGIN_KEYS)
        examples = [_origins(r.id, r.origin_key, models_of) for r in keyed if r.origin_key is not None]
        examples += self._origins_of(sorted(r.id for r in keyed if r.origin_key is None))
        return ExampleOriginFacts(
            examples=examples,
            derived_edges=self._fetch(Q.DERIVED_EDGES),
            inputs=self._license_inputs(dataset_models=False),
        )

    def _origins_of(self, ids: Sequence[str]) -> list[ExampleOriginsRow]:
        """The direct origins of each given example, from its edges."""
        out: dict[str, ExampleOriginsRow] = {i: ExampleOriginsRow(i, [], [], []) for i in ids}
        for query, slot in ((Q.DATASETS_OF, "datasets"), (Q.SOURCES_OF, "sources"), (Q.MODELS_OF, "models")):
            for r in self._fetch_for(query, list(ids)):
                getattr(out[r.id], slot).append(r.target)
        return list(out.values())

    def license_terms(self) -> dict[str, dict[str, Any]]:
        """Every License node's conditions: the ontology's licenses and any an import added."""
        return {
            r.id: {k: v for k, v in r._asdict().items() if k != "id"} for r in self._fetch(Q.LICENSE_TERMS)
        }

    def catalog_datasets(self) -> list[DatasetRow]:
        """(id, name, origin URL, manifest JSON) of every dataset."""
        return self._fetch(Q.CATALOG_DATASETS)
