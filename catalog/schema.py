"""The graph schema, derived from the ontology.

Everything that names a label, a relationship type or a property comes from here: the embedded
engine's DDL, Neo4j's constraints, the write guard, the allow-list that checks generated Cypher,
and the concept nodes (topics, tasks, formats, licenses) seeded into every catalog.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import rdflib
from rdflib import OWL, RDF, RDFS, SKOS, XSD, Literal, URIRef
from rdflib.collection import Collection

from catalog.errors import OntologyError, SchemaViolation
from catalog.schema_versions import content_hash, ontology_version, resolve_retirements
from ontology import ONTOLOGY_FILES, SHAPES_FILE

log = logging.getLogger(__name__)

CG = rdflib.Namespace("https://w3id.org/curagraph#")

#: property datatypes of the ontology -> engine-neutral type names
_DATATYPES: dict[Any, str] = {
    XSD.string: "STRING",
    XSD.long: "INT64",
    XSD.integer: "INT64",
    XSD.double: "DOUBLE",
    XSD.boolean: "BOOLEAN",
    CG.StringList: "STRING[]",
    CG.JsonText: "STRING",
}

KEY_PROPERTY = "id"


@dataclass(frozen=True)
class PropertySpec:
    name: str
    type: str  # STRING, INT64, DOUBLE, BOOLEAN, STRING[]
    comment: str = ""
    #: standard properties it specialises (rdfs:subPropertyOf: rdfs:label, dct:description...)
    superproperties: tuple[str, ...] = ()

    def accepts(self, value: Any) -> bool:
        if value is None:
            return True
        if self.type == "STRING":
            return isinstance(value, str)
        if self.type == "INT64":
            return isinstance(value, int) and not isinstance(value, bool)
        if self.type == "DOUBLE":
            return isinstance(value, int | float) and not isinstance(value, bool)
        if self.type == "BOOLEAN":
            return isinstance(value, bool)
        if self.type == "STRING[]":
            return isinstance(value, list | tuple) and all(isinstance(v, str) for v in value)
        return False


def _all_of(*types: type) -> Any:
    def check(values: Sequence[Any]) -> bool:
        return all(v is None or type(v) in types for v in values)

    return check


def _string_lists(values: Sequence[Any]) -> bool:
    return all(v is None or (type(v) in (list, tuple) and all(type(x) is str for x in v)) for v in values)


_COLUMN_CHECKS: dict[str, Any] = {
    "STRING": _all_of(str),
    "INT64": _all_of(int),
    "DOUBLE": _all_of(int, float),
    "BOOLEAN": _all_of(bool),
    "STRING[]": _string_lists,
}


@dataclass(frozen=True)
class NodeLabel:
    name: str
    iri: str
    comment: str
    properties: Mapping[str, PropertySpec]
    #: the standard classes it specialises (rdfs:subClassOf: prov:Entity, dcat:Dataset, skos:Concept...)
    superclasses: tuple[str, ...] = ()


@dataclass(frozen=True)
class RelationshipType:
    name: str
    iri: str
    comment: str
    pairs: frozenset[tuple[str, str]]
    properties: Mapping[str, PropertySpec]
    #: the standard properties it specialises (rdfs:subPropertyOf: prov:wasDerivedFrom, dct:license...)
    superproperties: tuple[str, ...] = ()


@dataclass(frozen=True)
class IndexSpec:
    """A composite index the ontology declares (cg:Index): its name, node label and properties in order."""

    name: str
    label: str
    properties: tuple[str, ...]


@dataclass(frozen=True)
class Concept:
    """A SKOS concept (topic, task or format) as seeded into the graph."""

    id: str
    label: str
    alt_labels: tuple[str, ...]  # "lang:text"
    description: str
    iri: str
    broader: str | None
    depth: int
    #: "lang:text" cue phrases for the classifier: the labels plus skos:hiddenLabel (never seeded)
    cues: tuple[str, ...] = ()
    #: cues that count only with another cue of the concept (cg:supportCue), and phrases that hide
    #: a cue inside them (cg:blockCue)
    support_cues: tuple[str, ...] = ()
    block_cues: tuple[str, ...] = ()
    #: a safety concept that says "reviewed, no risk" (cg:clearsRisk): set by people, never by cues
    clears_risk: bool = False
    #: "lang:text" preferred labels, one per language (the model annotator names concepts in the
    #: example's language)
    pref_labels: tuple[str, ...] = ()

    def label_in(self, language: str) -> str:
        """The preferred label in a language, else the English one."""
        prefix = f"{language}:"
        return next((p[len(prefix) :] for p in self.pref_labels if p.startswith(prefix)), self.label)


def with_broader(concepts: Mapping[str, Concept], ids: Iterable[str]) -> frozenset[str]:
    """The ids and every concept broader than any of them (an unknown id counts as itself)."""
    out: set[str] = set()
    for ident in ids:
        while ident and ident not in out:
            out.add(ident)
            parent = concepts[ident].broader if ident in concepts else None
            ident = parent or ""
    return frozenset(out)


@dataclass(frozen=True)
class Schema:
    labels: Mapping[str, NodeLabel]
    relationships: Mapping[str, RelationshipType]
    topics: Mapping[str, Concept] = field(default_factory=dict)
    tasks: Mapping[str, Concept] = field(default_factory=dict)
    formats: Mapping[str, Concept] = field(default_factory=dict)
    risks: Mapping[str, Concept] = field(default_factory=dict)
    licenses: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    indexes: tuple[IndexSpec, ...] = ()
    #: the ontology in force: the core's owl:versionInfo plus the extensions' revisions, and a hash
    #: of every triple (base and extensions), so two catalogs can tell whether they read the same one
    version: str = ""
    version_hash: str = ""
    #: retired concept -> the concept that replaces it (None: retired without one)
    retired: Mapping[str, str | None] = field(default_factory=dict)

    @property
    def cleared_risks(self) -> tuple[str, ...]:
        """Safety concepts that clear an example (cg:clearsRisk): a person's "reviewed, no risk"."""
        return tuple(sorted(r.id for r in self.risks.values() if r.clears_risk))

    @property
    def no_risk(self) -> str:
        """The concept `assign --safe` sets."""
        cleared = self.cleared_risks
        if not cleared:
            raise OntologyError(
                "the safety scheme has no concept with cg:clearsRisk true",
                hint="ontology/safety.ttl declares risk:reviewed-safe; an extension must keep one",
            )
        return cleared[0]

    # ------------------------------------------------------------------ guards

    def node_label(self, label: str) -> NodeLabel:
        try:
            return self.labels[label]
        except KeyError:
            raise SchemaViolation("node label", label, self.labels) from None

    def relationship(self, rel_type: str) -> RelationshipType:
        try:
            return self.relationships[rel_type]
        except KeyError:
            raise SchemaViolation("relationship type", rel_type, self.relationships) from None

    def check_endpoints(self, rel_type: str, from_label: str, to_label: str) -> RelationshipType:
        rel = self.relationship(rel_type)
        self.node_label(from_label)
        self.node_label(to_label)
        if (from_label, to_label) not in rel.pairs:
            raise SchemaViolation(
                "endpoint pair",
                f"({from_label})-[:{rel_type}]->({to_label})",
                (f"({a})-[:{rel_type}]->({b})" for a, b in rel.pairs),
            )
        return rel

    def check_node_properties(self, label: str, keys: Iterable[str]) -> None:
        spec = self.node_label(label)
        for key in keys:
            if key not in spec.properties:
                raise SchemaViolation("property", key, spec.properties, context=f"on :{label}")

    def check_relationship_properties(self, rel_type: str, keys: Iterable[str]) -> None:
        spec = self.relationship(rel_type)
        for key in keys:
            if key not in spec.properties:
                raise SchemaViolation("property", key, spec.properties, context=f"on [:{rel_type}]")

    def check_values(self, owner: str, props: Mapping[str, PropertySpec], row: Mapping[str, Any]) -> None:
        for key, value in row.items():
            spec = props.get(key)
            if spec is None:
                raise SchemaViolation("property", key, props, context=f"on {owner}")
            if not spec.accepts(value):
                raise SchemaViolation(
                    "value type",
                    f"{key}={type(value).__name__}",
                    [f"{key}={spec.type}"],
                    context=f"on {owner}",
                )

    def check_column(self, owner: str, spec: PropertySpec, values: Sequence[Any]) -> None:
        """Type-check one property's values for a whole group at once."""
        ok = _COLUMN_CHECKS[spec.type]
        if not ok(values):
            bad = next(v for v in values if not spec.accepts(v))
            raise SchemaViolation(
                "value type",
                f"{spec.name}={type(bad).__name__}",
                [f"{spec.name}={spec.type}"],
                context=f"on {owner}",
            )

    # ------------------------------------------------------------------ views

    def property_names(self) -> frozenset[str]:
        names = {p for lab in self.labels.values() for p in lab.properties}
        names |= {p for rel in self.relationships.values() for p in rel.properties}
        return frozenset(names)


