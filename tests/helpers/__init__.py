"""What tests share: paths, the CLI in a subprocess, the real datasets' location, a fresh Neo4j
store, free ports. Fixtures live in tests/conftest.py; no test imports another test module."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

from catalog.schema import Schema

REPO = Path(__file__).resolve().parents[2]
DEMO_DATA = REPO / "catalog" / "demo" / "data"
#: the real datasets of ../shared/datasets that hold examples, and their files
REAL_FILES: dict[str, list[str]] = {
    "self-instruct": ["seed_tasks.jsonl", "user_oriented_instructions.jsonl"],
    "stanford-alpaca-5k": ["alpaca_5000.json"],
    "code-alpaca-2k": ["code_alpaca_2k.json"],
    "alpaca-zh-demo": ["alpaca_zh_demo.json"],
    "gsm8k": ["train.jsonl", "test.jsonl"],
    "oasst-en-100-trees": ["en_100_tree.jsonl"],
    "oasst1-zh": ["oaast_sft_zh.json"],
    "lima": ["lima.json"],
    "glaive-toolcall-demo": ["glaive_toolcall_en_demo.json", "glaive_toolcall_zh_demo.json"],
    "gorilla-apibench-torchhub": ["torchhub_train.json", "torchhub_eval.json"],
    "bfcl-v4": [
        "BFCL_v4_irrelevance.json", "BFCL_v4_live_multiple.json", "BFCL_v4_live_simple.json",
        "BFCL_v4_multi_turn_base.json", "BFCL_v4_multiple.json", "BFCL_v4_parallel.json",
        "BFCL_v4_parallel_multiple.json", "BFCL_v4_simple_python.json",
    ],
    "ko-chatbot-data": ["ChatbotData.csv"],
    "kullm-user-oriented-ko": ["user_oriented_instructions_eval.jsonl"],
}  # fmt: skip
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def manifest_path(dataset: str) -> Path:
    """The manifest of a dataset: the demo sample's (one set for the demo and the tests), or, for the
    datasets the demo does not ship, tests/manifests/."""
    shipped = DEMO_DATA / "manifests" / f"{dataset}.yaml"
    return shipped if shipped.exists() else REPO / "tests" / "manifests" / f"{dataset}.yaml"


def all_manifests() -> dict[str, Path]:
    """Every dataset's manifest, by dataset name."""
    found = {p.stem: p for p in (REPO / "tests" / "manifests").glob("*.yaml")}
    found.update({p.stem: p for p in (DEMO_DATA / "manifests").glob("*.yaml")})
    return found


def shared_datasets_dir() -> Path:
    env = os.environ.get("CURAGRAPH_SHARED_DATASETS")
    return Path(env) if env else REPO.parent / "shared" / "datasets"


def run_cli(
    *args: str, env: dict[str, str] | None = None, timeout: float = 600
) -> subprocess.CompletedProcess[str]:
    """`curagraph ARGS` in a subprocess of this interpreter, from the repository root."""
    return subprocess.run(
        [sys.executable, "-m", "catalog.cli", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        cwd=REPO,
        timeout=timeout,
    )


def fresh_neo4j_store(schema: Schema, env: dict[str, str]):  # type: ignore[no-untyped-def]
    """A Neo4jStore on an emptied database with the schema ensured."""
    from catalog.store.neo4j import Neo4jStore

    store = Neo4jStore(env["URI"], user=env["USER"], password=env["PASSWORD"], schema=schema)
    store.wipe()
    store.ensure_schema()
    return store


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
