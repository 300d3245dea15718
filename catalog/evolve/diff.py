"""`curagraph ontology diff A B`: what changed between two ontologies, and how many examples each
change touched.

A side is `shipped` (the ontology in the package), `current` (the catalog's, its extension
included) or a Turtle file read as an extension of the shipped ontology. Concepts are compared per
scheme (topics, tasks, formats, risks): added, removed (a retired concept names its replacement),
moved (another broader concept) and relabelled; relationship types and their properties, added and
removed. The examples a change touched come from the catalog: for a removed concept, the count its
migration logged; for another, the examples with an edge to the concept now.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from catalog.config import Settings
from catalog.errors import CatalogError
from catalog.schema import Schema, load_schema

log = logging.getLogger(__name__)

SCHEMES = ("topics", "tasks", "formats", "risks")
#: scheme -> (relationship, node label) for counting the examples a concept change touched
EDGES = {"topics": ("ABOUT", "Topic"), "tasks": ("FOR_TASK", "Task"), "formats": ("HAS_FORMAT", "Format"),
         "risks": ("HAS_RISK", "Risk")}  # fmt: skip


@dataclass
class ConceptChange:
    scheme: str
    change: str  # added | removed | moved | relabelled
    concept: str
    before: str | None = None
    after: str | None = None
    examples: int | None = None  # examples the change touched (None: no catalog to count in)


@dataclass
class OntologyDiff:
    a: str
    b: str
    version_a: str
    version_b: str
    hash_a: str
    hash_b: str
    concepts: list[ConceptChange] = field(default_factory=list)
    relationships: list[dict[str, str]] = field(default_factory=list)


def side(name: str, settings: Settings) -> Schema:
    if name == "shipped":
        return load_schema(settings.ontology_extensions)
    if name == "current":
        return load_schema(settings.extensions_in_force)
    path = Path(name)
    if not path.exists():
        raise CatalogError(
            f"no ontology {name!r}", hint="shipped, current, or a Turtle file (read as an extension)"
        )
    return load_schema([*settings.ontology_extensions, path])


def diff(a: Schema, b: Schema, *, names: tuple[str, str] = ("a", "b")) -> OntologyDiff:
    out = OntologyDiff(names[0], names[1], a.version, b.version, a.version_hash, b.version_hash)
    for scheme in SCHEMES:
        before: dict[str, Any] = dict(getattr(a, scheme))
        after: dict[str, Any] = dict(getattr(b, scheme))
        for ident in sorted(after.keys() - before.keys()):
            out.concepts.append(ConceptChange(scheme, "added", ident, after=after[ident].broader))
        for ident in sorted(before.keys() - after.keys()):
            out.concepts.append(ConceptChange(scheme, "removed", ident, after=b.retired.get(ident)))
        for ident in sorted(before.keys() & after.keys()):
            if before[ident].broader != after[ident].broader:
                out.concepts.append(
                    ConceptChange(scheme, "moved", ident, before[ident].broader, after[ident].broader)
                )
            if before[ident].label != after[ident].label:
                out.concepts.append(
                    ConceptChange(scheme, "relabelled", ident, before[ident].label, after[ident].label)
                )
    for name in sorted(b.relationships.keys() - a.relationships.keys()):
        out.relationships.append({"change": "added", "relationship": name})
    for name in sorted(a.relationships.keys() - b.relationships.keys()):
        out.relationships.append({"change": "removed", "relationship": name})
    for name in sorted(a.relationships.keys() & b.relationships.keys()):
        for prop in sorted(b.relationships[name].properties.keys() - a.relationships[name].properties.keys()):
            out.relationships.append({"change": "property added", "relationship": name, "property": prop})
        for prop in sorted(a.relationships[name].properties.keys() - b.relationships[name].properties.keys()):
            out.relationships.append({"change": "property removed", "relationship": name, "property": prop})
    return out


def count_touched(found: OntologyDiff, store: Any, changes_log: list[dict[str, Any]]) -> None:
    """Fill in how many examples each concept change touched, from the catalog and its change log."""
    migrated = {e["id"]: e for e in changes_log if e.get("state") == "migrated"}
    moved_by_old: dict[str, int] = {}
    for e in changes_log:
        if e.get("state") == "declared" and e["id"] in migrated:
            moved_by_old[e["old"]] = moved_by_old.get(e["old"], 0) + int(migrated[e["id"]]["examples"])
    for c in found.concepts:
        if c.change == "removed":
            c.examples = moved_by_old.get(c.concept, 0)
        else:
            rel, label = EDGES[c.scheme]
            if c.concept in getattr(store.schema, c.scheme):
                c.examples = store.concept_example_count(rel=rel, to_label=label, concept=c.concept)