# ---------------------------------------------------------------------- loading


def load_ontology_graph(extensions: Sequence[Path] = ()) -> rdflib.Graph:
    graph = rdflib.Graph()
    for path in (*ONTOLOGY_FILES, *extensions):
        try:
            graph.parse(path, format="turtle")
        except FileNotFoundError:
            raise OntologyError(f"ontology file not found: {path}") from None
        except Exception as exc:  # rdflib raises many parser types
            raise OntologyError(
                f"cannot parse ontology file {path}: {exc}", hint="fix the Turtle syntax"
            ) from exc
    return graph


def validate_ontology(graph: rdflib.Graph) -> None:
    """SHACL-validate the ontology; raise OntologyError listing each violation."""
    import pyshacl

    shapes = rdflib.Graph().parse(SHAPES_FILE, format="turtle")
    conforms, report, _ = pyshacl.validate(graph, shacl_graph=shapes, inference="none", allow_warnings=True)
    if not conforms:
        messages = []
        for result in report.subjects(RDF.type, URIRef("http://www.w3.org/ns/shacl#ValidationResult")):
            focus = report.value(result, URIRef("http://www.w3.org/ns/shacl#focusNode"))
            msg = report.value(result, URIRef("http://www.w3.org/ns/shacl#resultMessage"))
            messages.append(f"{_local(focus) if focus is not None else '?'}: {msg}")
        raise OntologyError(
            "the ontology does not conform to its SHACL shapes: " + "; ".join(sorted(messages)),
            hint="fix the listed resources in the Turtle file",
        )


