"""Every real dataset ingests with the right format and exact counts; re-ingesting adds nothing.

Counts are checked against plain-Python oracles over the raw files (duplicates, OASST replies,
quarantined records), so a number here is not just what the code happened to print.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from catalog.config import Settings
from catalog.errors import FormatDetectionError
from catalog.ingest.pipeline import prepare_ingest, run_ingest
from catalog.model import IngestSummary
from catalog.schema import Schema
from catalog.store.embedded import EmbeddedStore
from tests.helpers import all_manifests, manifest_path
from tests.helpers.expected import EXPECTED

DATASETS = sorted({row[0] for row in EXPECTED})


def _ingest(
    store: EmbeddedStore, schema: Schema, settings: Settings, path: Path, dataset: str
) -> IngestSummary:
    plan = prepare_ingest(path, schema=schema, settings=settings, manifest_path=manifest_path(dataset))
    return run_ingest(store, plan, settings=settings)


#: dataset folders whose tests belong to later work, and which work: they are named here so that a
#: folder no test covers still fails the test below
OWNED_ELSEWHERE = {
    "dpi-data-summaries": "metadata, not examples: tests/test_dpi.py",
    "hh-rlhf-harmless": "preference pairs, gzip-compressed: issue 18 (post-training data beyond SFT); "
    "the chosen side is used by tests/test_safety_selection.py",
    "mt-bench": "an evaluation benchmark: issue 19 (decontamination)",
}


def test_every_dataset_folder_is_covered(datasets: Path) -> None:
    folders = {p.name for p in datasets.iterdir() if p.is_dir()}
    assert set(OWNED_ELSEWHERE) <= folders
    assert folders - set(OWNED_ELSEWHERE) == set(DATASETS)
    # HH-RLHF has a manifest for the safety tests, which ingest its chosen side as chat messages
    # (tests/test_safety_selection.py) until the preference readers of issue 18 land
    assert set(all_manifests()) - {"hh-rlhf-harmless"} == set(DATASETS)


@pytest.mark.parametrize("dataset", DATASETS)
def test_dataset_ingests_with_exact_counts_and_reingest_adds_nothing(
    dataset: str, datasets: Path, schema: Schema, settings: Settings, mem_store: EmbeddedStore
) -> None:
    rows = [r for r in EXPECTED if r[0] == dataset]
    for _, name, fmt, records, read, accepted, quarantined, dups in rows:
        s = _ingest(mem_store, schema, settings, datasets / dataset / name, dataset)
        got = (s.format, s.records, s.read, s.accepted, s.quarantined, s.duplicates_skipped)
        assert got == (fmt, records, read, accepted, quarantined, dups), name
        assert s.balanced()
        if quarantined:
            lines = Path(s.quarantine_file).read_text().splitlines()
            assert len(lines) == quarantined
            assert all({"line", "record", "reason", "preview"} <= set(json.loads(x)) for x in lines)
        else:
            assert s.quarantine_file is None
    before = mem_store.stats()
    assert before.nodes["Example"] == sum(r[5] for r in rows)
    assert before.relationships["FROM_SOURCE"] == sum(r[5] for r in rows)
    for _, name, _fmt, _rec, read, _acc, quarantined, _dups in rows:
        again = _ingest(mem_store, schema, settings, datasets / dataset / name, dataset)
        assert (again.accepted, again.quarantined, again.duplicates_skipped) == (
            0,
            quarantined,
            read - quarantined,
        )
    assert mem_store.stats() == before


# ---------------------------------------------------------------------- oracles over the raw files


def _json_records(path: Path) -> Iterator[dict]:
    text = path.read_text(encoding="utf-8")
    if text.lstrip().startswith("["):
        yield from json.loads(text)
    else:
        for line in text.splitlines():
            if line.strip():
                yield json.loads(line)


@pytest.mark.parametrize(
    ("dataset", "name", "quarantined"),
    [
        ("stanford-alpaca-5k", "alpaca_5000.json", 2),
        ("code-alpaca-2k", "code_alpaca_2k.json", 2),
        ("alpaca-zh-demo", "alpaca_zh_demo.json", 0),
        ("oasst1-zh", "oaast_sft_zh.json", 0),
    ],
)
def test_alpaca_duplicates_and_quarantine_match_an_oracle(
    datasets: Path, dataset: str, name: str, quarantined: int
) -> None:
    records = list(_json_records(datasets / dataset / name))
    empty = [i for i, r in enumerate(records) if not r["output"].strip()]
    assert len(empty) == quarantined
    valid = [r for r in records if r["output"].strip()]
    distinct = {json.dumps([r["instruction"], r["input"], r["output"], r.get("history", [])]) for r in valid}
    expected = next(e for e in EXPECTED if e[1] == name)
    assert expected[7] == len(valid) - len(distinct)


def test_quarantined_alpaca_records_really_have_empty_outputs(
    datasets: Path, schema: Schema, settings: Settings, mem_store
) -> None:
    for dataset, name in (
        ("stanford-alpaca-5k", "alpaca_5000.json"),
        ("code-alpaca-2k", "code_alpaca_2k.json"),
    ):
        records = list(_json_records(datasets / dataset / name))
        s = _ingest(mem_store, schema, settings, datasets / dataset / name, dataset)
        entries = [json.loads(x) for x in Path(s.quarantine_file).read_text().splitlines()]
        for e in entries:
            assert e["reason"] == "empty assistant response at message 1"
            assert records[e["record"]]["output"] == ""


def test_quarantined_gorilla_records_have_no_api_call(
    datasets: Path, schema: Schema, settings: Settings, mem_store
) -> None:
    for name, record in (("torchhub_train.json", 356), ("torchhub_eval.json", 56)):
        path = datasets / "gorilla-apibench-torchhub" / name
        raw = list(_json_records(path))[record]
        output = raw["code"].split("Output", 1)[1]
        assert "api_call" not in output  # the record answers directly: no API call to learn
        s = _ingest(mem_store, schema, settings, path, "gorilla-apibench-torchhub")
        (entry,) = [json.loads(x) for x in Path(s.quarantine_file).read_text().splitlines()]
        assert (entry["record"], entry["reason"]) == (record, "the Output has no api_call")
        assert entry["line"] == record + 1


def test_glaive_and_ko_duplicates_match_an_oracle(datasets: Path) -> None:
    for name, dups in (("glaive_toolcall_en_demo.json", 35), ("glaive_toolcall_zh_demo.json", 43)):
        records = json.loads((datasets / "glaive-toolcall-demo" / name).read_text())
        distinct = {
            json.dumps([r["conversations"], json.loads(r["tools"]) if r["tools"] else None], sort_keys=True)
            for r in records
        }
        assert len(records) - len(distinct) == dups
    with (datasets / "ko-chatbot-data" / "ChatbotData.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) - len({(r["Q"], r["A"]) for r in rows}) == 73


def test_oasst_tree_structure_is_kept(datasets: Path, schema: Schema, settings: Settings, mem_store) -> None:
    path = datasets / "oasst-en-100-trees" / "en_100_tree.jsonl"
    replies = derived = synthetic = 0
    for tree in _json_records(path):
        stack = [(tree["prompt"], False, False)]
        while stack:
            msg, reply_above, synthetic_above = stack.pop()
            is_reply = msg["role"] == "assistant"
            syn = synthetic_above or bool(msg.get("synthetic"))
            if is_reply:
                replies += 1
                derived += reply_above
                synthetic += syn
            stack += [(r, reply_above or is_reply, syn) for r in msg.get("replies", [])]
    _ingest(mem_store, schema, settings, path, "oasst-en-100-trees")
    q = mem_store.read_cypher
    assert q(query="MATCH (e:Example) RETURN count(e)").rows == [[replies]]
    assert q(
        query="MATCH (:Example)-[d:DERIVED_FROM]->(:Example) WHERE d.method = 'continuation' RETURN count(d)"
    ).rows == [[derived]]
    got = q(
        query="MATCH (e:Example)-[:GENERATED_BY]->(:Activity)-[:USED_MODEL]->(m:Model {id: 'chip20b'}) RETURN count(e)"
    )
    assert got.rows == [[synthetic]]
    # a child continues its parent: the parent's messages are a prefix of the child's
    pairs = q(
        query="MATCH (c:Example)-[:DERIVED_FROM]->(p:Example) RETURN c.messages, p.messages", row_cap=10000
    ).rows
    assert pairs and all(json.loads(c)[: len(json.loads(p))] == json.loads(p) for c, p in pairs)


def test_canonical_forms_of_real_records(
    datasets: Path, schema: Schema, settings: Settings, mem_store
) -> None:
    for dataset, name in (
        ("gsm8k", "test.jsonl"),
        ("bfcl-v4", "BFCL_v4_simple_python.json"),
        ("bfcl-v4", "BFCL_v4_multi_turn_base.json"),
    ):
        _ingest(mem_store, schema, settings, datasets / dataset / name, dataset)
    q = mem_store.read_cypher
    (msgs,) = q(
        query="MATCH (e:Example) WHERE e.prompt_preview STARTS WITH 'Janet’s ducks' RETURN e.messages"
    ).rows[0]
    reply = json.loads(msgs)[1]
    assert reply["content"] == "18" and "16 - 3 - 4 = <<16-3-4=9>>9" in reply["reasoning"]
    (msgs, tools) = q(
        query="MATCH (e:Example {record_key: 'simple_python_0'}) RETURN e.messages, e.tools"
    ).rows[0]
    call = json.loads(msgs)[-1]["tool_calls"][0]
    assert call == {
        "name": "calculate_triangle_area",
        "arguments": {"base": 10, "height": 5, "unit": "units"},
    }
    assert json.loads(tools)[0]["name"] == "calculate_triangle_area"
    (msgs,) = q(query="MATCH (e:Example {record_key: 'multi_turn_base_0'}) RETURN e.messages").rows[0]
    first_calls = [c["name"] for c in json.loads(msgs)[1]["tool_calls"]]
    assert first_calls == ["cd", "mkdir", "mv"]


@pytest.mark.parametrize(
    ("relpath", "says"),
    [
        ("gorilla-apibench-torchhub/torchhub_api.jsonl", "API documentation pool"),
        ("bfcl-v4/possible_answer/BFCL_v4_simple_python.json", "ground-truth answers"),
        ("dpi-data-summaries/data_summaries/Alpaca.json", "Data Provenance Initiative"),
    ],
)
def test_files_without_examples_are_refused_saying_what_they_are(
    datasets: Path, schema: Schema, settings: Settings, relpath: str, says: str
) -> None:
    with pytest.raises(FormatDetectionError, match=says):
        prepare_ingest(datasets / relpath, schema=schema, settings=settings)


def test_cross_dataset_duplicates_keep_both_sources(
    datasets: Path, schema: Schema, settings: Settings, mem_store, tmp_path: Path
) -> None:
    """The same example in a second file is not added again, but its provenance edge is."""
    src = datasets / "gsm8k" / "test.jsonl"
    copy = tmp_path / "gsm8k_copy.jsonl"
    copy.write_bytes(b"".join(src.read_bytes().splitlines(keepends=True)[:10]))
    _ingest(mem_store, schema, settings, src, "gsm8k")
    s = _ingest(mem_store, schema, settings, copy, "gsm8k")
    assert (s.accepted, s.duplicates_skipped) == (0, 10)
    rows = mem_store.read_cypher(
        query="MATCH (e:Example)-[:FROM_SOURCE]->(s:Source) WITH e, count(s) AS n WHERE n = 2 RETURN count(e)"
    ).rows
    assert rows == [[10]]


@pytest.mark.parametrize(
    ("dataset", "name"),
    [
        ("stanford-alpaca-5k", "alpaca_5000.json"),
        ("oasst-en-100-trees", "en_100_tree.jsonl"),
        ("gorilla-apibench-torchhub", "torchhub_train.json"),
    ],
)
def test_the_parser_worker_gives_the_same_catalog(
    datasets: Path, schema: Schema, tmp_path: Path, dataset: str, name: str
) -> None:
    """Parsing in a worker process (large files) and inline (small files) must agree exactly."""
    results = []
    for workers in (0, 1):
        cfg = Settings(db=tmp_path / f"w{workers}", ingest_workers=workers, batch_size=700)
        store = EmbeddedStore(":memory:", schema=schema)
        store.ensure_schema()
        s = _ingest(store, schema, cfg, datasets / dataset / name, dataset)
        quarantine = Path(s.quarantine_file).read_text() if s.quarantine_file else None
        results.append(
            ((s.read, s.accepted, s.quarantined, s.duplicates_skipped, s.records), quarantine, store.stats())
        )
        store.close()
    assert results[0] == results[1]


def test_a_repeated_example_keeps_its_first_line_and_first_source_metadata(
    tmp_path: Path, schema: Schema, settings: Settings, mem_store
) -> None:
    first = {"instruction": "Same question", "input": "", "output": "Same answer", "tag": "first"}
    other = {"instruction": "Other", "input": "", "output": "x"}
    path = tmp_path / "dups.jsonl"
    path.write_text(
        "".join(
            json.dumps(r) + "\n"
            for r in [first, other, other | {"instruction": "More"}, first | {"tag": "second"}]
        )
    )
    cfg = Settings(db=settings.db, batch_size=2)  # the repeat lands in a later batch
    s = run_ingest(mem_store, prepare_ingest(path, schema=schema, settings=cfg), settings=cfg)
    assert (s.accepted, s.duplicates_skipped) == (3, 1)
    rows = mem_store.read_cypher(
        query="MATCH (e:Example)-[f:FROM_SOURCE]->() WHERE e.prompt_preview = 'Same question' RETURN f.line, e.metadata"
    ).rows
    assert rows == [[1, '{"tag":"first"}']]
