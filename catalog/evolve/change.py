"""`curagraph ontology rename | merge | retire | split`: change a topic or task concept and migrate
every edge to it, on either engine, in batches, resumably.

A change is first declared in the catalog's extension (SHACL-checked; catalog/evolve/extension.py):
the old concept becomes `owl:deprecated` and `dct:isReplacedBy` its replacement (the new concept of
a rename, the concept merged into, for a retirement its broader concept, if any, for a split its
"rest" part; a split's new parts are declared beside it, each with its cue words), and its labels
become the replacement's alternative labels, so its cues keep working. The schema folds it away
(catalog/schema_versions.py). Then its edges move, one batch per transaction: each example's edge to
the old concept becomes an edge to the replacement with the same method, version and confidence,
`migrated_from` saying where it came from (a split sends each example to the part whose cue words
its text holds most, the rest part when it holds none); where an example has both (a merge), one
edge stays, the
stronger by method (a person's first) then confidence. A kill leaves whole batches done and the
rest to do: running the same command again resumes it. Last, the old concept's node goes.

Every change is a line in `<catalog>/ontology-changes.jsonl` (declared, then migrated, with the
ontology version before and after and how many examples it touched), which `ontology diff` reads.
"""

from __future__ import annotations

import json
import logging
import os
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any, Literal

import rdflib
from rdflib import OWL, SKOS, URIRef
from rdflib import Literal as RdfLiteral

from catalog.config import Settings
from catalog.errors import CatalogError
from catalog.evolve.extension import CG, add_concept, write_extension
from catalog.schema import Concept, Schema, load_schema
from catalog.store import open_store
from catalog.store.base import NodeDeletion
from catalog.store.batch import RelDeletion, RelGroup, WriteBatch

log = logging.getLogger(__name__)

Kind = Literal["rename", "merge", "retire", "split"]
LOG_FILE = "ontology-changes.jsonl"
BATCH = 5_000
DCT_REPLACED = URIRef("http://purl.org/dc/terms/isReplacedBy")
#: which edge survives where an example has both concepts: a person's, then the data's own, ...
PRECEDENCE = ("human", "manifest", "model", "cluster", "learned", "rules", "structure", "classifier")
#: (scheme name, relationship, node label, concept class) per concept scheme a change may touch
SCHEMES = {"topic": ("ABOUT", "Topic", CG.Topic), "task": ("FOR_TASK", "Task", CG.Task)}


@dataclass
class Change:
    id: str
    kind: Kind
    scheme: str
    old: str
    new: str | None  # the replacement (None: a top-level concept retired without one)
    version_before: str
    version_after: str
    declared_at: str
    #: a split: each part's cue words (the first part with most hits takes an example; none: `new`)
    parts: dict[str, list[str]] | None = None


@dataclass
class Migrated:
    change: Change
    examples: int  # examples whose edge moved (or went, for a retirement without replacement)
    merged: int  # of them, examples that had both concepts: one edge kept
    batches: int
    resumed: bool
    seconds: float


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def read_log(settings: Settings) -> list[dict[str, Any]]:
    path = settings.db / LOG_FILE
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def _append_log(settings: Settings, entry: dict[str, Any]) -> None:
    path = settings.db / LOG_FILE
    with open(path, "a", encoding="utf-8") as f:
        f.write(json.dumps(entry, ensure_ascii=False) + "\n")
        f.flush()
        os.fsync(f.fileno())


def _scheme_of(schema: Schema, concept: str) -> str:
    for name, concepts in (("topic", schema.topics), ("task", schema.tasks)):
        if concept in concepts:
            return name
    retired = schema.retired.get(concept, "")
    if concept in schema.retired:
        raise CatalogError(f"{concept!r} is retired already (replaced by {retired or 'nothing'})")
    raise CatalogError(
        f"no topic or task {concept!r}",
        hint="the ids are the ones `curagraph cypher` shows on Topic and Task nodes",
    )


def _concepts(schema: Schema, scheme: str) -> dict[str, Concept]:
    return dict(schema.topics if scheme == "topic" else schema.tasks)


def _pending(settings: Settings, kind: Kind, old: str) -> Change | None:
    """A declared change of this kind to this concept that did not finish migrating."""
    entries = read_log(settings)
    done = {e["id"] for e in entries if e.get("state") == "migrated"}
    for e in reversed(entries):
        if e.get("state") == "declared" and e["kind"] == kind and e["old"] == old and e["id"] not in done:
            return Change(**{k: v for k, v in e.items() if k != "state"})
    return None


