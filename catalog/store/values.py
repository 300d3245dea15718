"""Turn engine values into plain JSON-ready Python values."""

from __future__ import annotations

import datetime as dt
import decimal
import logging
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, TypeVar

import orjson

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


def edge_properties(value: Any, declared: Iterable[str]) -> dict[str, Any]:
    """The declared, set properties of a relationship value (either engine's), by name."""
    edge = value if isinstance(value, Mapping) else {}
    return {k: edge[k] for k in sorted(declared) if edge.get(k) is not None}


def chunks(items: Sequence[T], size: int) -> Iterator[list[T]]:
    """`items` in consecutive lists of at most `size` (the id probes and row batches of the store)."""
    for i in range(0, len(items), size):
        yield list(items[i : i + size])


class ResultBudget:
    """Rows a read-only query may return: at most `row_cap` rows and `byte_cap` bytes of them as
    JSON. `fits(row)` says whether the next row still fits; once one does not, the answer is
    truncated there."""

    def __init__(self, row_cap: int, byte_cap: int) -> None:
        self.row_cap, self.byte_cap = row_cap, byte_cap
        self.rows = 0
        self.bytes = 2  # the list's brackets

    def fits(self, row: Sequence[Any]) -> bool:
        if self.rows >= self.row_cap:
            return False
        # as the answer holds it: compact JSON, and a comma between rows
        size = len(orjson.dumps(list(row), default=str, option=orjson.OPT_NON_STR_KEYS)) + 1
        if self.bytes + size > self.byte_cap:
            return False
        self.rows += 1
        self.bytes += size
        return True


_INT64 = (-(2**63), 2**63 - 1)


def check_params(params: Mapping[str, Any]) -> None:
    """Refuse parameter values the engines cannot take, with the parameter named: integers past
    64 bits, lists that mix types (null aside), values that are not JSON-like."""
    for name, value in params.items():
        _check_value(f"${name}", value)


def _check_value(where: str, value: Any) -> None:
    from catalog.errors import CatalogError

    if value is None or isinstance(value, (bool, str, float)):
        return
    if isinstance(value, int):
        if not _INT64[0] <= value <= _INT64[1]:
            raise CatalogError(
                f"parameter {where} is an integer outside 64 bits", hint="pass it as a string or a float"
            )
        return
    if isinstance(value, (list, tuple)):
        kinds = {_kind(v) for v in value if v is not None}
        if len(kinds) > 1:
            raise CatalogError(
                f"parameter {where} is a list that mixes {', '.join(sorted(kinds))}",
                hint="a list parameter holds values of one type (and null)",
            )
        for i, v in enumerate(value):
            _check_value(f"{where}[{i}]", v)
        return
    if isinstance(value, Mapping):
        for k, v in value.items():
            if not isinstance(k, str):
                raise CatalogError(f"parameter {where} has a key that is not a string")
            _check_value(f"{where}.{k}", v)
        return
    raise CatalogError(f"parameter {where} is a {type(value).__name__}, not a JSON value")


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "booleans"
    if isinstance(value, (int, float)):
        return "numbers"
    if isinstance(value, str):
        return "strings"
    if isinstance(value, (list, tuple)):
        return "lists"
    if isinstance(value, Mapping):
        return "maps"
    return type(value).__name__
