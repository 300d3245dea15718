"""Server memory under a query that builds one huge value: `RETURN range(1, 15000000)`.

    python bench/hostile_memory.py [--db demo-catalog] [--n 15000000]

Builds the demo catalog if it is missing, starts `curagraph serve` on it (embedded engine), reads
the server's resident memory (VmRSS) idle, every 50 ms while the query runs, and after it; prints
the answer's size and whether it was truncated. The goal (issue 15): truncated within the byte cap,
RSS under 1 GB above idle during and after.
"""

from __future__ import annotations

import argparse
import json
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", type=Path, default=REPO / "bench" / ".work" / "hostile-memory")
    parser.add_argument("--n", type=int, default=15_000_000)
    args = parser.parse_args()
    if not args.db.exists():
        subprocess.run([sys.executable, "-m", "catalog.cli", "demo", "--db", str(args.db), "--json"],
                       cwd=REPO, check=True, capture_output=True)  # fmt: skip
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "catalog.cli", "serve", "--db", str(args.db), "--port", str(port)],
                            cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(base + "/health", timeout=2)
                break
            except OSError:
                time.sleep(0.2)
        urllib.request.urlopen(base + "/ui/coverage", timeout=60).read()  # warm the usual pages
        idle = _rss_mb(proc.pid)
        peak = [idle]
        done = threading.Event()

        def watch() -> None:
            while not done.is_set():
                peak[0] = max(peak[0], _rss_mb(proc.pid))
                time.sleep(0.05)

        watcher = threading.Thread(target=watch)
        watcher.start()
        started = time.perf_counter()
        request = urllib.request.Request(
            base + "/cypher",
            data=json.dumps({"query": f"RETURN range(1, {args.n}) AS r"}).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=300) as r:
            body = r.read()
        seconds = time.perf_counter() - started
        time.sleep(1.0)
        done.set()
        watcher.join()
        after = _rss_mb(proc.pid)
        answer = json.loads(body)
        print(
            f"answer: {len(body):,} bytes, truncated {answer['truncated']}, rows {len(answer['rows'])}, {seconds:.1f} s"
        )
        print(f"server RSS: idle {idle:,.0f} MiB, peak {peak[0]:,.0f} MiB (+{peak[0] - idle:,.0f}), "
              f"after {after:,.0f} MiB (+{after - idle:,.0f})")  # fmt: skip
    finally:
        proc.terminate()
        proc.wait(timeout=30)


if __name__ == "__main__":
    main()
