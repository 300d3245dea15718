"""Common questions matched to parameterised Cypher, deterministically, in English, Korean and
Chinese: no model is asked, and the same question always gives the same query and answer.

A question is read for (1) an intent, from keyword patterns in the three languages, and (2) the
things it names: concepts of the ontology by any of their labels (`mathematics`, `수학`, `数学`),
languages, datasets and models of the catalog, an example id, a number. The first template whose
intent and slots are all present wins; templates are ordered from the most specific.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping

from catalog.ask.residue import residue, unused
from catalog.ask.vocabulary import (
    Match,
    Mentions,
    Vocabulary,
    has_intent,
    intent_words,
)
from catalog.ask.words import (
    BEYOND,
    DIM,
    KEY,
)
from catalog.store import ask_cypher as A

log = logging.getLogger(__name__)


def _dimension(q: str, found: Mentions) -> str | None:
    """The dimension a "per X" question groups by (a dimension word not used as a concept)."""
    for dim, pattern in DIM.items():
        if pattern.search(q):
            return dim
    return None


Rule = Callable[[str, Mentions], Match | None]


#: the intent words of a count
_COUNT_USES = ("how_many", "total")


_EXAMPLE_USES = ("duplicate", "license", "commercial", "lineage", "total")


_ISSUE_USES = (*_COUNT_USES, "issue", "personal", "per")


def _example_rules(q: str, f: Mentions) -> Match | None:
    if not f.example_id:
        return None
    if has_intent("duplicate", q):
        return Match(
            "duplicates-of-example", A.DUPLICATES_OF_EXAMPLE, {"id": f.example_id}, uses=_EXAMPLE_USES
        )
    if has_intent("license", q) or has_intent("commercial", q):
        return Match("license-of-example", A.EXAMPLE_LICENSES, {"id": f.example_id}, uses=_EXAMPLE_USES)
    # an example named with no other question is asked about where it came from
    return Match("lineage-of-example", A.EXAMPLE_SOURCES, {"id": f.example_id}, uses=_EXAMPLE_USES)


def _topics_under(q: str, f: Mentions) -> Match | None:
    fmt = f.concepts.get("format")
    if has_intent("fewer", q) and f.number is not None and fmt:
        return Match(
            "topics-with-fewer-than",
            A.TOPICS_UNDER,
            {"format": fmt[0], "k": f.number},
            uses=(*_COUNT_USES, "fewer"),
        )
    return None


def _gaps(q: str, f: Mentions) -> Match | None:
    if has_intent("gap", q):
        return Match(
            "gaps-for-target", None, {"target": f.target or "instructgpt"}, uses=(*_COUNT_USES, "gap")
        )
    return None


def _commercial(q: str, f: Mentions) -> Match | None:
    if has_intent("commercial", q) and not f.datasets:
        return Match(
            "commercially-usable",
            None,
            {"policy": "commercial"},
            uses=(*_COUNT_USES, "commercial", "license"),
        )
    return None


def _dataset_license(q: str, f: Mentions) -> Match | None:
    if f.datasets and (has_intent("license", q) or has_intent("commercial", q)):
        return Match(
            "licenses-of-dataset",
            A.DATASET_LICENSES,
            {"dataset": f.datasets[0]},
            uses=("license", "commercial", "datasets"),
        )
    return None


def _generator(q: str, f: Mentions) -> Match | None:
    if f.models and (has_intent("generated", q) or has_intent("how_many", q)):
        intent = intent_words(f, KEY["generated"])
        return Match(
            "examples-by-generator",
            A.BY_GENERATOR,
            {"model": f.models[0]},
            intent,
            uses=(*_COUNT_USES, "generated", "models"),
        )
    asks_which = re.search(r"\b(which|what)\b|어떤|어느|哪", q) is not None
    if has_intent("generators", q) or (
        has_intent("generated", q) and (has_intent("per", f.rest) or has_intent("models", q) or asks_which)
    ):
        return Match(
            "generator-share",
            A.GENERATORS,
            {},
            intent_words(f, KEY["generated"]),
            uses=(*_COUNT_USES, "generators", "generated", "per", "models"),
        )
    return None


def _issues(q: str, f: Mentions) -> Match | None:
    if has_intent("personal", q):
        kind = (
            "email"
            if re.search(r"e-?mail|이메일|邮箱", q, re.I)
            else "phone"
            if re.search(r"phone|전화|电话", q, re.I)
            else None
        )
        if kind:
            return Match(
                "examples-with-issue",
                A.ISSUES_OF_KIND,
                {"kind": kind},
                uses=(*_COUNT_USES, "personal", "issue"),
            )
        return Match("issues-by-kind", A.ISSUES_BY_KIND, {}, uses=_ISSUE_USES)
    if has_intent("issue", q):
        return Match("issues-by-kind", A.ISSUES_BY_KIND, {}, uses=_ISSUE_USES)
    return None


def _duplicates(q: str, f: Mentions) -> Match | None:
    if has_intent("duplicate", q):
        return Match("duplicate-total", A.DUPLICATE_TOTAL, {}, uses=(*_COUNT_USES, "duplicate"))
    return None


def _cross(q: str, f: Mentions) -> Match | None:
    picks = [(s, ids[0]) for s, ids in f.concepts.items()] + [("language", lang) for lang in f.languages[:1]]
    if len(picks) < 2:
        return None
    order = {"topic": 0, "task": 1, "format": 2, "language": 3}
    (a_dim, a), (b_dim, b) = sorted(picks, key=lambda p: order[p[0]])[:2]
    query = A.CROSS_COUNT.get((a_dim, b_dim))
    return Match(f"count-{a_dim}-x-{b_dim}", query, {"a": a, "b": b}, uses=_COUNT_USES) if query else None


def _count_of(q: str, f: Mentions) -> Match | None:
    for scheme in ("topic", "task", "format"):
        if f.concepts.get(scheme) and not has_intent("per", f.rest):
            return Match(
                f"count-of-{scheme}", A.COUNT_OF[scheme], {"value": f.concepts[scheme][0]}, uses=_COUNT_USES
            )
    if f.languages and not has_intent("per", f.rest):
        return Match("count-of-language", A.COUNT_OF["language"], {"value": f.languages[0]}, uses=_COUNT_USES)
    if f.datasets:
        return Match(
            "count-of-dataset",
            A.COUNT_OF["dataset"],
            {"value": f.datasets[0]},
            uses=(*_COUNT_USES, "datasets"),
        )
    return None


def _without(q: str, f: Mentions) -> Match | None:
    """Examples with no edge of a dimension: unlabelled is an answer of its own."""
    if not has_intent("without", q):
        return None
    for dim in ("topic", "task", "format"):
        if DIM[dim].search(q) and not f.concepts.get(dim):
            return Match(
                f"count-without-{dim}",
                A.COUNT_WITHOUT[dim],
                {},
                intent_words(f, DIM[dim]),
                uses=(*_COUNT_USES, "without", dim),
            )
    return None


def _count_by(q: str, f: Mentions) -> Match | None:
    dim = _dimension(q, f)
    if dim and (has_intent("per", f.rest) or has_intent("how_many", q) or has_intent("distribution", q)):
        return Match(
            f"count-by-{dim}",
            A.COUNT_BY[dim],
            {},
            intent_words(f, DIM[dim]),
            uses=(*_COUNT_USES, "per", dim, "distribution"),
        )
    return None


def _lists(q: str, f: Mentions) -> Match | None:
    if has_intent("datasets", q):
        return Match("datasets", A.DATASETS, {}, uses=(*_COUNT_USES, "datasets"))
    if has_intent("models", q):
        return Match("models", A.MODELS, {}, uses=(*_COUNT_USES, "models"))
    return None


def _total(q: str, f: Mentions) -> Match | None:
    if has_intent("how_many", q) and has_intent("total", q):
        return Match("examples-total", A.EXAMPLES_TOTAL, {}, uses=_COUNT_USES)
    return None


#: most specific first
RULES: tuple[Rule, ...] = (
    _example_rules,
    _topics_under,
    _dataset_license,
    _commercial,
    _without,
    _gaps,
    _generator,
    _issues,
    _duplicates,
    _cross,
    _count_of,
    _count_by,
    _lists,
    _total,
)


def match(vocabulary: Vocabulary, question: str) -> Match | None:
    """The template that answers the question, or None (then a model may write the query).

    A template must account for everything the question names, and the question must not ask for a
    ranking or an average: a near miss that answers a different question is worse than no answer.
    """
    return explain(vocabulary, question)[0]


def explain(vocabulary: Vocabulary, question: str) -> tuple[Match | None, str]:
    """The template that answers the question (or None), and why none does."""
    q = question.strip()
    if BEYOND.search(q):
        return None, "it asks for a ranking, an average or a comparison"
    found = vocabulary.read(q)
    for rule in RULES:
        got = rule(q.lower(), found)
        if got is None:
            continue
        if ignored := unused(found, got):
            return None, f"template {got.template} would ignore {', '.join(ignored)}"
        if left := residue(found, got):
            return None, f"template {got.template} does not account for: {' '.join(left)}"
        return got, ""
    return None, "no template asks this"


def few_shot(limit: int = 8) -> list[tuple[str, str]]:
    """Question -> Cypher pairs for the model's prompt, from the templates themselves."""
    pairs = [
        ("How many examples are there per task?", A.COUNT_BY["task"]),
        ("How many examples are about mathematics?", A.COUNT_OF["topic"].replace("$value", "'mathematics'")),
        (
            "How many chain-of-thought examples are about mathematics?",
            A.CROSS_COUNT[("topic", "format")]
            .replace("$a", "'mathematics'")
            .replace("$b", "'chain-of-thought'"),
        ),
        ("Which models generated examples, and how many?", A.GENERATORS),
        ("Which datasets does the catalog hold?", A.DATASETS),
        ("What licenses does the dataset lima claim?", A.DATASET_LICENSES.replace("$dataset", "'lima'")),
    ]
    return pairs[:limit]


def template_queries() -> Mapping[str, str]:
    """Every Cypher template, by a name (for tests that run them through the checker)."""
    out: dict[str, str] = {}
    for name, value in vars(A).items():
        if name.isupper() and isinstance(value, str):
            out[name] = value
        elif name.isupper() and isinstance(value, dict):
            out.update({f"{name}[{k}]": v for k, v in value.items()})
    return out
