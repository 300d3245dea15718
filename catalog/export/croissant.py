"""A selection as a Croissant 1.1 dataset: the examples as JSON Lines beside a `croissant.json`
that describes them (schema.org + Croissant), with PROV-O provenance at three levels:

- dataset: `prov:wasDerivedFrom` every catalog dataset the selection draws on, `prov:wasGeneratedBy`
  the export;
- record set and fields: what each field holds, its type;
- row: the field `derived_from` has `equivalentProperty: prov:wasDerivedFrom`, so each example names
  the raw source file (with line) and the examples it was derived from; `license` and
  `commercial_use` give its effective license over every ancestor.

`mlcroissant` (an optional dependency, `pip install curagraph[croissant]`) validates the result.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import networkx as nx
import orjson

from catalog.errors import CatalogError
from catalog.export.rdf import ID_BASE, node_iri
from catalog.export.subgraph import Subgraph, selection
from catalog.provenance.license import Claim, EffectiveLicense
from catalog.provenance.lineage import effective_license
from catalog.store.base import GraphStore

log = logging.getLogger(__name__)

CROISSANT_1_1 = "http://mlcommons.org/croissant/1.1"
#: the relationships an effective license follows (the lineage's, as `curagraph lineage` computes it)
LINEAGE_RELATIONSHIPS = frozenset(
    {"DERIVED_FROM", "IN_DATASET", "FROM_SOURCE", "GENERATED_BY", "USED_MODEL", "LICENSED_UNDER"}
)
#: the standard Croissant context (as mlcroissant writes it) plus PROV-O and `isArray` (1.1)
CONTEXT: dict[str, Any] = {
    "@language": "en",
    "@vocab": "https://schema.org/",
    "citeAs": "cr:citeAs",
    "column": "cr:column",
    "conformsTo": "dct:conformsTo",
    "cr": "http://mlcommons.org/croissant/",
    "rai": "http://mlcommons.org/croissant/RAI/",
    "data": {"@id": "cr:data", "@type": "@json"},
    "dataType": {"@id": "cr:dataType", "@type": "@vocab"},
    "dct": "http://purl.org/dc/terms/",
    "cg": "https://w3id.org/curagraph#",
    "equivalentProperty": "cr:equivalentProperty",
    "examples": {"@id": "cr:examples", "@type": "@json"},
    "extract": "cr:extract",
    "field": "cr:field",
    "fileProperty": "cr:fileProperty",
    "fileObject": "cr:fileObject",
    "fileSet": "cr:fileSet",
    "format": "cr:format",
    "includes": "cr:includes",
    "isArray": "cr:isArray",
    "isLiveDataset": "cr:isLiveDataset",
    "jsonPath": "cr:jsonPath",
    "key": "cr:key",
    "md5": "cr:md5",
    "parentField": "cr:parentField",
    "path": "cr:path",
    "prov": "http://www.w3.org/ns/prov#",
    "recordSet": "cr:recordSet",
    "references": "cr:references",
    "regex": "cr:regex",
    "repeated": "cr:repeated",
    "replace": "cr:replace",
    "samplingRate": "cr:samplingRate",
    "sc": "https://schema.org/",
    "separator": "cr:separator",
    "source": "cr:source",
    "subField": "cr:subField",
    "transform": "cr:transform",
}
DATA_FILE = "examples.jsonl"


def effective_licenses(store: GraphStore, sub: Subgraph) -> dict[str, EffectiveLicense]:
    """Each selected example's effective license, computed over the subgraph exactly as `lineage` does."""
    g = nx.DiGraph()
    claims: list[Claim] = []
    for e in sub.edges:
        if e.rel_type not in LINEAGE_RELATIONSHIPS:
            continue
        a, b = f"{e.from_label}:{e.src}", f"{e.to_label}:{e.dst}"
        if e.rel_type == "LICENSED_UNDER":
            claims.append(
                Claim(
                    holder=a,
                    license=e.dst,
                    claimed_by=e.properties.get("claimed_by"),
                    evidence=e.properties.get("evidence"),
                )
            )
        g.add_edge(a, b)
    terms = store.license_terms()
    out = {}
    for ident in sub.examples():
        start = f"Example:{ident}"
        g.add_node(start)
        out[ident] = effective_license(g, start, claims, terms)
    return out


def _rows(
    sub: Subgraph, licenses: dict[str, EffectiveLicense], wanted: Sequence[str]
) -> list[dict[str, Any]]:
    by_src: dict[tuple[str, str], list[Any]] = {}
    for e in sub.edges:
        if e.from_label == "Example":
            by_src.setdefault((e.rel_type, e.src), []).append(e)
    sources = sub.nodes.get("Source", {})
    rows = []
    for ident in wanted:
        ex = sub.nodes["Example"][ident]
        derived = [
            f"{node_iri('Source', e.dst)}#line={e.properties.get('line')}"
            for e in by_src.get(("FROM_SOURCE", ident), [])
        ] + [str(node_iri("Example", e.dst)) for e in by_src.get(("DERIVED_FROM", ident), [])]
        lic = licenses[ident]
        rows.append(
            {
                "id": ident,
                "messages": ex.get("messages", "[]"),
                "tools": ex.get("tools") or "",
                "datasets": sorted({e.dst for e in by_src.get(("IN_DATASET", ident), [])}),
                "source_files": sorted(
                    {
                        sources.get(e.dst, {}).get("file_name") or e.dst
                        for e in by_src.get(("FROM_SOURCE", ident), [])
                    }
                ),
                "language": ex.get("language") or "und",
                "license": lic.licenses,
                "commercial_use": lic.commercial_use,
                "derived_from": sorted(derived),
            }
        )
    return rows


