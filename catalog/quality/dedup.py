"""Near-duplicate clusters, explainable and reversible, found incrementally.

1. Every supply example's text (its messages' content, in order) gets a normalised-text hash (exact
   duplicates: same text up to case and whitespace) and a MinHash signature (catalog/quality/minhash.py).
   Both are kept in `<catalog>/dedup/`, so a re-run only computes them for new examples.
2. Candidates: examples sharing an exact hash, or agreeing on a whole LSH band; only groups that
   hold a new example are looked at. Within a group every member is verified against the group's
   first member (a star, linear in the group size): the signatures' estimate of Jaccard similarity,
   and near the threshold the exact Jaccard of the two k-gram sets, computed from their text.
3. Verified pairs, and the clusters earlier runs wrote, are joined with networkx (connected
   components). Each cluster keeps one representative by the policy: human over synthetic, fewer
   quality errors, fewer issues, earlier ingested, smaller id. Every other member gets a
   `DUPLICATE_OF` edge to it with its similarity, the method (exact or minhash) and the policy.
   `undo` deletes them all.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import orjson
from pydantic import BaseModel

from catalog.quality.minhash import MinHasher, band_keys, normalise, optimal_bands
from catalog.store.base import GraphStore, RelDeletion, RelGroup, WriteBatch

log = logging.getLogger(__name__)

POLICY = "human>synthetic, fewer errors, fewer issues, earlier ingested, smaller id"
METHODS = ("exact", "minhash")
PAGE = 20_000
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class DedupConfig:
    threshold: float = 0.8  # Jaccard similarity of character k-gram sets
    num_perm: int = 128
    shingle: int = 5
    #: estimates within this distance of the threshold are settled by the exact Jaccard
    margin: float = 0.08

    def tag(self) -> str:
        return f"t{self.threshold}-p{self.num_perm}-k{self.shingle}"


class DedupReport(BaseModel):
    examples: int  # supply examples in the index after the run
    new: int  # examples signed in this run
    candidates: int  # pairs verified
    exact_checks: int  # pairs settled by the exact Jaccard
    clusters: int  # clusters with a new member
    duplicates: int  # DUPLICATE_OF edges written (or kept) in touched clusters
    seconds: float
    examples_per_second: float


def conversation_text(messages_json: str | None) -> str:
    """The text two examples are compared on: every message's content, then tool calls."""
    messages = orjson.loads(messages_json) if messages_json else []
    parts = []
    for m in messages:
        parts.append(m.get("content") or "")
        for call in m.get("tool_calls") or []:
            parts.append(orjson.dumps(call, option=orjson.OPT_SORT_KEYS).decode())
    return "\n".join(parts)


def exact_key(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(normalise(text).encode(), digest_size=8).digest(), "little") >> 1


def shingles(text: str, k: int) -> set[str]:
    t = normalise(text)
    return {t[i : i + k] for i in range(max(1, len(t) - k + 1))}


def jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 1.0


@dataclass
class SignatureIndex:
    """What earlier runs computed: ids, exact keys and signatures, in the order they were added."""

    ids: list[str] = field(default_factory=list)
    exact: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    signatures: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), dtype=np.uint32))

    @classmethod
    def load(cls, path: Path, num_perm: int) -> SignatureIndex:
        if not path.exists():
            return cls(signatures=np.zeros((0, num_perm), dtype=np.uint32))
        with np.load(path, allow_pickle=False) as data:
            return cls(ids=[str(x) for x in data["ids"]], exact=data["exact"], signatures=data["signatures"])

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp.npz")
        np.savez(tmp, ids=np.array(self.ids, dtype=str), exact=self.exact, signatures=self.signatures)
        tmp.replace(path)


def _groups(keys: np.ndarray) -> list[np.ndarray]:
    """Positions sharing a key, for every key held more than once (each group in position order)."""
    order = np.argsort(keys, kind="stable")
    sorted_keys = keys[order]
    cuts = np.flatnonzero(sorted_keys[1:] != sorted_keys[:-1]) + 1
    return [g for g in np.split(order, cuts) if len(g) > 1]


