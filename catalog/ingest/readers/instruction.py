"""Single-turn instruction formats: Alpaca (with optional history), Dolly, Self-Instruct, GSM8K, CSV Q/A."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any, ClassVar

from catalog.ingest.canonical import Candidate, RecordError, text_field
from catalog.ingest.readers.base import Reader, rest
from catalog.ingest.records import Container

log = logging.getLogger(__name__)


def _prompt(instruction: str, extra: str) -> str:
    return f"{instruction}\n\n{extra}" if extra.strip() else instruction


def _history(record: Mapping[str, Any]) -> list[dict[str, Any]]:
    history = record.get("history") or []
    if not isinstance(history, list):
        raise RecordError(
            f"field 'history' must be a list of [user, assistant] pairs, got {type(history).__name__}"
        )
    messages: list[dict[str, Any]] = []
    for i, turn in enumerate(history):
        if not (isinstance(turn, list) and len(turn) == 2 and all(isinstance(t, str) for t in turn)):
            raise RecordError(f"history turn {i} must be a [user, assistant] pair of strings")
        messages += [{"role": "user", "content": turn[0]}, {"role": "assistant", "content": turn[1]}]
    return messages


def _system(record: Mapping[str, Any]) -> list[dict[str, Any]]:
    system = record.get("system")
    if system in (None, ""):
        return []
    if not isinstance(system, str):
        raise RecordError("field 'system' must be a string")
    return [{"role": "system", "content": system}]


class AlpacaReader(Reader):
    name = "alpaca"
    description = (
        "Alpaca: {instruction, input, output}, optionally with history [[user, assistant], ...] and system"
    )

    @classmethod
    def matches(cls, record: Mapping[str, Any]) -> bool:
        return "instruction" in record and "output" in record and "instances" not in record

    def read_object(self, record: dict[str, Any]) -> list[Candidate]:
        instruction = text_field(record, "instruction")
        extra = text_field(record, "input", required=False)
        output = text_field(record, "output")
        messages = _system(record) + _history(record)
        messages += [
            {"role": "user", "content": _prompt(instruction, extra)},
            {"role": "assistant", "content": output},
        ]
        meta = rest(record, {"instruction", "input", "output", "history", "system"})
        return [Candidate(messages, metadata=meta)]


class DollyReader(Reader):
    name = "dolly"
    description = "Dolly: {instruction, context, response, category}"

    @classmethod
    def matches(cls, record: Mapping[str, Any]) -> bool:
        return "instruction" in record and "response" in record

    def read_object(self, record: dict[str, Any]) -> list[Candidate]:
        instruction = text_field(record, "instruction")
        context = text_field(record, "context", required=False)
        response = text_field(record, "response")
        messages = [
            {"role": "user", "content": _prompt(instruction, context)},
            {"role": "assistant", "content": response},
        ]
        return [Candidate(messages, metadata=rest(record, {"instruction", "context", "response"}))]


class SelfInstructReader(Reader):
    name = "self-instruct"
    description = (
        "Self-Instruct: {id, instruction, instances: [{input, output}], ...}; one example per instance"
    )

    @classmethod
    def matches(cls, record: Mapping[str, Any]) -> bool:
        return "instruction" in record and isinstance(record.get("instances"), list)

    def read_object(self, record: dict[str, Any]) -> list[Candidate]:
        instruction = text_field(record, "instruction")
        instances = record.get("instances")
        if not isinstance(instances, list) or not instances:
            raise RecordError("field 'instances' must be a non-empty list")
        key = record.get("id")
        if key is not None and not isinstance(key, str):
            raise RecordError("field 'id' must be a string")
        meta = rest(record, {"instruction", "instances", "id"})
        out = []
        for i, inst in enumerate(instances):
            if not isinstance(inst, dict):
                raise RecordError(f"instance {i} must be an object")
            extra = text_field(inst, "input", required=False)
            output = text_field(inst, "output")
            messages = [
                {"role": "user", "content": _prompt(instruction, extra)},
                {"role": "assistant", "content": output},
            ]
            rkey = key if len(instances) == 1 or key is None else f"{key}#{i}"
            out.append(Candidate(messages, record_key=rkey, metadata=meta))
        return out


class Gsm8kReader(Reader):
    name = "gsm8k"
    description = "GSM8K: {question, answer}; the answer's steps become reasoning, the text after '####' the final answer"

    @classmethod
    def matches(cls, record: Mapping[str, Any]) -> bool:
        return isinstance(record.get("question"), str) and isinstance(record.get("answer"), str)

    def read_object(self, record: dict[str, Any]) -> list[Candidate]:
        question = text_field(record, "question")
        answer = text_field(record, "answer")
        steps, sep, final = answer.rpartition("####")
        reply: dict[str, Any] = {"role": "assistant"}
        if sep and final.strip():
            reply["content"] = final.strip()
            reply["reasoning"] = steps.strip()
        else:
            reply["content"] = answer
        messages = [{"role": "user", "content": question}, reply]
        return [Candidate(messages, metadata=rest(record, {"question", "answer"}))]


class CsvQaReader(Reader):
    name = "csv-qa"
    description = "CSV with a header: a question column (Q, question, prompt, instruction, input) and an answer column (A, answer, response, output)"
    containers: ClassVar[tuple[Container, ...]] = ("csv",)
    QUESTION = ("question", "q", "prompt", "instruction", "input", "query")
    ANSWER = ("answer", "a", "response", "output", "completion", "reply")

    @classmethod
    def _column(cls, record: Mapping[str, Any], names: tuple[str, ...]) -> str | None:
        lowered = {k.lower(): k for k in record}
        return next((lowered[n] for n in names if n in lowered), None)

    @classmethod
    def matches(cls, record: Mapping[str, Any]) -> bool:
        return cls._column(record, cls.QUESTION) is not None and cls._column(record, cls.ANSWER) is not None

    def read_object(self, record: dict[str, Any]) -> list[Candidate]:
        q = self._column(record, self.QUESTION)
        a = self._column(record, self.ANSWER)
        if q is None or a is None:
            raise RecordError("no question/answer columns; map them with 'fields' in the manifest")
        messages = [{"role": "user", "content": record[q]}, {"role": "assistant", "content": record[a]}]
        return [Candidate(messages, metadata=rest(record, {q, a}))]
