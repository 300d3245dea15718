"""Turn engine values into plain JSON-ready Python values."""

from __future__ import annotations

import datetime as dt
import decimal
import logging
import uuid
from collections.abc import Iterator, Sequence
from typing import Any, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")

_INTERNAL = {"_ID", "_SRC", "_DST", "_LABEL"}


def plain(value: Any) -> Any:
    """Embedded-engine result values: nodes and relationships become dicts with `_label`."""
    if isinstance(value, dict):
        if "_LABEL" in value and ("_ID" in value or "_SRC" in value):
            out = {"_label": value["_LABEL"]}
            out.update({k: plain(v) for k, v in value.items() if k not in _INTERNAL})
            return out
        if "_nodes" in value and "_rels" in value:  # a path
            return {
                "nodes": [plain(n) for n in value["_nodes"]],
                "relationships": [plain(r) for r in value["_rels"]],
            }
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if isinstance(value, decimal.Decimal):  # INT128 (e.g. sum() of INT64) arrives as Decimal
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return value


def node_record(value: Any) -> Any:
    """A plain node dict (from either engine's `plain`) as a NodeRecord."""
    from catalog.model import NodeRecord

    node = plain(value) if "_LABEL" in value else dict(value)
    return NodeRecord(label=node.pop("_label"), properties=node)


def chunks(items: Sequence[T], size: int) -> Iterator[list[T]]:
    """`items` in consecutive lists of at most `size` (the id probes and row batches of the store)."""
    for i in range(0, len(items), size):
        yield list(items[i : i + size])