def signed_index(
    store: GraphStore,
    path: Path,
    hasher: MinHasher,
    text_of: Callable[[str | None], str],
    progress: Progress | None = None,
) -> tuple[SignatureIndex, np.ndarray, dict[str, str]]:
    """The signature index at `path` grown by every supply example it lacks: (index, mask of the new
    entries, texts of the new examples by id)."""
    index = SignatureIndex.load(path, hasher.num_perm)
    known = set(index.ids)
    todo = [i for i in store.example_ids_of_role(role="supply") if i not in known]
    texts: dict[str, str] = {}
    sigs, exact = [index.signatures], [index.exact]
    for start in range(0, len(todo), PAGE):
        page = todo[start : start + PAGE]
        got = {r.id: r.messages for r in store.example_messages(ids=page)}
        page_texts = [text_of(got.get(i)) for i in page]
        texts.update(zip(page, page_texts, strict=True))
        sigs.append(hasher.signatures(page_texts))
        exact.append(np.fromiter((exact_key(t) for t in page_texts), dtype=np.int64, count=len(page)))
        if progress:
            progress("signing", min(start + PAGE, len(todo)), len(todo))
    n_old = len(index.ids)
    grown = SignatureIndex(ids=index.ids + todo, exact=np.concatenate(exact), signatures=np.concatenate(sigs))
    new_mask = np.zeros(len(grown.ids), dtype=bool)
    new_mask[n_old:] = True
    return grown, new_mask, texts


def verified_pairs(
    store: GraphStore,
    index: SignatureIndex,
    new_mask: np.ndarray,
    texts: dict[str, str],
    config: DedupConfig,
    text_of: Callable[[str | None], str],
    progress: Progress | None = None,
) -> tuple[dict[tuple[int, int], tuple[float, str]], int, int]:
    """Pairs (positions) verified similar, with (similarity, method); candidates; exact checks.
    Only candidate groups that hold a new entry are looked at."""
    pairs: dict[tuple[int, int], tuple[float, str]] = {}
    exact_checks = 0
    for group in _groups(index.exact):
        if new_mask[group].any():
            for other in group[1:]:
                pairs[(int(group[0]), int(other))] = (1.0, "exact")
    bands, rows = optimal_bands(config.threshold, config.num_perm)
    keys = band_keys(index.signatures, bands, rows)
    to_verify: set[tuple[int, int]] = set()
    for b in range(bands):
        for group in _groups(keys[:, b]):
            if new_mask[group].any():
                first = int(group[0])
                to_verify.update((first, int(o)) for o in group[1:] if (first, int(o)) not in pairs)
        if progress:
            progress("banding", b + 1, bands)
    candidates = len(to_verify) + len(pairs)
    if to_verify:
        left, right = (np.array(x, dtype=np.int64) for x in zip(*sorted(to_verify), strict=True))
        estimates = (index.signatures[left] == index.signatures[right]).mean(axis=1)
        for a, b_, est in zip(left.tolist(), right.tolist(), estimates.tolist(), strict=True):
            if est >= config.threshold + config.margin:
                pairs[(a, b_)] = (round(est, 4), "minhash")
            elif est >= config.threshold - config.margin:
                exact_checks += 1
                sim = _exact_similarity(store, index.ids, texts, a, b_, config.shingle, text_of)
                if sim >= config.threshold:
                    pairs[(a, b_)] = (round(sim, 4), "minhash")
    return pairs, candidates, exact_checks


