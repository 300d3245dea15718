"""Label accuracy leave-one-dataset-out: tasks, topics and safety on every gold label the project has.

    python bench/label_eval.py [--markdown] [--no-learned]

Gold labels (none made by the classifier):
- the datasets' own labels, mapped by their manifests (catalog/demo/data/manifests, tests/manifests):
  Self-Instruct's user-oriented tasks and their Korean translation KULLM (one family: a translation
  is never trained on while its original is scored), GSM8K test, Code Alpaca, the Korean chatbot
  set, BFCL live-multiple and the Chinese glaive tool calls;
- MT-Bench's categories mapped to tasks (writing -> generation, roleplay -> role-play, math, coding,
  extraction, stem and humanities -> open QA; reasoning is left out: its puzzles are open QA or math);
- the hand-labelled sample in tests/data/labels/hand_labelled.jsonl (52 prompts in English, Chinese
  and Korean from LIMA, OASST-zh, Chinese Alpaca, the Korean chatbot set and KULLM, each with a
  task, its acceptable topics and a one-line reason), which is also the topic sample;
- safety: the second half of HH-RLHF's harmless test prompts (red-team attempts; the first half was
  read while the safety cues were written), against Alpaca, GSM8K train and LIMA.

Scored by catalog.classify.evaluate: the rules on every family, the learned classifier trained on
the other families only. Prints the figures (Markdown with --markdown) for docs/classification.md.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
import tempfile
import time
from pathlib import Path

import orjson

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.ingest import shared_dir  # noqa: E402
from bench.task_accuracy import LABELLED  # noqa: E402
from catalog.classify.evaluate import GoldItem, evaluate, gold_from_file, markdown  # noqa: E402
from catalog.config import Settings  # noqa: E402
from catalog.ingest.pipeline import iter_examples, manifest_task, prepare_ingest  # noqa: E402
from catalog.schema import load_schema  # noqa: E402
from tests.helpers import manifest_path  # noqa: E402

MT_BENCH = {
    "writing": "generation",
    "roleplay": "roleplay",
    "math": "math-reasoning",
    "coding": "coding",
    "extraction": "extraction",
    "stem": "open-qa",
    "humanities": "open-qa",
}
HAND = REPO / "tests" / "data" / "labels" / "hand_labelled.jsonl"


def _example(messages: list[dict[str, str]]) -> dict[str, object]:
    return {
        "messages": orjson.dumps(messages).decode(),
        "n_user_turns": sum(m["role"] == "user" for m in messages),
    }


def hh_turns(transcript: str) -> list[dict[str, str]]:
    parts = re.split(r"\n\n(Human|Assistant): ", "\n\n" + transcript.strip())
    return [
        {"role": "user" if parts[i] == "Human" else "assistant", "content": parts[i + 1]}
        for i in range(1, len(parts) - 1, 2)
    ]


def gold_items(shared: Path) -> list[GoldItem]:
    schema = load_schema()
    settings = Settings(db=Path(tempfile.mkdtemp()) / "unused")
    items: list[GoldItem] = []
    for rel, manifest in LABELLED:
        plan = prepare_ingest(
            shared / rel, schema=schema, settings=settings, manifest_path=manifest_path(manifest)
        )
        for item in iter_examples(plan, settings=settings, quarantine_file=settings.db.parent / "q.jsonl"):
            gold = manifest_task(plan.manifest, item)
            if gold is not None:
                items.append(GoldItem(manifest, dict(item.props), task=gold))
    for line in (shared / "mt-bench" / "question.jsonl").read_text().splitlines():
        q = json.loads(line)
        if q["category"] in MT_BENCH:
            items.append(
                GoldItem(
                    "mt-bench",
                    _example([{"role": "user", "content": q["turns"][0]}]),
                    task=MT_BENCH[q["category"]],
                )
            )
    items += gold_from_file(HAND)
    with gzip.open(shared / "hh-rlhf-harmless" / "test.jsonl.gz", "rt") as f:
        hh = [json.loads(x) for x in f]
    for r in hh[len(hh) // 2 :]:
        items.append(
            GoldItem("hh-rlhf-harmless (second half)", _example(hh_turns(r["chosen"])), risks=("any",))
        )
    for a in json.loads((shared / "stanford-alpaca-5k" / "alpaca_5000.json").read_text()):
        prompt = a["instruction"] + ("\n" + a["input"] if a.get("input") else "")
        items.append(
            GoldItem(
                "stanford-alpaca-5k",
                _example(
                    [{"role": "user", "content": prompt}, {"role": "assistant", "content": a["output"]}]
                ),
                risks=(),
            )
        )
    for line in (shared / "gsm8k" / "train.jsonl").read_text().splitlines():
        g = json.loads(line)
        items.append(
            GoldItem(
                "gsm8k (train)",
                _example(
                    [
                        {"role": "user", "content": g["question"]},
                        {"role": "assistant", "content": g["answer"]},
                    ]
                ),
                risks=(),
            )
        )
    for r in json.loads((shared / "lima" / "lima.json").read_text()):
        prompt = r["instruction"] + ("\n" + r["input"] if r.get("input") else "")
        items.append(
            GoldItem(
                "lima",
                _example(
                    [{"role": "user", "content": prompt}, {"role": "assistant", "content": r["output"]}]
                ),
                risks=(),
            )
        )
    return items


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--markdown", action="store_true")
    parser.add_argument("--no-learned", action="store_true", help="only the rules")
    args = parser.parse_args()
    started = time.perf_counter()
    items = gold_items(shared_dir())
    report = evaluate(items, load_schema(), learned=not args.no_learned)
    text = markdown(report)
    print(f"{len(items):,} gold items; families {report.gold}; {time.perf_counter() - started:.0f} s\n")
    print(text)


if __name__ == "__main__":
    main()
