"""Tool-use benchmarks: BFCL (questions + function docs + ground truth), Gorilla APIBench (instruction -> API call)."""

from __future__ import annotations

import ast
import logging
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import orjson

from catalog.ingest.canonical import Candidate, RecordError, tool_call
from catalog.ingest.readers.base import Reader, rest

log = logging.getLogger(__name__)

#: BFCL's multi-turn API classes and the files that document them (multi_turn_func_doc/)
BFCL_CLASS_FILES = {
    "GorillaFileSystem": "gorilla_file_system",
    "MathAPI": "math_api",
    "MessageAPI": "message_api",
    "TwitterAPI": "posting_api",
    "TicketAPI": "ticket_api",
    "TradingBot": "trading_bot",
    "TravelAPI": "travel_booking",
    "VehicleControlAPI": "vehicle_control",
    "WebSearchAPI": "web_search",
    "MemoryAPI_kv": "memory_kv",
    "MemoryAPI_vector": "memory_vector",
    "MemoryAPI_rec_sum": "memory_rec_sum",
}
_BFCL_FILE = re.compile(r"BFCL_v\d+_(?P<category>.+)\.jsonl?$")


def _load_jsonl(path: Path) -> list[Any]:
    with path.open("rb") as f:
        return [orjson.loads(line) for line in f if line.strip()]


def _first_allowed(values: Any) -> tuple[bool, Any]:
    """BFCL lists the allowed values of an argument; '' means it may be omitted."""
    if not isinstance(values, list):
        return True, values
    for v in values:
        if v != "":
            return True, _first_allowed_nested(v)
    return False, None


def _first_allowed_nested(value: Any) -> Any:
    if isinstance(value, dict):
        out = {}
        for k, vs in value.items():
            keep, v = _first_allowed(vs)
            if keep:
                out[k] = v
        return out
    return value


def _parse_call_string(text: str, param_order: Mapping[str, list[str]]) -> dict[str, Any]:
    """`cd(folder='document')` -> {name, arguments}; positional arguments take the documented names."""
    try:
        node = ast.parse(text.strip(), mode="eval").body
    except SyntaxError:
        raise RecordError(f"ground-truth call {text!r:.80} is not a Python call") from None
    if not isinstance(node, ast.Call):
        raise RecordError(f"ground-truth call {text!r:.80} is not a Python call")
    name = ast.unparse(node.func)
    args: dict[str, Any] = {}
    names = param_order.get(name, [])
    try:
        for i, arg in enumerate(node.args):
            args[names[i] if i < len(names) else f"arg{i}"] = ast.literal_eval(arg)
        for kw in node.keywords:
            args[kw.arg or "kwargs"] = ast.literal_eval(kw.value)
    except ValueError:
        raise RecordError(f"ground-truth call {text!r:.80} has a non-literal argument") from None
    return tool_call(name, args)


class BfclReader(Reader):
    name = "bfcl"
    description = (
        "BFCL: {id, question: [[messages per turn]], function: [schemas]} (or involved_classes for multi-turn); "
        "ground truth from possible_answer/ and multi-turn docs from multi_turn_func_doc/ beside the file"
    )

    def __init__(self, path: Path | None = None, fields: Mapping[str, str] | None = None) -> None:
        super().__init__(path, fields)
        self.category = None
        self.answers: dict[str, Any] = {}
        self.class_docs: dict[str, list[Any]] = {}
        if path is not None:
            m = _BFCL_FILE.search(path.name)
            self.category = m.group("category") if m else None
            answer_file = path.parent / "possible_answer" / path.name
            if answer_file.is_file():
                self.answers = {
                    a["id"]: a["ground_truth"] for a in _load_jsonl(answer_file) if isinstance(a, dict)
                }
            doc_dir = path.parent / "multi_turn_func_doc"
            for cls, stem in BFCL_CLASS_FILES.items():
                doc = doc_dir / f"{stem}.json"
                if doc.is_file():
                    self.class_docs[cls] = _load_jsonl(doc)

    @classmethod
    def matches(cls, record: Mapping[str, Any]) -> bool:
        q = record.get("question")
        return (
            isinstance(q, list)
            and bool(q)
            and isinstance(q[0], list)
            and ("function" in record or "involved_classes" in record)
        )

    def read_object(self, record: dict[str, Any]) -> list[Candidate]:
        key = record.get("id")
        if not isinstance(key, str):
            raise RecordError("field 'id' must be a string")
        turns = record.get("question")
        if not isinstance(turns, list) or not turns:
            raise RecordError("field 'question' must be a non-empty list of turns")
        if "function" in record:
            tools = record["function"]
            if not isinstance(tools, list):
                raise RecordError("field 'function' must be a list of function schemas")
        else:
            classes = record.get("involved_classes")
            if not isinstance(classes, list):
                raise RecordError("field 'involved_classes' must be a list")
            missing = [c for c in classes if c not in self.class_docs]
            if missing:
                raise RecordError(
                    f"no function docs for {', '.join(map(str, missing))} (multi_turn_func_doc/ beside the file)"
                )
            excluded = set(record.get("excluded_function") or [])
            tools = [d for c in classes for d in self.class_docs[c] if d.get("name") not in excluded]
        truth = self.answers.get(key)
        param_order = {
            t["name"]: list((t.get("parameters") or {}).get("properties", {}))
            for t in tools
            if isinstance(t, dict) and "name" in t
        }
        messages: list[dict[str, Any]] = []
        for t, turn in enumerate(turns):
            if not isinstance(turn, list):
                raise RecordError(f"turn {t} must be a list of messages")
            for m in turn:
                if not isinstance(m, dict):
                    raise RecordError(f"turn {t} has a message that is not an object")
                messages.append({"role": m.get("role"), "content": m.get("content")})
            if truth is None:
                continue
            if "involved_classes" in record:
                calls_text = truth[t] if t < len(truth) else []
                calls = [_parse_call_string(c, param_order) for c in calls_text]
            elif t == len(turns) - 1:
                calls = []
                for entry in truth:
                    if not isinstance(entry, dict) or len(entry) != 1:
                        raise RecordError("ground truth entries must map one function name to its arguments")
                    ((fname, fargs),) = entry.items()
                    calls.append(tool_call(fname, _first_allowed_nested(fargs)))
            else:
                calls = []
            if calls:
                messages.append({"role": "assistant", "content": "", "tool_calls": calls})
        meta = rest(record, {"id", "question", "function", "initial_config", "path", "excluded_function"})
        if self.category:
            meta["bfcl_category"] = self.category
        meta["ground_truth"] = "attached" if truth is not None else "none"
        return [Candidate(messages, tools=tools or None, record_key=key, metadata=meta)]


