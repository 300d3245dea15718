"""Topic discovery (`curagraph topics discover`): clusters of the examples the topic scheme leaves
unlabelled or only weakly labelled, each proposed as a new concept for a person to accept or not.

- **Which examples**: supply examples whose best topic edge is below `max_confidence` (the gap
  report's threshold by default): what coverage cannot count by topic.
- **What of them**: the first `TEXT_CHARS` characters of the prompt and of the reply (a recipe's
  reply lists its ingredients; the prompt alone says "give me a recipe").
- **How**: words (Chinese: character bigrams) as TF-IDF, English stop words and words in more than
  a fifth of the examples left out (instruction verbs such as "describe" or "write"), reduced to
  `DIMENSIONS` with truncated SVD and length-normalised; k-means with one cluster per
  `EXAMPLES_PER_CLUSTER` candidates (at most `MAX_CLUSTERS`); then each cluster keeps only its
  core, the members at or above its median cosine to the centroid: precision before recall, as a
  wrong member is worse than one left for the next run. Cores smaller than `min_size` are dropped.
  These settings were chosen on one held-out topic (recipes) and are reported on others in
  docs/classification.md.
- **Each proposal**: its size and members, the exemplars nearest its centroid, its coherence (mean
  cosine to the centroid), distinctive words per language present (mean TF-IDF in the cluster minus
  in all candidates; Chinese as character bigrams), the existing topic nearest it (its labels,
  definition and cues in the same space) and a suggested `skos:broader` parent: that topic, or its
  parent when it is at the scheme's third and last level (the proposal is then its sibling).

Proposals are saved in `<catalog>/topics/proposals.json`; nothing enters the ontology until
`topics accept` (catalog/topics/accept.py).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from catalog.coverage.spec import DEFAULT_MIN_CONFIDENCE
from catalog.errors import CatalogError

log = logging.getLogger(__name__)

VERSION = "topics-discover-1"
DIMENSIONS = 100
MIN_SIZE = 10
TEXT_CHARS = 300
EXAMPLES_PER_CLUSTER = 50
MAX_CLUSTERS = 300
MAX_DF = 0.2
MAX_DEPTH = (
    3  # the topic scheme's levels: a proposal goes under its nearest topic, or beside it at the last level
)
EXEMPLARS = 5
TERMS = 8
PROPOSALS = Path("topics") / "proposals.json"


@dataclass
class Proposal:
    id: str
    size: int
    coherence: float
    members: list[str]
    exemplars: list[dict[str, str]]
    terms: dict[str, list[str]]
    nearest: str | None
    nearest_similarity: float
    broader: str | None
    languages: dict[str, int] = field(default_factory=dict)
    #: suggested by the model annotator when one is configured (catalog/topics/titles.py)
    title: str | None = None
    description: str | None = None
    title_by: str | None = None


@dataclass
class Discovery:
    version: str
    candidates: int  # examples considered: no topic at or above max_confidence
    clustered: int  # of them, in some proposal
    max_confidence: float
    min_size: int
    proposals: list[Proposal]


def _language(code: str | None) -> str:
    return code if code in ("en", "ko", "zh") else "other"


def _terms(texts: list[str], members: dict[int, list[int]], language: str) -> dict[int, list[str]]:
    """Per cluster, the words (Chinese: character bigrams) its members use more than the rest."""
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer

    if language == "zh":
        vectorizer = TfidfVectorizer(analyzer="char", ngram_range=(2, 2), min_df=2, sublinear_tf=True)
    else:
        vectorizer = TfidfVectorizer(
            token_pattern=r"(?u)\b[^\W\d_]{2,}\b",
            stop_words="english" if language == "en" else None,
            min_df=2,
            sublinear_tf=True,
        )
    try:
        matrix = vectorizer.fit_transform(texts)
    except ValueError:  # no term in at least two texts
        return {}
    vocabulary = vectorizer.get_feature_names_out()
    overall = np.asarray(matrix.mean(axis=0)).ravel()
    out = {}
    for cluster, rows in members.items():
        if not rows:
            continue
        lift = np.asarray(matrix[rows].mean(axis=0)).ravel() - overall
        top = [i for i in np.argsort(-lift)[:TERMS] if lift[i] > 0]
        out[cluster] = [str(vocabulary[i]) for i in top]
    return out


_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_WORD = re.compile(r"[^\W\d_]{3,}")


def _words(text: str) -> list[str]:
    """Words of three letters or more outside English stop words; Chinese runs as character bigrams."""
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    text = text.lower()
    out = [run[i : i + 2] for run in _CJK.findall(text) for i in range(len(run) - 1)]
    out += [w for w in _WORD.findall(_CJK.sub(" ", text)) if w not in ENGLISH_STOP_WORDS]
    return out


def _concept_text(concept: Any) -> str:
    parts = [concept.label, concept.description or ""]
    parts += [p.split(":", 1)[1] for p in (*concept.alt_labels, *concept.cues) if ":" in p]
    return " ".join(parts)


def discover(
    store: Any,
    *,
    max_confidence: float = DEFAULT_MIN_CONFIDENCE,
    min_size: int = MIN_SIZE,
    seed: int = 0,
) -> Discovery:
    """Cluster the weakly labelled examples into proposed topics (see the module docstring)."""
    import numpy as np
    from sklearn.cluster import KMeans, MiniBatchKMeans
    from sklearn.decomposition import TruncatedSVD
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.preprocessing import normalize

    from catalog.classify.rules import parse_messages

    rows = sorted(
        (
            r
            for r in store.topic_states()
            if max((c for c in r.confidences if c is not None), default=0.0) < max_confidence - 1e-9
        ),
        key=lambda r: r.id,
    )
    texts_by_id: dict[str, str] = {}
    for start in range(0, len(rows), 2_000):
        for ex in store.examples_for_classification(ids=[r.id for r in rows[start : start + 2_000]]):
            messages = [m for m in parse_messages(ex) if m.get("role") in ("user", "assistant")][:2]
            texts_by_id[ex["id"]] = " ".join(str(m.get("content") or "")[:TEXT_CHARS] for m in messages)
    rows = [r for r in rows if texts_by_id.get(r.id, "").strip()]
    if len(rows) < 2 * min_size:
        log.info("topic discovery: %d candidates, fewer than twice the smallest cluster", len(rows))
        return Discovery(VERSION, len(rows), 0, max_confidence, min_size, [])
    texts = [texts_by_id[r.id] for r in rows]
    words = TfidfVectorizer(analyzer=_words, min_df=3, max_df=MAX_DF, sublinear_tf=True)
    try:
        matrix = words.fit_transform(texts)
    except ValueError:  # no word in three examples
        return Discovery(VERSION, len(rows), 0, max_confidence, min_size, [])
    components = max(2, min(DIMENSIONS, matrix.shape[1] - 1, len(rows) - 1))
    svd = TruncatedSVD(n_components=components, random_state=seed)
    points = normalize(svd.fit_transform(matrix))
    k = max(2, min(MAX_CLUSTERS, round(len(rows) / EXAMPLES_PER_CLUSTER)))
    kmeans = (
        KMeans(k, n_init=3, random_state=seed)
        if len(rows) <= 20_000
        else MiniBatchKMeans(k, n_init=3, random_state=seed, batch_size=4_096)
    )
    labels = kmeans.fit_predict(points)
    schema = store.schema
    topics = sorted(schema.topics)
    concept_points = normalize(
        svd.transform(words.transform([_concept_text(schema.topics[t]) for t in topics]))
    )
    by_cluster: dict[int, list[int]] = {}
    centroids: dict[int, Any] = {}
    for c in range(k):
        where = np.where(labels == c)[0]
        if len(where) == 0:
            continue
        centroid = points[where].mean(axis=0)
        centroid = centroid / (float(np.linalg.norm(centroid)) or 1.0)
        near = points[where] @ centroid
        core = [int(i) for i in where[near >= np.median(near)]]
        if len(core) >= min_size:
            by_cluster[c], centroids[c] = core, centroid
    clusters = sorted(by_cluster)
    # distinctive words, per language present
    terms: dict[int, dict[str, list[str]]] = {c: {} for c in clusters}
    for language in ("en", "ko", "zh", "other"):
        index = [i for i, r in enumerate(rows) if _language(r.language) == language]
        if not index:
            continue
        position = {i: j for j, i in enumerate(index)}
        in_language = {c: [position[i] for i in by_cluster[c] if i in position] for c in clusters}
        for c, found_words in _terms([texts[i] for i in index], in_language, language).items():
            if found_words:
                terms[c][language] = found_words
    proposals = []
    for c in clusters:
        idx = by_cluster[c]
        centroid = centroids[c]
        similarity = points[idx] @ centroid
        exemplars = [idx[j] for j in np.argsort(-similarity)[:EXEMPLARS]]
        to_concepts = concept_points @ centroid
        best = int(np.argmax(to_concepts))
        nearest = topics[best]
        members = sorted(rows[i].id for i in idx)
        languages: dict[str, int] = {}
        for i in idx:
            languages[_language(rows[i].language)] = languages.get(_language(rows[i].language), 0) + 1
        proposals.append(
            Proposal(
                id="c" + hashlib.sha1("\n".join(members).encode()).hexdigest()[:8],
                size=len(idx),
                coherence=round(float(similarity.mean()), 3),
                members=members,
                exemplars=[{"id": rows[i].id, "preview": texts[i]} for i in exemplars],
                terms=terms[c],
                nearest=nearest,
                nearest_similarity=round(float(to_concepts[best]), 3),
                broader=nearest
                if schema.topics[nearest].depth < MAX_DEPTH
                else schema.topics[nearest].broader,
                languages=dict(sorted(languages.items())),
            )
        )
    proposals.sort(key=lambda p: (-p.size, p.id))
    clustered = sum(p.size for p in proposals)
    log.info("topic discovery: %d candidates, %d proposals holding %d", len(rows), len(proposals), clustered)
    return Discovery(VERSION, len(rows), clustered, max_confidence, min_size, proposals)


def save_proposals(catalog_dir: Path, found: Discovery) -> Path:
    """Write the proposals where `topics accept` reads them (atomically: a kill leaves the old file)."""
    path = catalog_dir / PROPOSALS
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(asdict(found), ensure_ascii=False, indent=1))
    os.replace(tmp, path)
    return path


def load_proposal(catalog_dir: Path, proposal_id: str) -> Proposal:
    path = catalog_dir / PROPOSALS
    if not path.exists():
        raise CatalogError("no topic proposals in this catalog", hint="run `curagraph topics discover` first")
    data = json.loads(path.read_text())
    for p in data["proposals"]:
        if p["id"] == proposal_id:
            return Proposal(**p)
    ids = ", ".join(p["id"] for p in data["proposals"]) or "none"
    raise CatalogError(f"no topic proposal {proposal_id!r}", hint=f"the last discovery proposed: {ids}")
