"""The leave-one-dataset-out evaluation: it scores the rules, never trains the learned classifier on
the family it scores, and runs from the CLI on a catalog's gold labels and a hand-labelled file."""

from __future__ import annotations

import json
from pathlib import Path

import orjson

from catalog.classify.evaluate import GoldItem, evaluate, gold_from_file
from catalog.schema import Schema
from tests.helpers import REPO, run_cli

HAND = REPO / "tests" / "data" / "labels" / "hand_labelled.jsonl"


def _item(dataset: str, prompt: str, task: str) -> GoldItem:
    messages = [{"role": "user", "content": prompt}, {"role": "assistant", "content": "a reply " * 20}]
    return GoldItem(
        dataset, {"messages": orjson.dumps(messages).decode(), "n_user_turns": 1}, task=task, language="en"
    )


def test_the_learned_classifier_never_sees_the_family_it_is_scored_on(schema: Schema) -> None:
    # the same prompts carry one task in family a and another in family b: trained on everything,
    # a model would get some of each right; trained on the other family only, it gets none right
    prompts = [f"please look at item number {i} of the list and tell me about it" for i in range(40)]
    items = [_item("a", p, "chat") for p in prompts] + [_item("b", p, "summarization") for p in prompts]
    # a third family with both tasks on other prompts, so every fold trains on two tasks
    items += [_item("c", f"hello there friend, how is your day {i}", "chat") for i in range(10)]
    items += [_item("c", f"summarize this report on quarter {i} sales", "summarization") for i in range(10)]
    report = evaluate(items, schema)
    learned = [t for t in report.tasks if t.method.startswith("learned")]
    assert {t.method for t in learned} == {"learned-chars", "learned-cues"}
    for t in learned:
        assert t.n == 100
        assert t.per_family["a"] == (40, 0) and t.per_family["b"] == (40, 0)


def test_a_translation_is_held_out_with_its_original() -> None:
    assert GoldItem("kullm-user-oriented-ko", {}).family == "self-instruct"


def test_the_hand_labelled_sample_has_a_reason_for_every_label(schema: Schema) -> None:
    rows = [json.loads(line) for line in HAND.read_text().splitlines()]
    assert len(rows) >= 50 and {r["language"] for r in rows} == {"en", "ko", "zh"}
    for r in rows:
        assert r["reason"].strip() and r["task"] in schema.tasks
        assert all(t in schema.topics for t in r["topics"])
    items = gold_from_file(HAND)
    report = evaluate(items, schema, learned=False)
    rules = {t.language: t for t in report.tasks if t.method == "rules"}
    assert set(rules) == {"en", "ko", "zh"}
    for t in rules.values():  # the figures are computed, with a confusion row per gold class
        assert set(t.confusion) == {c.label for c in t.classes if c.support}
        assert 0.0 <= t.macro_f1 <= 1.0 and t.calibration
    assert {s.language for s in report.topics} == {"en", "ko", "zh"}


def test_labels_eval_runs_on_a_catalog_and_a_gold_file(tmp_path: Path) -> None:
    db = tmp_path / "c"
    assert run_cli("init", "--db", str(db)).returncode == 0
    done = run_cli("labels", "eval", "--db", str(db), "--gold", str(HAND), "--no-learned", "--json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert {t["language"] for t in data["tasks"]} == {"en", "ko", "zh"}
    assert all(t["method"] == "rules" for t in data["tasks"])
    empty = run_cli("labels", "eval", "--db", str(db))
    assert empty.returncode == 2 and "no gold labels" in empty.stderr
