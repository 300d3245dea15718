"""The labelled near-duplicate benchmark built from the real datasets, and its scoring (bench/neardup.py
runs it and says how the set is made)."""

from __future__ import annotations

import itertools
import json
import random
import re
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from catalog.quality.dedup import jaccard, shingles
from catalog.quality.minhash import MinHasher, band_keys

REPO = Path(__file__).resolve().parents[2]

SOURCES = [  # (dataset folder, file, reader) -> (instruction, input, output)
    ("stanford-alpaca-5k", "alpaca_5000.json", "alpaca"),
    ("code-alpaca-2k", "code_alpaca_2k.json", "alpaca"),
    ("gsm8k", "train.jsonl", "gsm8k"),
    ("ko-chatbot-data", "ChatbotData.csv", "csv"),
    ("alpaca-zh-demo", "alpaca_zh_demo.json", "alpaca"),
]


def _records(shared: Path) -> Iterable[tuple[str, dict[str, str]]]:
    import csv

    for folder, name, kind in SOURCES:
        path = shared / folder / name
        if kind == "alpaca":
            for r in json.loads(path.read_text()):
                yield (
                    folder,
                    {
                        "instruction": r.get("instruction") or "",
                        "input": r.get("input") or "",
                        "output": r.get("output") or "",
                    },
                )
        elif kind == "gsm8k":
            for line in path.read_text().splitlines():
                r = json.loads(line)
                yield folder, {"instruction": r["question"], "input": "", "output": r["answer"]}
        else:
            with path.open(encoding="utf-8") as f:
                for r in csv.DictReader(f):
                    yield folder, {"instruction": r["Q"], "input": "", "output": r["A"]}


def _text(r: dict[str, str]) -> str:
    return "\n".join(x for x in (r["instruction"], r["input"], r["output"]) if x)


def _exact_variant(r: dict[str, str], rng: random.Random) -> dict[str, str]:
    def change(s: str) -> str:
        s = s.upper() if rng.random() < 0.3 else s.lower() if rng.random() < 0.5 else s.title()
        return re.sub(r" ", lambda _m: "  " if rng.random() < 0.2 else " ", s) + (
            " \n" if rng.random() < 0.5 else ""
        )

    return {k: change(v) if v else v for k, v in r.items()}


_WORD = re.compile(r"\S+")


def _edit_variant(r: dict[str, str], rng: random.Random) -> dict[str, str] | None:
    out = dict(r)
    key = "output" if len(r["output"]) > len(r["instruction"]) else "instruction"
    words = out[key].split(" ")
    if len(_text(r)) < 200 or len(words) < 8:
        return None  # a few edits make short texts different texts, not near-duplicates
    for _ in range(rng.randint(1, 3)):
        i = rng.randrange(len(words))
        op = rng.choice(["replace", "delete", "insert", "typo"])
        if op == "replace":
            words[i] = rng.choice(["also", "then", "really", "quite", "just", "very"])
        elif op == "delete" and len(words) > 1:
            del words[i]
        elif op == "insert":
            words.insert(i, rng.choice(["indeed", "so", "basically", "now"]))
        elif len(words[i]) > 3:
            w = list(words[i])
            j = rng.randrange(len(w) - 1)
            w[j], w[j + 1] = w[j + 1], w[j]
            words[i] = "".join(w)
    out[key] = " ".join(words)
    return out


_SENTENCE = re.compile(r"(?<=[.!?。])\s+")


def _reorder_variant(r: dict[str, str], rng: random.Random) -> dict[str, str] | None:
    sentences = _SENTENCE.split(r["output"])
    if len(sentences) < 3 or len(_text(r)) < 200:
        return None
    i = rng.randrange(len(sentences) - 1)
    sentences[i], sentences[i + 1] = sentences[i + 1], sentences[i]
    return {**r, "output": " ".join(sentences)}


