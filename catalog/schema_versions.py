"""How the ontology in force changes and says so: retired concepts folded into their
replacements (a rename, merge or retirement declared in an extension), and its version.

A retired concept carries `owl:deprecated true` and, unless it goes without one,
`dct:isReplacedBy` its replacement; catalog/schema.py reads the graph through
`resolve_retirements`, so nothing downstream sees the retired concept.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import rdflib
from rdflib import OWL, SKOS, Literal, URIRef


def _local(node: Any) -> str:
    text = str(node)
    for sep in ("#", "/"):
        if sep in text:
            text = text.rsplit(sep, 1)[1]
    return text


OWL_DEPRECATED = URIRef("http://www.w3.org/2002/07/owl#deprecated")
IS_REPLACED_BY = URIRef("http://purl.org/dc/terms/isReplacedBy")
CORE_ONTOLOGY = URIRef("https://w3id.org/curagraph")
REVISION = URIRef("https://w3id.org/curagraph#revision")
_FOLLOWS = (SKOS.altLabel, SKOS.hiddenLabel, URIRef("https://w3id.org/curagraph#supportCue"),
            URIRef("https://w3id.org/curagraph#blockCue"))  # fmt: skip


def resolve_retirements(graph: rdflib.Graph) -> tuple[rdflib.Graph, dict[str, str | None]]:
    """The graph with each retired concept (owl:deprecated true) folded into its replacement
    (dct:isReplacedBy): its narrower concepts hang under the replacement, its other labels and cues
    follow it, and the retired concept itself is gone. Also the map retired -> replacement."""
    gone = [
        s for s in graph.subjects(OWL_DEPRECATED, None)
        if any(isinstance(v, Literal) and bool(v.toPython()) for v in graph.objects(s, OWL_DEPRECATED))
    ]  # fmt: skip
    if not gone:
        return graph, {}
    out = rdflib.Graph()
    out += graph
    retired: dict[str, str | None] = {}

    def final(node: Any, seen: frozenset[Any] = frozenset()) -> Any:
        """Follow replacements to a concept that is not retired (a chain of renames)."""
        if node not in gone or node in seen:
            return node
        nxt = graph.value(node, IS_REPLACED_BY)
        return None if nxt is None else final(nxt, seen | {node})

    for old in gone:
        new = final(old)
        retired[_local(old)] = _local(new) if new is not None else None
        for child in list(out.subjects(SKOS.broader, old)):
            out.remove((child, SKOS.broader, old))
            parent = new if new is not None else graph.value(old, SKOS.broader)
            if parent is not None:
                out.add((child, SKOS.broader, parent))
        if new is not None:
            for prop in _FOLLOWS:
                for value in graph.objects(old, prop):
                    out.add((new, prop, value))
    for old in gone:
        for triple in [*out.triples((old, None, None)), *out.triples((None, None, old))]:
            out.remove(triple)
    return out, retired


def ontology_version(graph: rdflib.Graph) -> str:
    """The human version: the core ontology's owl:versionInfo plus '+rN' for an extension's
    revisions (cg:revision)."""
    core = graph.value(CORE_ONTOLOGY, OWL.versionInfo)
    revisions = [int(v.toPython()) for v in graph.objects(None, REVISION) if isinstance(v, Literal)]
    return str(core or "0") + (f"+r{max(revisions)}" if revisions else "")


def content_hash(files: Sequence[Path]) -> str:
    """The ontology's content hash: SHA-256 (12 hex) over its files' bytes, shipped ones first."""
    digest = hashlib.sha256()
    for path in files:
        digest.update(Path(path).read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()[:12]
