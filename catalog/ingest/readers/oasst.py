"""OpenAssistant message trees (the native export: one tree per line)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from catalog.ingest.canonical import Candidate, RecordError
from catalog.ingest.readers.base import Reader

log = logging.getLogger(__name__)

_ROLES = {"prompter": "user", "assistant": "assistant"}


class OasstTreeReader(Reader):
    """One example per assistant reply: the path from the root prompt to that reply.

    Every root-to-leaf path that ends in a reply is one of these examples; the shorter ones are the
    branch points. Each example DERIVED_FROM (method 'continuation') the example that ends at the
    previous reply on its path, so the tree's structure stays in the graph. A prompter message
    nobody answered is part of no example.
    """

    name = "oasst"
    description = "OpenAssistant trees: {message_tree_id, prompt: {message_id, role, text, replies: [...]}}"

    @classmethod
    def matches(cls, record: Mapping[str, Any]) -> bool:
        return "message_tree_id" in record and isinstance(record.get("prompt"), dict)

    def read_object(self, record: dict[str, Any]) -> list[Candidate]:
        root = record.get("prompt")
        if not isinstance(root, dict):
            raise RecordError("field 'prompt' must be a message object")
        tree_id = record.get("message_tree_id")
        out: list[Candidate] = []
        # (message, path of (canonical message, source message), message_id of the previous reply)
        stack: list[tuple[dict[str, Any], list[tuple[dict[str, Any], dict[str, Any]]], str | None]] = [
            (root, [], None)
        ]
        while stack:
            node, path, prev_reply = stack.pop()
            if not isinstance(node, dict):
                raise RecordError("a reply is not a message object")
            role = _ROLES.get(node.get("role"))  # type: ignore[arg-type]
            if role is None:
                raise RecordError(f"unknown role {node.get('role')!r} in message {node.get('message_id')}")
            text = node.get("text")
            if not isinstance(text, str):
                raise RecordError(f"message {node.get('message_id')} has no text")
            mid = node.get("message_id")
            if not isinstance(mid, str):
                raise RecordError("a message has no message_id")
            here = [*path, ({"role": role, "content": text}, node)]
            if role == "assistant":
                out.append(self._example(tree_id, here, prev_reply))
                prev_reply_here: str | None = mid
            else:
                prev_reply_here = prev_reply
            replies = node.get("replies") or []
            if not isinstance(replies, list):
                raise RecordError(f"message {mid} has replies that are not a list")
            for reply in reversed(replies):
                stack.append((reply, here, prev_reply_here))
        if not out:
            raise RecordError("the tree has no assistant reply")
        return out

    @staticmethod
    def _example(
        tree_id: Any, path: list[tuple[dict[str, Any], dict[str, Any]]], parent: str | None
    ) -> Candidate:
        last = path[-1][1]
        sources = [src for _, src in path]
        models = tuple(
            sorted({s["model_name"] for s in sources if s.get("synthetic") and s.get("model_name")})
        )
        meta: dict[str, Any] = {"message_tree_id": tree_id, "lang": last.get("lang")}
        if last.get("rank") is not None:
            meta["rank"] = last.get("rank")
        if any(s.get("deleted") for s in sources):
            meta["deleted"] = True
        if any(s.get("review_result") is False for s in sources):
            meta["review_failed"] = True
        if models:
            meta["synthetic_models"] = list(models)
        return Candidate(
            [m for m, _ in path],
            record_key=last["message_id"],
            metadata=meta,
            parent_key=parent,
            derivation="continuation" if parent else None,
            models=models,
        )
