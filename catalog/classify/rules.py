"""What an example is: its formats (from structure), task and topics (from cues), deterministic.

Pure functions over an example's stored properties; `catalog.classify.run` applies them to a catalog.
The task classifier scores each task by the cue phrases found in the first user message, counting a
cue twice near the start (where the instruction's verb usually is), plus a few structural signals
(tool schemas, code in the answer, a question mark, a short conversational turn). It works the
same in English, Korean and Chinese because the cues come from the ontology in all three.
"""

from __future__ import annotations

import logging
import re
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import orjson

from catalog.classify.cues import CueMatcher, Hit
from catalog.errors import OntologyError
from catalog.schema import Concept, Schema

log = logging.getLogger(__name__)

#: formats this module decides; each must be a concept of the ontology's format scheme
SINGLE_TURN, MULTI_TURN, CHAIN_OF_THOUGHT, TOOL_USE = (
    "single-turn",
    "multi-turn",
    "chain-of-thought",
    "tool-use",
)
#: tasks with a structural rule
TOOL_TASK, CALL_TASK, RELEVANCE_TASK = "tool-use", "function-calling", "tool-relevance"
CODING_TASK, CODE_GENERATION = "coding", "code-generation"
QUESTION_TASK, CHAT_TASK = "open-qa", "chat"

CHAT_CHARS = 60  # a prompt and a reply both this short, with no instruction: small talk
HEAD_CHARS = 60  # a cue this close to the start of the prompt counts twice
TOPIC_THRESHOLD = 3.0
MAX_TOPICS = 3
RISK_CHARS = 400  # the request is at the start of a user turn, a quoted passage after it
_QUESTION_ENDINGS = ("?", "？", "까", "나요", "니", "냐", "吗", "呢")
_THINK_TAGS = ("<think>", "<reasoning>")


#: how an assignment was made, with the method's version (on every edge as method, method_version)
STRUCTURE, RULES = "structure", "rules"
STRUCTURE_VERSION, RULES_VERSION = "structure-1", "rules-2"


@dataclass(frozen=True)
class Assignment:
    concept: str
    confidence: float
    method: str  # STRUCTURE or RULES here; "learned", "manifest", "human" elsewhere
    version: str = ""


@dataclass(frozen=True)
class TaskEvidence:
    scores: dict[str, float]  # top-level task -> the rules' score (only tasks with evidence)
    narrow: dict[str, float]  # narrower task -> score
    features: dict[str, float]  # the same evidence by name, for a learned weighting


def formats_of(example: dict[str, Any], messages: list[dict[str, Any]]) -> list[Assignment]:
    turns = MULTI_TURN if (example.get("n_user_turns") or 0) > 1 else SINGLE_TURN
    out = [Assignment(turns, 1.0, STRUCTURE, STRUCTURE_VERSION)]
    thinks = any(
        m.get("role") == "assistant" and any(t in (m.get("content") or "") for t in _THINK_TAGS)
        for m in messages
    )
    if example.get("has_reasoning") or thinks:
        out.append(Assignment(CHAIN_OF_THOUGHT, 1.0, STRUCTURE, STRUCTURE_VERSION))
    if example.get("has_tool_calls") or example.get("tools"):
        out.append(Assignment(TOOL_USE, 1.0, STRUCTURE, STRUCTURE_VERSION))
    return out


def _top(concepts: dict[str, Concept], concept_id: str) -> str:
    while concepts[concept_id].broader:
        concept_id = concepts[concept_id].broader  # type: ignore[assignment]
    return concept_id


