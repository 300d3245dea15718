"""The catalog's own ontology extension, `<catalog>/extension.ttl`: written only when the whole
ontology with the addition conforms to the SHACL shapes, and numbered: each write raises the
extension's `cg:revision`, which the ontology's human version carries ('0.1.0+r3')."""

from __future__ import annotations

import logging
import os

import rdflib
from rdflib import RDF, SKOS, Literal, Namespace, URIRef

from catalog.config import Settings
from catalog.schema import load_ontology_graph, validate_ontology

log = logging.getLogger(__name__)

CG = Namespace("https://w3id.org/curagraph#")
EXTENSION_NODE = URIRef("https://w3id.org/curagraph/catalog-extension")


def add_concept(
    g: rdflib.Graph,
    node: URIRef,
    *,
    cls: URIRef,
    scheme: URIRef,
    label: str,
    broader: URIRef | None,
    definition: str | None = None,
) -> None:
    """The triples of one new SKOS concept: its classes, scheme, English label, its broader concept
    (or top-concept links without one) and its definition."""
    g.add((node, RDF.type, SKOS.Concept))
    g.add((node, RDF.type, cls))
    g.add((node, SKOS.inScheme, scheme))
    g.add((node, SKOS.prefLabel, Literal(label, lang="en")))
    if broader is not None:
        g.add((node, SKOS.broader, broader))
    else:
        g.add((node, SKOS.topConceptOf, scheme))
        g.add((scheme, SKOS.hasTopConcept, node))
    if definition:
        g.add((node, SKOS.definition, Literal(definition, lang="en")))


def read_extension(settings: Settings) -> rdflib.Graph:
    graph = rdflib.Graph()
    if settings.extension_file.exists():
        graph.parse(settings.extension_file, format="turtle")
    return graph


def write_extension(settings: Settings, addition: rdflib.Graph) -> int:
    """Add the triples to the catalog's extension after the whole ontology with them conforms to
    the SHACL shapes (else OntologyError, the file unchanged); the extension's new revision."""
    path = settings.extension_file
    merged = read_extension(settings)
    for prefix, ns in addition.namespaces():
        merged.bind(prefix, ns)
    merged += addition
    current = merged.value(EXTENSION_NODE, CG.revision)
    revision = (int(current.toPython()) if isinstance(current, Literal) else 0) + 1
    merged.set((EXTENSION_NODE, CG.revision, Literal(revision)))
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".ttl.tmp")
    tmp.write_text(
        "# curagraph: this catalog's own ontology extension (concepts a person accepted or changed).\n"
        + merged.serialize(format="turtle")
    )
    try:
        validate_ontology(load_ontology_graph([*settings.ontology_extensions, tmp]))
    except Exception:
        tmp.unlink(missing_ok=True)
        raise
    with open(tmp, "rb") as f:
        os.fsync(f.fileno())
    os.replace(tmp, path)
    log.info("ontology extension %s at revision %d", path, revision)
    return revision
