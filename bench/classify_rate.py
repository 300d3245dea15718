"""Labelling rate: `curagraph classify` over the same 200,000 examples, this checkout against another
commit, in the same minutes (the machine's speed moves between days; a side-by-side run does not).

    python bench/classify_rate.py [--commit 353d8c6] [-n 200000]

The examples are the ingest benchmark's generated file (real records from ../shared/datasets with
variant suffixes, bench/ingest.py). For each version: a fresh embedded catalog under bench/.work,
`curagraph ingest --no-classify` with that version's code, then `curagraph classify` timed in its
own child process (wall time, peak resident memory of the main process). The other version is
checked out with `git worktree` into bench/.work/commit-<sha>. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
WORK = REPO / "bench" / ".work"
sys.path.insert(0, str(REPO))

from bench.ingest import generate_million, machine, shared_dir  # noqa: E402


def run_child(args: list[str], root: Path) -> tuple[float, int]:
    """Run a child in the version's own directory (a `python -m` worker it starts imports from its
    working directory first); return (wall seconds, peak RSS bytes)."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        args, stdout=subprocess.DEVNULL, env={**os.environ, "PYTHONPATH": str(root)}, cwd=root
    )
    _, status, usage = os.wait4(proc.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(args)} failed")
    return time.perf_counter() - started, usage.ru_maxrss * 1024


def _cli(root: Path, *args: str) -> list[str]:
    code = f"import sys; sys.path.insert(0, {str(root)!r}); from catalog.cli import main; sys.argv[0] = 'curagraph'; main()"
    return [sys.executable, "-c", code, *args]


def measure(root: Path, label: str, data: Path, n: int) -> dict[str, object]:
    db = WORK / f"classify-rate-{label}"
    shutil.rmtree(db, ignore_errors=True)
    ingest_s, _ = run_child(_cli(root, "ingest", str(data), "--db", str(db), "--no-classify"), root)
    wall, rss = run_child(_cli(root, "classify", "--db", str(db)), root)
    shutil.rmtree(db, ignore_errors=True)
    return {
        "version": label,
        "ingest_s": ingest_s,
        "classify_s": wall,
        "rate": n / wall,
        "rss_gib": rss / 2**30,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--commit", default="353d8c6", help="the version to compare with")
    parser.add_argument("-n", type=int, default=200_000)
    args = parser.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    data = WORK / f"classify-rate-{args.n}.jsonl"
    if not data.exists():
        generate_million(shared_dir(), data, args.n)
    other = WORK / f"commit-{args.commit}"
    if not other.exists():
        subprocess.run(
            ["git", "worktree", "add", "-q", "--detach", str(other), args.commit], cwd=REPO, check=True
        )
    head = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True
    ).stdout.strip()
    rows = [measure(other, args.commit, data, args.n), measure(REPO, f"{head} (this checkout)", data, args.n)]
    print(f"{args.n:,} examples; {machine()}\n")
    print("| version | ingest --no-classify s | classify s | examples/s | peak RSS GiB (main) |")
    print("|---|---:|---:|---:|---:|")
    for r in rows:
        print(
            f"| {r['version']} | {r['ingest_s']:.1f} | {r['classify_s']:.1f} | {r['rate']:,.0f} | {r['rss_gib']:.2f} |"
        )


if __name__ == "__main__":
    main()
