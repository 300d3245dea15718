"""`curagraph topics accept`: a proposed topic enters the catalog's own ontology extension.

The concept is written into `<catalog>/extension.ttl` (Turtle, beside the shipped ontology and any
`CURAGRAPH_ONTOLOGY_EXTENSIONS`), but only once the ontology with it conforms to the SHACL shapes:
a broken extension is refused with the shapes' message naming the resource, and the file is left
as it was. The schema follows (the store seeds the new Topic node and its BROADER edge when it
opens), and the cluster's members get an ABOUT edge to the new topic with method `cluster`, the
discovery's version and proposal id, and confidence `ACCEPTED_CONFIDENCE`; no automatic run
overwrites those edges (`classify` replaces rules and learned edges only). The concept's labels
and cue words (`--cue`, e.g. from the proposal's distinctive words) let the rules find the topic in
examples ingested later.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import rdflib
from rdflib import RDFS, SKOS, Literal, Namespace

from catalog.config import Settings
from catalog.errors import CatalogError
from catalog.evolve.extension import add_concept, write_extension
from catalog.schema import load_schema
from catalog.store import open_store
from catalog.store.batch import RelGroup, WriteBatch
from catalog.topics.discover import VERSION, load_proposal

log = logging.getLogger(__name__)

CG = Namespace("https://w3id.org/curagraph#")
TOPIC = Namespace("https://w3id.org/curagraph/topic/")
#: a person accepted the cluster as a whole; its members were not read one by one
ACCEPTED_CONFIDENCE = 0.7
_ID = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")


@dataclass(frozen=True)
class Accepted:
    proposal: str
    concept: str
    broader: str | None
    labelled: int
    extension: str


def concept_graph(
    concept_id: str,
    *,
    label: str,
    broader: str | None,
    description: str | None,
    cues: Sequence[str],
    note: str,
) -> rdflib.Graph:
    """The Turtle triples of one new topic concept."""
    g = rdflib.Graph()
    g.bind("cg", CG)
    g.bind("topic", TOPIC)
    g.bind("skos", SKOS)
    node = TOPIC[concept_id]
    add_concept(
        g, node, cls=CG.Topic, scheme=CG.TopicScheme, label=label,
        broader=TOPIC[broader] if broader else None, definition=description,
    )  # fmt: skip
    for cue in cues:
        lang, _, text = cue.partition(":") if re.match(r"^[a-z]{2}:", cue) else ("en", "", cue)
        g.add((node, SKOS.hiddenLabel, Literal(text, lang=lang)))
    g.add((node, RDFS.comment, Literal(note, lang="en")))
    return g


def accept(
    settings: Settings,
    proposal_id: str,
    *,
    concept_id: str,
    label: str,
    broader: str | None,
    description: str | None = None,
    cues: Sequence[str] = (),
) -> Accepted:
    """Accept a proposal as a new topic: extension, schema, then the members' labels."""
    if not _ID.match(concept_id):
        raise CatalogError(
            f"{concept_id!r} is not a concept id",
            hint="lower-case letters, digits and '-', e.g. food-allergies",
        )
    if not label.strip():
        raise CatalogError("the topic needs a label", hint='--label "Food allergies"')
    proposal = load_proposal(settings.db, proposal_id)
    if concept_id in load_schema(settings.extensions_in_force).topics:
        raise CatalogError(f"topic {concept_id!r} exists already", hint="choose another --id")
    note = (
        f"Accepted {datetime.now(UTC).strftime('%Y-%m-%d')} from topic discovery proposal {proposal.id} "
        f"({VERSION}, {proposal.size} examples; nearest existing topic {proposal.nearest})."
    )
    addition = concept_graph(
        concept_id, label=label.strip(), broader=broader, description=description, cues=cues, note=note
    )
    write_extension(settings, addition)
    path = settings.extension_file
    log.info("topic %s accepted from %s into %s", concept_id, proposal.id, path)
    # the schema follows: the store opened now reads the extension and seeds the new concept
    store = open_store(settings, create=False)
    try:
        existing = store.existing_ids(label="Example", ids=proposal.members)
        rows = [
            {
                "src": member,
                "dst": concept_id,
                "method": "cluster",
                "method_version": f"{VERSION}:{proposal.id}",
                "confidence": ACCEPTED_CONFIDENCE,
            }
            for member in proposal.members
            if member in existing
        ]
        for start in range(0, len(rows), 5_000):
            chunk = rows[start : start + 5_000]
            store.write(batch=WriteBatch(relationships=[RelGroup("ABOUT", "Example", "Topic", chunk)]))
    finally:
        store.close()
    return Accepted(proposal.id, concept_id, broader, len(rows), str(path))