@dataclass(frozen=True)
class Part:
    """One concept a split gives examples to: a new one (with its label) or an existing one."""

    id: str
    label: str | None
    cues: tuple[str, ...]


def declare(
    settings: Settings,
    kind: Kind,
    old: str,
    *,
    new: str | None = None,
    label: str | None = None,
    parts: Sequence[Part] = (),
) -> Change:
    """Write the change into the extension and the log (the migration comes next)."""
    schema = load_schema(settings.extensions_in_force)
    scheme = _scheme_of(schema, old)
    concepts = _concepts(schema, scheme)
    concept = concepts[old]
    _, _, cls = SCHEMES[scheme]
    node = URIRef(concept.iri)
    namespace = concept.iri[: -len(old)]
    parent = URIRef(namespace + concept.broader) if concept.broader else None  # new concepts go beside it
    g = rdflib.Graph()
    g.bind("cg", CG)
    g.bind("skos", SKOS)
    g.bind("dct", "http://purl.org/dc/terms/")
    target: URIRef | None
    split: dict[str, list[str]] | None = None
    if kind == "split":
        if len(parts) < 2:
            raise CatalogError(
                "a split needs two parts or more", hint="--into ID=Label:cue,cue twice or more"
            )
        scheme_node = URIRef(str(CG) + ("TopicScheme" if scheme == "topic" else "TaskScheme"))
        for part in parts:
            if part.id == old or part.id in schema.retired:
                raise CatalogError(f"{part.id!r} cannot be a part of the split")
            part_node = URIRef(namespace + part.id)
            if part.id not in concepts:
                if not part.label:
                    raise CatalogError(
                        f"the new {scheme} {part.id!r} needs a label", hint=f"--into {part.id}=Label:cues"
                    )
                add_concept(g, part_node, cls=cls, scheme=scheme_node, label=part.label, broader=parent)
            for cue in part.cues:
                g.add((part_node, SKOS.hiddenLabel, RdfLiteral(cue, lang="en")))
        new = new or parts[0].id
        if new not in {p.id for p in parts}:
            raise CatalogError(f"--rest {new!r} is not one of the parts")
        split = {p.id: list(p.cues) for p in parts}
        target = URIRef(namespace + new)
    elif kind == "rename":
        if not new or not label:
            raise CatalogError(
                "a rename needs the new id and its label", hint='--to NEW-ID --label "New label"'
            )
        if new in concepts or new in schema.retired:
            raise CatalogError(
                f"{scheme} {new!r} exists already", hint="merge into it instead: ontology merge"
            )
        target = URIRef(namespace + new)
        scheme_node = URIRef(str(CG) + ("TopicScheme" if scheme == "topic" else "TaskScheme"))
        add_concept(
            g,
            target,
            cls=cls,
            scheme=scheme_node,
            label=label,
            broader=parent,
            definition=concept.description,
        )
    elif kind == "merge":
        if not new or new not in concepts:
            raise CatalogError(
                f"no {scheme} {new!r} to merge {old!r} into", hint=f"--into one of the {scheme}s"
            )
        if new == old:
            raise CatalogError("a concept cannot be merged into itself")
        target = URIRef(concepts[new].iri)
    else:  # retire: into its broader concept, or into nothing at the top
        new = concept.broader
        target = URIRef(namespace + new) if new else None
    g.add((node, OWL.deprecated, RdfLiteral(True)))
    if target is not None:
        g.add((node, DCT_REPLACED, target))
        for text in concept.pref_labels:  # the old name stays a way to find the concept
            lang, _, value = text.partition(":")
            g.add((target, SKOS.altLabel, RdfLiteral(value, lang=None if lang == "und" else lang)))
    change_id = f"chg-{len([e for e in read_log(settings) if e.get('state') == 'declared']) + 1}"
    before = schema.version
    write_extension(settings, g)
    after = load_schema(settings.extensions_in_force).version
    change = Change(change_id, kind, scheme, old, new, before, after, _now(), split)
    _append_log(settings, {"state": "declared", **asdict(change)})
    log.info("declared %s %s -> %s (%s)", kind, old, new, change_id)
    return change


def _rank(row: Any) -> tuple[int, float]:
    method = row.method or ""
    order = PRECEDENCE.index(method) if method in PRECEDENCE else len(PRECEDENCE)
    return (-order, float(row.confidence if row.confidence is not None else 1.0))


