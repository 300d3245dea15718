"""Consistent: near-identical prompts should not be answered differently.

Prompts (system and user turns) are signed and banded like near-duplicates (a stricter threshold,
0.85 by default, in their own index under `<catalog>/dedup/`), so a re-run only looks at groups that
hold a new example. Within a group of near-identical prompts the final answers are compared:
different stated final numbers (GSM8K's `#### 72`, `\\boxed{}`, "the answer is 72", a bare number) are a
`conflicting-answer` error on each example; replies that share almost nothing (k-gram Jaccard under
0.2) are a `divergent-answer` note, since open questions may be answered in many ways.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import networkx as nx
import orjson

from catalog.quality.base import Finding, issue_id
from catalog.quality.dedup import DedupConfig, jaccard, shingles, signed_index, verified_pairs
from catalog.quality.minhash import MinHasher
from catalog.store.base import GraphStore, NodeDeletion, NodeGroup, RelGroup, WriteBatch

log = logging.getLogger(__name__)

NAME, VERSION = "consistency", "1"
_FINAL = re.compile(
    r"####\s*([-\d,.]+)|\\boxed\{([^}]*)\}|(?:final )?answer(?: is|:)\s*\$?(-?\d[\d,]*(?:\.\d+)?)", re.I
)
_NUMBER = re.compile(r"-?\d[\d,]*(?:\.\d+)?")


def prompt_text(messages_json: str | None) -> str:
    messages = orjson.loads(messages_json) if messages_json else []
    return "\n".join(m.get("content") or "" for m in messages if m.get("role") in ("system", "user"))


def answer_text(messages_json: str | None) -> str:
    messages = orjson.loads(messages_json) if messages_json else []
    for m in reversed(messages):
        if m.get("role") == "assistant":
            return (m.get("content") or "") + ("\n" + m["reasoning"] if m.get("reasoning") else "")
    return ""


def final_number(answer: str) -> str | None:
    """The answer's final number when it states one: GSM8K's `#### 72`, `\\boxed{72}`, "the answer is 72",
    or a reply that is just a short number. Open-ended replies have none (their numbers are not answers)."""
    m = _FINAL.search(answer)
    raw = next((g for g in m.groups() if g), None) if m else None
    if raw is None:
        stripped = answer.strip()
        numbers = _NUMBER.findall(stripped)
        raw = numbers[0] if len(stripped) <= 30 and len(numbers) == 1 else None
    if raw is None:
        return None
    value = raw.replace(",", "").strip().rstrip(".")
    try:
        number = float(value)
    except ValueError:
        return value or None
    return str(int(number)) if number.is_integer() else str(number)


@dataclass
class ConsistencyReport:
    groups: int  # groups of near-identical prompts with a new member
    conflicting: int  # examples given a conflicting-answer issue
    divergent: int


def check_consistency(
    store: GraphStore,
    index_dir: Path,
    *,
    threshold: float = 0.85,
    progress: Callable[[str, int, int], None] | None = None,
) -> ConsistencyReport:
    config = DedupConfig(threshold=threshold)
    hasher = MinHasher(num_perm=config.num_perm, shingle=config.shingle)
    path = index_dir / f"prompts-{config.tag()}.npz"
    index, new_mask, texts = signed_index(store, path, hasher, prompt_text, progress)
    pairs, _candidates, _exact = verified_pairs(store, index, new_mask, texts, config, prompt_text, progress)
    g = nx.Graph()
    g.add_edges_from((index.ids[a], index.ids[b]) for a, b in pairs)
    groups = [sorted(c) for c in nx.connected_components(g)]
    members = sorted({m for c in groups for m in c})
    answers = {r.id: answer_text(r.messages) for r in store.example_messages(ids=members)}
    findings: dict[str, list[Finding]] = {}
    for group in groups:
        finals = {m: final_number(answers.get(m, "")) for m in group}
        numbers = {v for v in finals.values() if v is not None}
        for m in group:
            others = [o for o in group if o != m]
            if len(numbers) > 1 and finals[m] is not None:
                differing = [o for o in others if finals[o] not in (None, finals[m])]
                if differing:
                    findings.setdefault(m, []).append(
                        Finding(
                            "conflicting-answer",
                            "error",
                            f"answers {finals[m]} where {len(differing)} near-identical prompt(s) answer "
                            f"{', '.join(sorted({str(finals[o]) for o in differing}))}, e.g. example {differing[0]}",
                            "last reply",
                        )
                    )
                    continue
            mine = shingles(answers.get(m, ""), 5)
            if others and all(jaccard(mine, shingles(answers.get(o, ""), 5)) < 0.2 for o in others):
                findings.setdefault(m, []).append(
                    Finding(
                        "divergent-answer",
                        "info",
                        f"a near-identical prompt is answered quite differently in example {others[0]}",
                        "last reply",
                    )
                )
    _write(store, members, findings)
    index.save(path)
    return ConsistencyReport(
        groups=len(groups),
        conflicting=sum(any(f.kind == "conflicting-answer" for f in fs) for fs in findings.values()),
        divergent=sum(any(f.kind == "divergent-answer" for f in fs) for fs in findings.values()),
    )


def _write(store: GraphStore, members: list[str], findings: dict[str, list[Finding]]) -> None:
    """Replace the consistency issues of every example in a group that was looked at."""
    stale = [r.issue for r in store.issues_of(ids=members, checkers=[NAME])] if members else []
    issues: list[dict[str, Any]] = []
    edges = []
    for ident, fs in sorted(findings.items()):
        for f in fs:
            qid = issue_id(NAME, ident, f)
            issues.append(
                {
                    "id": qid,
                    "checker": NAME,
                    "checker_version": VERSION,
                    "factor": "consistency",
                    "kind": f.kind,
                    "severity": f.severity,
                    "message": f.message,
                    "span": f.span,
                }
            )
            edges.append({"src": ident, "dst": qid})
    store.write(
        batch=WriteBatch(
            node_deletions=[NodeDeletion("QualityIssue", stale)] if stale else [],
            nodes=[NodeGroup("QualityIssue", issues)],
            relationships=[RelGroup("HAS_ISSUE", "Example", "QualityIssue", edges)],
        )
    )
