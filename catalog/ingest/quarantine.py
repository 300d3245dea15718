"""The quarantine file of one ingest: one JSON line per bad record (line, record, reason,
preview). Nothing read is dropped silently."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import IO, Any

import orjson

from catalog.ingest.records import RawRecord

log = logging.getLogger(__name__)


class Quarantine:
    """The quarantine file: one JSON line per bad record (line, record, reason, preview)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.count = 0
        self._file: IO[bytes] | None = None

    def add(
        self, rec: RawRecord, reason: str, *, preview: bytes | None = None, example: int | None = None
    ) -> None:
        if self._file is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._file = self.path.open("wb")
        entry: dict[str, Any] = {"line": rec.line, "record": rec.index, "reason": reason}
        if example is not None:
            entry["example_in_record"] = example
        raw = rec.preview if preview is None else preview
        entry["preview"] = raw.decode("utf-8", errors="replace")
        self._file.write(orjson.dumps(entry) + b"\n")
        self.count += 1

    def close(self) -> str | None:
        if self._file is not None:
            self._file.close()
            return str(self.path)
        if self.path.exists():  # a stale file from an earlier run of the same file
            self.path.unlink()
        return None
