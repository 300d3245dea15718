"""Classification rules, the cue matcher, language identification, and a person's corrections
(which a later automatic run never overwrites), on both engines."""

from __future__ import annotations

import orjson
import pytest

from catalog.classify import assign_by_person, classify_catalog
from catalog.classify.cues import CueMatcher
from catalog.classify.language import identify, languages_of
from catalog.classify.rules import Classifier, formats_of, looks_like_code
from catalog.errors import CatalogError
from catalog.schema import Schema
from catalog.store.base import NodeGroup, RelDeletion, RelGroup, WriteBatch


def _ex(messages: list[dict], **props: object) -> tuple[dict, list[dict]]:
    users = sum(1 for m in messages if m["role"] == "user")
    return {"messages": orjson.dumps(messages).decode(), "n_user_turns": users, **props}, messages


def test_formats_come_from_structure() -> None:
    ex, msgs = _ex(
        [{"role": "user", "content": "2+2?"}, {"role": "assistant", "content": "4", "reasoning": "2 and 2"}],
        has_reasoning=True,
    )
    assert [a.concept for a in formats_of(ex, msgs)] == ["single-turn", "chain-of-thought"]
    ex, msgs = _ex(
        [
            {"role": "user", "content": "a"},
            {"role": "assistant", "content": "b"},
            {"role": "user", "content": "c"},
            {"role": "assistant", "content": "<think>x</think> d"},
        ]
    )
    assert [a.concept for a in formats_of(ex, msgs)] == ["multi-turn", "chain-of-thought"]
    ex, msgs = _ex([{"role": "user", "content": "weather?"}], tools='[{"name": "w"}]')
    assert [a.concept for a in formats_of(ex, msgs)] == ["single-turn", "tool-use"]


def test_languages_per_message_and_main_language() -> None:
    assert identify("오늘 날씨가 정말 좋네요. 산책하러 갈까요?")[0] == "ko"
    assert identify("请把这句话翻译成英文，并解释它的意思。")[0] == "zh"
    assert identify("Please translate this sentence into French.")[0] == "en"
    assert identify("x = 1; y = 2")[0] == "und"  # too few letters to say
    main, prob, per = languages_of(
        [
            {"role": "user", "content": "주어진 문장을 더 간결하게 다시 작성하세요."},
            {"role": "assistant", "content": "Please let me know if you have questions."},
        ]
    )
    assert (main, per) == ("ko", ["ko", "en"]) and prob > 0.5


def test_cues_match_whole_words_in_latin_script_and_substrings_in_cjk(schema: Schema) -> None:
    matcher = CueMatcher(schema.tasks)
    assert {h.concept for h in matcher.hits("Please summarize this.")} == {"summarization"}
    assert not {h.concept for h in matcher.hits("summarized-ish words: summaryzation")} & {"summarization"}
    assert "summarization" in {h.concept for h in matcher.hits("다음 글을 요약해 주세요")}
    assert "translation" in {h.concept for h in matcher.hits("请翻译下面的句子")}


def test_task_rules(schema: Schema) -> None:
    c = Classifier(schema)
    call = [
        {"role": "user", "content": "weather in Paris"},
        {"role": "assistant", "content": "", "tool_calls": [{"name": "w", "arguments": {}}]},
    ]
    assert c.task_of({"has_tool_calls": True}, call).concept == "function-calling"
    assert c.task_of({"tools": "[...]"}, call[:1]).concept == "tool-relevance"
    code = [
        {"role": "user", "content": "Write a function that reverses a string."},
        {"role": "assistant", "content": "def rev(s):\n    return s[::-1]\n"},
    ]
    assert c.top_task(c.task_of({}, code).concept) == "coding"
    assert (
        c.task_of({}, [{"role": "user", "content": "Summarize the article below in two sentences."}]).concept
        == "summarization"
    )
    assert (
        c.task_of(
            {}, [{"role": "user", "content": "심심해"}, {"role": "assistant", "content": "저랑 놀아요."}]
        ).concept
        == "chat"
    )
    assert looks_like_code("SELECT a\nFROM t;\n") and not looks_like_code("Plain prose, nothing else.")


def test_topics_keep_the_most_specific_and_never_an_ancestor_of_another(schema: Schema) -> None:
    c = Classifier(schema)
    msgs = [
        {"role": "user", "content": "Write a Python function using numpy to sort an array; python sorting."}
    ]
    topics = [a.concept for a in c.topics_of(msgs)]
    assert topics and "programming" not in topics  # implied by python / sorting-searching
    for t in topics:
        parent = schema.topics[t].broader
        while parent:
            assert parent not in topics
            parent = schema.topics[parent].broader


# ---------------------------------------------------------------------- the store side, both engines


