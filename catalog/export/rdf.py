"""The catalog (or a selection) as RDF: the ontology's own terms plus the standard ones they
specialise (PROV-O, DCAT, SKOS, Dublin Core), validated with the ontology's SHACL shapes; and the
way back, RDF to a catalog, so an export can be re-imported and give the same answers.

Mapping, all of it read from the ontology (catalog/schema.py):
- a node is `<.../id/{Label}/{id}>`, typed with its class (`cg:Example`) and the classes that class
  specialises (`prov:Entity`); concepts and licenses use their ontology IRI and bring their SKOS
  labels, scheme and broader concept from the ontology;
- a property is a typed literal on its `cg:` term (lists as `rdf:JSON`), plus the standard property
  it specialises (`cg:name` -> `rdfs:label`);
- an edge is a triple on its `cg:` term plus the standard property it specialises
  (`cg:FROM_SOURCE` -> `prov:wasDerivedFrom`); an edge with properties (a line number, a method,
  who claims a license) is also described by an `rdf:Statement` carrying them, since RDF triples
  carry none; two claims of one license by two claimants are two statements.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import rdflib
from rdflib import RDF, XSD, BNode, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, SKOS

from catalog.errors import CatalogError
from catalog.export.subgraph import Subgraph
from catalog.schema import CG, KEY_PROPERTY, Schema, load_ontology_graph
from catalog.store.base import NodeGroup, RelGroup, WriteBatch
from catalog.store.values import chunks

log = logging.getLogger(__name__)

ID_BASE = "https://w3id.org/curagraph/id/"
#: labels whose nodes are the ontology's own resources (their `iri` property names them)
ONTOLOGY_LABELS = ("Topic", "Task", "Format", "License")
_LITERAL_TYPES = {"INT64": XSD.long, "DOUBLE": XSD.double, "BOOLEAN": XSD.boolean}
#: rows per write batch on re-import (the Neo4j engine's transaction size)
CHUNK = 10_000
SHAPES = Path(__file__).resolve().parents[2] / "ontology" / "shapes.ttl"


def node_iri(label: str, ident: str, props: dict[str, Any] | None = None) -> URIRef:
    if label in ONTOLOGY_LABELS and props and props.get("iri"):
        return URIRef(props["iri"])
    return URIRef(f"{ID_BASE}{label}/{quote(ident, safe='')}")


def _literal(kind: str, value: Any) -> Literal:
    if kind == "STRING[]":
        return Literal(json.dumps(list(value), ensure_ascii=False), datatype=RDF.JSON)
    if kind == "STRING":  # a plain literal: RDF 1.1 reads it as xsd:string, and SHACL's sh:in matches it
        return Literal(value)
    return Literal(value, datatype=_LITERAL_TYPES[kind])


def _python(kind: str, lit: Literal) -> Any:
    if kind == "STRING[]":
        return list(json.loads(str(lit)))
    value = lit.toPython()
    if kind == "INT64":
        return int(value)
    if kind == "DOUBLE":
        return float(value)
    if kind == "BOOLEAN":
        return bool(value)
    return str(value)


def to_rdf(schema: Schema, sub: Subgraph, *, title: str = "curagraph catalog export") -> rdflib.Graph:
    g = rdflib.Graph()
    for prefix, ns in (("cg", CG), ("prov", rdflib.Namespace("http://www.w3.org/ns/prov#")), ("dcat", DCAT),
                       ("dct", DCTERMS), ("skos", SKOS)):  # fmt: skip
        g.bind(prefix, ns)
    ontology = load_ontology_graph()
    iris: dict[tuple[str, str], URIRef] = {}
    for label, nodes in sorted(sub.nodes.items()):
        spec = schema.node_label(label)
        for ident, props in sorted(nodes.items()):
            s = iris[(label, ident)] = node_iri(label, ident, props)
            g.add((s, RDF.type, URIRef(spec.iri)))
            for sup in spec.superclasses:
                g.add((s, RDF.type, URIRef(sup)))
            for key, value in sorted(props.items()):
                if value is None or key not in spec.properties:
                    continue
                p = spec.properties[key]
                g.add((s, CG[key], _literal(p.type, value)))
                if p.type != "STRING[]":
                    for sup in p.superproperties:
                        g.add((s, URIRef(sup), _literal(p.type, value)))
            if label in ("Topic", "Task", "Format"):  # the concept's SKOS description, from the ontology
                for pred in (SKOS.prefLabel, SKOS.altLabel, SKOS.inScheme, SKOS.broader, SKOS.definition):
                    for o in ontology.objects(s, pred):
                        g.add((s, pred, o))
    for e in sub.edges:
        rel = schema.relationship(e.rel_type)
        s, o = iris[(e.from_label, e.src)], iris[(e.to_label, e.dst)]
        g.add((s, URIRef(rel.iri), o))
        for sup in rel.superproperties:
            g.add((s, URIRef(sup), o))
        if e.properties:
            st = BNode()
            g.add((st, RDF.type, RDF.Statement))
            g.add((st, RDF.subject, s))
            g.add((st, RDF.predicate, URIRef(rel.iri)))
            g.add((st, RDF.object, o))
            for key, value in sorted(e.properties.items()):
                g.add((st, CG[key], _literal(rel.properties[key].type, value)))
    # a DCAT catalog of the datasets the export holds
    cat = URIRef(ID_BASE + "catalog")
    g.add((cat, RDF.type, DCAT.Catalog))
    g.add((cat, DCTERMS.title, Literal(title)))
    # the ontology in force when the export was made: its human version and content hash
    g.add((cat, CG.ontologyVersion, Literal(f"{schema.version} ({schema.version_hash})")))
    for ident in sorted(sub.nodes.get("Dataset", {})):
        g.add((cat, DCAT.dataset, iris[("Dataset", ident)]))
    for ident in sorted(sub.nodes.get("Source", {})):
        ds = [
            e.dst
            for e in sub.edges
            if e.rel_type == "IN_DATASET" and e.from_label == "Source" and e.src == ident
        ]
        for d in ds:
            g.add((iris[("Dataset", d)], DCAT.distribution, iris[("Source", ident)]))
    return g


def validate(g: rdflib.Graph) -> tuple[bool, str]:
    """SHACL validation against the ontology's shapes: (conforms, report text)."""
    from pyshacl import validate as shacl

    shapes = rdflib.Graph().parse(SHAPES, format="turtle")
    conforms, _graph, text = shacl(g, shacl_graph=shapes, inference="none", advanced=True)
    return bool(conforms), str(text)


