"""The checks a generated Cypher query must pass before it runs, on top of the read-only path every
query takes (catalog/store/readonly.py, then the engine's own read-only mode):

- it is one statement the lexical gate accepts (no writes, LOAD, look-alike Unicode, stacked
  statements) and calls no procedure at all (not even the schema ones /cypher allows);
- every label, relationship type and property it names is one the ontology declares (a model that
  invents `:Person` or `e.author` is told which names exist);
- it returns rows and has a LIMIT (one is added when it has none).
"""

from __future__ import annotations

import logging

from catalog.errors import AskRefused, QueryRefused
from catalog.schema import Schema
from catalog.store.readonly import check_read_only, tokens

log = logging.getLogger(__name__)


def _unquote(text: str) -> str:
    return text[1:-1].replace("``", "`") if text.startswith("`") else text


def names_used(query: str) -> tuple[set[str], set[str], set[str]]:
    """(labels, relationship types, properties) a query names, from its tokens."""
    toks = tokens(query)
    labels: set[str] = set()
    rels: set[str] = set()
    props: set[str] = set()
    depth = {"(": 0, "[": 0}
    opener = ""
    for i, (kind, text) in enumerate(toks):
        if kind == "other" and text in "([":
            opener = text
            depth[text] += 1
        elif kind == "other" and text in ")]":
            opener = ""
        elif kind == "other" and text in ":|" and opener:
            nxt = toks[i + 1] if i + 1 < len(toks) else ("", "")
            if nxt[0] in ("word", "quoted"):
                name = _unquote(nxt[1])
                (labels if opener == "(" else rels).add(name)
        if kind == "word" and "." in text:
            head, _, prop = text.partition(".")
            if head.lower() not in ("db", "apoc", "gds", "dbms"):
                props.add(prop.split(".")[0])
        elif kind == "other" and text == "." and i > 0 and i + 1 < len(toks) and toks[i + 1][0] == "quoted":
            props.add(_unquote(toks[i + 1][1]))
        # map keys in a node or relationship pattern: (x:L {key: ...})
        if kind in ("word", "quoted") and opener and i + 1 < len(toks) and toks[i + 1] == ("other", ":"):
            prev = toks[i - 1] if i > 0 else ("", "")
            if prev in (("other", "{"), ("other", ",")):
                props.add(_unquote(text))
    return labels, rels, props


def check_generated(schema: Schema, query: str, *, row_cap: int) -> str:
    """The query as it may run (with a LIMIT), or AskRefused saying what to change."""
    try:
        statement = check_read_only(query)
    except QueryRefused as exc:
        raise AskRefused(f"refused: {exc.message}", hint=exc.hint) from None
    toks = tokens(statement)
    words = {text.upper() for kind, text in toks if kind == "word"}
    for i, (kind, text) in enumerate(toks):
        if kind == "word" and text.upper() == "CALL" and toks[i + 1 : i + 2] != [("other", "{")]:
            # /cypher allows a few schema procedures; a generated query has the schema in its prompt
            raise AskRefused("a generated query may not call procedures", hint="use MATCH ... RETURN only")
    if "RETURN" not in words:
        raise AskRefused("the query returns nothing", hint="end it with RETURN ...")
    labels, rels, props = names_used(statement)
    unknown_labels = sorted(labels - set(schema.labels))
    unknown_rels = sorted(rels - set(schema.relationships))
    unknown_props = sorted(props - schema.property_names())
    if unknown_labels:
        raise AskRefused(
            f"unknown label {unknown_labels[0]!r}",
            hint=f"the ontology's labels: {', '.join(sorted(schema.labels))}",
        )
    if unknown_rels:
        raise AskRefused(
            f"unknown relationship type {unknown_rels[0]!r}",
            hint=f"the ontology's relationship types: {', '.join(sorted(schema.relationships))}",
        )
    if unknown_props:
        raise AskRefused(
            f"unknown property {unknown_props[0]!r}",
            hint=f"declared properties: {', '.join(sorted(schema.property_names()))}",
        )
    if "LIMIT" not in words:
        statement = f"{statement} LIMIT {row_cap}"
    return statement
