"""Per-example checks: correctly formatted, compliant (personal data and secrets), relevant (refusal
boilerplate, length bounds)."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any

import orjson

from catalog.quality.base import ExampleView, Factor, Finding, Severity
from catalog.quality.pii import find_pii

log = logging.getLogger(__name__)

# ---------------------------------------------------------------------- format


def _schema_of(tool: Any) -> tuple[str | None, dict[str, Any] | None]:
    """(name, JSON-schema parameters) of a tool in OpenAI ({type, function: {...}}) or bare form."""
    if not isinstance(tool, dict):
        return None, None
    fn: dict[str, Any] = tool["function"] if isinstance(tool.get("function"), dict) else tool
    params = fn.get("parameters")
    return fn.get("name"), params if isinstance(params, dict) else None


_JSON_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "array": (list,),
    "object": (dict,),
    "null": (type(None),),
    # dialects seen in real tool sets (BFCL, Gorilla): Python type names
    "dict": (dict,),
    "list": (list,),
    "float": (int, float),
    "tuple": (list,),
    "any": (object,),
}


def schema_errors(args: dict[str, Any], schema: dict[str, Any]) -> list[str]:
    """Where the arguments break the declared parameters: missing required keys, unknown keys when
    the schema forbids them, wrong JSON types, values outside an enum. Nested schemas are not walked."""
    errors = []
    props: dict[str, Any] = schema["properties"] if isinstance(schema.get("properties"), dict) else {}
    for key in schema.get("required") or []:
        if key not in args:
            errors.append(f"missing required argument '{key}'")
    if schema.get("additionalProperties") is False:
        errors += [f"unknown argument '{k}'" for k in args if k not in props]
    for key, value in args.items():
        spec = props.get(key)
        if not isinstance(spec, dict):
            continue
        kinds = spec.get("type")
        names = [kinds] if isinstance(kinds, str) else list(kinds or [])
        allowed = tuple(t for n in names for t in _JSON_TYPES.get(str(n), (object,)))
        if allowed and not isinstance(value, allowed):
            errors.append(
                f"argument '{key}' should be {'/'.join(map(str, names))}, got {type(value).__name__}"
            )
        elif isinstance(value, bool) and bool not in allowed and int in allowed:
            errors.append(f"argument '{key}' should be {'/'.join(map(str, names))}, got bool")
        if isinstance(spec.get("enum"), list) and value not in spec["enum"]:
            errors.append(f"argument '{key}' is not one of the allowed values")
    return errors


_TRUNCATED_END = re.compile(
    r"(?:\b(?:and|or|the|a|an|of|to|with|for|in|that|is|are|but|because)|[,(:\-])\s*$", re.I
)
_FINAL_ANSWER = re.compile(r"(?:####|answer\s*(?:is|:)|therefore|thus|so\b|=\s*\S|\\boxed|\d)", re.I)


@dataclass
class FormatCheck:
    """Role order, empty turns, tool calls (valid JSON, declared tool, arguments fit the schema),
    chain-of-thought without a final answer, replies that stop mid-sentence."""

    name: str = "format"
    version: str = "1"
    factor: Factor = "format"

    def check(self, ex: ExampleView) -> list[Finding]:
        out: list[Finding] = []
        roles = [m.get("role") for m in ex.messages]
        dialogue = [r for r in roles if r in ("user", "assistant")]
        if roles and roles[0] not in ("system", "user"):
            out.append(
                Finding(
                    "role-order", "error", f"the conversation starts with a {roles[0]} message", "message 0"
                )
            )
        for i, r in enumerate(roles):
            if r == "system" and i > 0:
                out.append(
                    Finding("role-order", "warning", "a system message after the first turn", f"message {i}")
                )
        for (i, a), b in zip(enumerate(dialogue), dialogue[1:], strict=False):
            if a == b == "user":
                out.append(
                    Finding(
                        "role-order", "warning", "two user turns in a row without a reply", f"turn {i + 1}"
                    )
                )
        if dialogue and dialogue[-1] != "assistant" and roles[-1] != "tool":
            out.append(
                Finding(
                    "role-order",
                    "error",
                    "the conversation ends without an assistant reply",
                    f"message {len(roles) - 1}",
                )
            )
        for i, m in enumerate(ex.messages):
            if m.get("role") in ("user", "system") and not (m.get("content") or "").strip():
                out.append(Finding("empty-turn", "warning", f"empty {m.get('role')} message", f"message {i}"))
        out += self._tool_calls(ex)
        if ex.has_reasoning:
            answer = ex.answer()
            if not answer.strip() or not _FINAL_ANSWER.search(answer[-400:]):
                out.append(
                    Finding(
                        "no-final-answer", "warning", "a reasoning trace without a final answer", "last reply"
                    )
                )
        last = ex.answer().rstrip()
        if (
            last
            and len(last) > 200
            and _TRUNCATED_END.search(last)
            and not last.endswith(("```", ".", "!", "?"))
        ):
            out.append(Finding("truncated", "warning", "the reply stops mid-sentence", "last reply"))
        return out

    def _tool_calls(self, ex: ExampleView) -> list[Finding]:
        out = []
        declared = {n: s for n, s in (_schema_of(t) for t in ex.tools) if n}
        for i, m in enumerate(ex.messages):
            for call in m.get("tool_calls") or []:
                name, args = call.get("name"), call.get("arguments")
                where = f"message {i} call {name}"
                if isinstance(args, str):
                    try:
                        args = orjson.loads(args)
                    except orjson.JSONDecodeError:
                        out.append(
                            Finding(
                                "invalid-tool-arguments",
                                "error",
                                "tool-call arguments are not valid JSON",
                                where,
                            )
                        )
                        continue
                if declared and name not in declared:
                    out.append(
                        Finding(
                            "undeclared-tool",
                            "error",
                            f"calls '{name}', which the example does not offer",
                            where,
                        )
                    )
                    continue
                schema = declared.get(name)
                if schema and isinstance(args, dict):
                    for err in schema_errors(args, schema):
                        out.append(Finding("schema-mismatch", "error", err, where))
        return out


# ---------------------------------------------------------------------- compliance: personal data


@dataclass
class PersonalDataCheck:
    """E-mail, phone, payment card (Luhn), IBAN (mod 97), IP address, API keys and secrets, Korean
    resident registration numbers (checksum). Messages say which kind and where, never the value."""

    name: str = "personal-data"
    version: str = "1"
    factor: Factor = "compliance"
    severe = frozenset({"payment-card", "iban", "kr-rrn", "api-key", "secret"})

    def check(self, ex: ExampleView) -> list[Finding]:
        out = []
        for i, part, text in ex.texts():
            for m in find_pii(text):
                where = f"message {i}{'' if part == 'content' else ' ' + part} chars {m.start}-{m.end}"
                severity: Severity = "error" if m.kind in self.severe else "warning"
                out.append(Finding(m.kind, severity, f"{m.kind} ({m.masked})", where))
        return out


# ---------------------------------------------------------------------- relevance


_REFUSALS = re.compile(
    r"(?i)\b(?:as an ai(?: language)? model|as a language model|i(?:'m| am) (?:just )?an ai\b|"
    r"i (?:cannot|can't|am unable to|am not able to) (?:provide|assist|help|fulfill|comply)|"
    r"i'm sorry,? but i (?:cannot|can't)|my (?:training|knowledge) cut-?off)"
    r"|저는 ai|AI 언어 모델|作为一个?(?:AI|人工智能)(?:语言模型)?|我是一个?(?:AI|人工智能)"
)


@dataclass
class BoilerplateCheck:
    """Replies that are refusal or disclaimer boilerplate ("As an AI language model...")."""

    name: str = "boilerplate"
    version: str = "1"
    factor: Factor = "relevance"

    def check(self, ex: ExampleView) -> list[Finding]:
        out = []
        for i, m in enumerate(ex.messages):
            if m.get("role") != "assistant":
                continue
            hit = _REFUSALS.search(m.get("content") or "")
            if hit:
                out.append(
                    Finding(
                        "refusal-boilerplate",
                        "warning",
                        f"boilerplate: '{hit.group(0)[:40]}'",
                        f"message {i}",
                    )
                )
        return out


@dataclass
class LengthCheck:
    """Prompts or replies outside length bounds (characters)."""

    min_reply: int = 2
    max_chars: int = 32_000
    name: str = "length"
    version: str = "1"
    factor: Factor = "relevance"

    def check(self, ex: ExampleView) -> list[Finding]:
        out = []
        total = sum(len(t) for _, _, t in ex.texts())
        if total > self.max_chars:
            out.append(Finding("too-long", "warning", f"{total:,} characters, above {self.max_chars:,}"))
        reply = ex.answer().strip()
        if reply and len(reply) < self.min_reply and not any(m.get("tool_calls") for m in ex.messages):
            out.append(Finding("too-short", "info", f"a {len(reply)}-character reply", "last reply"))
        return out


def default_checks() -> list[Any]:
    return [FormatCheck(), PersonalDataCheck(), BoilerplateCheck(), LengthCheck()]
