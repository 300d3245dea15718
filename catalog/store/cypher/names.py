"""Schema names in Cypher: every label, relationship type and property name reaches a query only
through these, from names the schema has already checked, backticked."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from catalog.schema import Schema

log = logging.getLogger(__name__)


def quote(name: str) -> str:
    """Backtick a name that the schema has already checked."""
    return "`" + name.replace("`", "``") + "`"


def label(schema: Schema, name: str) -> str:
    return quote(schema.node_label(name).name)


def rel_type(schema: Schema, name: str) -> str:
    return quote(schema.relationship(name).name)


def map_literal(var: str, keys: Iterable[str]) -> str:
    """`{`a`: r.`a`, ...}` for already-checked property names."""
    return "{" + ", ".join(f"{quote(k)}: {var}.{quote(k)}" for k in keys) + "}"


def assignments(target: str, var: str, keys: Iterable[str]) -> str:
    return ", ".join(f"{target}.{quote(k)} = {var}.{quote(k)}" for k in keys)


def key_match(target: str, var: str, keys: Iterable[str]) -> str:
    return " AND ".join(f"{target}.{quote(k)} = {var}.{quote(k)}" for k in keys)
