"""`classify --retrain`: fit the catalog's own learned task models, where they beat the rules.

The gold labels are the catalog's own that no classifier made (manifest, human, model:
`evaluate.gold_from_catalog`). Each learned kind (`learned.KINDS`) is first scored against the rules
leave-one-dataset-out on them; a kind is then fitted on every gold label and kept only for the
languages where it had the best macro F1. The models are written to the catalog folder
(`models/tasks.pkl`), and every later `classify` (and the classification an ingest runs) uses them
there; where no kind wins, the file is removed and the rules label alone.

An edge a learned model writes says method "learned", the model's version and training-set size in
method_version ("learned-cues-1:1a2b3c4d5e6f/n=4213") and the model's probability as its confidence.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from catalog.classify.evaluate import (
    EvalReport,
    GoldItem,
    evaluate,
    language_bucket,
    top_task,
    with_language,
)
from catalog.classify.learned import KINDS, METHOD, Kind, LearnedTasks, method_name, prompt_text
from catalog.classify.rules import Assignment, Classifier, parse_messages
from catalog.errors import CatalogError
from catalog.schema import Schema

log = logging.getLogger(__name__)

MODEL_FILE = Path("models") / "tasks.pkl"


def model_path(catalog_dir: Path) -> Path:
    return catalog_dir / MODEL_FILE


@dataclass
class TaskModels:
    """The catalog's learned task models, each with the languages it labels."""

    models: list[tuple[LearnedTasks, tuple[str, ...]]] = field(default_factory=list)

    def for_language(self, language: str) -> LearnedTasks | None:
        """The model that labels an example of this main language (any code: "de" is "other")."""
        bucket = language_bucket(language)
        return next((m for m, langs in self.models if bucket in langs), None)

    @property
    def languages(self) -> dict[str, str]:
        return {lang: m.version for m, langs in self.models for lang in langs}


def training_inputs(
    items: Sequence[GoldItem], schema: Schema, kind: Kind
) -> tuple[list[Any], list[str], list[str]]:
    """(inputs, top-level gold tasks, datasets) of the gold items no structural rule decides."""
    classifier = Classifier(schema)
    x, y, d = [], [], []
    for item in items:
        if item.task is None or item.task not in schema.tasks:
            continue
        messages = parse_messages(item.example)
        if classifier.task_by_structure(item.example) is not None:
            continue
        x.append(
            prompt_text(messages)
            if kind == "chars"
            else classifier.task_evidence(item.example, messages).features
        )
        y.append(top_task(schema, item.task))
        d.append(item.family)
    return x, y, d


def learned_assignment(
    model: LearnedTasks, guess: tuple[str, float] | None, coding_subtask: str
) -> Assignment | None:
    """The edge a learned model's prediction makes (a coding guess takes the rules' narrower task)."""
    if guess is None:
        return None
    concept, prob = guess
    version = f"{model.version}/n={model.trained_on}"
    return Assignment(coding_subtask if concept == "coding" else concept, prob, METHOD, version)


@dataclass
class RetrainReport:
    evaluation: EvalReport
    used: dict[str, str]  # language -> method that labels it ("rules" or a learned kind)
    trained_on: dict[str, int]  # learned kind -> training-set size, for the kinds kept
    path: Path | None  # the model file, None when the rules label every language


def retrain(
    items: Sequence[GoldItem], schema: Schema, catalog_dir: Path, *, progress: Any = None
) -> RetrainReport:
    """Score, fit and save (or remove) the catalog's learned task models; see the module docstring."""
    if not items:
        raise CatalogError(
            "no gold task labels in the catalog to learn from",
            hint="ingest a dataset whose manifest maps its labels (task / task_labels) or assign tasks by hand",
        )
    items = [with_language(i) for i in items]
    report = evaluate(items, schema, progress=progress)
    path = model_path(catalog_dir)
    models = TaskModels()
    trained: dict[str, int] = {}
    for kind in KINDS:
        languages = tuple(sorted(lang for lang, m in report.used.items() if m == method_name(kind)))
        if not languages:
            continue
        x, y, d = training_inputs(items, schema, kind)
        model = LearnedTasks.fit(x, y, d, kind=kind)
        models.models.append((model, languages))
        trained[kind] = model.trained_on
    if models.models:
        save_models(models, path)
        log.info("learned task models for %s written to %s", models.languages, path)
    elif path.exists():
        path.unlink()  # the rules beat every model now: no stale model labels anything
    return RetrainReport(report, dict(report.used), trained, path if models.models else None)


def save_models(models: TaskModels, path: Path) -> None:
    import pickle

    from catalog.classify.learned import FILE_FORMAT

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    payload = {"format": FILE_FORMAT, "models": models.models}
    tmp.write_bytes(pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL))
    tmp.replace(path)  # a kill mid-write leaves the previous models, never half of one


def load_models(catalog_dir: Path) -> TaskModels | None:
    """The catalog's learned task models, or None when `classify --retrain` kept none. The file is
    the catalog's own (written by retrain), never one from elsewhere."""
    import pickle

    from catalog.classify.learned import FILE_FORMAT

    path = model_path(catalog_dir)
    if not path.exists():
        return None
    try:
        payload = pickle.loads(path.read_bytes())  # the catalog's own file
    except (OSError, pickle.UnpicklingError, AttributeError, ImportError, EOFError) as exc:
        raise CatalogError(
            f"cannot read the learned task models {path}: {exc}",
            hint="refit them: curagraph classify --retrain (or delete the file to label with the rules alone)",
        ) from None
    if not isinstance(payload, dict) or payload.get("format") != FILE_FORMAT:
        log.warning("the learned task models in %s are from another version; ignored until --retrain", path)
        return None
    return TaskModels([(m, tuple(langs)) for m, langs in payload["models"]])
