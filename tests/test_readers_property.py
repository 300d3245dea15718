"""Property-based tests of the readers and the record layer (hypothesis)."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from catalog.config import Settings
from catalog.errors import IngestError, NothingIngested
from catalog.ingest.canonical import canonicalize
from catalog.ingest.pipeline import prepare_ingest, run_ingest
from catalog.ingest.readers import READERS
from catalog.ingest.records import iter_records
from catalog.schema import load_schema
from catalog.store.embedded import EmbeddedStore

SCHEMA = load_schema()
PROFILE = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.fixture(scope="module")
def shared_store() -> Iterator[EmbeddedStore]:
    store = EmbeddedStore(":memory:", schema=SCHEMA)
    store.ensure_schema()
    yield store
    store.close()


# ---------------------------------------------------------------------- arbitrary bytes


@PROFILE
@given(
    data=st.one_of(
        st.binary(max_size=3000),
        st.lists(
            st.sampled_from(
                [
                    b"{",
                    b"}",
                    b"[",
                    b"]",
                    b'"',
                    b"\\",
                    b",",
                    b"\n",
                    b":",
                    b"\xff",
                    b"a",
                    b" ",
                    b'"output"',
                    b'"instruction"',
                ]
            ),
            max_size=400,
        ).map(b"".join),
    ),
    suffix=st.sampled_from([".jsonl", ".json", ".csv"]),
    fmt=st.sampled_from([None, "alpaca", "sharegpt", "openai", "oasst", "bfcl", "gsm8k", "csv-qa"]),
)
def test_arbitrary_bytes_never_crash_a_run(
    shared_store: EmbeddedStore, data: bytes, suffix: str, fmt: str | None
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"input{suffix}"
        path.write_bytes(data)
        cfg = Settings(db=Path(tmp) / "cat", max_record_bytes=1024)
        try:
            plan = prepare_ingest(path, schema=SCHEMA, settings=cfg, fmt=fmt)
        except IngestError:
            return  # a clear refusal before anything is written is a valid outcome
        try:
            summary = run_ingest(shared_store, plan, settings=cfg)
        except NothingIngested as exc:  # no record became an example: a clear refusal, counts kept
            summary = exc.summary  # type: ignore[assignment]
            assert summary.accepted == 0 and summary.duplicates_skipped == 0
        assert summary.read == summary.accepted + summary.quarantined + summary.duplicates_skipped
        if summary.quarantined:
            entries = Path(summary.quarantine_file).read_text().splitlines()
            assert len(entries) == summary.quarantined


# ---------------------------------------------------------------------- the JSON array scanner

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)


@PROFILE
@given(
    values=st.lists(json_values, max_size=12),
    indent=st.sampled_from([None, 1, 2]),
    chunk_pad=st.integers(0, 3),
)
def test_json_array_scanner_round_trips(values: list, indent: int | None, chunk_pad: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "a.json"
        text = " " * chunk_pad + json.dumps(values, indent=indent, ensure_ascii=bool(chunk_pad % 2))
        path.write_text(text, encoding="utf-8")
        got = list(iter_records(path, max_record_bytes=1 << 20))
        assert [r.error for r in got] == [None] * len(values)
        assert [r.value for r in got] == values
        assert [r.index for r in got] == list(range(len(values)))
        # each element's line is exactly where it starts: json.dumps with an indent puts the first
        # element on line 2 and each next one after the previous element's lines; without one, line 1
        if indent is None:
            expected = [1] * len(values)
        else:
            expected, line = [], 2
            for v in values:
                expected.append(line)
                line += json.dumps(v, indent=indent).count("\n") + 1
        assert [r.line for r in got] == expected


def test_json_array_scanner_crosses_chunk_boundaries(tmp_path: Path) -> None:
    records = [
        {"instruction": "q" * 700_000 + '"]}[\\', "output": str(i)} for i in range(4)
    ]  # 2.8 MB: several 1 MB chunks
    path = tmp_path / "big.json"
    path.write_text(json.dumps(records, indent=1))
    got = list(iter_records(path, max_record_bytes=1 << 21))
    assert [r.value for r in got] == records
    assert [r.line for r in got] == [2, 6, 10, 14]


# ---------------------------------------------------------------------- valid records round-trip

text = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=40).filter(
    lambda s: s.strip()
)
conversations = st.lists(st.tuples(text, text), min_size=1, max_size=4)


def _as_alpaca(turns: list[tuple[str, str]]) -> dict:
    *history, (last_q, last_a) = turns
    return {"instruction": last_q, "input": "", "output": last_a, "history": [list(t) for t in history]}


def _as_sharegpt(turns: list[tuple[str, str]]) -> dict:
    conv = []
    for q, a in turns:
        conv += [{"from": "human", "value": q}, {"from": "gpt", "value": a}]
    return {"conversations": conv}


def _as_openai(turns: list[tuple[str, str]]) -> dict:
    msgs = []
    for q, a in turns:
        msgs += [{"role": "user", "content": q}, {"role": "assistant", "content": a}]
    return {"messages": msgs}


@settings(max_examples=150, deadline=None)
@given(turns=conversations)
def test_the_same_conversation_in_any_format_is_the_same_example(turns: list[tuple[str, str]]) -> None:
    expected = []
    for q, a in turns:
        expected += [{"role": "user", "content": q}, {"role": "assistant", "content": a}]
    ids = set()
    for fmt, render in (("alpaca", _as_alpaca), ("sharegpt", _as_sharegpt), ("openai", _as_openai)):
        record = render(turns)
        assert READERS[fmt].matches(record)
        (candidate,) = READERS[fmt]().read(record)
        example = canonicalize(candidate)
        assert json.loads(example.messages_json) == expected
        ids.add(example.id)
    assert len(ids) == 1


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(turns=st.lists(conversations, min_size=1, max_size=6))
def test_jsonl_and_json_array_files_give_the_same_examples(shared_store: EmbeddedStore, turns) -> None:
    records = [_as_sharegpt(t) for t in turns]
    with tempfile.TemporaryDirectory() as tmp:
        cfg = Settings(db=Path(tmp) / "cat")
        a = Path(tmp) / "a.json"
        b = Path(tmp) / "b.jsonl"
        a.write_text(json.dumps(records, indent=2))
        b.write_text("".join(json.dumps(r) + "\n" for r in records))
        ids = []
        for path in (a, b):
            plan = prepare_ingest(path, schema=SCHEMA, settings=cfg)
            assert plan.format == "sharegpt"
            ids.append(
                [
                    canonicalize(c).id
                    for rec in iter_records(path, max_record_bytes=1 << 20)
                    for c in plan.reader.read(rec.value)
                ]
            )
            run_ingest(shared_store, plan, settings=cfg)
        assert ids[0] == ids[1]
        got = shared_store.existing_ids(label="Example", ids=ids[0])
        assert got == set(ids[0])
