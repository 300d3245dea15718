"""What the shared catalog queries stand on: an engine (catalog/store/engine.py), the schema, and
typed fetches of `Query` constants."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

from catalog.errors import StoreError
from catalog.schema import Schema
from catalog.store import cypher as Q
from catalog.store.engine import Engine
from catalog.store.query import Query
from catalog.store.values import chunks

log = logging.getLogger(__name__)

R = TypeVar("R")

#: ids per existence probe: each probe joins against the whole table on the embedded engine, so
#: fewer and larger is faster (5,000-id probes cost 17 s more than 50,000-id probes at 1M)
PROBE = 100_000


class QueryBase:
    engine: Engine
    _recorder = threading.local()

    @property
    def schema(self) -> Schema:
        return self.engine.schema

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

    def _raw(self, query: Query[Any], params: Mapping[str, Any] | None = None) -> list[list[Any]]:
        self._note(query.text, params)
        return self.engine.rows(query.text, params)

    def _fetch(self, query: Query[R], params: Mapping[str, Any] | None = None) -> list[R]:
        """The query's rows, each as its row type."""
        make = query.make
        return [make(r) for r in self._raw(query, params)]

    def _fetch_for(self, query: Query[R], ids: Sequence[str], **params: Any) -> list[R]:
        """`query` over `ids` in probes of PROBE ids (`$ids`), rows concatenated."""
        out: list[R] = []
        for part in chunks(ids, PROBE):
            out += self._fetch(query, {**params, "ids": part})
        return out

    def _column(self, query: Query[Any], params: Mapping[str, Any] | None = None) -> list[Any]:
        """The values of a one-column query (an id list), without a row object per value."""
        if len(query.row._fields) != 1:
            raise StoreError(f"{query.row.__name__} has more than one column; fetch its rows instead")
        return [r[0] for r in self._raw(query, params)]

    def count_nodes(self, *, label: str) -> int:
        return int(self._fetch(Q.COUNT_NODES.format(label=Q.label(self.schema, label)))[0].n)
