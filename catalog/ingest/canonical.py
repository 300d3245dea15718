"""The canonical example and its content-hash id.

A canonical example is a list of messages, each `{role, content}` plus, when present, `tool_calls`
(`[{name, arguments}]`), `tool_call_id`, `name` and `reasoning`; and the tool schemas offered. Its
id is the sha256 of that canonical form serialised with sorted keys, so the same content read
from any file, in any format, gets the same id, and re-ingesting is idempotent.
Metadata (labels, source ids, flags) is not part of the id.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from typing import Any

import orjson

from catalog.model import ROLES

log = logging.getLogger(__name__)

ID_HEX_CHARS = 32
PREVIEW_CHARS = 200
_DUMP = orjson.OPT_SORT_KEYS


class RecordError(ValueError):
    """A record that cannot become an example; the message is the quarantine reason."""


@dataclass(slots=True)
class Candidate:
    """What a reader makes of a record, before canonicalisation."""

    messages: list[dict[str, Any]]
    tools: list[Any] | None = None
    record_key: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    #: record_key of the example this one continues or derives from, in the same file
    parent_key: str | None = None
    derivation: str | None = None
    #: models named by the record itself (e.g. an OASST message flagged synthetic)
    models: tuple[str, ...] = ()


@dataclass(slots=True)
class CanonicalExample:
    id: str
    messages_json: str
    tools_json: str | None
    props: dict[str, Any]
    candidate: Candidate


def text_field(record: dict[str, Any], key: str, *, required: bool = True) -> str:
    value = record.get(key)
    if value is None:
        if required:
            raise RecordError(f"missing field '{key}'")
        return ""
    if not isinstance(value, str):
        raise RecordError(f"field '{key}' must be a string, got {type(value).__name__}")
    return value


def tool_call(name: Any, arguments: Any, call_id: Any = None) -> dict[str, Any]:
    if not isinstance(name, str) or not name:
        raise RecordError("a tool call has no function name")
    if isinstance(arguments, str):
        try:
            parsed = orjson.loads(arguments) if arguments.strip() else {}
            if isinstance(parsed, dict):
                arguments = parsed
        except orjson.JSONDecodeError:
            pass  # kept as text: invalid JSON arguments are a quality finding, not a reason to drop
    elif arguments is None:
        arguments = {}
    elif not isinstance(arguments, dict):
        raise RecordError(
            f"tool call arguments must be an object or a JSON string, got {type(arguments).__name__}"
        )
    call: dict[str, Any] = {"name": name, "arguments": arguments}
    if isinstance(call_id, str) and call_id:
        call["id"] = call_id
    return call


def _clean_message(msg: dict[str, Any], position: int) -> dict[str, Any]:
    role = msg.get("role")
    if role not in ROLES:
        raise RecordError(f"unknown role {role!r} at message {position}; expected one of {', '.join(ROLES)}")
    content = msg.get("content")
    if content is None:
        content = ""
    if not isinstance(content, str):
        raise RecordError(f"message {position} content must be a string, got {type(content).__name__}")
    out: dict[str, Any] = {"role": role, "content": content}
    for key in ("tool_calls", "tool_call_id", "name", "reasoning"):
        value = msg.get(key)
        if value not in (None, "", []):
            out[key] = value
    if role == "assistant" and not content.strip() and not out.get("tool_calls"):
        raise RecordError(f"empty assistant response at message {position}")
    return out


def canonicalize(candidate: Candidate, *, usage_role: str = "supply") -> CanonicalExample:
    """Validate a candidate and compute its id and graph properties. Raises RecordError."""
    if not candidate.messages:
        raise RecordError("empty conversation: no messages")
    messages = [_clean_message(m, i) for i, m in enumerate(candidate.messages)]
    users = [m for m in messages if m["role"] == "user"]
    if not users or not any(m["content"].strip() for m in users):
        raise RecordError("no user message with text")
    tools = candidate.tools or None
    messages_bytes = orjson.dumps(messages, option=_DUMP)
    tools_bytes = orjson.dumps(tools, option=_DUMP) if tools else b""
    digest = hashlib.sha256(messages_bytes + b"\x1e" + tools_bytes).hexdigest()[:ID_HEX_CHARS]
    n_chars = 0
    has_tool_calls = False
    has_reasoning = False
    for m in messages:
        n_chars += len(m["content"])
        if "reasoning" in m:
            has_reasoning = True
            n_chars += len(m["reasoning"])
        if "tool_calls" in m:
            has_tool_calls = True
    first_user = next(m["content"] for m in users if m["content"].strip())
    messages_json = messages_bytes.decode()
    tools_json = tools_bytes.decode() if tools else None
    props: dict[str, Any] = {
        "id": digest,
        "messages": messages_json,
        "tools": tools_json,
        "n_messages": len(messages),
        "n_user_turns": len(users),
        "n_chars": n_chars,
        "has_tool_calls": has_tool_calls,
        "has_reasoning": has_reasoning,
        "prompt_preview": first_user.strip()[:PREVIEW_CHARS],
        "record_key": candidate.record_key,
        "metadata": orjson.dumps(candidate.metadata, option=_DUMP).decode() if candidate.metadata else None,
        "usage_role": usage_role,
    }
    return CanonicalExample(digest, messages_json, tools_json, props, candidate)
