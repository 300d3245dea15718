"""How good the labels are, measured leave-one-dataset-out on gold labels nobody tuned on.

Gold labels are the ones that did not come from the classifier: a dataset's own labels mapped by its
manifest, a person's, or a hand-labelled file (one line per example, with a reason per label). The
evaluation groups them by dataset *family* (a translation counts with its original: KULLM is
Self-Instruct in Korean) and, for each family, scores

- the rules (`rules`): the cue classifier, which is not trained; on a family whose data was read
  while the cues were written its figure is in-sample, which docs/classification.md says;
- the learned classifier (`learned`): trained on every other family's gold labels only, then
  scored on the left-out one, so no figure comes from data the model saw.

Per dimension (task, topic, safety) and prompt language: precision, recall and F1 per class, macro
F1, a confusion matrix, the share abstained (no label: counted as a miss for recall, never as a
wrong prediction), and calibration (accuracy per confidence bin). Tasks are scored at the top level
of the task scheme. Topics: a predicted topic is right when it is one of the example's acceptable
topics, or an ancestor or descendant of one. Safety: the share of each dataset flagged, per risk.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any

import orjson

from catalog.classify.language import languages_of
from catalog.classify.learned import KINDS, Kind, LearnedTasks, method_name, prompt_text
from catalog.classify.rules import Classifier, parse_messages
from catalog.coverage.spec import DEFAULT_MIN_CONFIDENCE
from catalog.errors import CatalogError
from catalog.schema import Schema

log = logging.getLogger(__name__)

#: a translated dataset is scored with its original, never trained on while the original is held out
FAMILIES = {"kullm-user-oriented-ko": "self-instruct"}
BINS = (0.0, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.01)
#: languages reported on their own; the rest (a German code question, an Indonesian tool call) are "other"
LANGUAGES = ("en", "ko", "zh")
ABSTAIN = "(none)"


@dataclass(frozen=True)
class GoldItem:
    dataset: str
    example: dict[str, Any]  # as the store returns it: messages (JSON text), tools, flags
    task: str | None = None
    topics: tuple[str, ...] | None = None  # acceptable topics; None: not labelled for topics
    risks: tuple[str, ...] | None = None
    language: str = ""

    @property
    def family(self) -> str:
        return FAMILIES.get(self.dataset, self.dataset)


def language_bucket(code: str) -> str:
    """The language a figure is reported (and a learned model chosen) for: en, ko, zh or other."""
    return code if code in LANGUAGES else "other"


def with_language(item: GoldItem) -> GoldItem:
    lang = language_bucket(item.language or languages_of(parse_messages(item.example))[0])
    return GoldItem(item.dataset, item.example, item.task, item.topics, item.risks, lang)


def gold_from_file(path: Path) -> list[GoldItem]:
    """A hand-labelled JSON Lines file: {dataset, messages, task, topics, risks, reason} per line."""
    items = []
    try:
        lines = path.read_bytes().splitlines()
    except OSError as exc:
        raise CatalogError(f"cannot read the gold file {path}: {exc}") from None
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = orjson.loads(line)
            messages = row["messages"]
            items.append(
                GoldItem(
                    dataset=str(row["dataset"]),
                    example={"messages": orjson.dumps(messages).decode(), "n_user_turns": 1},
                    task=row.get("task"),
                    topics=tuple(row["topics"]) if row.get("topics") is not None else None,
                    risks=tuple(row["risks"]) if row.get("risks") is not None else None,
                    language=row.get("language", ""),
                )
            )
        except (orjson.JSONDecodeError, KeyError, TypeError) as exc:
            raise CatalogError(
                f"{path}:{n}: not a gold line ({exc})",
                hint="each line: {dataset, messages, task, topics, risks}",
            ) from None
    return items


#: the methods whose labels count as gold (never the classifier's own: "structure", "rules", "learned")
GOLD_METHODS = ("manifest", "human", "model")


def gold_from_catalog(store: Any, methods: Sequence[str] = GOLD_METHODS) -> list[GoldItem]:
    """Every example of the catalog with a gold task (and a person's topics, when set)."""
    tasks = store.gold_assignments(rel_type="FOR_TASK", methods=tuple(methods))
    topics: dict[str, list[str]] = defaultdict(list)
    for r in store.gold_assignments(rel_type="ABOUT", methods=("human",)):
        topics[r.example].append(r.concept)
    first: dict[str, Any] = {}
    for r in tasks:
        first.setdefault(r.example, r)
    items: list[GoldItem] = []
    ids = sorted(first)
    for start in range(0, len(ids), 2_000):
        for ex in store.examples_for_classification(ids=ids[start : start + 2_000]):
            r = first[ex["id"]]
            found = topics.get(ex["id"])
            items.append(
                GoldItem(
                    r.dataset or "(no dataset)", ex, task=r.concept, topics=tuple(found) if found else None
                )
            )
    return items


@dataclass
class ClassScores:
    label: str
    support: int  # gold examples of the class
    predicted: int
    correct: int

    @property
    def precision(self) -> float:
        return self.correct / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.correct / self.support if self.support else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class TaskScores:
    """One method on one language's gold tasks."""

    method: str
    language: str
    n: int
    abstained: int
    classes: list[ClassScores]
    confusion: dict[str, dict[str, int]]  # gold -> predicted (ABSTAIN for no label) -> count
    calibration: list[tuple[float, float, int, float]]  # (low, high, n, accuracy)
    per_family: dict[str, tuple[int, int]] = field(default_factory=dict)  # family -> (n, correct)
    confident: int = 0  # predictions at or above the default confidence threshold (what coverage counts)
    confident_correct: int = 0

    @property
    def macro_f1(self) -> float:
        scored = [c for c in self.classes if c.support]
        return sum(c.f1 for c in scored) / len(scored) if scored else 0.0

    @property
    def accuracy(self) -> float:
        return sum(c.correct for c in self.classes) / self.n if self.n else 0.0


def _task_scores(method: str, language: str, rows: list[tuple[str, str, str | None, float]]) -> TaskScores:
    """rows: (family, gold, predicted or None, confidence)."""
    gold = Counter(g for _, g, _, _ in rows)
    predicted = Counter(p for _, _, p, _ in rows if p is not None)
    correct = Counter(g for _, g, p, _ in rows if p == g)
    labels = sorted(set(gold) | set(predicted))
    confusion: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    per_family: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for fam, g, p, _ in rows:
        confusion[g][p or ABSTAIN] += 1
        per_family[fam][0] += 1
        per_family[fam][1] += int(p == g)
    calibration = []
    for low, high in pairwise(BINS):
        inside = [(g, p) for _, g, p, c in rows if p is not None and low <= c < high]
        if inside:
            calibration.append(
                (low, min(high, 1.0), len(inside), sum(g == p for g, p in inside) / len(inside))
            )
    return TaskScores(
        method=method,
        language=language,
        n=len(rows),
        abstained=sum(1 for _, _, p, _ in rows if p is None),
        classes=[ClassScores(c, gold[c], predicted[c], correct[c]) for c in labels],
        confusion={g: dict(v) for g, v in sorted(confusion.items())},
        calibration=calibration,
        per_family={f: (v[0], v[1]) for f, v in sorted(per_family.items())},
        confident=sum(1 for _, _, p, c in rows if p is not None and c >= DEFAULT_MIN_CONFIDENCE),
        confident_correct=sum(1 for _, g, p, c in rows if p == g and c >= DEFAULT_MIN_CONFIDENCE),
    )


@dataclass
class TopicScores:
    language: str
    n: int  # examples labelled for topics
    with_topic: int  # examples the rules gave a topic
    predicted: int
    correct: int
    wrong: list[tuple[str, str]]  # (prompt start, topic) of the wrong ones

    @property
    def precision(self) -> float:
        return self.correct / self.predicted if self.predicted else 0.0


@dataclass
class SafetyScores:
    dataset: str
    n: int
    flagged: int
    per_risk: dict[str, int]


@dataclass
class EvalReport:
    tasks: list[TaskScores]
    topics: list[TopicScores]
    safety: list[SafetyScores]
    used: dict[str, str]  # language -> the method with the best macro F1 there ("rules" on a tie)
    gold: dict[str, int]  # gold examples per family


def best_methods(tasks: Sequence[TaskScores]) -> dict[str, str]:
    """Per language, the method with the best macro F1 leave-one-dataset-out; the rules unless a
    learned model beats them."""
    out: dict[str, str] = {}
    for lang in sorted({t.language for t in tasks}):
        here = [t for t in tasks if t.language == lang]
        rules = next((t.macro_f1 for t in here if t.method == "rules"), 0.0)
        best = max(here, key=lambda t: (t.macro_f1, t.method == "rules"))
        out[lang] = best.method if best.macro_f1 > rules else "rules"
    return out


def top_task(schema: Schema, task: str) -> str:
    """The task's top-level ancestor (tasks are scored at the top of the scheme)."""
    while schema.tasks[task].broader:
        task = schema.tasks[task].broader  # type: ignore[assignment]
    return task


def _family_of_topics(schema: Schema, topics: Iterable[str]) -> set[str]:
    out: set[str] = set()
    for t in topics:
        out.add(t)
        parent = schema.topics[t].broader if t in schema.topics else None
        while parent:
            out.add(parent)
            parent = schema.topics[parent].broader
        out.update(c for c, concept in schema.topics.items() if _descends(schema, c, t))
    return out


def _descends(schema: Schema, child: str, ancestor: str) -> bool:
    parent = schema.topics[child].broader
    while parent:
        if parent == ancestor:
            return True
        parent = schema.topics[parent].broader
    return False


def evaluate(
    items: Sequence[GoldItem],
    schema: Schema,
    *,
    learned: bool = True,
    progress: Any = None,
) -> EvalReport:
    classifier = Classifier(schema)
    items = [with_language(i) for i in items]
    parsed = [parse_messages(i.example) for i in items]
    # ---- tasks: rules on every gold item, the learned model leave-one-family-out
    task_items = [(i, m) for i, m in zip(items, parsed, strict=True) if i.task in schema.tasks]
    rules_rows: dict[str, list[tuple[str, str, str | None, float]]] = defaultdict(list)
    by_structure: dict[int, str] = {}  # tool schemas and calls decide the task before any model
    for n, (item, messages) in enumerate(task_items):
        a = classifier.task_of(item.example, messages)
        if a is not None and a.method == "structure":
            by_structure[n] = top_task(schema, a.concept)
        gold = top_task(schema, item.task or "")
        rules_rows[item.language].append(
            (item.family, gold, top_task(schema, a.concept) if a else None, a.confidence if a else 0.0)
        )
    families = sorted({i.family for i, _ in task_items})
    learned_rows: dict[str, dict[str, list[tuple[str, str, str | None, float]]]] = defaultdict(
        lambda: defaultdict(list)
    )
    if learned and len(families) > 1:
        inputs: dict[Kind, list[Any]] = {
            "chars": [prompt_text(m) for _, m in task_items],
            "cues": [classifier.task_evidence(i.example, m).features for i, m in task_items],
        }
        golds = [top_task(schema, i.task or "") for i, _ in task_items]
        fams = [i.family for i, _ in task_items]
        steps, done = len(families) * len(KINDS), 0
        for kind in KINDS:
            rows = learned_rows[method_name(kind)]
            for j, task in by_structure.items():
                rows[task_items[j][0].language].append((fams[j], golds[j], task, 1.0))
            for held in families:
                done += 1
                train = [j for j, f in enumerate(fams) if f != held and j not in by_structure]
                test = [j for j, f in enumerate(fams) if f == held and j not in by_structure]
                if not test:
                    continue
                x = inputs[kind]
                try:
                    model = LearnedTasks.fit(
                        [x[j] for j in train], [golds[j] for j in train], [fams[j] for j in train], kind=kind
                    )
                except ValueError:
                    continue
                for j, guess in zip(test, model.predict([x[j] for j in test]), strict=True):
                    label, prob = guess if guess is not None else (None, 0.0)
                    rows[task_items[j][0].language].append((held, golds[j], label, prob))
                if progress:
                    progress(done, steps)
    tasks = [_task_scores("rules", lang, rows) for lang, rows in sorted(rules_rows.items())]
    for method, by_lang in sorted(learned_rows.items()):
        tasks += [_task_scores(method, lang, rows) for lang, rows in sorted(by_lang.items())]
    used = best_methods(tasks)
    # ---- topics: the rules' topics against the acceptable ones
    topic_acc: dict[str, TopicScores] = {}
    for item, messages in zip(items, parsed, strict=True):
        if item.topics is None:
            continue
        s = topic_acc.setdefault(item.language, TopicScores(item.language, 0, 0, 0, 0, []))
        s.n += 1
        found = [a.concept for a in classifier.topics_of(messages)]
        s.with_topic += bool(found)
        ok = _family_of_topics(schema, item.topics)
        for t in found:
            s.predicted += 1
            if t in ok:
                s.correct += 1
            else:
                s.wrong.append((next((m.get("content") or "" for m in messages), "")[:60], t))
    # ---- safety: the share of each dataset flagged
    safety: dict[str, SafetyScores] = {}
    for item, messages in zip(items, parsed, strict=True):
        if item.risks is None:
            continue
        flags = safety.setdefault(item.dataset, SafetyScores(item.dataset, 0, 0, {}))
        flags.n += 1
        risks = classifier.risks_of(messages)
        if risks:
            flags.flagged += 1
            flags.per_risk[risks[0].concept] = flags.per_risk.get(risks[0].concept, 0) + 1
    return EvalReport(
        tasks=tasks,
        topics=[topic_acc[k] for k in sorted(topic_acc)],
        safety=[safety[k] for k in sorted(safety)],
        used=used,
        gold=dict(Counter(i.family for i in items)),
    )


def markdown(report: EvalReport) -> str:
    """The report as Markdown tables (docs/classification.md)."""
    out = ["### Tasks, leave-one-dataset-out\n"]
    out.append(
        f"| language | method | gold examples | abstained | accuracy | macro F1 | at >= {DEFAULT_MIN_CONFIDENCE} "
        "(share, accuracy) | used |"
    )
    out.append("|---|---|---:|---:|---:|---:|---:|---|")
    for t in sorted(report.tasks, key=lambda t: (t.language, t.method)):
        mark = "yes" if report.used.get(t.language, "rules") == t.method else "no"
        sure = f"{t.confident / t.n:.2f}, {t.confident_correct / t.confident:.3f}" if t.confident else "-"
        out.append(
            f"| {t.language} | {t.method} | {t.n:,} | {t.abstained:,} | {t.accuracy:.3f} | {t.macro_f1:.3f} | {sure} | {mark} |"
        )
    for t in sorted(report.tasks, key=lambda t: (t.language, t.method)):
        out.append(
            f"\n#### {t.method}, {t.language}: per class and confusion (rows gold, columns predicted)\n"
        )
        predicted = sorted({p for row in t.confusion.values() for p in row})
        out.append("| gold | n | precision | recall | F1 | " + " | ".join(predicted) + " |")
        out.append("|---|---:|---:|---:|---:|" + "---:|" * len(predicted))
        by = {c.label: c for c in t.classes}
        for g, row in t.confusion.items():
            c = by[g]
            cells = " | ".join(str(row.get(p, "")) for p in predicted)
            out.append(f"| {g} | {c.support} | {c.precision:.2f} | {c.recall:.2f} | {c.f1:.2f} | {cells} |")
        out.append(
            "\ncalibration: "
            + ", ".join(f"[{lo:.1f}, {hi:.1f}) n={n} acc={acc:.2f}" for lo, hi, n, acc in t.calibration)
        )
        out.append(
            "\nper family (n, correct): " + ", ".join(f"{f} {n}/{c}" for f, (n, c) in t.per_family.items())
        )
    out.append("\n### Topics (rules) on the hand-labelled sample\n")
    out.append("| language | labelled | with a topic | topics given | right | precision |")
    out.append("|---|---:|---:|---:|---:|---:|")
    for s in report.topics:
        out.append(
            f"| {s.language} | {s.n} | {s.with_topic} | {s.predicted} | {s.correct} | {s.precision:.2f} |"
        )
    wrong = [w for s in report.topics for w in s.wrong]
    if wrong:
        out.append("\nwrong topics: " + "; ".join(f"{t} for \u201c{p}\u201d" for p, t in wrong[:20]))
    out.append("\n### Safety (rules): share of each dataset flagged\n")
    out.append("| dataset | examples | flagged | share | per risk |")
    out.append("|---|---:|---:|---:|---|")
    for f in report.safety:
        share = f.flagged / f.n if f.n else 0.0
        risks = ", ".join(f"{k} {v}" for k, v in sorted(f.per_risk.items(), key=lambda kv: -kv[1]))
        out.append(f"| {f.dataset} | {f.n:,} | {f.flagged:,} | {share:.3f} | {risks} |")
    return "\n".join(out) + "\n"