def _local(node: Any) -> str:
    text = str(node)
    for sep in ("#", "/"):
        if sep in text:
            text = text.rsplit(sep, 1)[1]
    return text


def _classes_of(graph: rdflib.Graph, node: Any) -> list[URIRef]:
    """A class or an owl:unionOf list of classes."""
    if isinstance(node, URIRef):
        return [node]
    union = graph.value(node, OWL.unionOf)
    if union is None:
        raise OntologyError(f"cannot read class expression {node}", hint="use a class IRI or owl:unionOf")
    return [c for c in Collection(graph, union) if isinstance(c, URIRef)]


def _text(graph: rdflib.Graph, subject: Any, predicate: URIRef, lang: str = "en") -> str:
    best = ""
    for value in graph.objects(subject, predicate):
        if isinstance(value, Literal):
            if value.language in (lang, None):
                return str(value)
            best = best or str(value)
    return best


def schema_from_graph(graph: rdflib.Graph) -> Schema:
    graph, retired = resolve_retirements(graph)
    node_classes = sorted(set(graph.subjects(RDF.type, CG.NodeClass)), key=str)
    label_of: dict[Any, str] = {c: _local(c) for c in node_classes}
    label_props: dict[str, dict[str, PropertySpec]] = {name: {} for name in label_of.values()}

    rel_iris = sorted(set(graph.subjects(RDF.type, CG.Relationship)), key=str)
    rel_props: dict[str, dict[str, PropertySpec]] = {_local(r): {} for r in rel_iris}

    for prop in sorted(set(graph.subjects(RDF.type, OWL.DatatypeProperty)), key=str):
        name = _local(prop)
        rng = graph.value(prop, RDFS.range)
        if rng not in _DATATYPES:
            raise OntologyError(f"property {name} has unsupported range {rng}")
        spec = PropertySpec(
            name=name,
            type=_DATATYPES[rng],
            comment=_text(graph, prop, RDFS.comment),
            superproperties=tuple(
                sorted(str(p) for p in graph.objects(prop, RDFS.subPropertyOf) if isinstance(p, URIRef))
            ),
        )
        domain = graph.value(prop, RDFS.domain)
        if domain is not None:
            for cls in _classes_of(graph, domain):
                if cls not in label_of:
                    raise OntologyError(
                        f"property {name} has domain {_local(cls)}, which is not a node class"
                    )
                label_props[label_of[cls]][name] = spec
        for rel in graph.objects(prop, CG.onRelationship):
            if _local(rel) not in rel_props:
                raise OntologyError(f"property {name} is on {_local(rel)}, which is not a relationship")
            rel_props[_local(rel)][name] = spec

    labels = {}
    for cls, name in label_of.items():
        if KEY_PROPERTY not in label_props[name]:
            raise OntologyError(
                f"node class {name} has no '{KEY_PROPERTY}' property", hint="add it to cg:id's domain"
            )
        supers = tuple(sorted(str(c) for c in graph.objects(cls, RDFS.subClassOf) if isinstance(c, URIRef)))
        labels[name] = NodeLabel(
            name, str(cls), _text(graph, cls, RDFS.comment), dict(label_props[name]), supers
        )

    relationships = {}
    for rel in rel_iris:
        name = _local(rel)
        pairs: set[tuple[str, str]] = set()
        for pair in graph.objects(rel, CG.connects):
            a, b = graph.value(pair, CG.fromClass), graph.value(pair, CG.toClass)
            if a not in label_of or b not in label_of:
                raise OntologyError(
                    f"relationship {name} connects {_local(a)} to {_local(b)}, not two node classes"
                )
            pairs.add((label_of[a], label_of[b]))
        if not pairs:
            domain, rng = graph.value(rel, RDFS.domain), graph.value(rel, RDFS.range)
            if domain is None or rng is None:
                raise OntologyError(f"relationship {name} needs rdfs:domain and rdfs:range")
            pairs = {
                (label_of[a], label_of[b])
                for a in _classes_of(graph, domain)
                for b in _classes_of(graph, rng)
            }
        supers = tuple(
            sorted(str(p) for p in graph.objects(rel, RDFS.subPropertyOf) if isinstance(p, URIRef))
        )
        relationships[name] = RelationshipType(
            name, str(rel), _text(graph, rel, RDFS.comment), frozenset(pairs), dict(rel_props[name]), supers
        )

    indexes = []
    for ix in sorted(set(graph.subjects(RDF.type, CG.Index)), key=str):
        on = graph.value(ix, CG.indexOn)
        items = graph.value(ix, CG.indexProperties)
        if on not in label_of or items is None:
            raise OntologyError(f"index {_local(ix)} needs cg:indexOn a node class and cg:indexProperties")
        names = tuple(_local(p) for p in Collection(graph, items))
        on_label = label_of[on]
        for prop_name in names:
            if prop_name not in label_props[on_label]:
                raise OntologyError(f"index {_local(ix)} names {prop_name}, which {on_label} does not have")
        indexes.append(IndexSpec(_local(ix), on_label, names))

    return Schema(
        version=ontology_version(graph),
        retired=retired,
        indexes=tuple(indexes),
        labels=labels,
        relationships=relationships,
        topics=_concepts(graph, CG.TopicScheme),
        tasks=_concepts(graph, CG.TaskScheme),
        formats=_concepts(graph, CG.FormatScheme),
        risks=_concepts(graph, CG.SafetyScheme),
        licenses=_licenses(graph),
    )


