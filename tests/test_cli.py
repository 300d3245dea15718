"""The CLI end to end, in subprocesses, on the real datasets: JSON shapes, idempotency, kill and resume."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.helpers import IN_CI, REPO, manifest_path, run_cli


def _json(*args: str, env: dict[str, str] | None = None) -> dict:
    result = run_cli(*args, "--json", env=env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_init_stats_and_cypher_shapes(tmp_path: Path) -> None:
    db = str(tmp_path / "cat")
    init = _json("init", "--db", db)
    assert init["nodes"]["Topic"] >= 60 and init["nodes"]["Example"] == 0
    stats = _json("stats", "--db", db)
    assert set(stats) == {"nodes", "relationships"}
    assert stats["relationships"]["BROADER"] == init["relationships"]["BROADER"]
    got = _json("cypher", "MATCH (t:Topic) RETURN t.id ORDER BY t.id", "--row-cap", "3", "--db", db)
    assert got == {
        "columns": ["t.id"],
        "rows": [["academic-writing"], ["algebra"], ["algorithms"]],
        "truncated": True,
    }
    got = _json("cypher", "MATCH (t:Topic {id: $id}) RETURN t.label", "--param", "id=algebra", "--db", db)
    assert got["rows"] == [["Algebra"]]


def test_env_var_names_the_catalog(tmp_path: Path) -> None:
    env = {"CURAGRAPH_DB": str(tmp_path / "from-env")}
    _json("init", env=env)
    assert (tmp_path / "from-env" / "graph.lbdb").exists()


def test_ingest_json_and_cypher_count_equal_the_accepted_total(tmp_path: Path, datasets: Path) -> None:
    db = str(tmp_path / "cat")
    total = 0
    for dataset, name in (
        ("gsm8k", "test.jsonl"),
        ("alpaca-zh-demo", "alpaca_zh_demo.json"),
        ("oasst-en-100-trees", "en_100_tree.jsonl"),
    ):
        out = _json(
            "ingest",
            str(datasets / dataset / name),
            "--manifest",
            str(manifest_path(dataset)),
            "--db",
            db,
        )
        assert {"read", "accepted", "quarantined", "duplicates_skipped", "quarantine_file"} <= set(out)
        assert out["read"] == out["accepted"] + out["quarantined"] + out["duplicates_skipped"]
        total += out["accepted"]
    count = _json("cypher", "MATCH (e:Example) RETURN count(e)", "--db", db)
    assert count["rows"] == [[total]] == [[1319 + 992 + 687]]
    before = _json("stats", "--db", db)
    refused = run_cli("cypher", "MATCH (e:Example) DETACH DELETE e", "--db", db, "--json")
    assert refused.returncode == 2 and "refuses DETACH" in refused.stderr and refused.stdout == ""
    assert _json("stats", "--db", db) == before
    again = _json(
        "ingest",
        str(datasets / "gsm8k" / "test.jsonl"),
        "--manifest",
        str(manifest_path("gsm8k")),
        "--db",
        db,
    )
    assert (again["accepted"], again["duplicates_skipped"]) == (0, 1319)
    assert _json("stats", "--db", db) == before


@pytest.mark.parametrize("workers", ["0", "1"])
def test_killed_ingest_resumes_to_the_same_catalog(tmp_path: Path, datasets: Path, workers: str) -> None:
    """SIGKILL an ingest after some batches committed; the re-run gives the uninterrupted counts."""
    source = datasets / "gsm8k" / "train.jsonl"
    manifest = str(manifest_path("gsm8k"))
    env = {"CURAGRAPH_BATCH_SIZE": "250", "PYTHONUNBUFFERED": "1", "CURAGRAPH_INGEST_WORKERS": workers}

    whole = str(tmp_path / "whole")
    _json("ingest", str(source), "--manifest", manifest, "--db", whole, env=env)
    expected = _json("stats", "--db", whole)

    killed = str(tmp_path / "killed")
    proc = subprocess.Popen(
        [sys.executable, "-m", "catalog.cli", "ingest", str(source), "--manifest", manifest, "--db", killed],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **env},
        cwd=REPO,
    )
    assert proc.stderr is not None
    deadline = time.monotonic() + 120
    committed = ""
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        if not line:
            break
        if "committed" in line and "accepted" in line:
            committed = line
            break
    assert committed, "the ingest never reported a committed batch"
    children = _children(proc.pid)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    # a parser worker notices its parent is gone and exits instead of lingering
    deadline = time.monotonic() + 20
    while any(_alive(c) for c in children) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not any(_alive(c) for c in children), "an orphaned worker process was left behind"

    partial = _json("stats", "--db", killed)
    assert 0 < partial["nodes"]["Example"] < expected["nodes"]["Example"], "the kill did not land mid-run"
    rerun = _json("ingest", str(source), "--manifest", manifest, "--db", killed, env=env)
    assert rerun["accepted"] + partial["nodes"]["Example"] == expected["nodes"]["Example"]
    assert rerun["duplicates_skipped"] == partial["nodes"]["Example"]
    assert _json("stats", "--db", killed) == expected


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(x) for x in text.split()]


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split()[2]
    except OSError:
        return False
    return state != "Z"


def test_demo_builds_and_reports(tmp_path: Path) -> None:
    report = _json("demo", "--db", str(tmp_path / "demo"))
    assert report["stats"]["nodes"]["Example"] > 300
    by_name = {d["dataset"]: d for d in report["datasets"]}
    assert "CC-BY-NC-4.0" in by_name["stanford-alpaca-5k"]["licenses"]
    assert by_name["stanford-alpaca-5k"]["models"] == ["text-davinci-003"]
    assert all(
        s["read"] == s["accepted"] + s["quarantined"] + s["duplicates_skipped"] for s in report["ingest"]
    )
    # twice: nothing new
    again = _json("demo", "--db", str(tmp_path / "demo"))
    assert again["stats"] == report["stats"]
    assert sum(s["accepted"] for s in again["ingest"]) == 0


def test_demo_on_neo4j_matches_the_embedded_demo(tmp_path: Path, neo4j_env: dict[str, str], schema) -> None:
    from tests.helpers import fresh_neo4j_store

    fresh_neo4j_store(schema, neo4j_env).close()
    env = {f"CURAGRAPH_NEO4J_{k}": v for k, v in neo4j_env.items()}
    on_neo4j = _json("demo", "--store", "neo4j", "--db", str(tmp_path / "n"), env=env)
    embedded = _json("demo", "--db", str(tmp_path / "e"))
    assert on_neo4j["stats"] == embedded["stats"]
    assert on_neo4j["datasets"] == embedded["datasets"]


def test_an_unreachable_neo4j_is_one_line_naming_the_uri(tmp_path: Path) -> None:
    env = {"CURAGRAPH_NEO4J_URI": "bolt://127.0.0.1:9", "CURAGRAPH_NEO4J_PASSWORD": "x"}
    result = run_cli("stats", "--store", "neo4j", "--db", str(tmp_path / "c"), env=env)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [result.stderr.strip()]
    assert "cannot reach Neo4j at bolt://127.0.0.1:9" in result.stderr


def test_neo4j_without_a_password_says_how_to_set_it(tmp_path: Path) -> None:
    env = {"CURAGRAPH_NEO4J_URI": "bolt://127.0.0.1:9", "CURAGRAPH_NEO4J_PASSWORD": ""}
    result = run_cli("stats", "--store", "neo4j", "--db", str(tmp_path / "c"), env=env)
    assert result.returncode == 2 and "CURAGRAPH_NEO4J_PASSWORD" in result.stderr


def test_cli_on_neo4j(tmp_path: Path, datasets: Path, neo4j_env: dict[str, str], schema) -> None:
    from tests.helpers import fresh_neo4j_store

    fresh_neo4j_store(schema, neo4j_env).close()
    env = {f"CURAGRAPH_NEO4J_{k}": v for k, v in neo4j_env.items()} | {"CURAGRAPH_STORE": "neo4j"}
    out = _json(
        "ingest", str(datasets / "gsm8k" / "test.jsonl"), "--manifest", str(manifest_path("gsm8k")), env=env
    )
    assert (out["accepted"], out["quarantined"]) == (1319, 0)
    assert _json("cypher", "MATCH (e:Example) RETURN count(e)", env=env)["rows"] == [[1319]]
    refused = run_cli("cypher", "MATCH (e:Example) DETACH DELETE e", "--json", env=env)
    assert refused.returncode == 2 and refused.stdout == ""
    assert _json("stats", env=env)["nodes"]["Example"] == 1319


def _own_neo4j(port: int, password: str, home: Path) -> subprocess.Popen[str]:
    """A Neo4j of this test's own (the shared one must not be stopped), from the jar make test built.
    A second start on the same home recovers from its transaction log."""
    cache = Path(os.environ.get("CURAGRAPH_CACHE", Path.home() / ".cache" / "curagraph"))
    jar = REPO / "scripts" / "neo4j" / "target" / "neo4j-test-server-1.0.jar"
    if not jar.exists() or not (cache / "neo4j" / "lib").is_dir():
        message = f"no Neo4j build at {jar} / {cache}/neo4j/lib (scripts/neo4j.sh start builds it)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    proc = subprocess.Popen(
        [
            "java",
            "-Xmx1g",
            "-cp",
            f"{jar}:{cache}/neo4j/lib/*",
            "curagraph.Neo4jTestServer",
            str(port),
            password,
            str(home),
            "60",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert proc.stdout is not None
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if line.startswith("HOME "):
            return proc
        if not line and proc.poll() is not None:
            break
    proc.kill()
    pytest.fail("the test's own Neo4j did not start")


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_stopping_neo4j_during_an_ingest_is_a_one_line_error_and_loses_nothing_committed(
    tmp_path: Path, datasets: Path, neo4j_env
) -> None:
    """SIGKILL the server mid-ingest: one-line error naming the URI, exit 2; after a restart from the
    killed server's files every batch the CLI reported committed is there, and re-running the ingest
    completes the catalog to exactly the uninterrupted counts."""
    password = "pw-for-this-test"
    uri = f"bolt://127.0.0.1:{_free_port()}"
    env = {
        "CURAGRAPH_STORE": "neo4j",
        "CURAGRAPH_NEO4J_URI": uri,
        "CURAGRAPH_NEO4J_PASSWORD": password,
        "CURAGRAPH_BATCH_SIZE": "500",
        "PYTHONUNBUFFERED": "1",
    }
    source = datasets / "gsm8k" / "train.jsonl"
    ingest = ["ingest", str(source), "--manifest", str(manifest_path("gsm8k")), "--db", str(tmp_path / "c")]
    home = tmp_path / "neo4j-home"
    server = _own_neo4j(int(uri.rsplit(":", 1)[1]), password, home)
    try:
        cli = subprocess.Popen(
            [sys.executable, "-m", "catalog.cli", *ingest],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env={**os.environ, **env}, cwd=REPO,
        )  # fmt: skip
        assert cli.stderr is not None
        seen = []
        while not any("committed" in line for line in seen):
            line = cli.stderr.readline()
            assert line, "the ingest ended before it committed a batch"
            seen.append(line)
        server.send_signal(signal.SIGKILL)
        server.wait(timeout=30)
        rest = cli.stderr.read()
        assert cli.wait(timeout=120) == 2
        last = rest.strip().splitlines()[-1]
        assert last.startswith("error: cannot reach Neo4j at " + uri), rest
        assert "Traceback" not in rest
    finally:
        if server.poll() is None:
            server.kill()
    reported = [
        int(m.group(1).replace(",", ""))
        for line in [*seen, *rest.splitlines()]
        if "committed" in line and (m := re.search(r"= ([\d,]+) accepted", line))
    ]
    assert reported and reported[-1] < 7473, "the kill did not land mid-run"

    # Restart on the killed server's home (recovery replays its transaction log) and look.
    env["CURAGRAPH_NEO4J_URI"] = uri = f"bolt://127.0.0.1:{_free_port()}"
    server = _own_neo4j(int(uri.rsplit(":", 1)[1]), password, home)
    try:
        run_env = {**env, "CURAGRAPH_NEO4J_URI": uri}
        recovered = _json("stats", env=run_env)["nodes"]["Example"]
        # Every batch the CLI said was committed survived; a batch may also have committed on the
        # server after the client last heard of it, but never part of one (one transaction each).
        assert recovered >= reported[-1]
        assert recovered % 500 == 0
        orphans = _json(
            "cypher", "MATCH (e:Example) WHERE NOT (e)-[:FROM_SOURCE]->() RETURN count(e)", env=run_env
        )
        assert orphans["rows"] == [[0]]
        rerun = _json(*ingest, env=run_env)
        assert (rerun["accepted"], rerun["duplicates_skipped"]) == (7473 - recovered, recovered), rerun
        assert _json("stats", env=run_env)["nodes"]["Example"] == 7473
    finally:
        server.kill()
        server.wait(timeout=30)
