"""A selection as training JSON Lines (OpenAI chat or Alpaca) with a provenance manifest.

OpenAI chat: `{"messages": [...], "tools": [...]}` with tool calls as `{"type": "function",
"function": {"name", "arguments"}}` (arguments as a JSON string) and a reply's reasoning written
before its answer (`--reasoning field` keeps it as a `reasoning` key instead). Alpaca:
`{"instruction", "input", "output"}` plus `system` and `history` ([[user, assistant], ...]) for
multi-turn; examples with tool calls cannot be written in Alpaca and are counted, not dropped
silently.

The manifest (`<file>.manifest.json`) holds: the file's sha256 and format; the examples written and
skipped, with ids; counts per dataset, source file (with its checksum), license and generator model;
how many may be used commercially once every ancestor counts; and the selection's quota fills when
the examples came from `curagraph select`.
"""

from __future__ import annotations

import hashlib
import logging
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

import orjson

from catalog.errors import CatalogError
from catalog.export.croissant import effective_licenses
from catalog.export.subgraph import selection
from catalog.store.base import GraphStore

log = logging.getLogger(__name__)

TrainingFormat = Literal["openai", "alpaca"]


def _openai(messages: list[dict[str, Any]], tools: list[Any], reasoning: str) -> dict[str, Any]:
    out = []
    for m in messages:
        msg: dict[str, Any] = {"role": m["role"], "content": m.get("content") or ""}
        if m.get("reasoning"):
            if reasoning == "field":
                msg["reasoning"] = m["reasoning"]
            elif reasoning == "inline":
                msg["content"] = f"{m['reasoning']}\n\n{msg['content']}".strip()
        if m.get("tool_calls"):
            msg["tool_calls"] = [
                {
                    "id": call.get("id") or f"call_{i}",
                    "type": "function",
                    "function": {
                        "name": call["name"],
                        "arguments": call["arguments"]
                        if isinstance(call["arguments"], str)
                        else orjson.dumps(call["arguments"]).decode(),
                    },
                }
                for i, call in enumerate(m["tool_calls"])
            ]
        for key in ("tool_call_id", "name"):
            if m.get(key):
                msg[key] = m[key]
        out.append(msg)
    record: dict[str, Any] = {"messages": out}
    if tools:
        record["tools"] = tools
    return record


def _alpaca(messages: list[dict[str, Any]], reasoning: str) -> dict[str, Any] | None:
    if any(m.get("tool_calls") or m["role"] == "tool" for m in messages):
        return None
    system = "\n".join(m.get("content") or "" for m in messages if m["role"] == "system")
    turns: list[list[str]] = []
    pending: str | None = None
    for m in messages:
        if m["role"] == "user":
            pending = m.get("content") or "" if pending is None else pending + "\n" + (m.get("content") or "")
        elif m["role"] == "assistant" and pending is not None:
            answer = m.get("content") or ""
            if m.get("reasoning") and reasoning != "drop":
                answer = f"{m['reasoning']}\n\n{answer}".strip()
            turns.append([pending, answer])
            pending = None
    if not turns:
        return None
    *history, (instruction, output) = turns
    record: dict[str, Any] = {"instruction": instruction, "input": "", "output": output}
    if system:
        record["system"] = system
    if history:
        record["history"] = history
    return record


