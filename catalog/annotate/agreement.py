"""How far two labelling methods agree: Cohen's kappa and the confusion, per dimension.

Methods: `rules` (the cue rules, run now on the examples), `model` (the annotator's replies in the
ledger, abstentions included, for one model), `human` and `manifest` (the catalog's edges of that
method). Two methods are compared on the examples both labelled:

- task: the top-level task, one per example (kappa over those categories);
- safety: flagged or not (binary kappa);
- topic: per topic either method used, present or not (binary kappa), averaged over those topics.

Kappa = (observed agreement - chance agreement) / (1 - chance agreement); 1 is perfect agreement,
0 what chance gives. With fewer than two categories in play it is undefined (None).
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from catalog.annotate.cache import FILE as LEDGER_FILE
from catalog.annotate.cache import Ledger
from catalog.annotate.prompts import Dimension
from catalog.classify.rules import Classifier, parse_messages
from catalog.errors import CatalogError

log = logging.getLogger(__name__)

METHODS = ("rules", "model", "human", "manifest")
_REL = {"task": "FOR_TASK", "topic": "ABOUT", "safety": "HAS_RISK"}
NONE = "(none)"


@dataclass
class Agreement:
    dimension: str
    a: str
    b: str
    n: int  # examples both methods labelled
    kappa: float | None
    observed: float  # share of those examples on which they agree
    confusion: dict[str, dict[str, int]]  # a's label -> b's label -> count


def cohen_kappa(pairs: Sequence[tuple[str, str]]) -> float | None:
    n = len(pairs)
    if not n:
        return None
    observed = sum(a == b for a, b in pairs) / n
    left, right = Counter(a for a, _ in pairs), Counter(b for _, b in pairs)
    chance = sum(left[c] * right[c] for c in set(left) | set(right)) / (n * n)
    if chance >= 1.0:
        return None
    return (observed - chance) / (1.0 - chance)


def labels_by(
    store: Any, catalog_dir: Path, method: str, dimension: Dimension, *, model: str | None = None
) -> dict[str, tuple[str, ...]]:
    """Example id -> the concepts the method gave it on the dimension (empty: looked, found none)."""
    if method == "model":
        if not (catalog_dir / LEDGER_FILE).exists():
            return {}  # no annotator has run here (a read never creates the ledger)
        ledger = Ledger(catalog_dir)
        try:
            entries = [e for e in ledger.entries(model) if e.status == "ok" and e.dimension == dimension]
        finally:
            ledger.close()
        models = {e.model for e in entries}
        if len(models) > 1:
            raise CatalogError(
                f"the ledger holds replies of several models ({', '.join(sorted(models))})",
                hint="choose one with --model",
            )
        return {e.example: e.concepts for e in entries}
    if method in ("human", "manifest"):
        out: dict[str, list[str]] = defaultdict(list)
        for r in store.gold_assignments(rel_type=_REL[dimension], methods=(method,)):
            out[r.example].append(r.concept)
        return {k: tuple(sorted(v)) for k, v in out.items()}
    if method == "rules":
        return {}  # computed on demand for the other method's examples (see `agreement`)
    raise CatalogError(f"unknown method {method!r}", hint=f"one of: {', '.join(METHODS)}")


def _rules_labels(store: Any, ids: Sequence[str], dimension: Dimension) -> dict[str, tuple[str, ...]]:
    classifier = Classifier(store.schema)
    out: dict[str, tuple[str, ...]] = {}
    for start in range(0, len(ids), 2_000):
        for ex in store.examples_for_classification(ids=list(ids[start : start + 2_000])):
            messages = parse_messages(ex)
            if dimension == "task":
                a = classifier.task_of(ex, messages)
                out[ex["id"]] = (a.concept,) if a else ()
            elif dimension == "topic":
                out[ex["id"]] = tuple(sorted(t.concept for t in classifier.topics_of(messages)))
            else:
                out[ex["id"]] = tuple(sorted(r.concept for r in classifier.risks_of(messages)))
    return out


def _top(tasks: Mapping[str, Any], task: str) -> str:
    while task in tasks and tasks[task].broader:
        task = tasks[task].broader
    return task


def agreement(
    store: Any, catalog_dir: Path, a: str, b: str, dimension: Dimension, *, model: str | None = None
) -> Agreement:
    if a == b:
        raise CatalogError(
            "compare two different methods", hint=f"e.g. --a rules --b model (of {', '.join(METHODS)})"
        )
    left, right = (labels_by(store, catalog_dir, m, dimension, model=model) for m in (a, b))
    if a == "rules":
        left = _rules_labels(store, sorted(right), dimension)
    if b == "rules":
        right = _rules_labels(store, sorted(left), dimension)
    both = sorted(set(left) & set(right))
    schema = store.schema
    confusion: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    if dimension == "task":
        pairs = [
            (
                _top(schema.tasks, left[i][0]) if left[i] else NONE,
                _top(schema.tasks, right[i][0]) if right[i] else NONE,
            )
            for i in both
        ]
        kappa = cohen_kappa(pairs)
    elif dimension == "safety":
        pairs = [("flagged" if left[i] else "safe", "flagged" if right[i] else "safe") for i in both]
        kappa = cohen_kappa(pairs)
    else:
        used = sorted({t for i in both for t in (*left[i], *right[i])})
        per_topic = [
            k
            for t in used
            if (k := cohen_kappa([(str(t in left[i]), str(t in right[i])) for i in both])) is not None
        ]
        kappa = sum(per_topic) / len(per_topic) if per_topic else None
        pairs = [(",".join(left[i]) or NONE, ",".join(right[i]) or NONE) for i in both]
    for x, y in pairs:
        confusion[x][y] += 1
    observed = sum(x == y for x, y in pairs) / len(pairs) if pairs else 0.0
    return Agreement(
        dimension, a, b, len(both), kappa, observed, {k: dict(v) for k, v in sorted(confusion.items())}
    )


#: model labels count as gold for `classify --retrain` only when the model agrees with the data's own
#: and people's task labels at least this well (Cohen's kappa, top-level tasks) on at least
#: MIN_OVERLAP examples both labelled: "substantial" agreement on the Landis-Koch scale
MIN_MODEL_KAPPA = 0.6
MIN_OVERLAP = 30


def model_task_trust(store: Any, catalog_dir: Path) -> tuple[float | None, int]:
    """(kappa, examples compared) of the annotator's tasks against the manifest's and people's."""
    gold = labels_by(store, catalog_dir, "manifest", "task")
    gold.update(labels_by(store, catalog_dir, "human", "task"))  # a person's word over the data's
    try:
        model = labels_by(store, catalog_dir, "model", "task")
    except CatalogError:
        return None, 0  # several models in the ledger: none is trusted without a choice
    tasks = store.schema.tasks
    pairs = [
        (_top(tasks, gold[i][0]), _top(tasks, model[i][0]) if model[i] else NONE)
        for i in sorted(set(gold) & set(model))
        if gold[i]
    ]
    return cohen_kappa(pairs), len(pairs)
