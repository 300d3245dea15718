"""A catalog query: its Cypher text and the typed row it returns.

Every query the catalog runs is a `Query` constant in `catalog/store/cypher/`, declared with the
row type its `RETURN` produces: a NamedTuple whose fields are the `RETURN` aliases, in order
(tests/test_query_rows.py checks each one against its text, with no database). The store turns
each engine row into that type, so no caller reads a column by its position.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any, Generic, NamedTuple, TypeVar

log = logging.getLogger(__name__)

R = TypeVar("R")


class NoRow(NamedTuple):
    """The row of a statement that returns nothing (a write)."""


@dataclass(frozen=True)
class Query(Generic[R]):
    """Cypher with `$params` for every value; `{name}` slots for schema names (`format`)."""

    text: str
    row: type[R]

    def format(self, **names: str) -> Query[R]:
        """The query with its `{name}` slots filled (labels, types, fixed fragments from the schema)."""
        return Query(self.text.format(**names), self.row)

    def make(self, values: list[Any] | tuple[Any, ...]) -> R:
        """One engine row as this query's row type."""
        made: R = self.row._make(values)  # type: ignore[attr-defined]
        return made

    def __str__(self) -> str:
        return self.text


# ---------------------------------------------------------------- the RETURN clause, read lexically

_ALIAS = re.compile(r"\bAS\s+(`[^`]+`|[A-Za-z_][A-Za-z0-9_]*)\s*$", re.IGNORECASE)
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_STOP = re.compile(r"\s(ORDER\s+BY|SKIP|LIMIT)\s", re.IGNORECASE)


def _top_level(text: str) -> list[tuple[int, str]]:
    """(position, character) of the characters outside brackets, quotes and backticks."""
    out, depth, quote = [], 0, ""
    for i, ch in enumerate(text):
        if quote:
            if ch == quote:
                quote = ""
            continue
        if ch in "'\"`":
            quote = ch
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif depth == 0:
            out.append((i, ch))
    return out


def return_aliases(text: str) -> list[str] | None:
    """The column names of the query's last top-level RETURN, in order (an item's alias, or a bare
    variable's name); None when it has no RETURN. Raises ValueError for an item without an alias."""
    top = _top_level(text)
    flat = "".join(ch for _i, ch in top)
    found = [m.start() for m in re.finditer(r"\bRETURN\s", flat, re.IGNORECASE)]
    if not found:
        return None
    start = top[found[-1]][0] + len("RETURN")
    clause = text[start:]
    clause = re.sub(r"^\s*DISTINCT\s", " ", clause, flags=re.IGNORECASE)
    cut = [m.start() for m in _STOP.finditer(clause) if _outside(clause, m.start())]
    clause = clause[: cut[0]] if cut else clause
    items, last = [], 0
    for i, ch in _top_level(clause):
        if ch == ",":
            items.append(clause[last:i])
            last = i + 1
    items.append(clause[last:])
    aliases = []
    for item in items:
        if _NAME.fullmatch(item.strip()):  # a bare variable: both engines name its column after it
            aliases.append(item.strip())
            continue
        m = _ALIAS.search(item.strip())
        if m is None:
            raise ValueError(f"RETURN item without an alias: {item.strip()!r}")
        aliases.append(m.group(1).strip("`"))
    return aliases


def _outside(text: str, pos: int) -> bool:
    return any(i == pos for i, _ch in _top_level(text))