def write_training(
    store: GraphStore,
    ids: Sequence[str],
    out: Path,
    *,
    fmt: TrainingFormat = "openai",
    reasoning: Literal["inline", "field", "drop"] = "inline",
    fills: list[dict[str, Any]] | None = None,
    roles: Sequence[str] = ("supply",),
    safety: Literal["exclude", "include"] = "exclude",
) -> dict[str, Any]:
    """Write the examples as training JSON Lines and `<out>.manifest.json`; return the manifest.

    Only examples of the usage `roles` are written (training supply by default: evaluation and
    usage prompts stay out unless asked for), and no example with a safety flag unless `safety`
    is "include"; the manifest counts what each role gave and what the role and safety rules left
    out."""
    if not ids:
        raise CatalogError(
            "nothing to export: the selection is empty", hint="run `curagraph select` or give --dataset"
        )
    if fmt == "alpaca" and reasoning == "field":
        raise CatalogError("Alpaca records have no reasoning field", hint="use --reasoning inline or drop")
    sub = selection(store, ids)
    licenses = effective_licenses(store, sub)
    examples = sub.nodes["Example"]
    written: list[str] = []
    skipped: list[str] = []
    left_out: Counter[str] = Counter()
    by_role: Counter[str] = Counter()
    lines: list[bytes] = []
    flagged = store.flagged_examples() if safety == "exclude" else set()
    unsafe: list[str] = []
    for ident in sorted(set(ids)):
        ex = examples[ident]
        role = str(ex.get("usage_role") or "supply")
        if role not in roles:
            left_out[role] += 1
            continue
        if ident in flagged:
            unsafe.append(ident)
            continue
        messages = orjson.loads(ex.get("messages") or "[]")
        tools = orjson.loads(ex["tools"]) if ex.get("tools") else []
        record = _openai(messages, tools, reasoning) if fmt == "openai" else _alpaca(messages, reasoning)
        if record is None:
            skipped.append(ident)
            continue
        lines.append(orjson.dumps(record) + b"\n")
        written.append(ident)
        by_role[role] += 1
    out.parent.mkdir(parents=True, exist_ok=True)
    data = b"".join(lines)
    out.write_bytes(data)

    chosen = set(written)
    by_rel: dict[str, list[Any]] = {}
    for e in sub.edges:
        by_rel.setdefault(e.rel_type, []).append(e)
    datasets = Counter(
        e.dst for e in by_rel.get("IN_DATASET", []) if e.from_label == "Example" and e.src in chosen
    )
    sources = sub.nodes.get("Source", {})
    files = Counter(e.dst for e in by_rel.get("FROM_SOURCE", []) if e.src in chosen)
    activity_models: dict[str, set[str]] = {}
    for e in by_rel.get("USED_MODEL", []):
        activity_models.setdefault(e.src, set()).add(e.dst)
    generated: dict[str, set[str]] = {}
    for e in by_rel.get("GENERATED_BY", []):
        if e.from_label == "Example" and e.src in chosen:
            for m in activity_models.get(e.dst, ()):
                generated.setdefault(m, set()).add(e.src)
    license_counts = Counter(lic for i in written for lic in licenses[i].licenses)
    manifest: dict[str, Any] = {
        "file": out.name,
        "format": fmt,
        "sha256": hashlib.sha256(data).hexdigest(),
        "examples": len(written),
        "roles": dict(sorted(by_role.items())),
        "left_out_by_role": dict(sorted(left_out.items())),
        "left_out_by_safety": {"policy": safety, "count": len(unsafe), "ids": unsafe},
        "skipped": {"count": len(skipped), "reason": "tool calls cannot be written as Alpaca", "ids": skipped}
        if skipped
        else {"count": 0},
        "commercial_use": {
            "allowed": sum(1 for i in written if licenses[i].commercial_use),
            "refused": sum(1 for i in written if not licenses[i].commercial_use),
        },
        "datasets": dict(sorted(datasets.items())),
        "sources": [
            {
                "source": s,
                "file": sources.get(s, {}).get("file_name"),
                "sha256": sources.get(s, {}).get("checksum"),
                "examples": n,
            }
            for s, n in sorted(files.items())
        ],
        "licenses": dict(sorted(license_counts.items())),
        "generators": {
            m: {"examples": len(ids_), "share": round(len(ids_) / len(written), 4) if written else 0.0}
            for m, ids_ in sorted(generated.items())
        },
        "quotas": fills or [],
        "ids": written,
    }
    out.with_name(out.name + ".manifest.json").write_bytes(orjson.dumps(manifest, option=orjson.OPT_INDENT_2))
    return manifest
