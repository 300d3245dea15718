"""The daily rough edges of the CLI: short ids, ingests that find nothing, files in containers
curagraph does not read, and the help screen in workflow order."""

from __future__ import annotations

import bz2
import gzip
import json
import lzma
import re
import zipfile
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from catalog.cli import app
from catalog.errors import AmbiguousId, CatalogError, NotFound
from catalog.ids import MIN_PREFIX, resolve_example_id
from catalog.ingest.records import unread_container
from catalog.store.base import NodeGroup, WriteBatch
from tests.helpers import REPO, run_cli

DEMO = REPO / "catalog" / "demo" / "data"


def _json(*args: str) -> dict:
    done = run_cli(*args, "--json")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


# ---------------------------------------------------------------------- ids


def _twins(store) -> tuple[str, str, str]:  # type: ignore[no-untyped-def]
    """Three examples, two of them sharing their first 10 characters."""
    a, b, c = "abcdef1234" + "0" * 22, "abcdef1234" + "1" * 22, "1234567890" + "2" * 22
    rows = [{"id": i, "usage_role": "supply", "language": "en", "messages": "[]"} for i in (a, b, c)]
    store.write(batch=WriteBatch(nodes=[NodeGroup("Example", rows)]))
    return a, b, c


def test_a_unique_prefix_names_the_example_and_an_ambiguous_one_lists_the_candidates(store) -> None:  # type: ignore[no-untyped-def]
    a, b, c = _twins(store)
    assert resolve_example_id(store, c[:MIN_PREFIX]) == c
    assert resolve_example_id(store, a[:12]) == a
    assert resolve_example_id(store, b.upper()) == b
    with pytest.raises(AmbiguousId) as exc:
        resolve_example_id(store, a[:10])
    assert exc.value.candidates == [a, b] and a in str(exc.value) and b in str(exc.value)
    with pytest.raises(NotFound):
        resolve_example_id(store, "fedcba98")
    with pytest.raises(CatalogError, match="too short"):
        resolve_example_id(store, c[:7])
    with pytest.raises(CatalogError, match="not an example id"):
        resolve_example_id(store, "not-hex!")


@pytest.mark.slow  # builds a catalog and selects from it: ~13 s
def test_lineage_takes_the_short_id_select_gives_and_refuses_an_ambiguous_one(tmp_path: Path) -> None:
    db = str(tmp_path / "cat")
    _json("demo", "--db", db)
    out = tmp_path / "selection.json"
    _json("select", "--target", "instructgpt", "-n", "20", "--out", str(out), "--db", db)
    chosen = json.loads(out.read_text())["ids"][0]
    got = _json("lineage", chosen[:12], "--db", db)
    assert got["example"] == chosen
    # two ids that share a prefix: the candidates are listed
    from catalog.config import Settings
    from catalog.store import open_store

    store = open_store(Settings(db=Path(db)), create=False)
    try:
        a, b, _ = _twins(store)
    finally:
        store.close()
    refused = run_cli("lineage", a[:9], "--db", db)
    assert refused.returncode == 2 and a in refused.stderr and b in refused.stderr, refused.stderr
    assert "give more characters" in refused.stderr
    assigned = run_cli("assign", chosen[:10], "--task", "summarization", "--db", db)
    assert assigned.returncode == 0 and chosen in assigned.stderr, assigned.stderr


# ---------------------------------------------------------------------- ingests that find nothing


def test_a_forced_format_that_reads_nothing_fails_names_the_likely_one_and_writes_nothing(
    tmp_path: Path, datasets: Path
) -> None:
    db = str(tmp_path / "cat")
    before = _json("init", "--db", db)
    before.pop("db"), before.pop("store")
    done = run_cli("ingest", str(datasets / "gsm8k" / "train.jsonl"), "--format", "openai", "--db", db)
    assert done.returncode == 2
    assert "gsm8k" in done.stderr and "--format gsm8k" in done.stderr, done.stderr
    assert _json("stats", "--db", db) == before  # no empty Dataset or Source left behind
    for fmt in ("glaive", "sharegpt"):
        done = run_cli("ingest", str(DEMO / "lima" / "lima.json"), "--format", fmt, "--db", db)
        assert done.returncode == 2 and "alpaca" in done.stderr, done.stderr
    assert _json("stats", "--db", db) == before


def test_the_other_files_of_a_run_are_ingested_when_one_gives_nothing(tmp_path: Path) -> None:
    db = str(tmp_path / "cat")
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    lima = DEMO / "lima" / "lima.json"
    done = run_cli("ingest", str(lima), str(empty), "--format", "alpaca", "--db", db, "--no-classify")
    assert done.returncode == 2 and "empty.jsonl holds no records" in done.stderr, done.stderr
    assert _json("stats", "--db", db)["nodes"]["Example"] > 0


