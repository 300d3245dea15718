"""docs/contributing.md's walk-through of adding a reader, followed as written: its code block is
the reader, registered and used the way the guide says."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from catalog.config import Settings
from catalog.ingest.detect import detect_format
from catalog.ingest.pipeline import prepare_ingest, run_ingest
from catalog.ingest.readers import READERS
from catalog.schema import Schema
from tests.helpers import REPO

GUIDE = REPO / "docs" / "contributing.md"


def _reader_from_the_guide() -> type:
    text = GUIDE.read_text()
    section = text[text.index("## Add a reader") : text.index("## Add a quality check")]
    (code,) = re.findall(r"```python\n(.*?)```", section, re.S)
    namespace: dict[str, Any] = {}
    exec(compile(code, str(GUIDE), "exec"), namespace)
    return namespace["QaPairReader"]


def test_a_reader_written_as_the_guide_says_ingests_and_is_detected(
    tmp_path: Path, schema: Schema, mem_store: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    reader = _reader_from_the_guide()
    monkeypatch.setitem(READERS, reader.name, reader)  # step 2: register it in READERS
    data = tmp_path / "pairs.jsonl"
    rows = [
        {"q": "What is the capital of France?", "a": "Paris.", "source": "quiz"},
        {"q": "2 + 2?", "a": "4"},
        {"q": "Name a prime number.", "a": "7"},
        {"q": "What colour is the sky?", "a": "Blue, on a clear day."},
        {"q": "Spell 'cat' backwards.", "a": "tac"},
        {"q": "A question with no answer"},  # malformed: quarantined with its line and reason
    ]
    data.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    assert detect_format(data, max_record_bytes=1 << 20)[0] == "qa-pair"
    settings = Settings(db=tmp_path / "catalog")
    summary = run_ingest(mem_store, prepare_ingest(data, schema=schema, settings=settings), settings=settings)
    assert (summary.format, summary.read, summary.accepted, summary.quarantined) == ("qa-pair", 6, 5, 1)
    assert summary.balanced()
    quarantined = [json.loads(x) for x in Path(summary.quarantine_file or "").read_text().splitlines()]
    assert quarantined[0]["line"] == 6 and "'a'" in quarantined[0]["reason"]
    messages = [
        json.loads(r[0]) for r in mem_store.read_cypher(query="MATCH (e:Example) RETURN e.messages").rows
    ]
    assert sorted(m[0]["content"] for m in messages) == sorted(r["q"] for r in rows[:5])