def _router(store: Any, change: Change) -> Callable[[list[str]], dict[str, str | None]]:
    """Which concept each example of the old concept goes to: the replacement, or for a split the
    part whose cue words its text holds most (the rest part where it holds none)."""
    if not change.parts:
        return lambda ids: dict.fromkeys(ids, change.new)
    from catalog.classify.rules import parse_messages

    patterns = {
        part: [re.compile(rf"(?<!\w){re.escape(c.lower())}(?!\w)") for c in cues]
        for part, cues in change.parts.items()
    }

    def route(ids: list[str]) -> dict[str, str | None]:
        out: dict[str, str | None] = {}
        for ex in store.examples_for_classification(ids=ids):
            text = " ".join(str(m.get("content") or "")[:1500] for m in parse_messages(ex)[:4]).lower()
            hits = {part: sum(len(p.findall(text)) for p in found) for part, found in patterns.items()}
            best = max(hits.values(), default=0)
            out[ex["id"]] = next(p for p in patterns if hits[p] == best) if best else change.new
        for i in ids:
            out.setdefault(i, change.new)
        return out

    return route


def migrate(
    settings: Settings,
    change: Change,
    *,
    batch_size: int = BATCH,
    progress: Callable[[int, int], None] | None = None,
    resumed: bool = False,
) -> Migrated:
    """Move every edge of the change's old concept to its replacement (see the module docstring)."""
    rel, node_label, _ = SCHEMES[change.scheme]
    started = time.perf_counter()
    moved = merged = batches = 0
    store = open_store(settings, create=False)
    try:
        route = _router(store, change)
        total = store.concept_example_count(rel=rel, to_label=node_label, concept=change.old)
        last: list[str] = []
        while True:
            rows = store.concept_edges(rel=rel, to_label=node_label, concept=change.old, limit=batch_size)
            if not rows:
                break
            ids = [r.example for r in rows]
            if ids == last:
                raise CatalogError(
                    f"the edges of {change.old!r} did not move (methods {sorted({str(r.method) for r in rows})})",
                    hint="report this as a bug; the catalog is as the last whole batch left it",
                )
            last = ids
            methods = sorted({*PRECEDENCE, *(r.method for r in rows if r.method)})
            batch = WriteBatch()
            batch.deletions.append(
                RelDeletion(rel, "Example", node_label, ids, methods, dst_ids=[change.old])
            )
            where = route(ids)
            for target in sorted({t for t in where.values() if t is not None}):
                mine = [r for r in rows if where[r.example] == target]
                found = store.concept_edges(
                    rel=rel, to_label=node_label, concept=target, limit=0, ids=[r.example for r in mine]
                )
                have = {r.example: r for r in found}
                merged += len(have)
                if have:
                    methods_there = sorted({*PRECEDENCE, *(r.method for r in found if r.method)})
                    batch.deletions.append(
                        RelDeletion(rel, "Example", node_label, sorted(have), methods_there, dst_ids=[target])
                    )
                edges = []
                for r in mine:
                    keep = max((r, have[r.example]), key=_rank) if r.example in have else r
                    edges.append(
                        {
                            "src": r.example,
                            "dst": target,
                            "method": keep.method,
                            "method_version": keep.method_version,
                            "confidence": keep.confidence,
                            "migrated_from": f"{change.old} by {change.id}"
                            if keep is r
                            else keep.migrated_from,
                        }
                    )
                batch.relationships.append(RelGroup(rel, "Example", node_label, edges))
            store.write(batch=batch)
            moved += len(rows)
            batches += 1
            if progress:
                progress(moved, total)
        store.write(batch=WriteBatch(node_deletions=[NodeDeletion(node_label, [change.old])]))
    finally:
        store.close()
    result = Migrated(change, moved, merged, batches, resumed, round(time.perf_counter() - started, 3))
    _append_log(
        settings,
        {"state": "migrated", "id": change.id, "examples": moved, "merged": merged, "at": _now()},
    )
    return result


def change_concept(
    settings: Settings,
    kind: Kind,
    old: str,
    *,
    new: str | None = None,
    label: str | None = None,
    parts: Sequence[Part] = (),
    batch_size: int = BATCH,
    progress: Callable[[int, int], None] | None = None,
) -> Migrated:
    """Declare the change (or find it declared by a run that was stopped) and migrate its edges."""
    pending = _pending(settings, kind, old)
    if pending is not None:
        if new is not None and kind != "retire" and pending.new != new:
            raise CatalogError(
                f"{old!r} is being {kind}d to {pending.new!r} already ({pending.id}, not finished)",
                hint=f"run the same command with {pending.new!r} to finish it",
            )
        log.info("resuming %s", pending.id)
        return migrate(settings, pending, batch_size=batch_size, progress=progress, resumed=True)
    change = declare(settings, kind, old, new=new, label=label, parts=parts)
    return migrate(settings, change, batch_size=batch_size, progress=progress)
