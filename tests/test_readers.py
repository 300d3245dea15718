"""Readers on hand-written records of the formats no real dataset here uses, and the raw archive."""

from __future__ import annotations

import hashlib
import itertools
import json
from pathlib import Path

import pytest

from catalog.errors import FormatDetectionError
from catalog.ingest.canonical import RecordError, canonicalize
from catalog.ingest.detect import detect_format
from catalog.ingest.pipeline import prepare_ingest, run_ingest
from catalog.ingest.readers import READERS


def test_dolly_record() -> None:
    record = {
        "instruction": "Who wrote it?",
        "context": "Hamlet is a play by Shakespeare.",
        "response": "Shakespeare.",
        "category": "closed_qa",
    }
    assert READERS["dolly"].matches(record) and not READERS["alpaca"].matches(record)
    (cand,) = READERS["dolly"]().read(record)
    ex = canonicalize(cand)
    assert json.loads(ex.messages_json) == [
        {"role": "user", "content": "Who wrote it?\n\nHamlet is a play by Shakespeare."},
        {"role": "assistant", "content": "Shakespeare."},
    ]
    assert json.loads(ex.props["metadata"]) == {"category": "closed_qa"}


def test_openai_record_with_tool_calls_and_results() -> None:
    record = {
        "messages": [
            {"role": "system", "content": "You can call tools."},
            {"role": "user", "content": "Weather in Seoul?"},
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {
                        "id": "c1",
                        "type": "function",
                        "function": {"name": "get_weather", "arguments": '{"city": "Seoul"}'},
                    }
                ],
            },
            {"role": "tool", "tool_call_id": "c1", "content": '{"temp": 3}'},
            {"role": "assistant", "content": "It is 3°C in Seoul."},
        ],
        "tools": [
            {"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object"}}}
        ],
    }
    (cand,) = READERS["openai"]().read(record)
    ex = canonicalize(cand)
    msgs = json.loads(ex.messages_json)
    assert msgs[2]["tool_calls"] == [{"name": "get_weather", "arguments": {"city": "Seoul"}, "id": "c1"}]
    assert msgs[3] == {"role": "tool", "content": '{"temp": 3}', "tool_call_id": "c1"}
    assert json.loads(ex.tools_json) == [{"name": "get_weather", "parameters": {"type": "object"}}]
    assert ex.props["has_tool_calls"] is True and ex.props["n_user_turns"] == 1


def test_tool_call_arguments_that_are_not_json_are_kept_as_text() -> None:
    record = {
        "messages": [
            {"role": "user", "content": "x"},
            {"role": "assistant", "tool_calls": [{"function": {"name": "f", "arguments": "{oops"}}]},
        ]
    }
    (cand,) = READERS["openai"]().read(record)
    assert json.loads(canonicalize(cand).messages_json)[1]["tool_calls"][0]["arguments"] == "{oops"


@pytest.mark.parametrize(
    ("record", "reason"),
    [
        ({"messages": [{"role": "wizard", "content": "x"}]}, "unknown role 'wizard'"),
        ({"messages": []}, "empty conversation"),
        (
            {
                "messages": [
                    {"role": "user", "content": "x"},
                    {"role": "assistant", "tool_calls": [{"function": {"arguments": "{}"}}]},
                ]
            },
            "no function name",
        ),
    ],
)
def test_openai_malformed(record: dict, reason: str) -> None:
    with pytest.raises(RecordError, match=reason):
        for cand in READERS["openai"]().read(record):
            canonicalize(cand)


def test_manifest_field_mapping(tmp_path: Path, schema, settings, mem_store) -> None:
    data = tmp_path / "renamed.jsonl"
    data.write_text(json.dumps({"prompt": "Add 2 and 2", "completion": "4"}) + "\n")
    manifest = tmp_path / "m.yaml"
    manifest.write_text(
        "name: renamed\nlicense: MIT\nformat: alpaca\nfields: {instruction: prompt, output: completion}\n"
    )
    plan = prepare_ingest(data, schema=schema, settings=settings, manifest_path=manifest)
    s = run_ingest(mem_store, plan, settings=settings)
    assert s.accepted == 1
    assert mem_store.read_cypher(query="MATCH (e:Example) RETURN e.prompt_preview").rows == [["Add 2 and 2"]]


def test_ambiguous_or_unknown_files_name_the_fix(tmp_path: Path) -> None:
    path = tmp_path / "mystery.jsonl"
    path.write_text(json.dumps({"foo": 1}) + "\n")
    with pytest.raises(FormatDetectionError, match="--format"):
        detect_format(path, max_record_bytes=1 << 20)


def test_raw_file_is_archived_content_addressed_and_examples_point_back(
    tmp_path: Path, schema, settings, mem_store
) -> None:
    data = tmp_path / "qa.csv"
    data.write_bytes(b"question,answer\n1+1?,2\n2+2?,4\n")
    plan = prepare_ingest(data, schema=schema, settings=settings)
    run_ingest(mem_store, plan, settings=settings)
    digest = hashlib.sha256(data.read_bytes()).hexdigest()
    archived = settings.raw_dir / digest[:2] / digest
    assert archived.read_bytes() == data.read_bytes()
    rows = mem_store.read_cypher(
        query="MATCH (e:Example)-[f:FROM_SOURCE]->(s:Source) RETURN e.prompt_preview, f.line, f.record, s.checksum, s.archive_path ORDER BY f.line"
    ).rows
    assert rows == [["1+1?", 2, 0, digest, str(archived)], ["2+2?", 3, 1, digest, str(archived)]]
    run_ingest(mem_store, plan, settings=settings)  # archiving twice keeps one copy
    assert [p.name for p in settings.raw_dir.rglob("*") if p.is_file()] == [digest]


def test_batches_close_at_the_byte_budget(tmp_path: Path, schema, mem_store) -> None:
    from catalog.config import Settings

    path = tmp_path / "big.jsonl"
    path.write_text(
        "".join(json.dumps({"instruction": f"q{i}", "output": "a" * 100_000}) + "\n" for i in range(30))
    )
    cfg = Settings(db=tmp_path / "cat", batch_size=1000, batch_mb=1)
    seen = []
    s = run_ingest(
        mem_store, prepare_ingest(path, schema=schema, settings=cfg), settings=cfg, progress=seen.append
    )
    assert s.accepted == 30
    per_batch = [b.read - a.read for a, b in itertools.pairwise(seen) if b.read > a.read]
    assert per_batch and max(per_batch) <= 11  # ~1 MiB of text per batch, not 1000 examples