def dedup(
    store: GraphStore,
    index_dir: Path,
    *,
    config: DedupConfig = DedupConfig(),
    progress: Progress | None = None,
) -> DedupReport:
    started = time.perf_counter()
    hasher = MinHasher(num_perm=config.num_perm, shingle=config.shingle)
    path = index_dir / f"signatures-{config.tag()}.npz"
    index, new_mask, texts = signed_index(store, path, hasher, conversation_text, progress)
    todo = int(new_mask.sum())
    pairs, candidates, exact_checks = verified_pairs(
        store, index, new_mask, texts, config, conversation_text, progress
    )

    # clusters: verified pairs plus the clusters earlier runs wrote for the examples involved
    g = nx.Graph()
    for (a, b_), (score, method) in pairs.items():
        g.add_edge(index.ids[a], index.ids[b_], score=score, method=method)
    involved = sorted(g.nodes)
    earlier = store.duplicate_edges(ids=involved)
    for e in earlier:
        g.add_edge(e.member, e.representative, score=e.score, method=e.method)
    # an earlier cluster brings its other members too
    reps = sorted({e.representative for e in earlier})
    for e in store.duplicate_edges(ids=reps):
        g.add_edge(e.member, e.representative, score=e.score, method=e.method)
    clusters = [sorted(c) for c in nx.connected_components(g)]
    position = {ident: i for i, ident in enumerate(index.ids)}
    rank = _ranking(store, [m for c in clusters for m in c], position)
    edges: list[dict[str, Any]] = []
    for members in clusters:
        rep = min(members, key=lambda m: rank[m])
        for m in members:
            if m == rep:
                continue
            score, method = _similarity(g, index, position, m, rep)
            edges.append({"src": m, "dst": rep, "score": score, "method": method, "policy": POLICY})
    members_all = sorted({m for c in clusters for m in c})
    batch = WriteBatch(
        deletions=[RelDeletion("DUPLICATE_OF", "Example", "Example", members_all, METHODS)]
        if members_all
        else [],
        relationships=[RelGroup("DUPLICATE_OF", "Example", "Example", edges)],
    )
    store.write(batch=batch)
    index.save(path)
    seconds = time.perf_counter() - started
    return DedupReport(
        examples=len(index.ids),
        new=todo,
        candidates=candidates,
        exact_checks=exact_checks,
        clusters=len(clusters),
        duplicates=len(edges),
        seconds=round(seconds, 3),
        examples_per_second=round(todo / seconds, 1) if seconds and todo else 0.0,
    )


def _exact_similarity(
    store: GraphStore,
    ids: Sequence[str],
    texts: dict[str, str],
    a: int,
    b: int,
    k: int,
    text_of: Callable[[str | None], str],
) -> float:
    missing = [ids[i] for i in (a, b) if ids[i] not in texts]
    if missing:
        texts.update((r.id, text_of(r.messages)) for r in store.example_messages(ids=missing))
    return jaccard(shingles(texts[ids[a]], k), shingles(texts[ids[b]], k))


def _similarity(
    g: nx.Graph, index: SignatureIndex, position: dict[str, int], member: str, rep: str
) -> tuple[float, str]:
    """The member's similarity to its representative: the verified edge if there is one, else the
    signatures' estimate (members joined through others)."""
    if g.has_edge(member, rep):
        data = g.edges[member, rep]
        return float(data["score"]), str(data["method"])
    if member in position and rep in position:
        a, b = index.signatures[position[member]], index.signatures[position[rep]]
        return round(float((a == b).mean()), 4), "minhash"
    return 0.0, "minhash"


def _ranking(store: GraphStore, ids: list[str], position: dict[str, int]) -> dict[str, tuple[Any, ...]]:
    """Sort key per example for choosing a representative: smaller is kept."""
    facts = store.dedup_facts(ids=ids)
    return {
        i: (
            facts[i]["synthetic"],
            facts[i]["errors"],
            facts[i]["issues"],
            facts[i]["ingested_at"] or "~",
            position.get(i, len(position)),
            i,
        )
        for i in ids
    }


def undo(store: GraphStore) -> int:
    """Delete every DUPLICATE_OF edge dedup wrote; returns how many there were."""
    members = store.duplicate_members()
    if members:
        store.write(
            batch=WriteBatch(deletions=[RelDeletion("DUPLICATE_OF", "Example", "Example", members, METHODS)])
        )
    return len(members)
