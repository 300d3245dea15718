"""A manifest's task_labels: labels compared after Unicode normalisation, unmapped values reported
in the ingest summary with their counts (never a silent fall-back to the classifier)."""

from __future__ import annotations

import json
from pathlib import Path

from catalog.ingest.manifest import TaskLabels, label_key
from tests.helpers import run_cli

MANIFEST = """name: labelled
license: Apache-2.0
languages: [en]
task_labels:
  field: category
  map:
    open qa: open-qa
    brainstorming: brainstorming
"""


def test_labels_match_after_unicode_normalisation() -> None:
    labels = TaskLabels(field="category", map={"open qa": "open-qa"})
    assert labels.task_of("open\u00a0qa") == "open-qa"  # a non-breaking space
    assert labels.task_of("  open \t qa ") == "open-qa"
    assert labels.task_of("ｏｐｅｎ qa") == "open-qa"  # full-width letters (NFKC)
    assert labels.task_of("open-qa") is None and labels.task_of(3) is None
    assert label_key("a\u2003\u2003b") == "a b"  # em spaces


def test_unmapped_labels_are_listed_with_their_counts(tmp_path: Path) -> None:
    records = [
        ("open qa", "What is the capital of France?"),
        ("open\u00a0qa", "Who wrote Hamlet?"),
        ("brainstorming", "Give me ten names for a bakery."),
        ("poetry", "Write a poem about rain."),
        ("poetry\u00a0", "Write a haiku about snow."),
        ("translation", "Translate 'good morning' into French."),
    ]
    data = tmp_path / "labelled.jsonl"
    data.write_text(
        "".join(
            json.dumps({"instruction": text, "output": "...", "category": label}) + "\n"
            for label, text in records
        )
    )
    manifest = tmp_path / "labelled.yaml"
    manifest.write_text(MANIFEST)
    db = tmp_path / "cat"
    done = run_cli(
        "ingest", str(data), "--manifest", str(manifest), "--db", str(db), "--json", "--no-classify"
    )
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert summary["accepted"] == 6
    assert summary["unmapped_labels"] == {"poetry": 2, "translation": 1}
    # the mapped ones (the non-breaking space included) carry the manifest's task
    got = run_cli(
        "cypher",
        "MATCH (e:Example)-[x:FOR_TASK]->(t:Task) WHERE x.method = 'manifest' RETURN t.id AS task, count(e) AS n "
        "ORDER BY task",
        "--db",
        str(db),
        "--json",
    )
    assert got.returncode == 0, got.stderr
    assert json.loads(got.stdout)["rows"] == [["brainstorming", 1], ["open-qa", 2]]
    # and the table output says so in one line
    again = run_cli(
        "ingest", str(data), "--manifest", str(manifest), "--db", str(tmp_path / "c2"), "--no-classify"
    )
    assert "3 examples carry labels the manifest's task_labels does not map" in again.stdout, again.stdout
    assert "'poetry' (2)" in again.stdout
