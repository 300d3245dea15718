"""`classify --retrain`: the catalog's learned task model is fitted on its gold labels only, kept for
a language only where it beats the rules leave-one-dataset-out, and the edges it writes say so
(method "learned", the model's version and training-set size, its probability as confidence)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.helpers import run_cli

MANIFEST = """name: {name}
license: Apache-2.0
languages: [en]
{labels}"""
LABELS = """task_labels:
  field: kind
  map:
    digest: summarization
    sort: classification
"""
# two made-up instruction verbs no cue knows: the rules find no evidence and abstain; a model
# trained on one dataset's labels learns them and labels the other dataset right
THINGS = ("the quarterly report", "this long memo", "my lab notes", "the meeting minutes", "the budget sheet")


def _records(offset: int, n: int, *, labelled: bool) -> list[dict[str, str]]:
    rows = []
    for i in range(offset, offset + n):
        thing = THINGS[i % len(THINGS)]
        for verb, kind in (("zorblax", "digest"), ("quibbit", "sort")):
            row = {"instruction": f"{verb} {thing}, item {i}", "output": "Here it is. " * 12}
            if labelled:
                row["kind"] = kind
            rows.append(row)
    return rows


def _ingest(tmp: Path, db: Path, name: str, rows: list[dict[str, str]], *, labelled: bool) -> None:
    data = tmp / f"{name}.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in rows))
    manifest = tmp / f"{name}.yaml"
    manifest.write_text(MANIFEST.format(name=name, labels=LABELS if labelled else ""))
    done = run_cli("ingest", str(data), "--manifest", str(manifest), "--db", str(db))
    assert done.returncode == 0, done.stderr


def _tasks(db: Path, dataset: str) -> list[list[object]]:
    done = run_cli(
        "cypher",
        "--db",
        str(db),
        "--json",
        f"MATCH (e:Example)-[:IN_DATASET]->(:Dataset {{id: '{dataset}'}}) "
        "OPTIONAL MATCH (e)-[r:FOR_TASK]->(t:Task) "
        "RETURN e.prompt_preview, t.id, r.method, r.method_version, r.confidence ORDER BY e.prompt_preview",
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)["rows"]


def test_retrain_keeps_a_model_only_where_it_beats_the_rules_and_its_edges_say_how_they_were_made(
    tmp_path: Path,
) -> None:
    db = tmp_path / "cat"
    _ingest(tmp_path, db, "alpha", _records(0, 30, labelled=True), labelled=True)
    _ingest(tmp_path, db, "beta", _records(100, 30, labelled=True), labelled=True)
    _ingest(tmp_path, db, "gamma", _records(200, 5, labelled=False), labelled=False)
    before = _tasks(db, "gamma")
    assert all(task is None for _, task, *_ in before)  # no evidence: the rules leave them unlabelled

    done = run_cli("classify", "--retrain", "--db", str(db), "--json")
    assert done.returncode == 0, done.stderr
    refit = json.loads(done.stdout)["retrain"]
    # (a made-up verb makes the odd prompt read as another language: "other" is scored apart)
    assert refit["used"]["en"] == "learned-chars" and set(refit["used"].values()) == {"learned-chars"}
    assert refit["macro_f1"]["learned-chars/en"] > refit["macro_f1"]["rules/en"]
    assert refit["trained_on"] == {"chars": 120}  # both gold datasets, never a label of its own
    assert Path(refit["model_file"]).is_file() and Path(refit["model_file"]).is_relative_to(db)

    after = _tasks(db, "gamma")
    assert len(after) == 10
    for preview, task, method, version, confidence in after:
        assert task == ("summarization" if str(preview).startswith("zorblax") else "classification")
        assert method == "learned" and str(version).startswith("learned-chars-1:")
        assert str(version).endswith("/n=120")
        assert isinstance(confidence, float) and 0.5 < confidence <= 1.0
    # the gold labels themselves are the data's, untouched
    assert {m for _, _, m, _, _ in _tasks(db, "alpha")} == {"manifest"}

    # a later ingest classifies its examples with the same model
    _ingest(tmp_path, db, "delta", _records(300, 2, labelled=False), labelled=False)
    assert {(t, m) for _, t, m, _, _ in _tasks(db, "delta")} == {
        ("summarization", "learned"),
        ("classification", "learned"),
    }


def test_retrain_with_one_labelled_dataset_keeps_the_rules(tmp_path: Path) -> None:
    db = tmp_path / "cat"
    assert run_cli("init", "--db", str(db)).returncode == 0
    nothing = run_cli("classify", "--retrain", "--db", str(db))
    assert nothing.returncode == 2 and "no gold task labels" in nothing.stderr
    _ingest(tmp_path, db, "alpha", _records(0, 10, labelled=True), labelled=True)
    done = run_cli("classify", "--retrain", "--db", str(db))
    assert done.returncode == 0, done.stderr
    # nothing to score a model on but the data it would train on: no model, the rules label
    assert "no learned model beats the rules" in done.stderr
    assert not (db / "models" / "tasks.pkl").exists()