def build(shared: Path, out: Path, *, originals: int = 1500, seed: int = 7) -> dict[str, int]:
    """Write data.jsonl (Alpaca format, one record per example), manifest.yaml and truth.jsonl."""
    rng = random.Random(seed)
    pool = [(d, r) for d, r in _records(shared) if r["output"].strip() and r["instruction"].strip()]
    rng.shuffle(pool)
    # keep originals far from every other original (exact Jaccard < 0.5 where LSH sees any overlap)
    hasher = MinHasher(num_perm=64, shingle=5)
    texts = [_text(r) for _d, r in pool[: originals * 2]]
    sigs = hasher.signatures(texts)
    keys = band_keys(sigs, 32, 2)  # a low threshold: anything above ~0.35 shares a band
    blocked: set[int] = set()
    for b in range(keys.shape[1]):
        buckets: dict[int, list[int]] = defaultdict(list)
        for i, k in enumerate(keys[:, b].tolist()):
            buckets[k].append(i)
        for members in buckets.values():
            for x in members[1:]:
                if (
                    x not in blocked
                    and members[0] not in blocked
                    and jaccard(shingles(texts[members[0]], 5), shingles(texts[x], 5)) >= 0.5
                ):
                    blocked.add(x)
    chosen = [pool[i] for i in range(len(texts)) if i not in blocked][:originals]
    records: list[dict[str, Any]] = []
    truth: list[dict[str, Any]] = []
    counts: dict[str, int] = defaultdict(int)
    for n, (dataset, r) in enumerate(chosen):
        key = f"o{n}"
        records.append({**r, "key": key, "dataset": dataset})
        for kind, make in (("exact", _exact_variant), ("edit", _edit_variant), ("reorder", _reorder_variant)):
            if rng.random() < 0.35:
                v = make(r, rng)
                if v is not None and _text(v) != _text(r):
                    vkey = f"{key}-{kind}"
                    records.append({**v, "key": vkey, "dataset": dataset})
                    truth.append({"original": key, "variant": vkey, "kind": kind})
                    counts[kind] += 1
    by_template: dict[tuple[str, ...], list[str]] = defaultdict(list)
    for rec in records:
        if "-" not in rec["key"]:
            head = tuple(rec["instruction"].lower().split()[:3])
            if len(head) == 3:
                by_template[head].append(rec["key"])
    for keys_ in by_template.values():
        for a, b in itertools.pairwise(keys_):
            truth.append({"a": a, "b": b, "kind": "template"})
            counts["template"] += 1
    rng.shuffle(records)
    out.mkdir(parents=True, exist_ok=True)
    with (out / "data.jsonl").open("w", encoding="utf-8") as f:
        for rec in records:
            f.write(
                json.dumps(
                    {
                        "instruction": rec["instruction"],
                        "input": rec["input"],
                        "output": rec["output"],
                        "key": rec["key"],
                    },
                    ensure_ascii=False,
                )
                + "\n"
            )
    (out / "truth.jsonl").write_text("".join(json.dumps(t) + "\n" for t in truth))
    (out / "manifest.yaml").write_text(
        "name: neardup-bench\nlicense: CC-BY-NC-4.0\nlanguages: [en, ko, zh]\n"
        "description: originals from real datasets with planted near-duplicates (bench/neardup.py)\n"
    )
    counts["originals"] = len(chosen)
    counts["records"] = len(records)
    return dict(counts)


def score(truth_path: Path, clusters: Iterable[Iterable[str]]) -> dict[str, Any]:
    """Pairwise precision and recall of predicted clusters (sets of record keys) against the truth."""
    truth = [json.loads(x) for x in truth_path.read_text().splitlines()]
    group: dict[str, str] = {}
    for t in truth:
        if "original" in t:
            group[t["variant"]] = t["original"]
    root = lambda k: group.get(k, k)  # noqa: E731
    cluster_of: dict[str, int] = {}
    predicted = 0
    correct = 0
    for c, members in enumerate(clusters):
        ms = sorted(members)
        for m in ms:
            cluster_of[m] = c
        for i, a in enumerate(ms):
            for b in ms[i + 1 :]:
                predicted += 1
                correct += root(a) == root(b)
    by_kind: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for t in truth:
        if "original" in t:
            found = t["variant"] in cluster_of and cluster_of.get(t["variant"]) == cluster_of.get(
                t["original"]
            )
            by_kind[t["kind"]][0] += found
            by_kind[t["kind"]][1] += 1
        else:
            apart = not (t["a"] in cluster_of and cluster_of.get(t["a"]) == cluster_of.get(t["b"]))
            by_kind["template"][0] += apart
            by_kind["template"][1] += 1
    near = [by_kind[k] for k in ("edit", "reorder")]
    near_found, near_total = sum(x[0] for x in near), sum(x[1] for x in near)
    return {
        "predicted_pairs": predicted,
        "precision": round(correct / predicted, 4) if predicted else 1.0,
        "recall_near": round(near_found / near_total, 4) if near_total else 1.0,
        "recall_exact": round(by_kind["exact"][0] / by_kind["exact"][1], 4) if by_kind["exact"][1] else 1.0,
        "template_kept_apart": round(by_kind["template"][0] / by_kind["template"][1], 4)
        if by_kind["template"][1]
        else 1.0,
        "by_kind": {k: {"found": v[0], "of": v[1]} for k, v in sorted(by_kind.items())},
    }
