"""Ask mode's evaluation set over the real datasets, its gold answers and the scoring (bench/ask_eval.py
runs it and says how the set is made; tests/test_ask_eval.py holds the line)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from catalog.ask import AskAnswer, ask
from catalog.census import census_signatures
from catalog.config import Settings
from catalog.coverage import load_spec
from catalog.coverage.report import CoverageMatrix
from catalog.coverage.spec import SHIPPED_DIR
from catalog.eligibility import build_report
from catalog.errors import CatalogError
from catalog.provenance import check_licenses
from catalog.store.base import GraphStore
from tests.helpers import REAL_FILES, manifest_path, shared_datasets_dir

REPO = Path(__file__).resolve().parents[2]

Gold = Callable[[GraphStore, dict[str, Any]], Any]


def _supply(store: GraphStore) -> set[str]:
    return set(store.example_ids_of_role(role="supply"))


def _direct(store: GraphStore, rel: str, to: str) -> dict[str, int]:
    supply = _supply(store)
    out: dict[str, set[str]] = {}
    for e in store.edges(rel_type=rel, from_label="Example", to_label=to):
        if e["src"] in supply:
            out.setdefault(e["dst"], set()).add(e["src"])
    return {k: len(v) for k, v in out.items()}


def _matrix(store: GraphStore) -> CoverageMatrix:
    return CoverageMatrix(store.schema, census_signatures(store.coverage_census(), role="supply"))


def _rows_as_counts(answer: AskAnswer) -> dict[str, int]:
    out: dict[str, int] = {}
    for r in answer.rows:  # a model with two roles has two rows
        out[str(r[0])] = out.get(str(r[0]), 0) + int(r[-1])
    return out


def g_total(store: GraphStore, ctx: dict[str, Any]) -> Any:
    return len(_supply(store))


def g_by(rel: str, to: str) -> Gold:
    return lambda store, ctx: _direct(store, rel, to)


def g_by_language(store: GraphStore, ctx: dict[str, Any]) -> Any:
    return {
        str(k): v
        for k, v in Counter(
            n.get("language") for n in store.nodes(label="Example") if n.get("usage_role") == "supply"
        ).items()
    }


def g_by_dataset(store: GraphStore, ctx: dict[str, Any]) -> Any:
    return {d.dataset: d.examples for d in store.dataset_overview() if d.examples}


def g_marginal(dim: str, value: str) -> Gold:
    return lambda store, ctx: _matrix(store).marginal(dim).get(value, 0)


def g_cell(conditions: dict[str, str]) -> Gold:
    return lambda store, ctx: _matrix(store).count(conditions)


def g_generated(model: str) -> Gold:
    def gold(store: GraphStore, ctx: dict[str, Any]) -> Any:
        return next((m.examples for m in _generators(store) if m.model == model), 0)

    return gold


def _generators(store: GraphStore) -> list[Any]:
    from catalog.provenance.synthetic import synthetic_audit

    return synthetic_audit(store, role="supply").models


def g_generators(store: GraphStore, ctx: dict[str, Any]) -> Any:
    # supply examples, like every count in ask mode; keyed by model (the rows carry the model's role)
    out: dict[str, int] = {}
    for m in _generators(store):
        out[m.model] = out.get(m.model, 0) + m.examples
    return out


def g_datasets(store: GraphStore, ctx: dict[str, Any]) -> Any:
    return g_by_dataset(store, ctx)


def g_dataset_licenses(dataset: str) -> Gold:
    return lambda store, ctx: sorted(lic for d, lic, _by in [(r[0], r[1], r[2]) for r in store.read_cypher(
        query="MATCH (d:Dataset)-[c:LICENSED_UNDER]->(l:License) RETURN d.id, l.id, c.claimed_by").rows] if d == dataset)  # fmt: skip


def g_commercial(store: GraphStore, ctx: dict[str, Any]) -> Any:
    return check_licenses(store, policy="commercial").allowed


def g_gaps(store: GraphStore, ctx: dict[str, Any]) -> Any:
    report = build_report(store, load_spec(SHIPPED_DIR / "instructgpt.yaml", schema=store.schema))
    return [(r.dimension, r.value) for r in report.rows if r.deficit > 0][:20]


def g_topics_under(fmt: str, k: int) -> Gold:
    def gold(store: GraphStore, ctx: dict[str, Any]) -> Any:
        m = _matrix(store)
        return sorted(t for t in store.schema.topics if m.count({"topic": t, "format": fmt}) < k)

    return gold


def g_lineage(store: GraphStore, ctx: dict[str, Any]) -> Any:
    from catalog.provenance import lineage

    return sorted({s.file_name for s in lineage(store, ctx["derived"]).sources})


def g_example_licenses(store: GraphStore, ctx: dict[str, Any]) -> Any:
    from catalog.provenance import lineage

    lin = lineage(store, ctx["alpaca"])
    return sorted({c.license for c in lin.claims if c.holder.startswith("Dataset:")})


def g_duplicates(store: GraphStore, ctx: dict[str, Any]) -> Any:
    return len(store.duplicate_members())


def g_issue_kinds(store: GraphStore, ctx: dict[str, Any]) -> Any:
    return sorted({r["kind"] for r in store.issue_summary()})


def g_by_dataset_one(dataset: str) -> Gold:
    return lambda store, ctx: g_by_dataset(store, ctx).get(dataset, 0)


def g_duplicates_of(store: GraphStore, ctx: dict[str, Any]) -> Any:
    pairs = {(e.member, kept) for kept, members in store.duplicate_clusters().items() for e in members}
    return sorted(p for p in pairs if ctx["duplicate"] in p)


def g_none(store: GraphStore, ctx: dict[str, Any]) -> Any:
    return None


def g_issue(kind: str) -> Gold:
    return lambda store, ctx: sum(r["examples"] for r in store.issue_summary() if r["kind"] == kind)


#: (question, intended template, gold, how to compare)
QUESTIONS: list[tuple[str, str, Gold, str]] = [
    ("How many examples are there?", "examples-total", g_total, "scalar"),
    ("How many examples are there per task?", "count-by-task", g_by("FOR_TASK", "Task"), "counts"),
    ("How many examples per topic?", "count-by-topic", g_by("ABOUT", "Topic"), "counts"),
    ("Show the number of examples by format", "count-by-format", g_by("HAS_FORMAT", "Format"), "counts"),
    ("How many examples are there in each language?", "count-by-language", g_by_language, "counts"),
    ("How many examples per dataset?", "count-by-dataset", g_by_dataset, "counts"),
    (
        "How many examples are about mathematics?",
        "count-of-topic",
        g_marginal("topic", "mathematics"),
        "scalar",
    ),
    ("How many coding examples are there?", "count-of-task", g_marginal("task", "coding"), "scalar"),
    (
        "How many chain-of-thought examples do we have?",
        "count-of-format",
        g_marginal("format", "chain-of-thought"),
        "scalar",
    ),
    ("How many Korean examples are there?", "count-of-language", g_marginal("language", "ko"), "scalar"),
    (
        "How many chain-of-thought examples are about mathematics?",
        "count-topic-x-format",
        g_cell({"topic": "mathematics", "format": "chain-of-thought"}),
        "scalar",
    ),
    (
        "How many open QA examples are in Korean?",
        "count-task-x-language",
        g_cell({"task": "open-qa", "language": "ko"}),
        "scalar",
    ),
    (
        "How many summarization examples are about science?",
        "count-topic-x-task",
        g_cell({"topic": "science", "task": "summarization"}),
        "scalar",
    ),
    ("Which models generated examples?", "generator-share", g_generators, "counts"),
    (
        "How many examples were generated by text-davinci-003?",
        "examples-by-generator",
        g_generated("text-davinci-003"),
        "scalar",
    ),
    ("How many examples did gpt-4 generate?", "examples-by-generator", g_generated("gpt-4"), "scalar"),
    ("Which datasets are in the catalog?", "datasets", g_datasets, "counts"),
    ("What licenses does lima have?", "licenses-of-dataset", g_dataset_licenses("lima"), "first-column"),
    (
        "Can stanford-alpaca-5k be used commercially?",
        "licenses-of-dataset",
        g_dataset_licenses("stanford-alpaca-5k"),
        "first-column",
    ),
    ("What may be used commercially?", "commercially-usable", g_commercial, "usable"),
    ("What are the gaps against instructgpt?", "gaps-for-target", g_gaps, "gaps"),
    (
        "Which topics have fewer than 10 chain-of-thought examples?",
        "topics-with-fewer-than",
        g_topics_under("chain-of-thought", 10),
        "first-column",
    ),
    ("Where did example {derived} come from?", "lineage-of-example", g_lineage, "files"),
    ("What is the license of example {alpaca}?", "license-of-example", g_example_licenses, "licenses"),
    ("How many duplicates are there?", "duplicate-total", g_duplicates, "scalar"),
    ("Which quality issues are there?", "issues-by-kind", g_issue_kinds, "kinds"),
    ("How many examples contain an email address?", "examples-with-issue", g_issue("email"), "scalar"),
    ("작업별 예제 수는?", "count-by-task", g_by("FOR_TASK", "Task"), "counts"),
    ("주제별 예제는 몇 개인가요?", "count-by-topic", g_by("ABOUT", "Topic"), "counts"),
    ("수학 예제는 몇 개야?", "count-of-topic", g_marginal("topic", "mathematics"), "scalar"),
    ("한국어 예제는 몇 개?", "count-of-language", g_marginal("language", "ko"), "scalar"),
    ("gpt-4가 생성한 예제는 몇 개?", "examples-by-generator", g_generated("gpt-4"), "scalar"),
    ("상업적으로 사용할 수 있는 예제는?", "commercially-usable", g_commercial, "usable"),
    ("instructgpt 대비 부족한 부분은?", "gaps-for-target", g_gaps, "gaps"),
    ("중복 예제는 몇 개?", "duplicate-total", g_duplicates, "scalar"),
    ("데이터셋 목록을 보여줘", "datasets", g_datasets, "counts"),
    ("언어별 예제 수", "count-by-language", g_by_language, "counts"),
    ("每个任务有多少个例子？", "count-by-task", g_by("FOR_TASK", "Task"), "counts"),
    ("数学相关的例子有多少？", "count-of-topic", g_marginal("topic", "mathematics"), "scalar"),
    ("中文例子有多少个？", "count-of-language", g_marginal("language", "zh"), "scalar"),
    ("由gpt-4生成的例子有多少？", "examples-by-generator", g_generated("gpt-4"), "scalar"),
    ("哪些可以商用？", "commercially-usable", g_commercial, "usable"),
    ("相对于instructgpt的缺口是什么？", "gaps-for-target", g_gaps, "gaps"),
    ("有多少重复的例子？", "duplicate-total", g_duplicates, "scalar"),
    ("每种语言有多少例子？", "count-by-language", g_by_language, "counts"),
    # phrasings written after the templates, to measure how far they generalise
    ("Count the examples for each task.", "count-by-task", g_by("FOR_TASK", "Task"), "counts"),
    ("What's the breakdown of examples by language?", "count-by-language", g_by_language, "counts"),
    ("How many tool-use examples are there?", "count-of-format", g_marginal("format", "tool-use"), "scalar"),
    ("How many multi-turn examples?", "count-of-format", g_marginal("format", "multi-turn"), "scalar"),
    ("How many examples came from gsm8k?", "count-of-dataset", g_by_dataset_one("gsm8k"), "scalar"),
    (
        "Which topics have fewer than 50 tool-use examples?",
        "topics-with-fewer-than",
        g_topics_under("tool-use", 50),
        "first-column",
    ),
    ("Are there duplicates of example {duplicate}?", "duplicates-of-example", g_duplicates_of, "pairs"),
    ("코딩 작업 예제는 몇 개인가요?", "count-of-task", g_marginal("task", "coding"), "scalar"),
    ("중국어 예제 수", "count-of-language", g_marginal("language", "zh"), "scalar"),
    ("每个主题有多少例子？", "count-by-topic", g_by("ABOUT", "Topic"), "counts"),
    ("有多少个思维链格式的例子？", "count-of-format", g_marginal("format", "chain-of-thought"), "scalar"),
    (
        "How many math questions with step-by-step reasoning do we have?",
        "count-topic-x-format",
        g_cell({"topic": "mathematics", "format": "chain-of-thought"}),
        "scalar",
    ),
    # beyond the templates: these must not be answered by a template that ignores part of them
    ("Which teacher model produced the most Korean tool-use examples?", "", g_none, "none"),
    ("How many examples per format in Korean?", "", g_none, "none"),
    ("Which dataset has the longest prompts on average?", "", g_none, "none"),
    ("How many examples does lima have in English?", "", g_none, "none"),
    ("가장 많은 예제를 가진 주제는?", "", g_none, "none"),
    ("平均每个数据集有多少例子？", "", g_none, "none"),
]


def context(store: GraphStore) -> dict[str, Any]:
    """Example ids the questions name: a derived (OASST) example, a Stanford Alpaca one, a duplicate."""
    derived = store.read_cypher(
        query="MATCH (e:Example)-[:DERIVED_FROM]->(:Example) RETURN e.id ORDER BY e.id LIMIT 1"
    ).rows[0][0]
    alpaca = store.dataset_example_ids(dataset="stanford-alpaca-5k")[0]
    duplicate = sorted(store.duplicate_members())[0]
    return {"derived": derived, "alpaca": alpaca, "duplicate": duplicate}


def compare(kind: str, answer: AskAnswer, gold: Any) -> bool:
    rows = answer.rows
    if kind == "scalar":
        return len(rows) == 1 and int(rows[0][0]) == int(gold)
    if kind == "counts":
        got = {str(k): v for k, v in _rows_as_counts(answer).items()}
        want = {str(k): int(v) for k, v in gold.items()}
        return got == want
    if kind == "first-column":
        return sorted({r[0] for r in rows}) == sorted(set(gold))
    if kind == "usable":
        return sum(r[1] for r in rows if r[0]) == gold
    if kind == "gaps":
        return [(r[0], r[1]) for r in rows] == gold
    if kind == "files":
        return sorted({r[2] for r in rows}) == gold
    if kind == "licenses":
        return sorted({r[1] for r in rows}) == gold
    if kind == "kinds":
        return sorted({r[1] for r in rows}) == gold
    if kind == "pairs":
        return sorted((r[0], r[1]) for r in rows) == gold
    raise ValueError(kind)


def _ask(store: GraphStore, question: str, settings: Settings) -> dict[str, Any]:
    """The answer as plain data, or the refusal's message (no model is configured here)."""
    try:
        return ask(store, question, settings).model_dump()
    except CatalogError as exc:
        return {"source": "(none)", "error": str(exc)}