def _concepts(graph: rdflib.Graph, scheme: URIRef) -> dict[str, Concept]:
    members = sorted(set(graph.subjects(SKOS.inScheme, scheme)), key=str)
    broader = {m: graph.value(m, SKOS.broader) for m in members}

    def depth(node: Any, seen: frozenset[Any] = frozenset()) -> int:
        parent = broader.get(node)
        if parent is None:
            return 1
        if node in seen:
            raise OntologyError(f"concept hierarchy has a cycle at {_local(node)}")
        return 1 + depth(parent, seen | {node})

    out: dict[str, Concept] = {}
    for m in members:
        ident = _local(m)
        if ident in out:
            raise OntologyError(f"two concepts share the id {ident!r} in {_local(scheme)}")
        alts = sorted(
            f"{v.language or 'und'}:{v}" for v in graph.objects(m, SKOS.altLabel) if isinstance(v, Literal)
        )
        parent = broader[m]
        hidden = [
            f"{v.language or 'und'}:{v}" for v in graph.objects(m, SKOS.hiddenLabel) if isinstance(v, Literal)
        ]
        pref = [
            f"{v.language or 'und'}:{v}" for v in graph.objects(m, SKOS.prefLabel) if isinstance(v, Literal)
        ]
        support, block = (
            tuple(
                sorted(f"{v.language or 'und'}:{v}" for v in graph.objects(m, prop) if isinstance(v, Literal))
            )
            for prop in (CG.supportCue, CG.blockCue)
        )
        out[ident] = Concept(
            id=ident,
            label=_text(graph, m, SKOS.prefLabel),
            alt_labels=tuple(alts),
            description=_text(graph, m, SKOS.definition),
            iri=str(m),
            broader=_local(parent) if parent is not None else None,
            depth=depth(m),
            cues=tuple(sorted({*pref, *alts, *hidden} - set(support))),
            support_cues=support,
            block_cues=block,
            pref_labels=tuple(sorted(pref)),
            clears_risk=any(
                bool(v.toPython()) for v in graph.objects(m, CG.clearsRisk) if isinstance(v, Literal)
            ),
        )
    return out


