"""A filter on examples written as text (`--where "topic=mathematics,language=ko"`), read into the
store's ExampleWhere: concept ids grow to their narrower concepts, as the API's filters do."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import replace

from catalog.errors import CatalogError
from catalog.schema import Concept, Schema
from catalog.store.batch import ExampleWhere

log = logging.getLogger(__name__)

TEXT_KEYS = ("language", "dataset", "source", "issue_kind", "generator", "role")
BOOL_KEYS = ("has_issue", "synthetic", "duplicate")
CONCEPT_KEYS = ("topic", "task", "format")
KEYS = (*CONCEPT_KEYS, *TEXT_KEYS, *BOOL_KEYS, "min_confidence")


def with_narrower(concepts: Mapping[str, Concept], ident: str, kind: str) -> tuple[str, ...]:
    """The concept and every concept under it, sorted (an unknown id is an error naming the choices)."""
    if ident not in concepts:
        raise CatalogError(
            f"unknown {kind} {ident!r}", hint=f"one of: {', '.join(sorted(concepts)[:30])} ..."
        )
    out = {ident}
    grown = True
    while grown:
        grown = False
        for c in concepts.values():
            if c.broader in out and c.id not in out:
                out.add(c.id)
                grown = True
    return tuple(sorted(out))


def parse_where(schema: Schema, text: str, base: ExampleWhere | None = None) -> ExampleWhere:
    """`key=value` pairs separated by commas, on top of `base`."""
    where = base or ExampleWhere(role=None)
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        key, sep, value = (s.strip() for s in part.partition("="))
        if not sep or not value:
            raise CatalogError(
                f"cannot read {part!r} in --where", hint="key=value pairs, e.g. topic=mathematics,language=ko"
            )
        if key in CONCEPT_KEYS:
            concepts = {"topic": schema.topics, "task": schema.tasks, "format": schema.formats}[key]
            where = replace(where, **{key + "s": with_narrower(concepts, value, key)})  # type: ignore[arg-type]
        elif key in TEXT_KEYS:
            where = replace(where, **{key: None if key == "role" and value == "any" else value})  # type: ignore[arg-type]
        elif key in BOOL_KEYS:
            if value.lower() not in ("true", "false"):
                raise CatalogError(f"{key} takes true or false, not {value!r}")
            where = replace(where, **{key: value.lower() == "true"})  # type: ignore[arg-type]
        elif key == "min_confidence":
            try:
                where = replace(where, min_confidence=float(value))
            except ValueError:
                raise CatalogError(f"min_confidence takes a number, not {value!r}") from None
        else:
            raise CatalogError(f"unknown filter {key!r} in --where", hint=f"one of: {', '.join(KEYS)}")
    return where