def _language(q: str) -> str:
    if any("\uac00" <= ch <= "\ud7a3" for ch in q):
        return "ko"
    return "zh" if any("\u4e00" <= ch <= "\u9fff" for ch in q) else "en"


def evaluate(store: GraphStore, settings: Settings, *, repeats: int = 5) -> dict[str, Any]:
    """Every question asked `repeats` times; in scope (an intended template) or out of scope (none)."""
    ctx = context(store)
    results = []
    for question, template, gold, kind in QUESTIONS:
        q = question.format(**ctx)
        answers = [_ask(store, q, settings) for _ in range(repeats)]
        first = answers[0]
        covered = first["source"].startswith("template:")
        if not template:  # out of scope: right when no template claims it
            right = not covered
        else:
            right = (
                covered
                and first["source"] == f"template:{template}"
                and compare(kind, AskAnswer(**first), gold(store, ctx))
            )
        results.append(
            {
                "question": q,
                "language": _language(q),
                "in_scope": bool(template),
                "template": first["source"],
                "covered": covered,
                "right": right,
                "stable": all(a == first for a in answers[1:]),
                "answer": first,
            }
        )

    def tally(rows: list[dict[str, Any]]) -> dict[str, int]:
        scoped = [r for r in rows if r["in_scope"]]
        return {
            "n": len(scoped),
            "covered": sum(r["covered"] for r in scoped),
            "right": sum(r["right"] for r in scoped),
            "out_of_scope": len(rows) - len(scoped),
            "declined": sum(r["right"] for r in rows if not r["in_scope"]),
        }

    return {
        "questions": len(results),
        "stable": sum(r["stable"] for r in results),
        "all": tally(results),
        "by_language": {
            lang: tally([r for r in results if r["language"] == lang]) for lang in ("en", "ko", "zh")
        },
        "results": results,
    }


def build_catalog(store: GraphStore, settings: Settings, work: Path) -> None:
    """The real datasets ingested, classified, checked and deduplicated: what the questions ask about."""
    from catalog.classify import classify_catalog
    from catalog.ingest.pipeline import prepare_ingest, run_ingest
    from catalog.quality.consistency import check_consistency
    from catalog.quality.dedup import dedup
    from catalog.quality.run import run_checks, select_checks

    for dataset, names in REAL_FILES.items():
        for name in names:
            plan = prepare_ingest(
                shared_datasets_dir() / dataset / name,
                schema=store.schema,
                settings=settings,
                manifest_path=manifest_path(dataset),
            )
            run_ingest(store, plan, settings=settings)
    classify_catalog(store, only_new=True)
    run_checks(store, select_checks())
    check_consistency(store, work / "dedup")
    dedup(store, work / "dedup")