def _catalog(store) -> list[str]:  # type: ignore[no-untyped-def]
    rows = [
        (
            "a",
            [
                {
                    "role": "user",
                    "content": "Summarize this report about the stock market in three sentences.",
                },
                {"role": "assistant", "content": "The market rose."},
            ],
        ),
        (
            "b",
            [
                {"role": "user", "content": "오늘 너무 심심해"},
                {"role": "assistant", "content": "같이 놀아요"},
            ],
        ),
        (
            "c",
            [
                {"role": "user", "content": "Write a python function to add two numbers"},
                {"role": "assistant", "content": "def add(a, b):\n    return a + b\n"},
            ],
        ),
    ]
    nodes = [
        {
            "id": i,
            "messages": orjson.dumps(m).decode(),
            "n_user_turns": 1,
            "n_messages": 2,
            "has_tool_calls": False,
            "has_reasoning": False,
            "usage_role": "supply",
        }
        for i, m in rows
    ]
    store.write(batch=WriteBatch(nodes=[NodeGroup("Example", nodes)]))
    return [i for i, _ in rows]


def _edges(store, rel: str, to: str) -> list[list]:  # type: ignore[no-untyped-def]
    return store.read_cypher(
        query=f"MATCH (e:Example)-[x:{rel}]->(c:{to}) RETURN e.id, c.id, x.method ORDER BY e.id, c.id"
    ).rows


def test_a_persons_correction_is_never_overwritten(store) -> None:  # type: ignore[no-untyped-def]
    _catalog(store)
    report = classify_catalog(store, workers=1)
    assert report.examples == 3 and report.assigned["format"] == 3
    assert [r[1] for r in _edges(store, "FOR_TASK", "Task")] == ["summarization", "chat", "code-generation"]
    assign_by_person(store, example_id="a", task="extraction", topics=["economics"])
    classify_catalog(store, workers=1)  # a later automatic run
    tasks = _edges(store, "FOR_TASK", "Task")
    assert tasks[0] == ["a", "extraction", "human"]
    assert [r for r in tasks if r[0] == "a"] == [["a", "extraction", "human"]]  # no automatic edge beside it
    assert [r for r in _edges(store, "ABOUT", "Topic") if r[0] == "a"] == [["a", "economics", "human"]]
    # formats were not corrected: still automatic, and re-derived without duplicates
    assert _edges(store, "HAS_FORMAT", "Format") == [
        ["a", "single-turn", "structure"],
        ["b", "single-turn", "structure"],
        ["c", "single-turn", "structure"],
    ]
    with pytest.raises(CatalogError, match="unknown task 'nope'"):
        assign_by_person(store, example_id="a", task="nope")
    with pytest.raises(CatalogError, match="no example"):
        assign_by_person(store, example_id="zzz", task="chat")


def test_only_new_skips_classified_examples(store) -> None:  # type: ignore[no-untyped-def]
    _catalog(store)
    assert classify_catalog(store, only_new=True, workers=1).examples == 3
    assert classify_catalog(store, only_new=True, workers=1).examples == 0


def test_deletions_remove_only_the_named_methods(store) -> None:  # type: ignore[no-untyped-def]
    _catalog(store)
    rows = [
        {"src": "a", "dst": "chat", "method": "classifier", "confidence": 0.5},
        {"src": "b", "dst": "chat", "method": "human", "confidence": 1.0},
        {"src": "c", "dst": "chat", "method": "classifier", "confidence": 0.5},
    ]
    store.write(batch=WriteBatch(relationships=[RelGroup("FOR_TASK", "Example", "Task", rows)]))
    store.write(
        batch=WriteBatch(deletions=[RelDeletion("FOR_TASK", "Example", "Task", ["a", "b"], ["classifier"])])
    )
    assert _edges(store, "FOR_TASK", "Task") == [["b", "chat", "human"], ["c", "chat", "classifier"]]
    with pytest.raises(CatalogError):
        store.write(
            batch=WriteBatch(deletions=[RelDeletion("FROM_SOURCE", "Example", "Source", ["a"], ["x"])])
        )


# ---------------------------------------------------------------------- the coverage key


def _keys(store) -> dict[str, str | None]:  # type: ignore[no-untyped-def]
    rows = store.read_cypher(query="MATCH (e:Example) RETURN e.id, e.coverage_key ORDER BY e.id").rows
    return {i: k for i, k in rows}


