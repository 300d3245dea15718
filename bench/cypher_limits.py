"""How deep and how long a Cypher expression the embedded engine survives, measured by a fuzzer.

    python bench/cypher_limits.py [--max 3200] [--timeout 60]

Each probe runs in its own process against an in-memory LadybugDB (a crash is a negative exit
code, not a dead benchmark): nested lists, parentheses, maps, CASE, function calls, and long
chains of `+` and `AND`, at sizes doubling from 10. It prints, per construct, the outcome and the
seconds of each size: ok, error (the engine refused it), crash (the process died, e.g. SIGSEGV) or
timeout. The read-only gate's limits (catalog/store/readonly.py) sit well below the smallest size
that crashed or ran for seconds; docs/architecture.md has the figures.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time


def _tree(leaves: int, shape: str) -> str:
    x, n = "1", 1
    while n < leaves:
        x, n = shape.format(a=x, b=x), n * 2
    return x


CONSTRUCTS = {
    "list": lambda n: "RETURN " + "[" * n + "1" + "]" * n,
    "parentheses": lambda n: "RETURN " + "(" * n + "1" + ")" * n,
    "map": lambda n: "RETURN " + "{a: " * n + "1" + "}" * n,
    "case": lambda n: "RETURN " + "CASE WHEN true THEN " * n + "1" + " END" * n,
    "function": lambda n: "RETURN " + "abs(" * n + "1" + ")" * n,
    "plus_terms": lambda n: "RETURN 1" + "+1" * n,
    "and_terms": lambda n: "RETURN true" + " AND true" * n,
    # a balanced tree of n leaves (n a power of two): ((1 + 1) + (1 + 1)) ...
    "plus_tree": lambda n: "RETURN " + _tree(n, "({a} + {b})"),
    "list_tree": lambda n: "RETURN " + _tree(n, "[{a}, {b}]"),
}


CHILD = """
import sys, ladybug
db = ladybug.Database(":memory:")
conn = ladybug.Connection(db)
conn.set_query_timeout(int(sys.argv[1]) * 1000)
query = sys.stdin.read()
try:
    conn.execute(query).get_all()
    print("ok")
except RuntimeError as exc:
    print("error: " + str(exc).splitlines()[0][:80])
"""


def probe(query: str, timeout_s: int) -> tuple[str, float]:
    started = time.perf_counter()
    try:
        done = subprocess.run(
            [sys.executable, "-c", CHILD, str(timeout_s)],
            input=query,
            capture_output=True,
            text=True,
            timeout=timeout_s + 10,
        )
    except subprocess.TimeoutExpired:
        return "timeout (process)", time.perf_counter() - started
    seconds = time.perf_counter() - started
    if done.returncode < 0:
        return f"crash (signal {-done.returncode})", seconds
    if done.returncode != 0:
        return (
            f"exit {done.returncode}: {done.stderr.strip().splitlines()[-1][:80] if done.stderr else ''}",
            seconds,
        )
    return done.stdout.strip() or "ok", seconds


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--max", type=int, default=3200)
    parser.add_argument("--timeout", type=int, default=60)
    parser.add_argument("--only", nargs="*", default=list(CONSTRUCTS))
    args = parser.parse_args()
    results: dict[str, list[dict[str, object]]] = {}
    for name in args.only:
        make = CONSTRUCTS[name]
        n, rows = 10, []
        while n <= args.max:
            outcome, seconds = probe(make(n), args.timeout)
            rows.append({"n": n, "chars": len(make(n)), "outcome": outcome, "seconds": round(seconds, 2)})
            print(f"{name:12} n={n:5} {len(make(n)):6} chars  {seconds:7.2f} s  {outcome}", flush=True)
            if not outcome.startswith("ok") and not outcome.startswith("error"):
                break  # crashed or ran out of time: larger sizes only get worse
            if seconds > args.timeout / 2:
                break
            n *= 2
        results[name] = rows
    print(json.dumps(results))


if __name__ == "__main__":
    main()
