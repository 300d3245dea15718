"""Active learning: which examples a person should label next (`curagraph review`).

The queue ranks the supply examples no person or dataset has given a task (and no person has
flagged with a risk):

- **uncertain first**: 1 - the confidence of the example's current task (an unlabelled example
  scores 1);
- **disagreement**: +0.5 where the model annotator's task (in the ledger) and the rules' differ at
  the top of the task scheme;
- **where coverage needs it**: with a target mix, + 0.5 x the share of the wanted examples still
  missing in the cell of the example's current task (deficit / want, from the gap report at the
  target's confidence threshold; 0 where the cell is full or not wanted), so a label that can move
  the coverage report counts more than one for a cell that is already over quota;
- **diverse**: taken greedily in that order, skipping an example whose character 3-4-gram TF-IDF
  vector is closer than `max_similarity` (cosine) to one already taken, so the queue is not N
  near-copies of one prompt.

`neighbours` gives, for each queued example, the nearest examples a person or the data's own
manifest has already labelled (same TF-IDF, among the first `NEIGHBOUR_POOL` of them by id): what a
reviewer compares with.

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
from catalog.schema import with_broader

log = logging.getLogger(__name__)

DISAGREEMENT_BONUS = 0.5
COVERAGE_BONUS = 0.5
KEPT = ("human", "manifest")  # a person's or the data's own task: never in the queue
NEIGHBOUR_POOL = 20_000
MAX_SIMILARITY = 0.8
POOL_FACTOR = 20  # diversity is checked among the POOL_FACTOR x n most uncertain


@dataclass(frozen=True)
class Candidate:
    id: str
    text: str
    confidence: float  # of the current label; 0 when there is none
    disagreement: bool = False
    label: str | None = None  # the current label
    need: float = 0.0  # the share of the current label's coverage cell still missing (0..1)

    @property
    def score(self) -> float:
        return (
            (1.0 - self.confidence)
            + (DISAGREEMENT_BONUS if self.disagreement else 0.0)
            + COVERAGE_BONUS * self.need
        )


@dataclass(frozen=True)
class Neighbour:
    id: str
    text: str
    task: str
    method: str
    similarity: float


def pick(
    candidates: Sequence[Candidate], n: int, *, max_similarity: float = MAX_SIMILARITY
) -> list[Candidate]:
    """The n candidates to review: highest score first, near-copies of a taken one skipped."""
    ranked = sorted(candidates, key=lambda c: (-c.score, c.id))
    pool = ranked[: max(n * POOL_FACTOR, n)]
    if len(pool) <= 1 or n <= 0:
        return pool[:n]
    vectors = _vectorizer().fit_transform([c.text.lower() or c.id for c in pool])
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


def _vectorizer() -> Any:
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 4), sublinear_tf=True)


def coverage_need(store: Any, spec: Any) -> dict[str, float]:
    """Per task, the share of its wanted examples the catalog still lacks (deficit / want) against
    the target mix `spec`, for every task whose own row or an ancestor's is wanted: a label in a cell
    that is full or not wanted moves nothing."""
    from catalog.eligibility import build_report

    report = build_report(store, spec)
    need = {r.value: r.deficit / r.want for r in report.rows if r.dimension == "task" and r.want > 0}
    tasks = store.schema.tasks
    return {t: max(need.get(a, 0.0) for a in with_broader(tasks, [t])) for t in tasks}


def review_queue(
    store: Any, catalog_dir: Path, n: int, *, dimension: str = "task", spec: Any = None
) -> list[Candidate]:
    """The next n examples a person should give a task (see the module docstring); `spec`, a target
    mix, weights them by what coverage still needs."""
    if dimension != "task":
        raise CatalogError(
            f"review ranks the task dimension only for now, not {dimension!r}", hint="--dimension task"
        )
    states = store.task_states(kept=KEPT)
    need = coverage_need(store, spec) if spec is not None else {}
    schema = store.schema
    try:
        model = labels_by(store, catalog_dir, "model", "task")
    except CatalogError:
        model = {}  # several models in the ledger: no disagreement signal without a choice
    candidates = []
    for r in states:
        pairs = sorted(zip(r.confidences, r.tasks, strict=True), reverse=True)
        conf, label = pairs[0] if pairs else (0.0, None)
        candidates.append(
            Candidate(
                r.id, r.preview or "", float(conf), False, label, need.get(label, 0.0) if label else 0.0
            )
        )
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
                c.need,
            )
            if c.id in rules
            else c
            for c in candidates
        ]
    return pick(candidates, n)


def neighbours(store: Any, queue: Sequence[Candidate], k: int = 3) -> dict[str, list[Neighbour]]:
    """For each queued example, the k nearest examples already given a task by a person or by their
    dataset's manifest (cosine of character 3-4-gram TF-IDF; only those above 0)."""
    labelled = store.kept_tasks(kept=KEPT, limit=NEIGHBOUR_POOL)
    if not queue or not labelled:
        return {c.id: [] for c in queue}
    vectorizer = _vectorizer().fit([r.preview or "" for r in labelled] + [c.text for c in queue])
    known = vectorizer.transform([r.preview or "" for r in labelled])
    asked = vectorizer.transform([c.text for c in queue])
    similarity = (asked @ known.T).toarray()
    out: dict[str, list[Neighbour]] = {}
    for i, c in enumerate(queue):
        order = sorted(range(len(labelled)), key=lambda j: (-similarity[i, j], labelled[j].id))
        near = [j for j in order if similarity[i, j] > 0 and labelled[j].id != c.id][:k]
        out[c.id] = [
            Neighbour(
                labelled[j].id,
                labelled[j].preview or "",
                labelled[j].task,
                labelled[j].method,
                round(float(similarity[i, j]), 3),
            )
            for j in near
        ]
    return out
