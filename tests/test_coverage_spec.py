"""Target specs (validation with the offending key) and the gap report's arithmetic on hand-made
signatures: roll-up counting each example once per ancestor, deficits, surplus, usage."""

from __future__ import annotations

from pathlib import Path

import pytest

from catalog.coverage import SpecError, gap_report, load_spec, parse_spec, resolve_spec_path
from catalog.coverage.advise import Technique, advise
from catalog.schema import Schema
from tests.helpers import run_cli


def test_the_shipped_spec_is_valid_and_cites_its_source(schema: Schema) -> None:
    spec = load_spec(resolve_spec_path("instructgpt"), schema=schema)
    assert spec.total == 12725 and spec.source and "2203.02155" in spec.source
    assert spec.tasks["generation"].share == 0.456
    assert abs(sum(q.share or 0 for q in spec.tasks.values()) - 0.999) < 1e-9


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({"name": "x", "total": 10, "topics": {"not-a-topic": 0.1}}, "topics.not-a-topic"),
        ({"name": "x", "total": 10, "tasks": {"chat": 0.7, "generation": 0.5}}, "shares add up to 1.200"),
        ({"name": "x", "total": 10, "tasks": {"chat": 1.5}}, "tasks.chat.share"),
        ({"name": "x", "tasks": {"chat": {"min": -3}}}, "tasks.chat.min"),
        ({"name": "x", "tasks": {"chat": 0.5}}, "shares need a total"),
        ({"name": "x", "cells": [{"topic": "mathematics", "format": "nope", "min": 5}]}, "cells[0].format"),
        ({"name": "x", "languages": {"english": 0.5}, "total": 5}, "languages.english"),
        ({"name": "x", "colour": "blue"}, "colour"),
    ],
)
def test_malformed_specs_are_refused_naming_the_key(schema: Schema, data: dict, key: str) -> None:
    with pytest.raises(SpecError) as info:
        parse_spec(data, schema=schema)
    assert key in str(info.value)


def test_the_cli_refuses_a_bad_spec_in_one_line(tmp_path: Path) -> None:
    spec = tmp_path / "bad.yaml"
    spec.write_text("name: bad\ntotal: 100\ntopics:\n  underwater-basketry: 0.2\n")
    result = run_cli("coverage", "--target", str(spec), "--db", str(tmp_path / "none"))
    assert result.returncode == 2
    assert "topics.underwater-basketry" in result.stderr and "Traceback" not in result.stderr


SIGNATURES = [
    # tasks, formats, language, topics, examples
    (("code-generation",), ("single-turn",), "en", ("python", "sorting-searching"), 10),
    (("code-editing",), ("single-turn",), "en", ("python",), 5),
    (("math-reasoning",), ("chain-of-thought", "single-turn"), "en", ("word-problems",), 20),
    (("chat",), ("multi-turn",), "ko", (), 7),
]


def test_rollup_counts_each_example_once_per_ancestor(schema: Schema) -> None:
    spec = parse_spec(
        {
            "name": "t",
            "total": 100,
            "tasks": {"coding": 0.3, "chat": {"min": 10}},
            "topics": {"programming": {"min": 10}, "calculus": {"min": 4}},
            "cells": [{"topic": "mathematics", "format": "chain-of-thought", "min": 25}],
        },
        schema=schema,
    )
    report = gap_report(schema, spec, SIGNATURES, demand=[(("chat",), ("multi-turn",), "ko", (), 3)])
    by = {(r.dimension, r.value): r for r in report.rows}
    assert by[("topic", "programming")].have == 15  # not 25: python + sorting-searching examples count once
    assert by[("topic", "algorithms")].have == 10
    assert by[("task", "coding")].have == 15 and by[("task", "coding")].want == 30
    assert by[("task", "coding")].deficit == 15 and by[("task", "chat")].deficit == 3
    assert by[("topic", "mathematics")].have == 20 and by[("topic", "arithmetic")].have == 20
    assert by[("cell", "format=chain-of-thought x topic=mathematics")].deficit == 5
    assert by[("topic", "calculus")].have == 0 and "topic=calculus" in report.empty
    assert "calculus" in report.topics_never_seen and "python" not in report.topics_never_seen
    assert report.rows[0].deficit == max(r.deficit for r in report.rows)  # sorted by deficit
    assert report.totals.examples == 42 and report.totals.without_topic == 7
    chat = next(u for u in report.usage if (u.dimension, u.value) == ("task", "chat"))
    assert chat.underserved and chat.demand_share == 1.0
    advice = {a.cell: a for a in advise(schema, report, technique=Technique("lora", "weak"))}
    assert advice["task=coding"].suggested == 2000 * 3 * 2 and advice["task=chat"].suggested == 1500
