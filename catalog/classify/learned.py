"""Learned task classifiers: logistic regression over the prompt, fitted on gold labels only.

Trained only on labels that did not come from the classifier itself: the data's own (manifest),
a person's (human) or a model annotator's (model). Two kinds of input, both a few megabytes of
scikit-learn with no weights to download:

- `chars`: character n-grams (1 to 4, within word boundaries) of the first user message; they work
  the same in English, Korean and Chinese without a tokenizer;
- `cues`: the rules' own evidence as named features (`Classifier.task_evidence`: which cue was found,
  near the start or not, code, a question ending, a short exchange), so the cues' weights, and the
  evidence one cue gives *against* a task, are learnt from gold labels instead of set by hand. An
  example with no evidence has no features and is left unlabelled, as the rules leave it.

`predict` gives the top-level task and the model's probability for it (None where it abstains);
`catalog.classify.evaluate` measures each kind leave-one-dataset-out against the rules, and says
per language which method is the better one.
"""

from __future__ import annotations

import hashlib
import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

log = logging.getLogger(__name__)

METHOD = "learned"
PROMPT_CHARS = 600
#: at most this many training examples per (dataset, task): one big dataset does not drown the rest
PER_DATASET_CLASS = 1_500
Kind = Literal["chars", "cues"]
KINDS: tuple[Kind, ...] = ("chars", "cues")
#: a model file says which format it is in; an older one is refitted, not misread
FILE_FORMAT = 1


def method_name(kind: Kind) -> str:
    """How the evaluation names a learned model of this kind (its edges say method "learned")."""
    return f"{METHOD}-{kind}"


def prompt_text(messages: Sequence[dict[str, Any]]) -> str:
    return next((m.get("content") or "" for m in messages if m.get("role") == "user"), "")[:PROMPT_CHARS]


def _pipeline(kind: Kind) -> Any:
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    if kind == "chars":
        first: Any = TfidfVectorizer(
            analyzer="char_wb", ngram_range=(1, 4), min_df=2, sublinear_tf=True, max_features=200_000
        )
        return make_pipeline(first, LogisticRegression(C=4.0, max_iter=2_000, class_weight="balanced"))
    return make_pipeline(DictVectorizer(), LogisticRegression(C=1.0, max_iter=2_000, class_weight="balanced"))


def _prepared(kind: Kind, x: Any) -> Any:
    return x.lower() if kind == "chars" else x


@dataclass
class LearnedTasks:
    """A fitted model, its kind, its version (a hash of what it was trained on) and its training-set
    size. `x` is the prompt text (kind `chars`) or the evidence features (kind `cues`)."""

    model: Any = None
    kind: Kind = "chars"
    classes: tuple[str, ...] = ()
    trained_on: int = 0
    version: str = ""
    per_class: dict[str, int] = field(default_factory=dict)

    @classmethod
    def fit(
        cls,
        x: Sequence[Any],
        labels: Sequence[str],
        datasets: Sequence[str],
        *,
        kind: Kind = "chars",
    ) -> LearnedTasks:
        kept: list[int] = []
        seen: Counter[tuple[str, str]] = Counter()
        for i, (d, label) in enumerate(zip(datasets, labels, strict=True)):
            if kind == "cues" and not x[i]:
                continue  # nothing to learn from an example without evidence
            if seen[(d, label)] < PER_DATASET_CLASS:
                seen[(d, label)] += 1
                kept.append(i)
        inputs = [_prepared(kind, x[i]) for i in kept]
        y = [labels[i] for i in kept]
        if len(set(y)) < 2:
            raise ValueError("the learned classifier needs labels of at least two tasks")
        model = _pipeline(kind)
        model.fit(inputs, y)
        lines = sorted(
            f"{a}\t{b if kind == 'chars' else sorted(b.items())}" for a, b in zip(y, inputs, strict=True)
        )
        digest = hashlib.sha256("\n".join(lines).encode())
        return cls(
            model=model,
            kind=kind,
            classes=tuple(str(c) for c in model.classes_),
            trained_on=len(y),
            version=f"learned-{kind}-1:{digest.hexdigest()[:12]}",
            per_class=dict(Counter(y)),
        )

    def predict(self, x: Sequence[Any]) -> list[tuple[str, float] | None]:
        """(top-level task, probability) per input; None where a `cues` model has no evidence."""
        out: list[tuple[str, float] | None] = [None] * len(x)
        todo = [i for i, v in enumerate(x) if self.kind == "chars" or v]
        if not todo:
            return out
        probs = self.model.predict_proba([_prepared(self.kind, x[i]) for i in todo])
        for i, row in zip(todo, probs, strict=True):
            best = int(row.argmax())
            out[i] = (self.classes[best], round(float(row[best]), 3))
        return out
