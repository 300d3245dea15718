"""Dedup benchmark: curagraph's dedup against a plain datasketch MinHashLSH script and text-dedup's
MinHash, side by side in one run, on the same data.

    python bench/dedup.py [--examples 1000000] [--baseline-examples N] [--skip-text-dedup]

Two measurements:
1. Quality, on the labelled near-duplicate benchmark built from the real datasets (bench/neardup.py,
   3,000 originals with planted exact, edited and reordered copies, ground truth beside it):
   precision and recall of each tool at threshold 0.8, 128 permutations, character 5-grams.
2. Throughput over --examples examples: the generated file of bench/ingest.py (real Alpaca, Code
   Alpaca, Chinese Alpaca, LIMA, OASST-zh, GSM8K and Korean chatbot records repeated with variant
   suffixes, so it is full of near-duplicates). curagraph: ingest into a fresh embedded catalog
   (not timed), then `dedup()` end to end: reading the texts from the engine, signing, banding,
   verifying, clustering, writing DUPLICATE_OF edges. datasketch: shingling, MinHash(128) and
   MinHashLSH insert + query per text, in one process, as its documentation shows. text-dedup
   0.4.0 (needs its own virtualenv, made under bench/.work if pip can install it), on the same texts
   as JSON Lines with its default process count. --baseline-examples runs the baselines on the
   first N texts only (their rate is then per N, said so in the output).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import orjson  # noqa: E402

from bench.ingest import shared_dir  # noqa: E402
from bench.neardup import build, score  # noqa: E402
from catalog.config import Settings  # noqa: E402
from catalog.ingest.pipeline import prepare_ingest, run_ingest  # noqa: E402
from catalog.quality.dedup import DedupConfig, dedup  # noqa: E402
from catalog.schema import load_schema  # noqa: E402
from catalog.store.embedded import EmbeddedStore  # noqa: E402

WORK = REPO / "bench" / ".work" / "dedup"
THRESHOLD, PERMS, NGRAM = 0.8, 128, 5


def _text(r: dict[str, Any]) -> str:
    """The text curagraph compares for an Alpaca record: user content, then the reply."""
    user = r["instruction"] + ("\n\n" + r["input"] if r.get("input") else "")
    turns = [x for pair in r.get("history") or [] for x in pair]
    return "\n".join([*turns, user, r["output"]])


def _shingles(text: str) -> set[str]:
    t = re.sub(r"\s+", " ", text.lower()).strip()
    return {t[i : i + NGRAM] for i in range(max(1, len(t) - NGRAM + 1))}


def datasketch_clusters(texts: list[str]) -> tuple[list[list[int]], float]:
    """The plain script: MinHash per text, LSH insert, then query each; clusters = connected components."""
    import networkx as nx
    from datasketch import MinHash, MinHashLSH

    started = time.perf_counter()
    lsh = MinHashLSH(threshold=THRESHOLD, num_perm=PERMS)
    hashes = []
    for i, t in enumerate(texts):
        m = MinHash(num_perm=PERMS)
        m.update_batch([s.encode() for s in _shingles(t)])
        lsh.insert(str(i), m)
        hashes.append(m)
    g = nx.Graph()
    for i, m in enumerate(hashes):
        for j in lsh.query(m):
            if int(j) != i:
                g.add_edge(i, int(j))
    seconds = time.perf_counter() - started
    return [sorted(c) for c in nx.connected_components(g)], seconds


def text_dedup(texts: list[str], work: Path) -> tuple[set[int] | None, float | None, str]:
    """text-dedup's MinHash: which texts it keeps, and its wall time; (None, None, why) if unavailable."""
    venv = REPO / "bench" / ".work" / "text-dedup-venv"
    python = venv / "bin" / "python"
    if not python.exists():
        made = subprocess.run([sys.executable, "-m", "venv", str(venv)], capture_output=True, text=True)
        pip = (
            subprocess.run(
                [str(python), "-m", "pip", "install", "--quiet", "text-dedup==0.4.0"],
                capture_output=True,
                text=True,
            )
            if made.returncode == 0
            else made
        )
        if pip.returncode != 0:
            return None, None, f"text-dedup did not install: {pip.stderr.strip().splitlines()[-1:]}"
    data = work / "td-input.jsonl"
    data.write_text(
        "".join(json.dumps({"id": i, "text": t}, ensure_ascii=False) + "\n" for i, t in enumerate(texts))
    )
    out = work / "td-output"
    shutil.rmtree(out, ignore_errors=True)
    started = time.perf_counter()
    run = subprocess.run(
        [
            str(python),
            "-m",
            "text_dedup.minhash",
            "--path",
            "json",
            "--data_files",
            str(data),
            "--split",
            "train",
            "--column",
            "text",
            "--output",
            str(out),
            "--threshold",
            str(THRESHOLD),
            "--num_perm",
            str(PERMS),
            "--ngram",
            str(NGRAM),
            "--min_length",
            "0",
            "--cache_dir",
            str(work / "hf-cache"),
        ],
        capture_output=True,
        text=True,
        cwd=work,
        env={**os.environ, "HF_DATASETS_OFFLINE": "1", "HF_HUB_OFFLINE": "1"},
    )
    seconds = time.perf_counter() - started
    if run.returncode != 0:
        return None, None, "text-dedup failed: " + " | ".join(run.stderr.strip().splitlines()[-3:])
    from_disk = subprocess.run(
        [
            str(python),
            "-c",
            f"import datasets, json; d = datasets.load_from_disk({str(out)!r}); print(json.dumps(list(d['id'])))",
        ],
        capture_output=True,
        text=True,
    )
    if from_disk.returncode != 0:
        return None, seconds, "could not read text-dedup's output: " + from_disk.stderr.strip()[-200:]
    return set(json.loads(from_disk.stdout)), seconds, "ok"


