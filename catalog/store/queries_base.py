"""What the shared catalog queries stand on: an engine's `_rows` and `write`, and the schema."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from catalog.schema import Schema
from catalog.store import cypher as Q
from catalog.store.base import WriteBatch, WriteResult
from catalog.store.values import chunks

log = logging.getLogger(__name__)

#: ids per existence probe: each probe joins against the whole table on the embedded engine, so
#: fewer and larger is faster (5,000-id probes cost 17 s more than 50,000-id probes at 1M)
PROBE = 100_000


class QueryBase:
    schema: Schema
    _recorder = threading.local()

    def _note(self, query: str, params: Mapping[str, Any] | None) -> None:
        """Hand the query to this thread's recorder, if one listens (ask mode shows what it ran)."""
        sink = getattr(self._recorder, "sink", None)
        if sink is not None:
            sink.append((query, dict(params or {})))

    @contextmanager
    def recording(self) -> Iterator[list[tuple[str, dict[str, Any]]]]:
        """Every query this thread runs on the store meanwhile, with its parameters."""
        previous = getattr(self._recorder, "sink", None)
        sink: list[tuple[str, dict[str, Any]]] = []
        self._recorder.sink = sink
        try:
            yield sink
        finally:
            self._recorder.sink = previous

    def _rows(self, query: str, params: Mapping[str, Any] | None = None) -> list[list[Any]]:
        raise NotImplementedError

    def write(self, *, batch: WriteBatch) -> WriteResult:
        raise NotImplementedError

    def count_nodes(self, *, label: str) -> int:
        return int(self._rows(Q.COUNT_NODES.format(label=Q.label(self.schema, label)))[0][0])

    def _rows_for(self, query: str, ids: Sequence[str], **params: Any) -> list[list[Any]]:
        """`query` over `ids` in probes of PROBE ids (`$ids`), rows concatenated."""
        out: list[list[Any]] = []
        for part in chunks(ids, PROBE):
            out += self._rows(query, {**params, "ids": part})
        return out