def from_rdf(schema: Schema, g: rdflib.Graph) -> Iterator[WriteBatch]:
    """The nodes and edges an export holds, as write batches: nodes first, then edges."""
    label_of = {URIRef(spec.iri): name for name, spec in schema.labels.items()}
    rel_of = {URIRef(spec.iri): name for name, spec in schema.relationships.items()}
    who: dict[Any, tuple[str, str]] = {}
    nodes: dict[str, list[dict[str, Any]]] = {}
    for s, _, cls in g.triples((None, RDF.type, None)):
        if not isinstance(cls, URIRef) or cls not in label_of:
            continue
        label = label_of[cls]
        ident = g.value(s, CG[KEY_PROPERTY])
        if ident is None:
            raise CatalogError(
                f"{s} is a {label} without a cg:id", hint="export the file with `curagraph export rdf`"
            )
        who[s] = (label, str(ident))
        spec = schema.labels[label]
        row: dict[str, Any] = {KEY_PROPERTY: str(ident)}
        for key, prop in spec.properties.items():
            if key == KEY_PROPERTY:
                continue
            value = g.value(s, CG[key])
            if isinstance(value, Literal):
                row[key] = _python(prop.type, value)
        nodes.setdefault(label, []).append(row)
    if not who:
        raise CatalogError(
            "the file holds no catalog nodes", hint="is it an export of `curagraph export rdf`?"
        )
    for label, rows in sorted(nodes.items()):
        for part in chunks(rows, CHUNK):
            yield WriteBatch(nodes=[NodeGroup(label, part)])

    # edge properties from the reified statements, keyed by (subject, predicate, object)
    described: dict[tuple[Any, Any, Any], list[dict[str, Any]]] = {}
    for st in g.subjects(RDF.type, RDF.Statement):
        subj, pred, obj = g.value(st, RDF.subject), g.value(st, RDF.predicate), g.value(st, RDF.object)
        if not isinstance(pred, URIRef) or pred not in rel_of:
            continue
        specs = schema.relationships[rel_of[pred]].properties
        described.setdefault((subj, pred, obj), []).append(
            {
                k: _python(sp.type, v)
                for k, sp in specs.items()
                if isinstance(v := g.value(st, CG[k]), Literal)
            }
        )
    groups: dict[tuple[str, str, str, tuple[str, ...]], list[dict[str, Any]]] = {}
    for pred, rel in rel_of.items():
        for subj, _, obj in g.triples((None, pred, None)):
            if subj not in who or obj not in who:
                continue
            (a, src), (b, dst) = who[subj], who[obj]
            statements = described.get((subj, pred, obj), [])
            id_keys = tuple(sorted({k for d in statements for k in d} & {"claimed_by"}))
            for props in statements or [{}]:
                groups.setdefault((rel, a, b, id_keys), []).append({"src": src, "dst": dst, **props})
    for (rel, a, b, id_keys), edge_rows in sorted(groups.items()):
        for part in chunks(edge_rows, CHUNK):
            yield WriteBatch(relationships=[RelGroup(rel, a, b, part, key=id_keys)])
