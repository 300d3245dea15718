"""Bad input never stops a run and is never silently dropped; bad invocations write nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from catalog.config import Settings
from catalog.ingest.pipeline import prepare_ingest, run_ingest
from catalog.schema import Schema
from catalog.store.embedded import EmbeddedStore
from tests.helpers import run_cli

GOOD = {"instruction": "Say hi", "input": "", "output": "hi"}


def _line(obj: object) -> bytes:
    return json.dumps(obj, ensure_ascii=False).encode() + b"\n"


def _ingest(path: Path, schema: Schema, settings: Settings, store: EmbeddedStore, fmt: str | None = None):
    plan = prepare_ingest(path, schema=schema, settings=settings, fmt=fmt)
    return run_ingest(store, plan, settings=settings)


def _quarantine(summary) -> list[dict]:
    return [json.loads(x) for x in Path(summary.quarantine_file).read_text().splitlines()]


def test_each_kind_of_malformed_record_is_quarantined_with_its_line(
    tmp_path: Path, schema, settings, mem_store
) -> None:
    big = b'{"instruction": "' + b"x" * (50 * 1024 * 1024) + b'", "output": "y"}\n'
    lines = [
        _line(GOOD),  # 1 ok
        b'{"instruction": "broken", "output": \n',  # 2 broken JSON
        _line({"instruction": 5, "output": "n"}),  # 3 wrong type
        _line({"instruction": "q", "output": ""}),  # 4 empty response
        b'{"instruction": "\xff\xfe bad bytes", "output": "z"}\n',  # 5 invalid UTF-8
        big,  # 6 a 50 MB line
        _line([1, 2, 3]),  # 7 not an object
        b"\n",  # blank line: not a record
        _line({"instruction": "Say hi again", "input": "", "output": "hello"}),  # 9 ok
        _line(GOOD),  # 10 duplicate of line 1
    ]
    path = tmp_path / "mixed.jsonl"
    path.write_bytes(b"".join(lines))
    s = _ingest(
        path, schema, Settings(db=settings.db, max_record_bytes=16 * 1024 * 1024), mem_store, fmt="alpaca"
    )
    assert (s.read, s.accepted, s.quarantined, s.duplicates_skipped) == (9, 2, 6, 1)
    entries = _quarantine(s)
    reasons = {e["line"]: e["reason"] for e in entries}
    assert reasons[2].startswith("invalid JSON")
    assert reasons[3] == "field 'instruction' must be a string, got int"
    assert reasons[4] == "empty assistant response at message 1"
    assert reasons[5].startswith("invalid UTF-8")
    assert reasons[6] == "record larger than the 16777216-byte cap"
    assert reasons[7] == "record must be a JSON object, got list"
    assert max(len(e["preview"]) for e in entries) <= 2000  # the 50 MB record is not copied whole


@pytest.mark.parametrize(
    ("conversations", "reason"),
    [
        ([], "empty conversation: no messages"),
        ([{"from": "alien", "value": "hi"}], "unknown role 'alien' at message 0"),
        ([{"from": "gpt", "value": "only an answer"}], "no user message with text"),
        (
            [{"from": "human", "value": "hi"}, {"from": "gpt", "value": 3}],
            "message 1 value must be a string, got int",
        ),
        ("not a list", "field 'conversations' must be a list"),
    ],
)
def test_malformed_conversations(
    tmp_path: Path, schema, settings, mem_store, conversations, reason: str
) -> None:
    path = tmp_path / "chat.jsonl"
    ok = {"conversations": [{"from": "human", "value": "hello"}, {"from": "gpt", "value": "hi!"}]}
    path.write_bytes(_line(ok) + _line({"conversations": conversations}))
    s = _ingest(path, schema, settings, mem_store, fmt="sharegpt")
    assert (s.read, s.accepted, s.quarantined) == (2, 1, 1)
    assert _quarantine(s)[0]["reason"] == reason
    assert _quarantine(s)[0]["line"] == 2


def test_json_array_with_a_broken_element_a_huge_element_and_a_truncated_end(
    tmp_path: Path, schema, settings, mem_store
) -> None:
    huge = '{"instruction": "' + "y" * (3 * 1024 * 1024) + '", "output": "z"}'
    text = "[\n" + ",\n".join(
        [
            json.dumps(GOOD),
            '{"instruction": "a", "output": "b",}',  # trailing comma: invalid JSON
            huge,
            json.dumps({"instruction": "last complete", "output": "ok"}),
            '{"instruction": "cut off", "outp',
        ]
    )
    path = tmp_path / "array.json"
    path.write_text(text)
    s = _ingest(path, schema, Settings(db=settings.db, max_record_bytes=1024 * 1024), mem_store, fmt="alpaca")
    assert (s.read, s.accepted, s.quarantined, s.duplicates_skipped) == (5, 2, 3, 0)
    reasons = {e["line"]: e["reason"] for e in _quarantine(s)}
    assert reasons[3].startswith("invalid JSON")
    assert reasons[4] == "record larger than the 1048576-byte cap"
    assert reasons[6] == "the file ends inside this record (truncated)"


def test_csv_rows_with_wrong_field_counts_and_bad_bytes(tmp_path: Path, schema, settings, mem_store) -> None:
    path = tmp_path / "qa.csv"
    path.write_bytes(
        b'Q,A,label\nhello,hi,0\n"multi\nline",answer,1\nonly one field\nbad \xff,x,0\nlast,one,2\n'
    )
    s = _ingest(path, schema, settings, mem_store)
    assert s.format == "csv-qa"
    assert (s.read, s.accepted, s.quarantined) == (5, 3, 2)
    reasons = {e["line"]: e["reason"] for e in _quarantine(s)}
    assert reasons == {5: "expected 3 fields, found 1", 6: "invalid UTF-8 in the row"}


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda d: ["ingest", str(d / "missing.jsonl")], "file not found"),
        (
            lambda d: ["ingest", str(d / "ok.jsonl"), "--manifest", str(d / "missing.yaml")],
            "manifest not found",
        ),
        (lambda d: ["ingest", str(d / "ok.jsonl"), "--manifest", str(d / "bad.yaml")], "not valid YAML"),
        (
            lambda d: ["ingest", str(d / "ok.jsonl"), "--manifest", str(d / "badlicense.yaml")],
            "unknown license 'CC-BY-NC'",
        ),
        (lambda d: ["ingest", str(d / "ok.jsonl"), "--format", "nope"], "unknown format 'nope'"),
        (lambda d: ["ingest", str(d / "weird.jsonl")], "match no known format"),
        (lambda d: ["ingest", str(d / "ok.jsonl"), str(d / "missing.jsonl")], "file not found"),
    ],
)
def test_bad_invocations_exit_2_with_one_line_and_write_nothing(tmp_path: Path, make, message: str) -> None:
    (tmp_path / "ok.jsonl").write_bytes(_line(GOOD))
    (tmp_path / "weird.jsonl").write_bytes(_line({"foo": 1, "bar": 2}))
    (tmp_path / "bad.yaml").write_text("name: [unclosed\n")
    (tmp_path / "badlicense.yaml").write_text("name: x\nlicense: CC-BY-NC\n")
    db = tmp_path / "catalog"
    result = run_cli(*make(tmp_path), "--db", str(db))
    assert result.returncode == 2, result.stderr
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert not db.exists()
