"""Ask mode's templates against their corpus (tests/data/ask_corpus.yaml) on the demo catalog, on
both engines: every paraphrase (at least 10 a template, in English, Korean and Chinese) is answered
by its template with the right parameters; every near miss is declined or answered by the template
that does fit it; every Cypher a template can emit runs; the Cypher an answer shows, run again,
gives the same rows. Zero wrong answers: an answer is right or a decline.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from catalog.ask import ask
from catalog.ask.templates import template_queries
from catalog.config import Settings
from catalog.errors import NoModelConfigured
from catalog.schema import Schema
from catalog.store import GraphStore, open_store
from catalog.store import ask_cypher as A
from tests.helpers.catalogs import build_demo_catalog

CORPUS = yaml.safe_load((Path(__file__).parent / "data" / "ask_corpus.yaml").read_text())
HANGUL = re.compile(r"[\uac00-\ud7a3]")
HAN = re.compile(r"[\u4e00-\u9fff]")


def _language(question: str) -> str:
    return "ko" if HANGUL.search(question) else "zh" if HAN.search(question) else "en"


def every_template() -> set[str]:
    """The names the templates answer with (catalog/ask/templates.py)."""
    names = {f"count-of-{k}" for k in A.COUNT_OF} | {f"count-by-{k}" for k in A.COUNT_BY}
    names |= {f"count-without-{k}" for k in A.COUNT_WITHOUT}
    names |= {f"count-{a}-x-{b}" for a, b in A.CROSS_COUNT}
    names |= {
        "examples-total", "examples-by-generator", "generator-share", "duplicates-of-example",
        "duplicate-total", "license-of-example", "lineage-of-example", "licenses-of-dataset",
        "commercially-usable", "gaps-for-target", "topics-with-fewer-than", "issues-by-kind",
        "examples-with-issue", "datasets", "models",
    }  # fmt: skip
    return names


def test_the_corpus_covers_every_template_in_three_languages() -> None:
    assert set(CORPUS["paraphrases"]) == every_template()
    for name, entry in CORPUS["paraphrases"].items():
        questions = entry["questions"]
        assert len(questions) >= 10, name
        assert {_language(q) for q in questions} == {"en", "ko", "zh"}, name
    assert len(CORPUS["near_misses"]) >= 40
    assert {_language(n["q"]) for n in CORPUS["near_misses"]} == {"en", "ko", "zh"}


@pytest.fixture(scope="module", params=["embedded", "neo4j"])
def demo(
    request: pytest.FixtureRequest, schema: Schema, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[GraphStore, Settings]]:
    """The demo catalog (the shipped sample, classified, checked, deduplicated) on each engine."""
    env = request.getfixturevalue("neo4j_env") if request.param == "neo4j" else None
    settings = build_demo_catalog(
        request.param, tmp_path_factory.mktemp(f"ask-corpus-{request.param}"), schema, env
    )
    store = open_store(settings, create=False, via_server=False)
    yield store, settings
    store.close()


def _id(store: GraphStore) -> str:
    rows = store.read_cypher(query="MATCH (e:Example) RETURN e.id ORDER BY e.id LIMIT 1").rows
    return str(rows[0][0])


def _expected(params: dict[str, Any], ident: str) -> dict[str, Any]:
    return {k: (ident if v == "{ID}" else v) for k, v in params.items()}


def _check_answer(store: GraphStore, settings: Settings, question: str, template: str, params: dict) -> None:
    got = ask(store, question, settings)
    assert got.source == f"template:{template}", (question, got.source)
    if template in ("gaps-for-target", "commercially-usable"):  # catalog calls, not one query
        assert got.cypher, question
        return
    (ran,) = got.cypher
    assert ran.params == params, (question, ran.params)
    # the Cypher the answer shows is the Cypher it ran: run as shown, it gives the same rows
    again = store.read_cypher(query=ran.cypher, params=ran.params)
    assert again.rows == got.rows and again.columns == got.columns, question


def test_paraphrases_are_answered_by_their_template(demo: tuple[GraphStore, Settings]) -> None:
    store, settings = demo
    ident = _id(store)
    wrong = []
    for template, entry in CORPUS["paraphrases"].items():
        params = _expected(entry["params"], ident)
        for question in entry["questions"]:
            try:
                _check_answer(store, settings, question.replace("{ID}", ident), template, params)
            except (AssertionError, NoModelConfigured) as exc:
                wrong.append(f"{template}: {question!r}: {exc}")
    assert not wrong, "\n".join(wrong)


def test_near_misses_are_declined_or_answered_by_the_template_that_fits(
    demo: tuple[GraphStore, Settings],
) -> None:
    store, settings = demo
    wrong = []
    for near in CORPUS["near_misses"]:
        question = near["q"]
        if near["expect"] == "decline":
            try:
                got = ask(store, question, settings)
            except NoModelConfigured as exc:
                assert "no template answers" in str(exc)
                continue
            wrong.append(f"{question!r} was answered by {got.source}: {got.answer}")
        else:
            try:
                _check_answer(store, settings, question, near["expect"], near["params"])
            except (AssertionError, NoModelConfigured) as exc:
                wrong.append(f"{question!r}: {exc}")
    assert not wrong, "\n".join(wrong)


#: a value for each parameter the templates take
_PARAMS = {"value": None, "a": None, "b": None, "model": "text-davinci-003", "id": None,
           "dataset": "lima", "kind": "email", "format": "chain-of-thought", "k": 10}  # fmt: skip
_VALUES = {
    "topic": "mathematics", "task": "summarization", "format": "chain-of-thought",
    "language": "ko", "dataset": "lima",
}  # fmt: skip


def _params_for(name: str, query: str, ident: str) -> dict[str, Any]:
    """Parameters for one template query, by its name in template_queries()."""
    wanted = set(re.findall(r"\$(\w+)", query))
    params = {k: v for k, v in _PARAMS.items() if k in wanted and v is not None}
    if "id" in wanted:
        params["id"] = ident
    key = re.search(r"\[(.*)\]", name)
    if key and "value" in wanted:
        params["value"] = _VALUES[key.group(1)]
    if key and {"a", "b"} <= wanted:
        a, b = (x.strip(" ()'") for x in key.group(1).split(","))
        params["a"], params["b"] = _VALUES[a], _VALUES[b]
    assert set(params) == wanted, (name, wanted, params)
    return params


def test_every_template_query_runs(demo: tuple[GraphStore, Settings]) -> None:
    store, _ = demo
    ident = _id(store)
    queries = template_queries()
    assert len(queries) >= 30
    for name, query in queries.items():
        result = store.read_cypher(query=query, params=_params_for(name, query, ident))
        assert result.columns, name
