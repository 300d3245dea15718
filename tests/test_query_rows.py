"""Every catalog query's RETURN aliases are its row type's fields, in order (no database).

A reordered or renamed RETURN column fails here, not silently in lineage or the license check."""

from __future__ import annotations

import importlib
import pkgutil
import string
from typing import Any

import pytest

import catalog.store.ask_cypher as A
import catalog.store.cypher as Q
from catalog.store.query import NoRow, Query, return_aliases

#: `{name}` slots filled for reading: names of the schema or fixed fragments, none inside RETURN
#: except `{key_cols}` / `{props}`, which add aliased columns after the row's own
_FILL = {
    "label": "`Example`",
    "from_label": "`Example`",
    "to_label": "`Dataset`",
    "rel": "`IN_DATASET`",
    "table": "`Example`",
    "where": "",
    "props": "{`id`: r.`id`}",
    "assignments": "n.`id` = r.`id`",
    "key_filter": "",
    "key_cols": "",
    "key_props": "",
    "on_match": "",
    "options": "",
}


def _query_constants() -> list[tuple[str, Query[Any]]]:
    found: dict[str, Query[Any]] = {}
    for info in pkgutil.iter_modules(Q.__path__):
        module = importlib.import_module(f"{Q.__name__}.{info.name}")
        for name, value in vars(module).items():
            if isinstance(value, Query):
                found[f"{info.name}.{name}"] = value
    return sorted(found.items())


QUERIES = _query_constants()


def _filled(query: Query[Any]) -> str:
    """The text as an engine gets it: a template (its slots all `_FILL` names) filled; a query with
    no slots is literal, its braces Cypher maps."""
    try:
        slots = {f for _t, f, _s, _c in string.Formatter().parse(query.text) if f}
    except ValueError:
        return query.text
    if slots and slots <= set(_FILL):
        return query.text.format(**{k: _FILL[k] for k in slots})
    return query.text


def test_the_package_declares_its_queries() -> None:
    """Every upper-case constant the cypher package exports is a Query (no bare strings left)."""
    bare = [k for k, v in vars(Q).items() if k.isupper() and not k.startswith("_") and isinstance(v, str)]
    assert not bare, bare
    assert len(QUERIES) > 80, len(QUERIES)


@pytest.mark.parametrize(("name", "query"), QUERIES, ids=[n for n, _q in QUERIES])
def test_return_aliases_are_the_row_fields(name: str, query: Query[Any]) -> None:
    aliases = return_aliases(_filled(query))
    fields = list(query.row._fields)  # type: ignore[attr-defined]
    if query.row is NoRow:
        assert aliases is None, f"{name} returns {aliases} but declares no row"
    else:
        assert aliases == fields, f"{name}: RETURN {aliases} != {query.row.__name__}{tuple(fields)}"


def test_the_alias_reader_catches_what_it_must() -> None:
    assert return_aliases("MATCH (n) RETURN n.id AS id, count(*) AS n ORDER BY id LIMIT 3") == ["id", "n"]
    assert return_aliases("MATCH (e) WHERE EXISTS { MATCH (e)-->() RETURN 1 } RETURN e.id AS id") == ["id"]
    assert return_aliases("MATCH (e) RETURN DISTINCT {a: e.x, b: 1} AS m") == ["m"]
    assert return_aliases("MATCH (e) SET e.x = 1") is None
    with pytest.raises(ValueError, match="without an alias"):
        return_aliases("MATCH (e) RETURN e.id, e.name AS name")
    # a reordered RETURN is a different row
    swapped = Query("MATCH (e) RETURN e.name AS name, e.id AS id", Q.IdRow)
    assert return_aliases(swapped.text) != list(Q.IdRow._fields)


def test_a_row_is_read_by_name() -> None:
    row = Q.LINEAGE_SOURCES.make(["ex", "src", 3, 1, "f.jsonl", "sha", "/a", "ds"])
    assert (row.example, row.dataset, row.archive_path) == ("ex", "ds", "/a")
    with pytest.raises(TypeError):
        Q.LINEAGE_SOURCES.make(["ex", "src"])  # a short row is an error, never a shifted one


def test_ask_templates_name_every_column() -> None:
    """Ask mode's templates answer through read_cypher; their columns are what a user sees."""
    texts = [v for k, v in vars(A).items() if k.isupper() and isinstance(v, str)]
    texts += [q for k, v in vars(A).items() if k.isupper() and isinstance(v, dict) for q in v.values()]
    assert len(texts) > 10
    for text in texts:
        assert return_aliases(text), text