class Classifier:
    def __init__(self, schema: Schema) -> None:
        for fmt in (SINGLE_TURN, MULTI_TURN, CHAIN_OF_THOUGHT, TOOL_USE):
            if fmt not in schema.formats:
                raise OntologyError(f"the format scheme has no {fmt!r} concept; the classifier needs it")
        for task in (
            TOOL_TASK,
            CALL_TASK,
            RELEVANCE_TASK,
            CODING_TASK,
            CODE_GENERATION,
            QUESTION_TASK,
            CHAT_TASK,
        ):
            if task not in schema.tasks:
                raise OntologyError(f"the task scheme has no {task!r} concept; the classifier needs it")
        self.tasks = dict(schema.tasks)
        self.topics = dict(schema.topics)
        self.risks = dict(schema.risks)
        self._task_cues = CueMatcher(self.tasks)
        self._topic_cues = CueMatcher(self.topics)
        # a "reviewed, no risk" concept is a person's verdict: it has no cues
        self._risk_cues = CueMatcher({k: v for k, v in self.risks.items() if not v.clears_risk})

    @staticmethod
    def _instructed(scores: Mapping[str, float]) -> bool:
        """Did the prompt name a task other than asking a question?"""
        return any(t != QUESTION_TASK and s > 0 for t, s in scores.items())

    def top_task(self, task_id: str) -> str:
        return _top(self.tasks, task_id)

    # ------------------------------------------------------------------ tasks

    def _evidence(self, hits: list[Hit], code: bool) -> list[Hit]:
        """The hits that count: every plain cue, and a support cue only where its concept (or the
        task family it belongs to) has other evidence: a plain cue, or code for a coding task."""
        backed = {self.top_task(h.concept) for h in hits if not h.support}
        if code:
            backed.add(CODING_TASK)
        return [h for h in hits if not h.support or self.top_task(h.concept) in backed]

    def task_evidence(self, example: dict[str, Any], messages: list[dict[str, Any]]) -> TaskEvidence:
        """What the prompt says about its task: the rules' scores per top-level task, the narrower
        tasks' scores, and the same evidence as named features (which cue, near the start or not,
        and the structural signals) for a model that learns the cues' weights from gold labels."""
        prompt = next((m.get("content") or "" for m in messages if m.get("role") == "user"), "")
        answer = next((m.get("content") or "" for m in messages if m.get("role") == "assistant"), "")
        code = looks_like_code(answer) or looks_like_code(prompt)
        scores: defaultdict[str, float] = defaultdict(float)
        narrow: defaultdict[str, float] = defaultdict(float)
        features: defaultdict[str, float] = defaultdict(float)
        for hit in self._evidence(self._task_cues.hits(prompt), code):
            head = hit.position < HEAD_CHARS
            weight = 2.0 if head else 1.0
            top = self.top_task(hit.concept)
            scores[top] += weight
            features[f"{top}@{'head' if head else 'body'}"] += 1.0
            features[f"cue={hit.cue}>{top}"] = 1.0
            if top != hit.concept:
                narrow[hit.concept] += weight
        stripped = prompt.strip()
        signals = {
            "code": code,
            "reasoning-with-digits": bool(example.get("has_reasoning"))
            and any(ch.isdigit() for ch in prompt),
            "ends-as-a-question": stripped.endswith(_QUESTION_ENDINGS),
            "multi-turn": (example.get("n_user_turns") or 0) > 1,
        }
        if code:
            scores[CODING_TASK] += 2.5
        if signals["reasoning-with-digits"]:
            scores["math-reasoning"] += 1.0
        if signals["ends-as-a-question"]:
            scores[QUESTION_TASK] += 1.0
        short = len(stripped) <= CHAT_CHARS and len(answer.strip()) <= CHAT_CHARS
        if short and not self._instructed(scores):
            scores[CHAT_TASK] += 2.0  # a short exchange with no instruction in it: conversation
            signals["short-exchange"] = True
        features.update({f"signal={k}": 1.0 for k, on in signals.items() if on})
        kept = {t: v for t, v in scores.items() if v > 0}
        if kept:  # the rules' own verdict, as a prior the learned weights can overrule
            features[f"rules-best={_ranked(kept)[0][0]}"] = 1.0
            features.update({f"score>{t}": v for t, v in kept.items()})
        return TaskEvidence(scores=kept, narrow=dict(narrow), features=dict(features))

    def task_of(self, example: dict[str, Any], messages: list[dict[str, Any]]) -> Assignment | None:
        """The example's task, or None when nothing in it says (an unlabelled example)."""
        if (by_structure := self.task_by_structure(example)) is not None:
            return by_structure
        evidence = self.task_evidence(example, messages)
        scores = evidence.scores
        if not scores:
            return None  # no evidence: unlabelled, not a guess
        ranked = _ranked(scores)
        best, top_score = ranked[0]
        total = sum(scores.values())
        confidence = round(top_score / (total + 1.0), 3)
        if best == CODING_TASK:
            return Assignment(self.coding_subtask(evidence), confidence, RULES, RULES_VERSION)
        return Assignment(best, confidence, RULES, RULES_VERSION)

    @staticmethod
    def task_by_structure(example: dict[str, Any]) -> Assignment | None:
        """Tool calls and tool schemas decide the task before any cue."""
        if example.get("has_tool_calls"):
            return Assignment(CALL_TASK, 1.0, STRUCTURE, STRUCTURE_VERSION)
        if example.get("tools"):
            return Assignment(RELEVANCE_TASK, 1.0, STRUCTURE, STRUCTURE_VERSION)
        return None

    def coding_subtask(self, evidence: TaskEvidence) -> str:
        """The narrower coding task the cues name most, else code generation."""
        sub = [(t, v) for t, v in _ranked(evidence.narrow) if self.top_task(t) == CODING_TASK]
        return sub[0][0] if sub else CODE_GENERATION

    # ------------------------------------------------------------------ topics

    def _ancestors(self, topic: str) -> list[str]:
        out = []
        parent = self.topics[topic].broader
        while parent:
            out.append(parent)
            parent = self.topics[parent].broader
        return out

    def topics_of(self, messages: list[dict[str, Any]]) -> list[Assignment]:
        """Up to MAX_TOPICS topics, each from at least two pieces of evidence: distinct cues, or one
        cue in the prompt and again in the reply. An ambiguous cue (a support cue) counts only when
        the topic, its parent or a child has a plain cue too."""
        found: dict[tuple[str, str], float] = {}  # (topic, cue) -> summed weight of its places
        support: set[tuple[str, str]] = set()
        for m in messages[:4]:
            weight = 2.0 if m.get("role") == "user" else 1.0
            for hit in self._topic_cues.hits((m.get("content") or "")[:1500]):
                key = (hit.concept, hit.cue)
                found[key] = found.get(key, 0.0) + weight
                if hit.support:
                    support.add(key)
        plain = {t for (t, cue) in found if (t, cue) not in support}
        family = {t for p in plain for t in (p, *self._ancestors(p))}
        scores: defaultdict[str, float] = defaultdict(float)
        for (topic, cue), weight in found.items():
            if (topic, cue) in support and not ({topic, *self._ancestors(topic)} & family):
                continue
            scores[topic] += min(weight, 3.0)
        passing = {t: v for t, v in scores.items() if v >= TOPIC_THRESHOLD}
        # a topic whose narrower topic also passes is implied by it (coverage rolls up the hierarchy)
        implied = {a for t in passing for a in self._ancestors(t)}
        kept = sorted(((v, t) for t, v in passing.items() if t not in implied), reverse=True)[:MAX_TOPICS]
        return [Assignment(t, round(min(1.0, v / 6.0), 3), RULES, RULES_VERSION) for v, t in kept]

    # ------------------------------------------------------------------ safety

    def risks_of(self, messages: list[dict[str, Any]]) -> list[Assignment]:
        """The kinds of harm the user turns ask for: a risk needs one plain cue in a user turn (a
        support cue, such as "gun" or "address", only next to a plain cue of any risk)."""
        hits = [
            h
            for m in messages
            if m.get("role") == "user"
            for h in self._risk_cues.hits((m.get("content") or "")[:RISK_CHARS])
        ]
        plain = [h for h in hits if not h.support]
        if not plain:
            return []
        scores: defaultdict[str, set[str]] = defaultdict(set)
        for h in hits:
            scores[h.concept].add(h.cue)
        strong = {h.concept for h in plain}
        ranked = sorted(((len(c), r) for r, c in scores.items() if r in strong), reverse=True)
        return [
            Assignment(r, round(min(1.0, 0.5 + 0.2 * n), 3), RULES, RULES_VERSION)
            for n, r in ranked[:MAX_TOPICS]
        ]


def _ranked(scores: Mapping[str, float]) -> list[tuple[str, float]]:
    """Highest score first; ties keep the order the cues were found in."""
    return sorted(scores.items(), key=lambda kv: -kv[1])


_CODE_MARKS = re.compile(
    r"```|^\s*(def|class|import|return|public|function|SELECT|for|if|while|#include)\b|[;{}]\s*$|</?\w+>|\w+\([^()]*\)\s*[;:]?\s*$",
    re.MULTILINE,
)


def looks_like_code(text: str) -> bool:
    """At least two lines that read as source code (statements, braces, tags, calls, fences)."""
    return len(_CODE_MARKS.findall(text[:4000])) >= 2


def parse_messages(example: dict[str, Any]) -> list[dict[str, Any]]:
    raw = example.get("messages")
    if not raw:
        return []
    value = orjson.loads(raw)
    return value if isinstance(value, list) else []
