"""Helpers of the embedded engine's write and read paths: Arrow types for bulk loads, grouping rows
by what they give, and sizing a result's rows before they become Python values."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from contextlib import suppress
from typing import Any

from catalog.schema import KEY_PROPERTY

log = logging.getLogger(__name__)

ARROW_TYPES: dict[str, Any] = {}


def arrow_types() -> None:
    import pyarrow as pa

    ARROW_TYPES.update(
        {
            "STRING": pa.string(),
            "INT64": pa.int64(),
            "DOUBLE": pa.float64(),
            "BOOLEAN": pa.bool_(),
            "STRING[]": pa.list_(pa.string()),
        }
    )


#: variable-length patterns stop at 30 hops on this engine unless raised
VAR_LENGTH_MAX_DEPTH = 100


def merge_rows(keys: Sequence[Any], rows: Sequence[Mapping[str, Any]]) -> dict[Any, Mapping[str, Any]]:
    """Rows by identity, later rows' properties merged over earlier ones; no copies when keys are unique."""
    if len(set(keys)) == len(keys):
        return dict(zip(keys, rows, strict=True))
    merged: dict[Any, dict[str, Any]] = {}
    for key, row in zip(keys, rows, strict=True):
        merged.setdefault(key, {}).update(row)
    return dict(merged)


def by_present_keys(
    rows: Sequence[Mapping[str, Any]], always: tuple[str, ...] = (KEY_PROPERTY,)
) -> list[tuple[list[str], list[dict[str, Any]]]]:
    """Group rows by the properties they carry (None and [] mean 'not given').

    Statements bind one parameter type per column, so rows that give a property and rows that do
    not are sent apart; and a row never writes null over a property it did not give.
    """
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for row in rows:
        present = tuple(sorted(k for k, v in row.items() if k in always or v not in (None, [])))
        groups.setdefault(present, []).append({k: row.get(k) for k in present})
    return [(list(k), v) for k, v in groups.items()]


def arrow_row_sizes(result: Any, row_cap: int) -> list[int] | None:
    """Each row's size in Arrow (bytes), read before any row becomes Python values, for results of
    at most `row_cap` rows; None when the engine cannot give Arrow for them (then rows are sized as
    they are read)."""
    try:
        n = int(result.get_num_tuples())
        if n == 0 or n > row_cap:
            return None
        table = result.get_as_arrow(chunk_size=n)
        sizes = [int(table.slice(i, 1).nbytes) for i in range(table.num_rows)]
        result.reset_iterator()
    except Exception:
        with suppress(Exception):
            result.reset_iterator()
        return None
    return sizes if len(sizes) == n else None
