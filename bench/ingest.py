"""Ingest benchmark: end-to-end examples per second and peak memory.

    python bench/ingest.py              # the real datasets of ../shared/datasets
    python bench/ingest.py --million    # ... and 1,000,000 examples generated from them

Each measurement runs `curagraph ingest` in a child process on a fresh on-disk catalog (embedded
engine), so wall time includes start-up and the peak resident memory is the child's own
(os.wait4). The 1M file is Alpaca-format JSON Lines built from the real records (Alpaca, Code
Alpaca, Chinese Alpaca, LIMA, GSM8K, OASST-zh, the Korean chatbot set); repeats of a record get a
variant suffix so every example is distinct, as augmented data would be.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
WORK = REPO / "bench" / ".work"

from tests.helpers import REAL_FILES as REAL  # noqa: E402
from tests.helpers import manifest_path  # noqa: E402


def shared_dir() -> Path:
    env = os.environ.get("CURAGRAPH_SHARED_DATASETS")
    path = Path(env) if env else REPO.parent / "shared" / "datasets"
    if not path.is_dir():
        sys.exit(f"the real datasets are not at {path}; set CURAGRAPH_SHARED_DATASETS")
    return path


def run_child(args: list[str], env: dict[str, str] | None = None) -> tuple[float, int, str]:
    """Run a child process; return (wall seconds, peak RSS bytes, stdout)."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env={**os.environ, **(env or {})}, cwd=REPO
    )
    assert proc.stdout is not None
    out = proc.stdout.read().decode()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed with {proc.returncode}")
    return wall, usage.ru_maxrss * 1024, out


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{os.cpu_count()} cores ({cpu}), {mem:.0f} GiB RAM, Python {platform.python_version()}, {platform.system()}"


def bench_real(shared: Path) -> list[dict]:
    rows = []
    for dataset, files in REAL.items():
        db = WORK / "real" / dataset
        shutil.rmtree(db, ignore_errors=True)
        args = [sys.executable, "-m", "catalog.cli", "ingest", *[str(shared / dataset / f) for f in files]]
        args += ["--manifest", str(manifest_path(dataset)), "--db", str(db), "--json"]
        wall, rss, out = run_child(args)
        data = json.loads(out)
        files_out = data.get("files", [data])
        read = sum(f["read"] for f in files_out)
        ingest_s = sum(f["seconds"] for f in files_out)
        rows.append({"dataset": dataset, "examples": read, "wall_s": wall, "ingest_s": ingest_s, "rss": rss})
        print(
            f"  {dataset:28} {read:>7,} ex  {wall:6.2f} s wall  {read / ingest_s:8,.0f} ex/s in ingest  {rss / 2**20:6.0f} MiB",
            flush=True,
        )
    return rows


def _base_records(shared: Path) -> list[dict]:
    records: list[dict] = []
    for dataset, name in (
        ("stanford-alpaca-5k", "alpaca_5000.json"),
        ("code-alpaca-2k", "code_alpaca_2k.json"),
        ("alpaca-zh-demo", "alpaca_zh_demo.json"),
        ("lima", "lima.json"),
        ("oasst1-zh", "oaast_sft_zh.json"),
    ):
        for r in json.loads((shared / dataset / name).read_text(encoding="utf-8")):
            if r["output"].strip():
                records.append({k: r[k] for k in ("instruction", "input", "output", "history") if k in r})
    for name in ("train.jsonl", "test.jsonl"):
        for line in (shared / "gsm8k" / name).read_text(encoding="utf-8").splitlines():
            r = json.loads(line)
            records.append({"instruction": r["question"], "input": "", "output": r["answer"]})
    with (shared / "ko-chatbot-data" / "ChatbotData.csv").open(encoding="utf-8") as f:
        for r in csv.DictReader(f):
            records.append({"instruction": r["Q"], "input": "", "output": r["A"]})
    return records


def generate_million(shared: Path, path: Path, n: int, first_variant: int = 0) -> None:
    """n Alpaca records: the real records in a fixed shuffle, then again as "(variant k)" copies.

    `first_variant=1` leaves out the real records themselves (for a catalog that holds them already).
    """
    if path.exists():
        with path.open("rb") as f:
            if sum(1 for _ in f) == n:
                return
    base = _base_records(shared)
    rng = random.Random(42)
    rng.shuffle(base)
    tmp = path.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8") as f:
        for i in range(n):
            r = dict(base[i % len(base)])
            k = i // len(base) + first_variant
            if k:
                r["instruction"] = f"{r['instruction']} (variant {k})"
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    tmp.replace(path)


def bench_million(shared: Path, n: int, batch_sizes: list[int]) -> list[dict]:
    path = WORK / f"generated-{n}.jsonl"
    t = time.perf_counter()
    generate_million(shared, path, n)
    size = path.stat().st_size
    print(
        f"  input: {path.name}, {n:,} examples, {size / 2**20:,.0f} MiB (ready in {time.perf_counter() - t:.0f} s)",
        flush=True,
    )
    rows = []
    for bs in batch_sizes:
        db = WORK / f"million-{bs}"
        shutil.rmtree(db, ignore_errors=True)
        args = [
            sys.executable,
            "-m",
            "catalog.cli",
            "ingest",
            str(path),
            "--format",
            "alpaca",
            "--db",
            str(db),
            "--json",
        ]
        wall, rss, out = run_child(args, env={"CURAGRAPH_BATCH_SIZE": str(bs)})
        data = json.loads(out)
        db_size = sum(p.stat().st_size for p in db.rglob("*") if p.is_file())
        row = {
            "batch": bs,
            "examples": data["read"],
            "accepted": data["accepted"],
            "wall_s": wall,
            "ingest_s": data["seconds"],
            "rss": rss,
            "db_bytes": db_size,
        }
        rows.append(row)
        print(
            f"  batch {bs:>6,}: {data['accepted']:,} accepted in {wall:,.1f} s wall = {data['read'] / wall:,.0f} ex/s end to end; "
            f"peak RSS {rss / 2**20:,.0f} MiB; catalog {db_size / 2**20:,.0f} MiB (incl. raw archive)",
            flush=True,
        )
        shutil.rmtree(db, ignore_errors=True)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--million", action="store_true", help="also ingest 1,000,000 generated examples")
    parser.add_argument("-n", type=int, default=1_000_000, help="size of the generated file")
    parser.add_argument(
        "--batch-sizes", default="10000", help="comma-separated batch sizes for the generated file"
    )
    args = parser.parse_args()
    shared = shared_dir()
    WORK.mkdir(parents=True, exist_ok=True)
    print(f"machine: {machine()}")
    print("real datasets (one child process per dataset, fresh catalog each):")
    real = bench_real(shared)
    total = sum(r["examples"] for r in real)
    print(
        f"  total {total:,} examples: {total / sum(r['wall_s'] for r in real):,.0f} ex/s wall (incl. ~1 s start-up per process), "
        f"{total / sum(r['ingest_s'] for r in real):,.0f} ex/s in ingest; peak RSS max {max(r['rss'] for r in real) / 2**20:,.0f} MiB"
    )
    if args.million:
        print(f"generated examples (n={args.n:,}):")
        bench_million(shared, args.n, [int(b) for b in args.batch_sizes.split(",")])


if __name__ == "__main__":
    main()
