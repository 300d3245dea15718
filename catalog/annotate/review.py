"""Active learning: which examples a person should label next (`curagraph review`).

The queue ranks the supply examples no person or dataset has given a task:

- **uncertain first**: 1 - the confidence of the example's current task (an unlabelled example
  scores 1);
- **disagreement**: +0.5 where the model annotator's task (in the ledger) and the rules' differ at
  the top of the task scheme;
- **diverse**: taken greedily in that order, skipping an example whose character 3-4-gram TF-IDF
  vector is closer than `max_similarity` (cosine) to one already taken, so the queue is not N
  near-copies of one prompt.

`pick` is the policy on its own (the simulation in bench/review_sim.py uses it with a learned
model's probabilities as the confidence). Answers become a person's edges (`assign`), which no
automatic run overwrites and `classify --retrain` learns from.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from catalog.annotate.agreement import labels_by
from catalog.classify.rules import Classifier, parse_messages
from catalog.errors import CatalogError

log = logging.getLogger(__name__)

DISAGREEMENT_BONUS = 0.5
MAX_SIMILARITY = 0.8
POOL_FACTOR = 20  # diversity is checked among the POOL_FACTOR x n most uncertain


@dataclass(frozen=True)
class Candidate:
    id: str
    text: str
    confidence: float  # of the current label; 0 when there is none
    disagreement: bool = False
    label: str | None = None  # the current label

    @property
    def score(self) -> float:
        return (1.0 - self.confidence) + (DISAGREEMENT_BONUS if self.disagreement else 0.0)


def pick(
    candidates: Sequence[Candidate], n: int, *, max_similarity: float = MAX_SIMILARITY
) -> list[Candidate]:
    """The n candidates to review: highest score first, near-copies of a taken one skipped."""
    ranked = sorted(candidates, key=lambda c: (-c.score, c.id))
    pool = ranked[: max(n * POOL_FACTOR, n)]
    if len(pool) <= 1 or n <= 0:
        return pool[:n]
    from sklearn.feature_extraction.text import TfidfVectorizer

    texts = [c.text.lower() or c.id for c in pool]
    vectors = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 4), sublinear_tf=True).fit_transform(texts)
    taken: list[int] = []
    for i in range(len(pool)):
        if len(taken) == n:
            break
        if taken and float((vectors[taken] @ vectors[i].T).max()) >= max_similarity:
            continue
        taken.append(i)
    if len(taken) < n:  # too few distinct ones: fill with the next most uncertain
        taken += [i for i in range(len(pool)) if i not in taken][: n - len(taken)]
    return [pool[i] for i in taken]


def review_queue(store: Any, catalog_dir: Path, n: int, *, dimension: str = "task") -> list[Candidate]:
    """The next n examples a person should give a task (see the module docstring)."""
    if dimension != "task":
        raise CatalogError(
            f"review ranks the task dimension only for now, not {dimension!r}", hint="--dimension task"
        )
    states = store.task_states(kept=("human", "manifest"))
    schema = store.schema
    try:
        model = labels_by(store, catalog_dir, "model", "task")
    except CatalogError:
        model = {}  # several models in the ledger: no disagreement signal without a choice
    candidates = []
    for r in states:
        pairs = sorted(zip(r.confidences, r.tasks, strict=True), reverse=True)
        conf, label = pairs[0] if pairs else (0.0, None)
        candidates.append(Candidate(r.id, r.preview or "", float(conf), False, label))
    # disagreement: the rules against the model, where the model answered (computed for those only)
    answered = [c.id for c in candidates if model.get(c.id)]
    if answered:
        classifier = Classifier(schema)
        rules: dict[str, str | None] = {}
        for start in range(0, len(answered), 2_000):
            for ex in store.examples_for_classification(ids=answered[start : start + 2_000]):
                a = classifier.task_of(ex, parse_messages(ex))
                rules[ex["id"]] = classifier.top_task(a.concept) if a else None
        candidates = [
            Candidate(
                c.id,
                c.text,
                c.confidence,
                c.id in rules and rules[c.id] != classifier.top_task(model[c.id][0]),
                c.label,
            )
            if c.id in rules
            else c
            for c in candidates
        ]
    return pick(candidates, n)
