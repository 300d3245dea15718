"""What a reader is: a format name, a test on a sample record, and record -> candidates."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any, ClassVar

from catalog.ingest.canonical import Candidate, RecordError
from catalog.ingest.records import Container

log = logging.getLogger(__name__)


class Reader:
    """One source format. Subclasses set `name`, `description`, `container` and implement the two methods."""

    name: ClassVar[str]
    description: ClassVar[str]
    #: containers this format comes in
    containers: ClassVar[tuple[Container, ...]] = ("json-array", "jsonl", "parquet")

    def __init__(self, path: Path | None = None, fields: Mapping[str, str] | None = None) -> None:
        self.path = path
        #: canonical field name -> the name this file uses (from the manifest)
        self.fields = dict(fields or {})

    @classmethod
    def matches(cls, record: Mapping[str, Any]) -> bool:
        """True when a sample record has this format's shape."""
        raise NotImplementedError

    def read(self, record: Any) -> list[Candidate]:
        """Candidates from one record; raises RecordError when the record is malformed."""
        if not isinstance(record, dict):
            raise RecordError(f"record must be a JSON object, got {type(record).__name__}")
        if self.fields:
            record = self.apply_fields(record)
        return self.read_object(record)

    def read_object(self, record: dict[str, Any]) -> list[Candidate]:
        raise NotImplementedError

    def apply_fields(self, record: dict[str, Any]) -> dict[str, Any]:
        out = dict(record)
        for canonical, source in self.fields.items():
            if source in record:
                out[canonical] = out.pop(source)
        return out


def rest(record: Mapping[str, Any], used: set[str]) -> dict[str, Any]:
    """The record's fields the canonical form does not hold, for metadata."""
    return {k: v for k, v in record.items() if k not in used and v not in (None, "", [], {})}