_GORILLA = re.compile(
    r"^\s*(?:\{\s*'Instruction'\s*:|###\s*Instruction\s*:)\s*(?P<instruction>.*?)\s*"
    r"(?:,\s*'Output'\s*:|###\s*Output\s*:)\s*(?P<output>.*)$",
    re.S,
)
_GORILLA_KEYS = ("domain", "api_call", "api_provider", "explanation", "code")
_GORILLA_KEY = re.compile(r"""['"](domain|api_call|api_provider|explanation|code)['"]\s*:\s*""")


def _unquote(text: str) -> str:
    text = text.strip().rstrip("}").rstrip().rstrip(",").rstrip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        text = text[1:-1]
    return text.replace("\\n", "\n").replace("\\'", "'").replace('\\"', '"').strip()


def gorilla_output_fields(output: str) -> dict[str, str]:
    """The Output dict's fields, read by their keys (the dicts are not valid Python literals)."""
    marks = list(_GORILLA_KEY.finditer(output))
    fields = {}
    for i, m in enumerate(marks):
        end = marks[i + 1].start() if i + 1 < len(marks) else len(output)
        fields[m.group(1)] = _unquote(output[m.end() : end])
    return fields


class GorillaReader(Reader):
    name = "gorilla"
    description = (
        "Gorilla APIBench: {code: \"{'Instruction': ..., 'Output': {...}}\", api_call, provider, api_data}"
    )

    @classmethod
    def matches(cls, record: Mapping[str, Any]) -> bool:
        return "code" in record and "api_call" in record and isinstance(record.get("api_data"), dict)

    def read_object(self, record: dict[str, Any]) -> list[Candidate]:
        code = record.get("code")
        if not isinstance(code, str):
            raise RecordError("field 'code' must be a string")
        m = _GORILLA.match(code)
        if not m or not m.group("instruction").strip():
            raise RecordError("field 'code' holds no 'Instruction' followed by an 'Output'")
        fields = gorilla_output_fields(m.group("output"))
        if "api_call" not in fields:
            raise RecordError("the Output has no api_call")
        reply = "\n".join(f"<<<{k}>>>: {fields[k]}" for k in _GORILLA_KEYS if k in fields)
        api = record["api_data"]
        tool = {
            "name": api.get("api_name") or record.get("api_call"),
            "description": api.get("description") or api.get("functionality") or "",
            "api_call": api.get("api_call"),
            "api_arguments": api.get("api_arguments"),
        }
        messages = [
            {"role": "user", "content": m.group("instruction").strip()},
            {"role": "assistant", "content": reply},
        ]
        meta = {
            "domain": api.get("domain"),
            "api_name": api.get("api_name"),
            "provider": record.get("provider"),
            "api_call": record.get("api_call"),
        }
        return [Candidate(messages, tools=[tool], metadata={k: v for k, v in meta.items() if v})]