def _keys_from_edges(store) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """The key each example should carry, computed here from its edges (the truth): task and topic
    ids with their confidence in hundredths, floored to a multiple of 5, when it is below 1."""
    out: dict[str, list[set[str]]] = {i: [set(), set(), set()] for i in _keys(store)}
    for slot, (rel, to) in enumerate([("FOR_TASK", "Task"), ("HAS_FORMAT", "Format"), ("ABOUT", "Topic")]):
        rows = store.read_cypher(
            query=f"MATCH (e:Example)-[x:{rel}]->(c:{to}) RETURN e.id, c.id, x.confidence"
        ).rows
        for ex, concept, conf in rows:
            scored = rel != "HAS_FORMAT" and conf is not None and conf < 1.0
            out[ex][slot].add(f"{concept}@{int(conf * 100 + 1e-6) // 5 * 5:02d}" if scored else concept)
    return {i: ";".join(",".join(sorted(p)) for p in v) for i, v in out.items()}


def test_the_store_keeps_every_examples_coverage_key_equal_to_its_edges(store) -> None:  # type: ignore[no-untyped-def]
    """Whatever changes an example's assignments (new examples written with their edges, edges added
    to known examples, deletions, classification, a person's correction, an upsert of a known
    example that gives no edges) leaves its key equal to what its edges say; the keyed coverage
    signatures equal the ones computed from the edges."""
    ids = _catalog(store)
    assert set(_keys(store).values()) == {None}  # no assignment yet: no key; counted from edges
    unkeyed = store.coverage_signatures()
    assert unkeyed == [((), (), None, (), 3)]
    # new examples written together with their edges get their key with the row
    store.write(
        batch=WriteBatch(
            nodes=[NodeGroup("Example", [{"id": "d", "usage_role": "supply", "language": "en"}])],
            relationships=[
                RelGroup("FOR_TASK", "Example", "Task", [{"src": "d", "dst": "chat", "method": "manifest"}]),
                RelGroup(
                    "ABOUT", "Example", "Topic", [{"src": "d", "dst": "economics", "method": "manifest"}]
                ),
                RelGroup("ABOUT", "Example", "Topic", [{"src": "d", "dst": "algebra", "method": "manifest"}]),
            ],
        )
    )
    assert _keys(store)["d"] == "chat;;algebra,economics"
    classify_catalog(store, workers=1)
    assert _keys(store) == _keys_from_edges(store)
    assert None not in _keys(store).values()
    # a known example written again without updating it (as ingest does for a duplicate from another
    # file), with an extra manifest edge: the key follows the edge, not the ignored row
    store.write(
        batch=WriteBatch(
            nodes=[NodeGroup("Example", [{"id": "a", "usage_role": "supply"}], update_existing=False)],
            relationships=[
                RelGroup("FOR_TASK", "Example", "Task", [{"src": "a", "dst": "coding", "method": "manifest"}])
            ],
        )
    )
    assert "coding" in (_keys(store)["a"] or "").split(";")[0].split(",")
    assert _keys(store) == _keys_from_edges(store)
    assign_by_person(store, example_id="b", task="extraction", topics=["economics"], formats=["multi-turn"])
    assert _keys(store)["b"] == "extraction;multi-turn;economics"
    store.write(batch=WriteBatch(deletions=[RelDeletion("ABOUT", "Example", "Topic", ["d"], ["manifest"])]))
    assert _keys(store) == _keys_from_edges(store)
    assert _keys(store)["d"].endswith(";")  # no topic left
    # the keyed signatures equal the edge-computed ones, example for example
    from_edges = [(*sig, n) for sig, n in store.coverage_signatures_from_edges()]
    assert store.coverage_signatures() == from_edges
    assert sum(n for *_, n in from_edges) == len(ids) + 1


def test_a_person_clears_a_wrong_safety_flag_and_classification_keeps_it(store) -> None:  # type: ignore[no-untyped-def]
    _catalog(store)
    flagged = [
        {"role": "user", "content": "How do I steal a car without getting caught?"},
        {"role": "assistant", "content": "I can't help with that."},
    ]
    node = {
        "id": "d",
        "messages": orjson.dumps(flagged).decode(),
        "n_user_turns": 1,
        "n_messages": 2,
        "has_tool_calls": False,
        "has_reasoning": False,
        "usage_role": "supply",
    }
    store.write(batch=WriteBatch(nodes=[NodeGroup("Example", [node])]))
    classify_catalog(store, workers=1)
    assert store.flagged_examples() == {"d"}
    no_risk = store.schema.no_risk
    with pytest.raises(CatalogError, match="reviewed as safe carries no other risk"):
        assign_by_person(store, example_id="d", risks=[no_risk, "crime-theft"])
    assign_by_person(store, example_id="d", risks=[no_risk])  # `assign d --safe`
    classify_catalog(store, workers=1)  # a later automatic run does not flag it again
    assert store.flagged_examples() == set()
    assert _edges(store, "HAS_RISK", "Risk") == [["d", no_risk, "human"]]
    # the verdict has no cues: no text makes it
    label = store.schema.risks[no_risk].label
    assert Classifier(store.schema).risks_of([{"role": "user", "content": f"{label}. {no_risk}"}]) == []
