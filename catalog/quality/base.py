"""What every quality check shares: the example as checks see it, a finding, the check contract.

A check has a name, a version and the quality factor it serves (format, uniqueness, consistency,
compliance, relevance). Per-example checks look at one example at a time; catalog checks (near-
duplicates, conflicting answers, license policy) look across examples. Every finding becomes a
QualityIssue node with the check's name and version, a severity, a message and, where it applies,
the span: `message 2` or `message 2 chars 10-25`.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

import orjson

log = logging.getLogger(__name__)

Severity = Literal["info", "warning", "error"]
SEVERITIES: tuple[Severity, ...] = ("info", "warning", "error")
Factor = Literal["format", "uniqueness", "consistency", "compliance", "relevance"]


@dataclass(frozen=True)
class Finding:
    kind: str  # what exactly: "email", "role-order", "invalid-tool-arguments", ...
    severity: Severity
    message: str  # never a personal value in full
    span: str | None = None


@dataclass
class ExampleView:
    id: str
    messages: list[dict[str, Any]]
    tools: list[Any] = field(default_factory=list)
    language: str | None = None
    has_reasoning: bool = False

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> ExampleView:
        messages = orjson.loads(row["messages"]) if row.get("messages") else []
        tools = orjson.loads(row["tools"]) if row.get("tools") else []
        return cls(
            id=row["id"],
            messages=messages,
            tools=tools if isinstance(tools, list) else [],
            language=row.get("language"),
            has_reasoning=bool(row.get("has_reasoning")),
        )

    def texts(self) -> list[tuple[int, str, str]]:
        """(message index, part, text) for every piece of text: content, reasoning, tool arguments."""
        out = []
        for i, m in enumerate(self.messages):
            out.append((i, "content", m.get("content") or ""))
            if m.get("reasoning"):
                out.append((i, "reasoning", m["reasoning"]))
            for call in m.get("tool_calls") or []:
                args = call.get("arguments")
                out.append(
                    (i, "tool arguments", args if isinstance(args, str) else orjson.dumps(args).decode())
                )
        return out

    def prompt(self) -> str:
        return "\n".join(m.get("content") or "" for m in self.messages if m.get("role") in ("system", "user"))

    def answer(self) -> str:
        """The last assistant reply (content, else its reasoning)."""
        for m in reversed(self.messages):
            if m.get("role") == "assistant":
                return m.get("content") or m.get("reasoning") or ""
        return ""


class ExampleCheck(Protocol):
    name: str
    version: str
    factor: Factor

    def check(self, example: ExampleView) -> list[Finding]: ...


def issue_id(check: str, example: str, finding: Finding) -> str:
    """Deterministic: the same finding on a re-run is the same node."""
    digest = hashlib.sha256(f"{finding.kind}|{finding.span}|{finding.message}".encode()).hexdigest()[:12]
    return f"{check}:{example}:{digest}"
