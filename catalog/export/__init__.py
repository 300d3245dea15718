"""Exports generated from the graph: RDF (PROV-O, DCAT, SKOS) with SHACL validation and its
re-import, Croissant 1.1 for a selection, networkx for a user's own analysis."""

import logging

from catalog.export.croissant import validate_croissant, write_croissant
from catalog.export.rdf import from_rdf, to_rdf, validate
from catalog.export.subgraph import Subgraph, example_ids_of, selection, to_networkx, whole_catalog

log = logging.getLogger(__name__)

__all__ = [
    "Subgraph",
    "example_ids_of",
    "from_rdf",
    "selection",
    "to_networkx",
    "to_rdf",
    "validate",
    "validate_croissant",
    "whole_catalog",
    "write_croissant",
]
