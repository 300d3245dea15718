"""Task classifier accuracy on real labelled data it never saw (the labels are not among its cues).

    python bench/task_accuracy.py [--markdown]

Gold labels come from the data itself, mapped by each dataset's manifest (catalog/demo/data/manifests, tests/manifests):
Self-Instruct's user-oriented tasks and their Korean translation (KULLM) carry the app that
motivated them (`task_labels` maps apps that imply a task: Grammarly -> rewrite, Leetcode ->
coding, ...); GSM8K is math reasoning, Code Alpaca coding, Korean chatbot data chat, BFCL and
glaive tool use. The classifier sees only the messages and tools; it is scored on the top level of
the task scheme. Prints per-class recall, macro accuracy (mean recall) and the confusion matrix.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections import Counter, defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from catalog.classify.language import identify  # noqa: E402
from catalog.classify.rules import Classifier, parse_messages  # noqa: E402
from catalog.config import Settings  # noqa: E402
from catalog.ingest.pipeline import iter_examples, manifest_task, prepare_ingest  # noqa: E402
from catalog.schema import load_schema  # noqa: E402
from tests.helpers import manifest_path  # noqa: E402

#: (file under ../shared/datasets, manifest) of every labelled set
LABELLED = [
    ("self-instruct/user_oriented_instructions.jsonl", "self-instruct"),
    ("kullm-user-oriented-ko/user_oriented_instructions_eval.jsonl", "kullm-user-oriented-ko"),
    ("gsm8k/test.jsonl", "gsm8k"),
    ("code-alpaca-2k/code_alpaca_2k.json", "code-alpaca-2k"),
    ("ko-chatbot-data/ChatbotData.csv", "ko-chatbot-data"),
    ("bfcl-v4/BFCL_v4_live_multiple.json", "bfcl-v4"),
    ("glaive-toolcall-demo/glaive_toolcall_zh_demo.json", "glaive-toolcall-demo"),
]


def evaluate(shared: Path) -> tuple[list[tuple[str, str, str, str]], Classifier]:
    """(dataset, language, gold top-level task, predicted top-level task) per labelled example."""
    schema = load_schema()
    classifier = Classifier(schema)
    settings = Settings(db=Path(tempfile.mkdtemp()) / "unused")
    rows: list[tuple[str, str, str, str]] = []
    for rel, manifest in LABELLED:
        plan = prepare_ingest(
            shared / rel,
            schema=schema,
            settings=settings,
            manifest_path=manifest_path(manifest),
        )
        for item in iter_examples(plan, settings=settings, quarantine_file=settings.db.parent / "q.jsonl"):
            gold = manifest_task(plan.manifest, item)
            if gold is None:
                continue
            messages = parse_messages(item.props)
            predicted = classifier.task_of(item.props, messages).concept
            prompt = next((m["content"] for m in messages if m["role"] == "user"), "")
            rows.append(
                (manifest, identify(prompt)[0], classifier.top_task(gold), classifier.top_task(predicted))
            )
    return rows, classifier


def report(rows: list[tuple[str, str, str, str]], markdown: bool) -> float:
    by_gold: dict[str, Counter[str]] = defaultdict(Counter)
    for _ds, _lang, gold, pred in rows:
        by_gold[gold][pred] += 1
    classes = sorted(by_gold)
    predicted_classes = sorted({p for c in by_gold.values() for p in c})
    recalls = {g: by_gold[g][g] / sum(by_gold[g].values()) for g in classes}
    macro = sum(recalls.values()) / len(recalls)
    correct = sum(by_gold[g][g] for g in classes)
    print(f"{len(rows):,} labelled examples, {len(classes)} gold classes")
    print(f"micro accuracy {correct / len(rows):.3f}   macro accuracy (mean per-class recall) {macro:.3f}\n")
    print("| gold \\ predicted | n | recall | " + " | ".join(predicted_classes) + " |")
    print("|---|---:|---:|" + "---:|" * len(predicted_classes))
    for g in classes:
        cells = " | ".join(str(by_gold[g][p] or "") for p in predicted_classes)
        print(f"| {g} | {sum(by_gold[g].values())} | {recalls[g]:.2f} | {cells} |")
    langs: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    sets: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for ds, lang, gold, pred in rows:
        for table, key in ((langs, lang), (sets, ds)):
            table[key][0] += gold == pred
            table[key][1] += 1
    print("\n| prompt language | n | accuracy |\n|---|---:|---:|")
    for k, (ok, n) in sorted(langs.items(), key=lambda kv: -kv[1][1]):
        print(f"| {k} | {n} | {ok / n:.2f} |")
    print("\n| dataset | n | accuracy |\n|---|---:|---:|")
    for k, (ok, n) in sorted(sets.items()):
        print(f"| {k} | {n} | {ok / n:.2f} |")
    return macro


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--markdown", action="store_true", help="(the tables are always Markdown)")
    parser.parse_args()
    shared = Path(os.environ.get("CURAGRAPH_SHARED_DATASETS", REPO.parent / "shared" / "datasets"))
    rows, _ = evaluate(shared)
    report(rows, markdown=True)


if __name__ == "__main__":
    main()
