"""Quality checks: personal data planted in a copy of a real dataset is found, kind by kind, and the
clean copy raises under 1% false alarms; format findings on hand-made and real tool-use examples;
the incremental check run on both engines (issues as graph data, re-runs look only at what is new,
a new check version replaces its old findings, values never printed in full)."""

from __future__ import annotations

import json
import random
from pathlib import Path

import orjson
import pytest

from catalog.quality.base import ExampleView
from catalog.quality.checks import BoilerplateCheck, FormatCheck, PersonalDataCheck
from catalog.quality.pii import find_pii, iban_ok, luhn_ok, rrn_ok
from catalog.quality.run import run_checks, select_checks
from catalog.store.base import NodeGroup, WriteBatch


def _card(rng: random.Random) -> str:
    prefix = rng.choice(["4", "51", "37", "6011"])
    length = 15 if prefix == "37" else 16
    digits = prefix + "".join(str(rng.randrange(10)) for _ in range(length - len(prefix) - 1))
    check = next(d for d in "0123456789" if luhn_ok(digits + d))
    full = digits + check
    return (
        " ".join(full[i : i + 4] for i in range(0, len(full), 4))
        if length == 16 and rng.random() < 0.5
        else full
    )


def _iban(rng: random.Random) -> str:
    bban = "".join(str(rng.randrange(10)) for _ in range(18))
    for cd in range(100):
        candidate = f"DE{cd:02d}{bban}"
        if iban_ok(candidate):
            return " ".join(candidate[i : i + 4] for i in range(0, len(candidate), 4))
    raise AssertionError("no check digits")


def _rrn(rng: random.Random) -> str:
    while True:
        body = (
            f"{rng.randrange(50, 99):02d}{rng.randrange(1, 13):02d}{rng.randrange(1, 29):02d}{rng.choice('1234')}"
            + "".join(str(rng.randrange(10)) for _ in range(5))
        )
        for c in "0123456789":
            if rrn_ok(body + c):
                return f"{body[:6]}-{body[6:]}{c}"


PLANTERS = {
    "email": lambda r: (
        f"{r.choice(['minji', 'j.smith', 'wei_chen'])}{r.randrange(1000)}@{r.choice(['mail.com', 'corp.co.kr', 'uni.edu'])}"
    ),
    "phone": lambda r: r.choice(
        [
            f"+82 10-{r.randrange(1000, 9999)}-{r.randrange(1000, 9999)}",
            f"({r.randrange(200, 999)}) {r.randrange(200, 999)}-{r.randrange(1000, 9999)}",
            f"010-{r.randrange(1000, 9999)}-{r.randrange(1000, 9999)}",
        ]
    ),
    "payment-card": _card,
    "iban": _iban,
    "ip-address": lambda r: (
        f"{r.randrange(11, 223)}.{r.randrange(256)}.{r.randrange(256)}.{r.randrange(1, 255)}"
    ),
    "ipv6-address": lambda r: ":".join(f"{r.randrange(65536):x}" for _ in range(8)),
    "kr-rrn": _rrn,
    "api-key": lambda r: (
        "sk-" + "".join(r.choice("abcdefghijkmnpqrstuvwxyzABCDEFGH0123456789") for _ in range(40))
    ),
    "secret": lambda r: (
        "password = " + "".join(r.choice("abcdefghjkmnpqrstuvwxyzABCDEFGHJ23456789#%") for _ in range(16))
    ),
}


def _alpaca_texts(datasets: Path) -> list[str]:
    rows = json.loads((datasets / "stanford-alpaca-5k" / "alpaca_5000.json").read_text())
    return ["\n".join(x for x in (r["instruction"], r.get("input") or "", r["output"]) if x) for r in rows]


def test_planted_personal_data_is_found_and_a_clean_copy_raises_under_one_percent(datasets: Path) -> None:
    clean = _alpaca_texts(datasets)
    flagged = sum(1 for t in clean if any(True for _ in find_pii(t)))
    assert flagged / len(clean) < 0.01, f"{flagged} of {len(clean)} clean records flagged"

    rng = random.Random(11)
    planted = list(clean)
    where: dict[int, tuple[str, str]] = {}
    picks = rng.sample(range(len(clean)), 30 * len(PLANTERS))
    for n, i in enumerate(picks):
        kind = list(PLANTERS)[n % len(PLANTERS)]
        value = PLANTERS[kind](rng)
        planted[i] = f"{clean[i]}\nFor details contact {value} today."
        where[i] = (kind, value)
    missed = []
    for i, (kind, value) in where.items():
        start = planted[i].index(value)
        hits = [
            m
            for m in find_pii(planted[i])
            if m.start <= start < m.end or start <= m.start < start + len(value)
        ]
        if not any(m.kind == kind for m in hits):
            missed.append((kind, [m.kind for m in hits]))
        assert all(value not in m.masked for m in hits)  # never the value in full
    assert missed == [], missed


