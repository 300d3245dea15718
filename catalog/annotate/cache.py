"""The annotator's ledger: every reply it paid for, in `<catalog>/annotations.sqlite`.

One row per (example content id, model, prompt version, dimension), written and committed as soon
as its reply is checked, before any label is written from it: a re-run asks only what is not in
the ledger, so a kill loses no paid call and repeats none. `written` says whether the row's labels
are in the graph; a run first writes the rows a killed run left unwritten.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

FILE = "annotations.sqlite"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS replies (
    example TEXT NOT NULL,
    model TEXT NOT NULL,
    prompt_version TEXT NOT NULL,
    dimension TEXT NOT NULL,
    status TEXT NOT NULL,            -- ok | failed
    concepts TEXT NOT NULL,          -- JSON list of concept ids (ok), [] when none
    confidence REAL NOT NULL,
    reply TEXT NOT NULL,             -- the last reply as the model gave it
    error TEXT NOT NULL,             -- why a failed row failed
    calls INTEGER NOT NULL,
    prompt_tokens INTEGER NOT NULL,
    completion_tokens INTEGER NOT NULL,
    written INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (example, model, prompt_version, dimension)
)
"""


@dataclass(frozen=True)
class Entry:
    example: str
    model: str
    prompt_version: str
    dimension: str
    status: str
    concepts: tuple[str, ...]
    confidence: float
    reply: str
    error: str
    calls: int
    prompt_tokens: int
    completion_tokens: int


def _entry(r: tuple[Any, ...]) -> Entry:
    return Entry(
        example=r[0],
        model=r[1],
        prompt_version=r[2],
        dimension=r[3],
        status=r[4],
        concepts=tuple(json.loads(r[5])),
        confidence=float(r[6]),
        reply=r[7],
        error=r[8],
        calls=int(r[9]),
        prompt_tokens=int(r[10]),
        completion_tokens=int(r[11]),
    )


class Ledger:
    def __init__(self, catalog_dir: Path) -> None:
        catalog_dir.mkdir(parents=True, exist_ok=True)
        self.path = catalog_dir / FILE
        self._db = sqlite3.connect(self.path)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")  # a committed reply survives a kill or a crash
        self._db.execute(_SCHEMA)
        self._db.commit()

    def close(self) -> None:
        self._db.close()

    def done(self, model: str, prompt_version: str, dimension: str) -> set[str]:
        """Examples with a stored reply (ok or failed) for this model, prompt version and dimension."""
        rows = self._db.execute(
            "SELECT example FROM replies WHERE model = ? AND prompt_version = ? AND dimension = ?",
            (model, prompt_version, dimension),
        )
        return {r[0] for r in rows}

    def record(self, e: Entry) -> None:
        self._db.execute(
            "INSERT OR REPLACE INTO replies VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)",
            (
                e.example,
                e.model,
                e.prompt_version,
                e.dimension,
                e.status,
                json.dumps(list(e.concepts)),
                e.confidence,
                e.reply,
                e.error,
                e.calls,
                e.prompt_tokens,
                e.completion_tokens,
            ),
        )
        self._db.commit()

    def unwritten(self, model: str) -> list[Entry]:
        rows = self._db.execute(
            "SELECT example, model, prompt_version, dimension, status, concepts, confidence, reply, error, "
            "calls, prompt_tokens, completion_tokens FROM replies WHERE model = ? AND written = 0 "
            "AND status = 'ok' ORDER BY dimension, example",
            (model,),
        )
        return [_entry(r) for r in rows]

    def mark_written(self, entries: list[Entry]) -> None:
        self._db.executemany(
            "UPDATE replies SET written = 1 WHERE example = ? AND model = ? AND prompt_version = ? AND dimension = ?",
            [(e.example, e.model, e.prompt_version, e.dimension) for e in entries],
        )
        self._db.commit()

    def entries(self, model: str | None = None) -> list[Entry]:
        query = (
            "SELECT example, model, prompt_version, dimension, status, concepts, confidence, reply, error, "
            "calls, prompt_tokens, completion_tokens FROM replies"
        )
        rows = self._db.execute(query + (" WHERE model = ?" if model else ""), (model,) if model else ())
        return [_entry(r) for r in rows]
