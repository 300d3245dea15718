"""The learned task classifier: logistic regression over character n-grams of the prompt.

Trained only on labels that did not come from the classifier itself: the data's own (manifest),
a person's (human) or a model annotator's (model). Character n-grams (1 to 4, within word
boundaries) work the same in English, Korean and Chinese without a tokenizer, and the model is a
few megabytes of scikit-learn, no weights to download. `predict` gives the top-level task and the
model's probability for it; `catalog.classify.evaluate` measures it leave-one-dataset-out against
the rules, and says where it is the better method.
"""

from __future__ import annotations

import hashlib
import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger(__name__)

METHOD = "learned"
PROMPT_CHARS = 600
#: at most this many training examples per (dataset, task): one big dataset does not drown the rest
PER_DATASET_CLASS = 1_500


def prompt_text(messages: Sequence[dict[str, Any]]) -> str:
    return next((m.get("content") or "" for m in messages if m.get("role") == "user"), "")[:PROMPT_CHARS]


@dataclass
class LearnedTasks:
    """A fitted model, its version (a hash of what it was trained on) and its training-set size."""

    model: Any = None
    classes: tuple[str, ...] = ()
    trained_on: int = 0
    version: str = ""
    per_class: dict[str, int] = field(default_factory=dict)

    @classmethod
    def fit(cls, texts: Sequence[str], labels: Sequence[str], datasets: Sequence[str]) -> LearnedTasks:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline

        kept: list[int] = []
        seen: Counter[tuple[str, str]] = Counter()
        for i, (d, label) in enumerate(zip(datasets, labels, strict=True)):
            if seen[(d, label)] < PER_DATASET_CLASS:
                seen[(d, label)] += 1
                kept.append(i)
        x = [texts[i].lower() for i in kept]
        y = [labels[i] for i in kept]
        if len(set(y)) < 2:
            raise ValueError("the learned classifier needs labels of at least two tasks")
        model = make_pipeline(
            TfidfVectorizer(
                analyzer="char_wb", ngram_range=(1, 4), min_df=2, sublinear_tf=True, max_features=200_000
            ),
            LogisticRegression(C=4.0, max_iter=2_000, class_weight="balanced"),
        )
        model.fit(x, y)
        digest = hashlib.sha256("\n".join(f"{a}\t{b}" for a, b in sorted(zip(y, x, strict=True))).encode())
        return cls(
            model=model,
            classes=tuple(model.classes_),
            trained_on=len(y),
            version=f"learned-1:{digest.hexdigest()[:12]}",
            per_class=dict(Counter(y)),
        )

    def predict(self, texts: Sequence[str]) -> list[tuple[str, float]]:
        if not texts:
            return []
        probs = self.model.predict_proba([t.lower() for t in texts])
        out = []
        for row in probs:
            best = int(row.argmax())
            out.append((self.classes[best], round(float(row[best]), 3)))
        return out