def _view(messages: list[dict], tools: list | None = None, reasoning: bool = False) -> ExampleView:
    return ExampleView(id="x", messages=messages, tools=tools or [], has_reasoning=reasoning)


def test_format_findings() -> None:
    kinds = lambda v: sorted(f.kind for f in FormatCheck().check(v))  # noqa: E731
    ok = _view([{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}])
    assert kinds(ok) == []
    assert kinds(_view([{"role": "assistant", "content": "x"}])) == ["role-order"]
    assert "empty-turn" in kinds(
        _view(
            [
                {"role": "system", "content": " "},
                {"role": "user", "content": "q"},
                {"role": "assistant", "content": "a"},
            ]
        )
    )
    assert kinds(
        _view(
            [
                {"role": "user", "content": "q"},
                {"role": "user", "content": "q2"},
                {"role": "assistant", "content": "a"},
            ]
        )
    ) == ["role-order"]
    tools = [{"type": "function", "function": {"name": "get_weather", "parameters": {
        "type": "object", "properties": {"city": {"type": "string"}, "days": {"type": "integer"}, "unit": {"type": "string", "enum": ["c", "f"]}},
        "required": ["city"], "additionalProperties": False}}}]  # fmt: skip

    def call(args: object) -> ExampleView:
        return _view(
            [
                {"role": "user", "content": "weather?"},
                {
                    "role": "assistant",
                    "content": "",
                    "tool_calls": [{"name": "get_weather", "arguments": args}],
                },
            ],
            tools,
        )

    assert kinds(call({"city": "Seoul", "days": 3})) == []
    assert kinds(call("{not json")) == ["invalid-tool-arguments"]
    assert kinds(call({"days": "3", "unit": "k", "extra": 1})) == ["schema-mismatch"] * 4
    undeclared = _view(
        [
            {"role": "user", "content": "q"},
            {"role": "assistant", "content": "", "tool_calls": [{"name": "nope", "arguments": {}}]},
        ],
        tools,
    )
    assert kinds(undeclared) == ["undeclared-tool"]
    cot = _view(
        [
            {"role": "user", "content": "2+2?"},
            {"role": "assistant", "content": "", "reasoning": "two plus two"},
        ],
        reasoning=True,
    )
    assert "no-final-answer" in kinds(cot)
    long_cut = _view(
        [{"role": "user", "content": "essay"}, {"role": "assistant", "content": "word " * 60 + "and the"}]
    )
    assert kinds(long_cut) == ["truncated"]
    assert [
        f.kind
        for f in BoilerplateCheck().check(
            _view(
                [
                    {"role": "user", "content": "q"},
                    {"role": "assistant", "content": "As an AI language model, I cannot do that."},
                ]
            )
        )
    ] == ["refusal-boilerplate"]


