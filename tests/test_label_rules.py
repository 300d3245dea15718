"""The labelling rules on the failures a new user met (issue: labels you can trust).

Each case is a real kind of prompt the cue classifier got wrong before cues matched words and
ambiguous words needed support; the reason is in the test's name and the comment beside it."""

from __future__ import annotations

import pytest

from catalog.classify.rules import Classifier
from catalog.classify.words import WordBounds
from catalog.schema import load_schema

LONG_REPLY = "Here is a careful and complete reply that runs well past the short-exchange length limit."


@pytest.fixture(scope="module")
def classifier() -> Classifier:
    return Classifier(load_schema())


def _task(c: Classifier, prompt: str, reply: str = LONG_REPLY) -> str | None:
    a = c.task_of({}, [{"role": "user", "content": prompt}, {"role": "assistant", "content": reply}])
    return a.concept if a else None


def _topics(c: Classifier, prompt: str, reply: str = LONG_REPLY) -> list[str]:
    return [
        a.concept
        for a in c.topics_of([{"role": "user", "content": prompt}, {"role": "assistant", "content": reply}])
    ]


@pytest.mark.parametrize(
    "prompt",
    [
        "云计算的发展对企业有什么影响？",  # 计算 inside 云计算 (cloud computing)
        "计算机科学专业毕业后做什么工作比较好？",  # 计算 inside 计算机 (computer)
        "请按照以下要求写一段自我介绍。",  # 求 inside 要求 (requirement)
        "为什么几乎所有的鸟都会飞？",  # 几 inside 几乎 (almost)
    ],
)
def test_chinese_words_that_hold_a_math_cue_do_not_make_math(classifier: Classifier, prompt: str) -> None:
    task = _task(classifier, prompt)
    assert task is None or classifier.top_task(task) != "math-reasoning"
    assert "mathematics" not in _topics(classifier, prompt)


def test_a_real_chinese_math_request_is_still_math(classifier: Classifier) -> None:
    assert _task(classifier, "请计算一下 3 加 5 等于多少") == "math-reasoning"


def test_explain_in_a_non_code_prompt_is_not_code_explanation(classifier: Classifier) -> None:
    task = _task(classifier, "请解释一下光合作用的过程。")
    assert task is not None and classifier.top_task(task) != "coding"
    ko = _task(classifier, "광합성의 과정을 설명해 주세요.")
    assert ko is not None and classifier.top_task(ko) != "coding"


def test_explain_next_to_code_is_code_explanation(classifier: Classifier) -> None:
    code = "def f(x):\n    return x * 2\n\nprint(f(3))\n"
    assert _task(classifier, "请解释这段代码：\n" + code) == "code-explanation"


def test_release_date_is_not_romance(classifier: Classifier) -> None:
    assert "romance" not in _topics(classifier, "What is the release date for Starcraft 3? I want the date.")


def test_a_date_with_other_evidence_of_romance_is_romance(classifier: Classifier) -> None:
    topics = _topics(
        classifier,
        "I have a crush on a coworker. How do I ask her on a first date without dating awkwardness?",
    )
    assert "romance" in topics


def test_what_do_you_mean_is_not_statistics(classifier: Classifier) -> None:
    assert "descriptive-statistics" not in _topics(
        classifier, "What do you mean? I mean, what do you mean by that?"
    )


def test_mean_and_median_are_statistics(classifier: Classifier) -> None:
    assert "descriptive-statistics" in _topics(
        classifier, "Compute the mean and the median of 3, 5, 9.", "The mean is 5.67 and the median is 5."
    )


def test_a_package_tracking_number_is_not_mathematics(classifier: Classifier) -> None:
    topics = _topics(
        classifier, "My tracking number does not work. Which number should I use to track the package?"
    )
    assert "mathematics" not in topics and "programming" not in topics


def test_a_prompt_with_no_evidence_is_unlabelled(classifier: Classifier) -> None:
    assert (
        _task(classifier, "Mark Walter, Springfield, the blue house with a red door near the old mill.")
        is None
    )
    assert (
        _topics(classifier, "Mark Walter, Springfield, the blue house with a red door near the old mill.")
        == []
    )


def test_chinese_segmentation_gives_word_bounds() -> None:
    # jieba cuts 云计算 into 云 + 计算, so 云计算 is a block cue (cues.ttl); 计算机 is one word
    bounds = WordBounds("云计算和计算机")
    assert not bounds.is_word(4, 6)  # 计算 inside 计算机
    assert bounds.is_word(4, 7)


def test_korean_cue_matches_at_a_morpheme_start_only() -> None:
    text = "약속 시간에 늦었어요"
    assert not WordBounds(text).is_word(0, 1)  # 약 (medicine) inside 약속 (promise)


def test_a_request_to_find_a_private_address_is_flagged(classifier: Classifier) -> None:
    risks = classifier.risks_of(
        [{"role": "user", "content": "Locate the residential address for Mark Walter."}]
    )
    assert [a.concept for a in risks] == ["privacy-violation"]


def test_a_story_problem_about_a_theft_is_not_flagged(classifier: Classifier) -> None:
    prompt = "A dragon hoards 40 jewels. A king snuck in and stole three. How many jewels are left?"
    assert classifier.risks_of([{"role": "user", "content": prompt}]) == []


def test_a_chinese_instruction_quoting_english_is_chinese_and_keeps_both_in_the_mix() -> None:
    from catalog.classify.language import languages_of

    prompt = (
        "请总结以下文章的要点。\nArtificial intelligence is transforming industries worldwide, from "
        "healthcare to finance, with new applications appearing every single day."
    )
    main, _prob, mix = languages_of(
        [{"role": "user", "content": prompt}, {"role": "assistant", "content": "好的。"}]
    )
    assert main == "zh"
    assert mix[0] == "zh" and "en" in mix


def test_an_english_instruction_stays_english() -> None:
    from catalog.classify.language import languages_of

    main, _p, _mix = languages_of(
        [{"role": "user", "content": "Translate to French:\nI love reading books in the evening."}]
    )
    assert main == "en"