def kept_score(truth_path: Path, keys: list[str], kept: set[int]) -> dict[str, Any]:
    """Precision / recall of a tool that only says which texts it keeps: a dropped text is right when
    its ground-truth cluster has another member (at most size - 1 per cluster count as right)."""
    truth = [json.loads(x) for x in truth_path.read_text().splitlines()]
    root = {t["variant"]: t["original"] for t in truth if "original" in t}
    size: dict[str, int] = defaultdict(int)
    for k in keys:
        size[root.get(k, k)] += 1
    dropped: dict[str, int] = defaultdict(int)
    for i, k in enumerate(keys):
        if i not in kept:
            dropped[root.get(k, k)] += 1
    right = sum(min(n, size[r] - 1) for r, n in dropped.items())
    total_dropped = sum(dropped.values())
    dups = sum(n - 1 for n in size.values() if n > 1)
    return {
        "precision": round(right / total_dropped, 4) if total_dropped else 1.0,
        "recall": round(right / dups, 4) if dups else 1.0,
    }


def curagraph_on(path: Path, manifest: Path, work: Path) -> tuple[EmbeddedStore, float, Any]:
    schema = load_schema()
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    store = EmbeddedStore(work / "graph.lbdb", schema=schema)
    store.ensure_schema()
    settings = Settings(db=work)
    run_ingest(
        store,
        prepare_ingest(path, schema=schema, settings=settings, manifest_path=manifest),
        settings=settings,
    )
    started = time.perf_counter()
    report = dedup(
        store, work / "dedup", config=DedupConfig(threshold=THRESHOLD, num_perm=PERMS, shingle=NGRAM)
    )
    return store, time.perf_counter() - started, report


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--examples", type=int, default=1_000_000)
    parser.add_argument("--baseline-examples", type=int, default=None)
    parser.add_argument("--skip-text-dedup", action="store_true")
    args = parser.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)

    print("1. labelled near-duplicate benchmark (bench/neardup.py, 3,000 originals)")
    labelled = WORK / "neardup"
    counts = build(shared_dir(), labelled, originals=3000)
    print("   ", counts)
    records = [json.loads(x) for x in (labelled / "data.jsonl").read_text().splitlines()]
    keys, texts = [r["key"] for r in records], [_text(r) for r in records]
    store, seconds, report = curagraph_on(
        labelled / "data.jsonl", labelled / "manifest.yaml", WORK / "labelled-catalog"
    )
    key_of = {n["id"]: orjson.loads(n["metadata"])["key"] for n in store.nodes(label="Example")}
    ours = score(
        labelled / "truth.jsonl",
        [[key_of[r], *(key_of[e.member] for e in ms)] for r, ms in store.duplicate_clusters().items()],
    )
    store.close()
    print(
        f"    curagraph:  precision {ours['precision']}, recall near {ours['recall_near']}, exact {ours['recall_exact']}, templates apart {ours['template_kept_apart']}"
    )
    clusters, _s = datasketch_clusters(texts)
    theirs = score(labelled / "truth.jsonl", [[keys[i] for i in c] for c in clusters])
    print(
        f"    datasketch: precision {theirs['precision']}, recall near {theirs['recall_near']}, exact {theirs['recall_exact']}, templates apart {theirs['template_kept_apart']}"
    )
    quality = {"curagraph": ours, "datasketch": theirs}
    if not args.skip_text_dedup:
        kept, _secs, why = text_dedup(texts, WORK)
        if kept is not None:
            quality["text-dedup"] = kept_score(labelled / "truth.jsonl", keys, kept)
            print(f"    text-dedup: {quality['text-dedup']} (scored on the texts it drops)")
        else:
            print(f"    text-dedup: {why}")

    print(f"\n2. throughput over {args.examples:,} examples")
    from bench.ingest import WORK as INGEST_WORK
    from bench.ingest import generate_million

    generated = INGEST_WORK / f"generated-{args.examples}.jsonl"
    generate_million(shared_dir(), generated, args.examples)
    manifest = WORK / "generated.yaml"
    manifest.write_text("name: generated\nlicense: CC-BY-NC-4.0\nlanguages: [en, ko, zh]\n")
    store, seconds, report = curagraph_on(generated, manifest, WORK / "million-catalog")
    rate = report.new / seconds
    print(
        f"    curagraph dedup: {report.new:,} examples in {seconds:.1f} s = {rate:,.0f} ex/s; {report.clusters:,} clusters, {report.duplicates:,} duplicates"
    )
    store.close()
    n_base = args.baseline_examples or args.examples
    base_texts = []
    with generated.open(encoding="utf-8") as f:
        for line in f:
            base_texts.append(_text(json.loads(line)))
            if len(base_texts) >= n_base:
                break
    _clusters, ds_seconds = datasketch_clusters(base_texts)
    ds_rate = len(base_texts) / ds_seconds
    print(f"    datasketch script: {len(base_texts):,} texts in {ds_seconds:.1f} s = {ds_rate:,.0f} ex/s")
    td_rate = None
    if not args.skip_text_dedup:
        _kept, td_seconds, why = text_dedup(base_texts, WORK)
        if td_seconds:
            td_rate = len(base_texts) / td_seconds
            print(
                f"    text-dedup: {len(base_texts):,} texts in {td_seconds:.1f} s = {td_rate:,.0f} ex/s ({why})"
            )
        else:
            print(f"    text-dedup: {why}")
    print("\n| tool | precision | recall (near) | recall (exact) | examples | ex/s | vs datasketch |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    print(
        f"| curagraph dedup | {ours['precision']} | {ours['recall_near']} | {ours['recall_exact']} | {report.new:,} | {rate:,.0f} | {rate / ds_rate:.1f}x |"
    )
    print(
        f"| datasketch MinHashLSH script | {theirs['precision']} | {theirs['recall_near']} | {theirs['recall_exact']} | {len(base_texts):,} | {ds_rate:,.0f} | 1x |"
    )
    if "text-dedup" in quality and td_rate:
        td = quality["text-dedup"]
        print(
            f"| text-dedup 0.4.0 MinHash | {td['precision']} | {td['recall']} (all) | - | {len(base_texts):,} | {td_rate:,.0f} | {td_rate / ds_rate:.1f}x |"
        )


if __name__ == "__main__":
    main()