def _field(name: str, data_type: str, description: str, **extra: Any) -> dict[str, Any]:
    return {
        "@type": "cr:Field",
        "@id": f"examples/{name}",
        "name": name,
        "description": description,
        "dataType": data_type,
        "source": {"fileObject": {"@id": DATA_FILE}, "extract": {"column": name}},
        **extra,
    }


def write_croissant(
    store: GraphStore, example_ids: Sequence[str], out_dir: Path, *, name: str, description: str | None = None
) -> Path:
    """Write `examples.jsonl` and `croissant.json` for the selection into `out_dir`; return the latter."""
    if not example_ids:
        raise CatalogError(
            "the selection is empty", hint="name examples with --ids or datasets with --dataset"
        )
    sub = selection(store, example_ids)
    licenses = effective_licenses(store, sub)
    wanted = sorted(set(example_ids))
    rows = _rows(sub, licenses, wanted)
    out_dir.mkdir(parents=True, exist_ok=True)
    data = b"".join(orjson.dumps(r) + b"\n" for r in rows)
    (out_dir / DATA_FILE).write_bytes(data)
    datasets = sorted(sub.nodes.get("Dataset", {}))
    used = sorted({lic for r in rows for lic in r["license"]})
    commercial = sum(1 for r in rows if r["commercial_use"])
    doc: dict[str, Any] = {
        "@context": CONTEXT,
        "@type": "sc:Dataset",
        "name": name,
        "description": description
        or f"{len(rows)} fine-tuning examples selected from a curagraph catalog, with per-example provenance.",
        "conformsTo": CROISSANT_1_1,
        "url": f"{ID_BASE}selection/{name}",
        "version": "1.0.0",
        "license": [_license_url(store, lic) for lic in used],
        "creator": {"@type": "sc:Organization", "name": "curagraph export"},
        "citeAs": "Selection exported by curagraph; cite each source dataset: "
        + "; ".join(str(sub.nodes["Dataset"][d].get("origin_url") or d) for d in datasets),
        "datePublished": _today(),
        "usageInfo": f"{commercial} of {len(rows)} examples may be used commercially once every ancestor's license "
        "and model terms count (field commercial_use); the licenses field lists them per example.",
        "prov:wasDerivedFrom": [{"@id": str(node_iri("Dataset", d))} for d in datasets],
        "prov:wasGeneratedBy": {"@type": "prov:Activity", "prov:label": "curagraph export croissant"},
        # the ontology the labels were made against (human version and content hash)
        "cg:ontologyVersion": f"{store.schema.version} ({store.schema.version_hash})",
        "distribution": [
            {
                "@type": "cr:FileObject",
                "@id": DATA_FILE,
                "name": DATA_FILE,
                "description": "One JSON object per example.",
                "contentUrl": DATA_FILE,
                "encodingFormat": "application/jsonlines",
                "sha256": hashlib.sha256(data).hexdigest(),
            }
        ],
        "recordSet": [
            {
                "@type": "cr:RecordSet",
                "@id": "examples",
                "name": "examples",
                "description": "The selected examples, one record each.",
                "key": {"@id": "examples/id"},
                "field": [
                    _field("id", "sc:Text", "The example's content hash in the catalog."),
                    _field(
                        "messages",
                        "sc:Text",
                        "The conversation as a JSON list of {role, content, tool_calls, reasoning}.",
                    ),
                    _field("tools", "sc:Text", "Tool schemas offered to the model, as JSON (empty if none)."),
                    _field(
                        "datasets", "sc:Text", "The catalog datasets the example belongs to.", isArray=True
                    ),
                    _field(
                        "source_files", "sc:Text", "The raw files the example was read from.", isArray=True
                    ),
                    _field("language", "sc:Text", "Main language (ISO 639-1, 'und' if none recognised)."),
                    _field(
                        "license",
                        "sc:Text",
                        "Every license and model terms on the example's ancestors.",
                        isArray=True,
                    ),
                    _field(
                        "commercial_use", "sc:Boolean", "Whether the effective license allows commercial use."
                    ),
                    _field(
                        "derived_from",
                        "sc:URL",
                        "What the example was derived from: its raw source file with the line, and parent examples.",
                        isArray=True,
                        equivalentProperty="prov:wasDerivedFrom",
                    ),
                ],
            }
        ],
    }
    path = out_dir / "croissant.json"
    path.write_bytes(orjson.dumps(doc, option=orjson.OPT_INDENT_2))
    return path


def _license_url(store: GraphStore, spdx: str) -> str:
    node = store.get_node(label="License", node_id=spdx)
    url = node.properties.get("url") if node else None
    return str(url) if url else f"https://spdx.org/licenses/{spdx}.html"


def _today() -> str:
    import datetime as dt

    return dt.date.today().isoformat()


def validate_croissant(path: Path) -> list[str]:
    """mlcroissant's validation: the errors it reports (empty when the file is valid)."""
    try:
        import mlcroissant as mlc
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise CatalogError(
            "validating Croissant needs mlcroissant", hint="pip install 'curagraph[croissant]'"
        ) from exc
    try:
        ds = mlc.Dataset(jsonld=str(path))
    except mlc.ValidationError as exc:
        return [line for line in str(exc).splitlines() if line.strip()]
    return [str(e) for e in ds.metadata.ctx.issues.errors]
