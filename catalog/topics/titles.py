"""Titles for proposed topics from the model annotator, when one is configured: the model reads a
proposal's exemplars and distinctive words and answers `{"title": ..., "description": ...}`. A reply
that is not that JSON, or a title over `MAX_TITLE` characters, gets one retry, then the proposal
keeps no title (a person names it at `topics accept`). The title is a suggestion: nothing is
accepted from it."""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from typing import Any

from catalog.topics.discover import Discovery

log = logging.getLogger(__name__)

PROMPT_VERSION = "title-1"
MAX_TITLE = 60
SYSTEM = (
    "Name the topic these fine-tuning examples share. Answer only JSON: "
    '{"title": "<at most five words>", "description": "<one sentence: what the topic covers>"}.'
)
_FENCE = re.compile(r"```(?:json)?\s*(.*?)```", re.S)


@dataclass
class TitleReport:
    asked: int = 0
    titled: int = 0
    failed: int = 0
    calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0


def _check(text: str) -> tuple[str, str]:
    m = _FENCE.search(text)
    data = json.loads((m.group(1) if m else text).strip())
    title, description = str(data.get("title") or "").strip(), str(data.get("description") or "").strip()
    if not title or len(title) > MAX_TITLE:
        raise ValueError(f"a title of 1 to {MAX_TITLE} characters, not {title!r}")
    return title, description


def title_proposals(found: Discovery, client: Any, *, top: int = 20) -> TitleReport:
    """Ask the model for a title of each of the `top` largest proposals (in place)."""
    report = TitleReport()
    for p in found.proposals[:top]:
        report.asked += 1
        shown = "\n".join(f"- {e['preview'][:300]}" for e in p.exemplars)
        words = "; ".join(f"{lang}: {', '.join(w)}" for lang, w in p.terms.items())
        messages = [
            {"role": "system", "content": SYSTEM},
            {"role": "user", "content": f"Examples:\n{shown}\n\nDistinctive words: {words}"},
        ]
        for attempt in range(2):
            reply = client.chat(messages, max_tokens=120)
            report.calls += 1
            report.prompt_tokens += reply.prompt_tokens
            report.completion_tokens += reply.completion_tokens
            try:
                if reply.truncated:
                    raise ValueError("the reply was cut off")
                p.title, p.description = _check(reply.text)
                p.title_by = f"{client.model}@{PROMPT_VERSION}"
                report.titled += 1
                break
            except (ValueError, json.JSONDecodeError, AttributeError) as exc:
                log.info("proposal %s: title reply refused (%s), attempt %d", p.id, exc, attempt + 1)
                messages = [*messages, {"role": "assistant", "content": reply.text},
                            {"role": "user", "content": f"That was not valid: {exc}. Answer only the JSON."}]  # fmt: skip
        else:
            report.failed += 1
    return report