_LICENSE_FIELDS = (
    "spdx_id",
    "kind",
    "url",
    "commercial_use",
    "share_alike",
    "attribution_required",
    "no_derivatives",
)


def _licenses(graph: rdflib.Graph) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for lic in sorted(set(graph.subjects(RDF.type, CG.License)), key=str):
        row: dict[str, Any] = {"iri": str(lic), "label": _text(graph, lic, RDFS.label)}
        row["description"] = _text(graph, lic, RDFS.comment)
        for name in _LICENSE_FIELDS:
            value = graph.value(lic, CG[name])
            if value is not None:
                row[name] = value.toPython() if isinstance(value, Literal) else str(value)
        row["id"] = row["spdx_id"]
        out[row["id"]] = row
    return out


@lru_cache(maxsize=8)
def _load_schema(extensions: tuple[tuple[Path, int, int], ...], base: tuple[Path, ...]) -> Schema:
    files = [path for path, _, _ in extensions]
    graph = load_ontology_graph(files)
    if extensions:
        validate_ontology(graph)
    return dataclasses.replace(schema_from_graph(graph), version_hash=content_hash([*base, *files]))


def _stamp(path: Path) -> tuple[Path, int, int]:
    """A file with its modification time and size: a changed extension is read again."""
    try:
        st = path.stat()
    except FileNotFoundError:
        return (path, 0, -1)  # load_ontology_graph says it is missing
    return (path, st.st_mtime_ns, st.st_size)


def load_schema(extensions: Sequence[Path] = ()) -> Schema:
    """The schema of the shipped ontology plus the user's extensions (SHACL-checked)."""
    return _load_schema(tuple(_stamp(Path(p).resolve()) for p in extensions), tuple(ONTOLOGY_FILES))
