"""Active learning, simulated: labels chosen by `review`'s policy against labels chosen at random.

    python bench/review_sim.py [--seeds 3] [--budgets 50,100,200,400]

A simulated reviewer answers with the gold labels of bench/label_eval.py (the datasets' own labels,
MT-Bench's categories, the hand-labelled sample). Leave-one-dataset-out: for each family with at
least 20 gold tasks, the pool is every other family's examples and the held-out family is scored.
Both strategies start from the same 10 random labels; then, 25 at a time, `random` takes pool
examples at random and `review` takes what `catalog.annotate.review.pick` ranks first, with the
current learned model's probability (kind `cues`: the rules' evidence, learnt weights) as each
example's confidence. At each budget the model is fitted on the labels so far and scored on the
held-out family (accuracy; an abstention is a miss). Prints the mean over families and seeds.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.ingest import shared_dir  # noqa: E402
from bench.label_eval import gold_items  # noqa: E402
from catalog.annotate.review import Candidate, pick  # noqa: E402
from catalog.classify.evaluate import top_task, with_language  # noqa: E402
from catalog.classify.learned import LearnedTasks, prompt_text  # noqa: E402
from catalog.classify.rules import Classifier, parse_messages  # noqa: E402
from catalog.schema import load_schema  # noqa: E402

SEED_LABELS, BATCH, MIN_FAMILY = 10, 25, 20


def accuracy(model: LearnedTasks | None, x: list[dict], y: list[str]) -> float:
    if model is None:
        return 0.0
    guesses = model.predict(x)
    return sum(1 for g, gold in zip(guesses, y, strict=True) if g is not None and g[0] == gold) / len(y)


def fit(x: list[dict], y: list[str], chosen: list[int], fams: list[str]) -> LearnedTasks | None:
    try:
        return LearnedTasks.fit(
            [x[i] for i in chosen], [y[i] for i in chosen], [fams[i] for i in chosen], kind="cues"
        )
    except ValueError:
        return None  # one class so far


def run(
    strategy: str,
    pool: list[int],
    x: list[dict],
    y: list[str],
    fams: list[str],
    texts: list[str],
    budgets: list[int],
    rng: random.Random,
) -> dict[int, LearnedTasks | None]:
    chosen = rng.sample(pool, SEED_LABELS)
    left = [i for i in pool if i not in set(chosen)]
    out: dict[int, LearnedTasks | None] = {}
    for budget in budgets:
        while len(chosen) < budget:
            take = min(BATCH, budget - len(chosen))
            if strategy == "random":
                new = rng.sample(left, take)
            else:
                model = fit(x, y, chosen, fams)
                probs = model.predict([x[i] for i in left]) if model is not None else [None] * len(left)
                cands = [
                    Candidate(str(i), texts[i], p[1] if p is not None else 0.0)
                    for i, p in zip(left, probs, strict=True)
                ]
                new = [int(c.id) for c in pick(cands, take)]
            taken = set(new)
            chosen += new
            left = [i for i in left if i not in taken]
        out[budget] = fit(x, y, chosen, fams)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--budgets", default="50,100,200,400")
    args = parser.parse_args()
    budgets = [int(b) for b in args.budgets.split(",")]
    started = time.perf_counter()
    schema = load_schema([])
    classifier = Classifier(schema)
    items = [with_language(i) for i in gold_items(shared_dir()) if i.task in schema.tasks]
    items = [i for i in items if classifier.task_by_structure(i.example) is None]
    parsed = [parse_messages(i.example) for i in items]
    x = [classifier.task_evidence(i.example, m).features for i, m in zip(items, parsed, strict=True)]
    texts = [prompt_text(m) for m in parsed]
    y = [top_task(schema, i.task or "") for i in items]
    fams = [i.family for i in items]
    by_family: dict[str, list[int]] = defaultdict(list)
    for n, f in enumerate(fams):
        by_family[f].append(n)
    held_out = sorted(f for f, ids in by_family.items() if len(ids) >= MIN_FAMILY)
    scores: dict[tuple[str, int], list[float]] = defaultdict(list)
    for family in held_out:
        test = by_family[family]
        pool = [n for n in range(len(items)) if fams[n] != family]
        for seed in range(args.seeds):
            for strategy in ("random", "review"):
                models = run(strategy, pool, x, y, fams, texts, budgets, random.Random(seed))
                for budget, model in models.items():
                    scores[(strategy, budget)].append(
                        accuracy(model, [x[i] for i in test], [y[i] for i in test])
                    )
        print(f"  {family}: done ({time.perf_counter() - started:.0f} s)", file=sys.stderr)
    print(
        f"{len(items):,} gold tasks; held out in turn: {', '.join(held_out)}; {args.seeds} seeds; "
        f"{time.perf_counter() - started:.0f} s\n"
    )
    print("| labels reviewed | random | review | review - random |")
    print("|---:|---:|---:|---:|")
    for budget in budgets:
        r = sum(scores[("random", budget)]) / len(scores[("random", budget)])
        v = sum(scores[("review", budget)]) / len(scores[("review", budget)])
        print(f"| {budget} | {r:.3f} | {v:.3f} | {v - r:+.3f} |")


if __name__ == "__main__":
    main()
