"""The same reads by two versions of the code, on the same catalog, in the same minutes: tells a
code regression apart from a slower machine when a benchmark's absolute figure moves.

    python bench/compare_commits.py --commit a611b99 [--rounds 2] [--repeat 5] [--neo4j]

Runs after `python bench/coverage.py --engines embedded` and `python bench/provenance.py --engines
embedded` (their catalogs under bench/.work/). The other version is checked out with `git worktree`
into bench/.work/commit-<sha> and imported ahead of this checkout; each round times, in its own
process per version, alternating, the coverage matrix (`coverage_signatures`) on the coverage
catalog and the whole-catalog license check on the provenance catalog: median and best of
--repeat warm runs (one untimed run first). `--neo4j`: instead, the lineage of five chain ends and
the license check on the Neo4j catalog `python bench/provenance.py --engines neo4j` left on the
server CURAGRAPH_NEO4J_URI/PASSWORD name.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
WORK = REPO / "bench" / ".work"

PROBE = """
import statistics, sys, time
sys.path.insert(0, {root!r})
from catalog.provenance import check_licenses
from catalog.schema import load_schema
from catalog.store.embedded import EmbeddedStore
store = EmbeddedStore({db!r}, schema=load_schema())
run = (lambda: check_licenses(store, policy="commercial")) if {which!r} == "provenance" else (
    lambda: store.coverage_signatures(role="supply"))
run()
times = []
for _ in range({repeat}):
    started = time.perf_counter(); run(); times.append(time.perf_counter() - started)
store.close()
print(f"{{statistics.median(times):.3f}} {{min(times):.3f}}")
"""


NEO4J_PROBE = """
import os, statistics, sys, time
sys.path.insert(0, {root!r})
from catalog.provenance import check_licenses, lineage
from catalog.schema import load_schema
from catalog.store.neo4j import Neo4jStore
store = Neo4jStore(os.environ["CURAGRAPH_NEO4J_URI"], user=os.environ.get("CURAGRAPH_NEO4J_USER", "neo4j"),
                   password=os.environ["CURAGRAPH_NEO4J_PASSWORD"], schema=load_schema())
ends = [r[0] for r in store.read_cypher(
    query="MATCH (e:Example)-[:DERIVED_FROM*9..9]->(:Example) RETURN e.id ORDER BY e.id LIMIT 5").rows]
if {which!r} == "lineage":
    lineage(store, ends[0])
    times = []
    for e in ends:
        started = time.perf_counter(); lineage(store, e); times.append(time.perf_counter() - started)
else:
    check_licenses(store, policy="commercial")
    times = []
    for _ in range({repeat}):
        started = time.perf_counter(); check_licenses(store, policy="commercial")
        times.append(time.perf_counter() - started)
store.close()
print(f"{{statistics.median(times):.3f}} {{min(times):.3f}}")
"""


def measure_neo4j(root: Path, which: str, repeat: int) -> tuple[float, float]:
    code = NEO4J_PROBE.format(root=str(root), which=which, repeat=repeat)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=root)
    if done.returncode != 0:
        raise SystemExit(done.stderr[-2000:])
    median, best = done.stdout.split()
    return float(median), float(best)


def measure(root: Path, which: str, repeat: int) -> tuple[float, float]:
    db = WORK / which / "embedded" / "graph.lbdb"
    code = PROBE.format(root=str(root), db=str(db), which=which, repeat=repeat)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=root)
    if done.returncode != 0:
        raise SystemExit(done.stderr[-2000:])
    median, best = done.stdout.split()
    return float(median), float(best)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--commit", required=True, help="the other version (a commit of this repository)")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--neo4j", action="store_true", help="lineage and license check on the Neo4j catalog")
    args = parser.parse_args()
    other = WORK / f"commit-{args.commit}"
    if not other.exists():
        subprocess.run(
            ["git", "worktree", "add", "-q", "--detach", str(other), args.commit], cwd=REPO, check=True
        )
    if args.neo4j:
        print("| what | version | median s | best s |\n|---|---|---:|---:|")
        for _ in range(args.rounds):
            for which, label in (("lineage", "lineage (Neo4j)"), ("check", "license check (Neo4j)")):
                for root, name in ((other, args.commit), (REPO, "this checkout")):
                    median, best = measure_neo4j(root, which, args.repeat)
                    print(f"| {label} | {name} | {median:.3f} | {best:.3f} |", flush=True)
        return
    for which in ("coverage", "provenance"):
        if not (WORK / which / "embedded" / "graph.lbdb").exists():
            raise SystemExit(f"no {which} catalog: run python bench/{which}.py --engines embedded first")
    other = WORK / f"commit-{args.commit}"
    if not other.exists():
        subprocess.run(
            ["git", "worktree", "add", "-q", "--detach", str(other), args.commit], cwd=REPO, check=True
        )
    print("| what | version | median s | best s |\n|---|---|---:|---:|")
    for _ in range(args.rounds):
        for which, label in (("coverage", "coverage matrix"), ("provenance", "license check")):
            for root, name in ((other, args.commit), (REPO, "this checkout")):
                median, best = measure(root, which, args.repeat)
                print(f"| {label} | {name} | {median:.3f} | {best:.3f} |", flush=True)


if __name__ == "__main__":
    main()
