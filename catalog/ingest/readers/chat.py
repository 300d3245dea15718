"""Conversation formats: ShareGPT, glaive-style function calling (ShareGPT with tool schemas), OpenAI chat messages."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import orjson

from catalog.ingest.canonical import Candidate, RecordError, tool_call
from catalog.ingest.readers.base import Reader, rest

log = logging.getLogger(__name__)

SHAREGPT_ROLES = {
    "human": "user",
    "user": "user",
    "gpt": "assistant",
    "assistant": "assistant",
    "chatgpt": "assistant",
    "bard": "assistant",
    "bing": "assistant",
    "model": "assistant",
    "system": "system",
    "observation": "tool",
    "tool": "tool",
    "function": "tool",
    "function_response": "tool",
}


def parse_tools(value: Any) -> list[Any] | None:
    """Tool schemas given as a list or as a JSON string of a list."""
    if value in (None, "", "[]"):
        return None
    if isinstance(value, str):
        try:
            value = orjson.loads(value)
        except orjson.JSONDecodeError as exc:
            raise RecordError(f"field 'tools' is not valid JSON: {exc}") from None
    if not isinstance(value, list):
        raise RecordError(f"field 'tools' must be a list of tool schemas, got {type(value).__name__}")
    return value or None


def _function_call(value: Any, position: int) -> dict[str, Any]:
    if isinstance(value, str):
        try:
            value = orjson.loads(value)
        except orjson.JSONDecodeError:
            raise RecordError(f"function_call at message {position} is not valid JSON") from None
    if not isinstance(value, dict):
        raise RecordError(f"function_call at message {position} must be an object with a name")
    return tool_call(value.get("name"), value.get("arguments"))


class ShareGptReader(Reader):
    name = "sharegpt"
    description = "ShareGPT: {conversations: [{from, value}]}, optional system"

    @classmethod
    def matches(cls, record: Mapping[str, Any]) -> bool:
        conv = record.get("conversations")
        return isinstance(conv, list) and "tools" not in record

    def read_object(self, record: dict[str, Any]) -> list[Candidate]:
        conv = record.get("conversations")
        if not isinstance(conv, list):
            raise RecordError("field 'conversations' must be a list")
        if not conv:
            raise RecordError("empty conversation: no messages")
        messages: list[dict[str, Any]] = []
        system = record.get("system")
        if isinstance(system, str) and system.strip():
            messages.append({"role": "system", "content": system})
        for i, turn in enumerate(conv):
            if not isinstance(turn, dict):
                raise RecordError(f"message {i} must be an object with 'from' and 'value'")
            who = turn.get("from", turn.get("role"))
            value = turn.get("value", turn.get("content"))
            if who == "function_call":
                messages.append(
                    {"role": "assistant", "content": "", "tool_calls": [_function_call(value, i)]}
                )
                continue
            if who not in SHAREGPT_ROLES:
                raise RecordError(f"unknown role {who!r} at message {i}")
            if not isinstance(value, str):
                raise RecordError(f"message {i} value must be a string, got {type(value).__name__}")
            messages.append({"role": SHAREGPT_ROLES[who], "content": value})
        tools = parse_tools(record.get("tools"))
        return [Candidate(messages, tools=tools, metadata=rest(record, {"conversations", "system", "tools"}))]


class GlaiveReader(ShareGptReader):
    name = "glaive"
    description = (
        "glaive-style function calling: ShareGPT turns incl. function_call/observation, and 'tools' schemas"
    )

    @classmethod
    def matches(cls, record: Mapping[str, Any]) -> bool:
        return isinstance(record.get("conversations"), list) and "tools" in record


class OpenAiChatReader(Reader):
    name = "openai"
    description = "OpenAI chat: {messages: [{role, content, tool_calls, tool_call_id}], tools}"

    @classmethod
    def matches(cls, record: Mapping[str, Any]) -> bool:
        msgs = record.get("messages")
        return isinstance(msgs, list) and all(isinstance(m, dict) and "role" in m for m in msgs[:3])

    def read_object(self, record: dict[str, Any]) -> list[Candidate]:
        raw = record.get("messages")
        if not isinstance(raw, list):
            raise RecordError("field 'messages' must be a list")
        if not raw:
            raise RecordError("empty conversation: no messages")
        messages = []
        for i, m in enumerate(raw):
            if not isinstance(m, dict):
                raise RecordError(f"message {i} must be an object")
            role = m.get("role")
            if role == "function":
                role = "tool"
            content = m.get("content")
            if isinstance(content, list):  # content parts: keep the text parts
                content = "".join(p.get("text", "") for p in content if isinstance(p, dict))
            msg: dict[str, Any] = {"role": role, "content": content}
            calls = m.get("tool_calls")
            if calls:
                if not isinstance(calls, list):
                    raise RecordError(f"message {i} tool_calls must be a list")
                out = []
                for c in calls:
                    if not isinstance(c, dict):
                        raise RecordError(f"message {i} has a tool call that is not an object")
                    fn = c.get("function", c)
                    if not isinstance(fn, dict):
                        raise RecordError(f"message {i} has a tool call without a function object")
                    out.append(tool_call(fn.get("name"), fn.get("arguments"), c.get("id")))
                msg["tool_calls"] = out
            elif isinstance(m.get("function_call"), dict):
                fc = m["function_call"]
                msg["tool_calls"] = [tool_call(fc.get("name"), fc.get("arguments"))]
            for key in ("tool_call_id", "name", "reasoning", "reasoning_content"):
                if isinstance(m.get(key), str) and m[key]:
                    msg["reasoning" if key == "reasoning_content" else key] = m[key]
            messages.append(msg)
        tools = parse_tools(record.get("tools"))
        if tools:
            tools = [t.get("function", t) if isinstance(t, dict) else t for t in tools]
        return [Candidate(messages, tools=tools, metadata=rest(record, {"messages", "tools"}))]
