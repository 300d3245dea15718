"""Compressed and columnar files: gzip, bz2 and xz around JSON Lines and CSV are read through their
decompressor, recognised by their magic bytes (not their names), and Parquet by row group; each
gives the same examples as the original; the raw archive keeps the file as it came; zstd is refused
with what to do."""

from __future__ import annotations

import bz2
import gzip
import json
import lzma
from pathlib import Path

import pytest

from tests.helpers import manifest_path, run_cli

COMPRESS = {"gzip": gzip.compress, "bz2": bz2.compress, "xz": lzma.compress}


def _ids(db: Path) -> list[str]:
    done = run_cli("cypher", "--db", str(db), "--json", "MATCH (e:Example) RETURN e.id ORDER BY e.id")
    assert done.returncode == 0, done.stderr
    return [r[0] for r in json.loads(done.stdout)["rows"]]


@pytest.mark.parametrize(
    ("dataset", "name", "rows"),
    [("self-instruct", "seed_tasks.jsonl", None), ("ko-chatbot-data", "ChatbotData.csv", 400)],
)
def test_compressed_files_give_the_examples_of_the_original(
    datasets: Path, tmp_path: Path, dataset: str, name: str, rows: int | None
) -> None:
    original = tmp_path / name
    lines = (datasets / dataset / name).read_bytes().splitlines(keepends=True)
    original.write_bytes(b"".join(lines[: rows + 1] if rows else lines))  # a CSV keeps its header
    manifest = manifest_path(dataset)
    done = run_cli(
        "ingest", str(original), "--manifest", str(manifest), "--db", str(tmp_path / "plain"), "--json"
    )
    assert done.returncode == 0, done.stderr
    expected = _ids(tmp_path / "plain")
    assert len(expected) >= (rows or 100) * 0.9
    for kind, compress in COMPRESS.items():
        suffix = {"gzip": ".gz", "bz2": ".bz2", "xz": ".xz"}[kind]
        packed = tmp_path / kind / (name + suffix)
        packed.parent.mkdir()
        packed.write_bytes(compress(original.read_bytes()))
        db = tmp_path / f"cat-{kind}"
        got = run_cli("ingest", str(packed), "--manifest", str(manifest), "--db", str(db), "--json")
        assert got.returncode == 0, (kind, got.stderr)
        summary = json.loads(got.stdout)
        assert _ids(db) == expected, kind
        # the archive keeps the compressed file as it came
        archived = list((db / "raw").rglob("*"))
        assert any(p.is_file() and p.read_bytes() == packed.read_bytes() for p in archived), kind
        assert summary, kind
    # magic bytes, not the name: a gzip file called .jsonl is read as gzip
    if name.endswith(".jsonl"):
        renamed = tmp_path / "named-plainly.jsonl"
        renamed.write_bytes(gzip.compress(original.read_bytes()))
        got = run_cli("ingest", str(renamed), "--manifest", str(manifest), "--db", str(tmp_path / "renamed"))
        assert got.returncode == 0, got.stderr
        assert _ids(tmp_path / "renamed") == expected


def test_zstd_is_refused_with_what_to_do(tmp_path: Path) -> None:
    data = tmp_path / "data.jsonl.zst"
    data.write_bytes(b"\x28\xb5\x2f\xfd" + b"\x00" * 64)
    done = run_cli("ingest", str(data), "--db", str(tmp_path / "cat"))
    assert done.returncode == 2 and "zstd" in done.stderr and "zstd -d" in done.stderr


def test_parquet_gives_the_examples_of_the_json_original(datasets: Path, tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    original = datasets / "self-instruct" / "seed_tasks.jsonl"
    manifest = manifest_path("self-instruct")
    rows = [json.loads(line) for line in original.read_text().splitlines() if line.strip()]
    packed = tmp_path / "seed_tasks.parquet"
    pq.write_table(pa.Table.from_pylist(rows), packed, row_group_size=40)  # several row groups
    assert pq.ParquetFile(packed).num_row_groups > 1
    plain = run_cli("ingest", str(original), "--manifest", str(manifest), "--db", str(tmp_path / "plain"))
    assert plain.returncode == 0, plain.stderr
    done = run_cli("ingest", str(packed), "--manifest", str(manifest), "--db", str(tmp_path / "pq"), "--json")
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert summary["read"] == summary["accepted"] == len(rows) and summary["quarantined"] == 0
    assert _ids(tmp_path / "pq") == _ids(tmp_path / "plain")