def test_tool_calls_of_the_real_tool_sets_fit_their_schemas(datasets: Path, schema, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """BFCL's ground-truth calls are checked against the functions the questions offer; glaive's against
    its tool lists. Findings name the call and never stop the run."""
    from catalog.config import Settings
    from catalog.ingest.pipeline import iter_examples, prepare_ingest
    from tests.helpers import manifest_path

    settings = Settings(db=tmp_path / "c")
    check = FormatCheck()
    for dataset, name in [
        ("bfcl-v4", "BFCL_v4_simple_python.json"),
        ("glaive-toolcall-demo", "glaive_toolcall_en_demo.json"),
    ]:
        plan = prepare_ingest(
            datasets / dataset / name,
            schema=schema,
            settings=settings,
            manifest_path=manifest_path(dataset),
        )
        examples = list(iter_examples(plan, settings=settings, quarantine_file=tmp_path / "q.jsonl"))
        findings = [f for item in examples for f in check.check(ExampleView.from_row(item.props))]
        assert len(examples) > 100
        tool_findings = [
            f for f in findings if f.kind in ("schema-mismatch", "undeclared-tool", "invalid-tool-arguments")
        ]
        assert len(tool_findings) < 0.05 * len(examples), tool_findings[:5]
        assert all(f.span and "call" in f.span for f in tool_findings)


def _examples(store, rows: list[tuple[str, str]]) -> None:  # type: ignore[no-untyped-def]
    store.write(
        batch=WriteBatch(
            nodes=[
                NodeGroup(
                    "Example",
                    [
                        {
                            "id": i,
                            "usage_role": "supply",
                            "messages": orjson.dumps(
                                [{"role": "user", "content": "q"}, {"role": "assistant", "content": text}]
                            ).decode(),
                        }
                        for i, text in rows
                    ],
                )
            ]
        )
    )


def test_checks_write_issues_incrementally_on_both_engines(store) -> None:  # type: ignore[no-untyped-def]
    _examples(
        store,
        [("a", "Mail me: minji77@mail.com"), ("b", "Fine answer."), ("c", "As an AI language model, no.")],
    )
    report = run_checks(store, select_checks())
    assert report.checked == {"boilerplate": 3, "format": 3, "length": 3, "personal-data": 3}
    assert report.kinds == {"personal-data/email": 1, "boilerplate/refusal-boilerplate": 1}
    issues = store.example_issues(example_id="a")
    assert [(i["checker"], i["kind"], i["severity"], i["span"]) for i in issues] == [
        ("personal-data", "email", "warning", "message 1 chars 9-25")
    ]
    assert "minji77@mail.com" not in issues[0]["message"]
    assert run_checks(store, select_checks()).checked == {}  # nothing new
    _examples(store, [("d", "Card 4111 1111 1111 1111 please")])
    again = run_checks(store, select_checks(["personal-data"]))
    assert again.checked == {"personal-data": 1} and again.kinds == {"personal-data/payment-card": 1}
    # a new version of a check looks at everything again and replaces its old findings
    pii = PersonalDataCheck(version="2")
    rerun = run_checks(store, [pii])
    assert rerun.checked == {"personal-data": 4}
    assert [(i["checker_version"], i["kind"]) for i in store.example_issues(example_id="a")] == [
        ("2", "email")
    ]
    summary = {(r["checker"], r["kind"]): (r["issues"], r["examples"]) for r in store.issue_summary()}
    assert summary == {
        ("boilerplate", "refusal-boilerplate"): (1, 1),
        ("personal-data", "email"): (1, 1),
        ("personal-data", "payment-card"): (1, 1),
    }
    with pytest.raises(Exception, match="unknown check"):
        select_checks(["nope"])


def test_near_identical_prompts_with_conflicting_answers(store, datasets: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Real GSM8K problems, some asked twice (a word changed) with the same or a different final
    number: only the different ones conflict; a re-run with nothing new changes nothing."""
    from catalog.quality.consistency import check_consistency, final_number

    lines = (datasets / "gsm8k" / "test.jsonl").read_text().splitlines()[:200]
    rows = []
    for n, line in enumerate(lines):
        r = json.loads(line)
        rows.append((f"g{n}", r["question"], r["answer"]))
        if n < 20:  # asked again, answered with another final number
            wrong = r["answer"].rsplit("####", 1)[0] + f"#### {int(final_number(r['answer']) or 0) + 7}"
            rows.append((f"g{n}-conflict", r["question"].replace(" a ", " one ", 1), wrong))
        elif n < 40:  # asked again, same answer
            rows.append((f"g{n}-same", r["question"] + " ", r["answer"]))
    store.write(
        batch=WriteBatch(
            nodes=[
                NodeGroup(
                    "Example",
                    [
                        {
                            "id": i,
                            "usage_role": "supply",
                            "messages": orjson.dumps(
                                [{"role": "user", "content": q}, {"role": "assistant", "content": a}]
                            ).decode(),
                        }
                        for i, q, a in rows
                    ],
                )
            ]
        )
    )
    report = check_consistency(store, tmp_path / "dedup")
    assert report.conflicting == 40  # the 20 originals and their 20 conflicting copies
    flagged = {r.example for r in store.issues_of(ids=[r[0] for r in rows], checkers=["consistency"])}
    assert flagged == {f"g{n}" for n in range(20)} | {f"g{n}-conflict" for n in range(20)}
    [issue] = [i for i in store.example_issues(example_id="g3") if i["kind"] == "conflicting-answer"]
    assert issue["severity"] == "error" and "g3-conflict" in issue["message"]
    again = check_consistency(store, tmp_path / "dedup")
    assert again.groups == 0 and len(store.issues_of(ids=["g3"], checkers=["consistency"])) == 1