def _containers(tmp: Path) -> dict[str, Path]:
    record = b'{"instruction": "Say hi", "input": "", "output": "hi"}\n'
    files = {
        "gzip": tmp / "a.jsonl.gz",
        "bzip2": tmp / "a.jsonl.bz2",
        "xz": tmp / "a.jsonl.xz",
        "zstd": tmp / "a.jsonl.zst",
        "zip archive": tmp / "a.zip",
        "Parquet": tmp / "a.parquet",
        "Arrow IPC file": tmp / "a.arrow",
    }
    files["gzip"].write_bytes(gzip.compress(record))
    files["bzip2"].write_bytes(bz2.compress(record))
    files["xz"].write_bytes(lzma.compress(record))
    files["zstd"].write_bytes(b"\x28\xb5\x2f\xfd" + b"\x00" * 16)  # a zstd frame header
    with zipfile.ZipFile(files["zip archive"], "w") as z:
        z.writestr("a.jsonl", record)
    table = pa.table({"instruction": ["Say hi"], "input": [""], "output": ["hi"]})
    pq.write_table(table, files["Parquet"])
    with pa.OSFile(str(files["Arrow IPC file"]), "wb") as sink, pa.ipc.new_file(sink, table.schema) as w:
        w.write_table(table)
    # the name says JSON Lines: the magic bytes win
    misnamed = tmp / "looks-like.jsonl"
    misnamed.write_bytes(gzip.compress(record))
    files["gzip (misnamed)"] = misnamed
    return files


#: read: the compressions through their decompressor, Parquet by row group
READ_NOW = ("gzip", "bzip2", "xz", "gzip (misnamed)", "Parquet")


def test_a_file_in_a_container_curagraph_does_not_read_is_named_for_what_it_is(tmp_path: Path) -> None:
    for what, path in _containers(tmp_path).items():
        found = unread_container(path)
        if what in READ_NOW:
            assert found is None, (what, found)  # a JSON Lines record inside: readable
            continue
        assert found is not None, path
        assert what.split(" (")[0] in found[0], (what, found)
    plain = tmp_path / "plain.jsonl"
    plain.write_text('{"instruction": "x", "output": "y"}\n')
    assert unread_container(plain) is None
    done = run_cli("ingest", str(tmp_path / "a.arrow"), "--db", str(tmp_path / "cat"))
    assert done.returncode == 2 and "an Arrow IPC file" in done.stderr and "does not read yet" in done.stderr


def test_hh_rlhf_gzip_is_decompressed_and_its_pairs_named(tmp_path: Path, datasets: Path) -> None:
    """The gzip file is read through its decompressor; its preference pairs have no reader yet
    (issue 18), which the refusal says by naming their fields and how to go on."""
    path = datasets / "hh-rlhf-harmless" / "test.jsonl.gz"
    done = run_cli("ingest", str(path), "--db", str(tmp_path / "cat"))
    assert done.returncode == 2
    assert "fields chosen, rejected" in done.stderr and "--format" in done.stderr
    assert not (tmp_path / "cat").exists()  # refused before anything was opened or written


# ---------------------------------------------------------------------- help

#: the help screen's groups and commands, in the order people work
WORKFLOW = (
    ("Set up", ("init", "demo", "stats")),
    ("Bring data in", ("ingest", "import")),
    ("Label", ("classify", "assign", "annotate", "review", "labels", "topics", "ontology")),
    ("Coverage", ("coverage",)),
    ("Provenance", ("lineage", "license-check", "synthetic")),
    ("Quality", ("check", "dedup", "quality")),
    ("Select and export", ("select", "export")),
    ("Serve and ask", ("serve", "cypher", "ask")),
)


def test_help_lists_the_commands_in_workflow_order() -> None:
    import typer.main

    group = typer.main.get_command(app)
    registered = set(group.list_commands(None))  # type: ignore[arg-type]
    ordered = [name for _, names in WORKFLOW for name in names]
    assert set(ordered) == registered, "every command has its place in the workflow"
    done = run_cli("--help")
    assert done.returncode == 0
    lines = done.stdout.splitlines()
    shown_panels = [m.group(1) for line in lines if (m := re.match(r"╭─ (.+?) ─", line))]
    assert shown_panels == ["Options", *(panel for panel, _ in WORKFLOW)]
    shown = [m.group(1) for line in lines if (m := re.match(r"│ ([a-z][\w-]*) ", line))]
    assert shown == ordered, "the commands appear in workflow order"


# ---------------------------------------------------------------------- data printed as data


def test_values_that_look_like_markup_are_printed_as_they_are(tmp_path: Path) -> None:
    db = str(tmp_path / "cat")
    _json("init", "--db", db)
    done = run_cli("cypher", "RETURN '[bold red]hi[/bold red] [c:LICENSED_UNDER]' AS s", "--db", db)
    assert done.returncode == 0, done.stderr
    assert "[bold red]hi[/bold red] [c:LICENSED_UNDER]" in done.stdout
    refused = run_cli("cypher", "RETURN [bold", "--db", db)
    assert refused.returncode == 2 and "[bold" in refused.stderr
