"""The first of two gates on read-only Cypher: a lexical check of the statement.

The second gate is the engine itself (a read-only transaction on the embedded engine, READ access
mode plus an EXPLAIN query-type check on Neo4j); this one exists because some statements that do
not write to the graph still escape it: `LOAD FROM` / `LOAD CSV` read files on the server,
`EXPORT DATABASE` writes files, `ATTACH`/`INSTALL` change the engine. It also refuses a second
statement after `;` and identifiers spelled with look-alike Unicode characters.

The check works on tokens, after removing comments and string literals, so a keyword inside a
string (`WHERE e.prompt_preview CONTAINS 'CREATE'`) is fine and a keyword hidden by a comment
(`CRE/**/ATE`) is still two tokens that the engine would not run as CREATE either.
"""

from __future__ import annotations

import logging
import re
import unicodedata

from catalog.errors import QueryRefused, QueryTooComplex

log = logging.getLogger(__name__)

#: clauses that write, or reach outside the graph, in either engine's dialect
FORBIDDEN_KEYWORDS = frozenset(
    {
        "CREATE", "MERGE", "SET", "DELETE", "DETACH", "REMOVE", "DROP", "ALTER", "COPY", "LOAD",
        "EXPORT", "IMPORT", "ATTACH", "INSTALL", "UNINSTALL", "USE", "FOREACH", "BEGIN", "COMMIT",
        "ROLLBACK", "CHECKPOINT", "GRANT", "REVOKE", "DENY", "TERMINATE", "START", "STOP", "ENABLE",
        "DISABLE", "RENAME", "FINISH",
    }
)  # fmt: skip

#: procedures that only read the schema; any other CALL is refused
READ_PROCEDURES = frozenset(
    {
        "show_tables", "table_info", "show_connection", "db.labels", "db.relationshiptypes",
        "db.propertykeys", "db.schema.visualization", "db.schema.nodetypeproperties",
        "db.schema.reltypeproperties",
    }
)  # fmt: skip

_TOKEN = re.compile(
    r"""
      (?P<ws>\s+)
    | (?P<line_comment>//[^\n]*)
    | (?P<block_comment>/\*.*?\*/)
    | (?P<string>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")
    | (?P<quoted>`(?:[^`]|``)*`)
    | (?P<word>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)
    | (?P<semicolon>;)
    | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)


def tokens(query: str) -> list[tuple[str, str]]:
    """(kind, text) pairs; comments and whitespace dropped. Raises on an unterminated literal."""
    out: list[tuple[str, str]] = []
    pos = 0
    while pos < len(query):
        m = _TOKEN.match(query, pos)
        if m is None:  # pragma: no cover - the 'other' branch matches any character
            raise QueryRefused(f"cannot read the query at character {pos}")
        kind = m.lastgroup or "other"
        text = m.group()
        if kind == "other" and text in "'\"`":
            raise QueryRefused("the query has an unterminated string or quoted name", hint="close the quote")
        if kind == "other" and text == "/" and query.startswith("/*", pos):
            raise QueryRefused("the query has an unterminated /* comment", hint="close the comment")
        if kind not in ("ws", "line_comment", "block_comment"):
            out.append((kind, text))
        pos = m.end()
    return out


#: Limits on what reaches the engine, from bench/cypher_limits.py (LadybugDB 0.22, this machine):
#: its parser and binder take time exponential in nesting, which the query time limit does not
#: interrupt, and crash (SIGSEGV) past some depth. Measured: nested lists 80 deep 0.4 s, 160 deep
#: 1.7 s, 320 deep 10.5 s, 640 deep past 30 s; maps 160 deep 3.1 s; CASE 20 deep 1.2 s, 40 deep
#: past 30 s; parentheses crash at 2,560, function calls at 1,280; 2,560 `+` terms in a chain
#: 0.6 s, but as a balanced tree 3-4 ms a term, not interrupted by the time limit either (512
#: leaves 1.7 s, 1,024 leaves 4.2 s, 2,048 leaves 8-11 s): the term limit keeps the worst near 2 s.
MAX_NESTING = 40  # brackets, parentheses and braces together, and CASE ... END
MAX_CASE_NESTING = 10
MAX_TERMS = 500  # binary operators and commas in one statement
_OPEN, _CLOSE = "([{", ")]}"
_OPERATORS = frozenset("+-*/%^=<>,")
_WORD_OPERATORS = frozenset({"AND", "OR", "XOR", "IN", "STARTS", "ENDS", "CONTAINS", "IS"})


def check_complexity(toks: list[tuple[str, str]]) -> None:
    """Refuse a statement that nests or chains more than the engine survives (QueryTooComplex)."""
    depth = case_depth = max_depth = max_case = terms = 0
    for kind, text in toks:
        upper = text.upper() if kind == "word" else ""
        if (kind == "other" and text in _OPEN) or upper == "CASE":
            depth += 1
            max_depth = max(max_depth, depth)
            if upper == "CASE":
                case_depth += 1
                max_case = max(max_case, case_depth)
        elif (kind == "other" and text in _CLOSE) or upper == "END":
            depth = max(0, depth - 1)
            if upper == "END":
                case_depth = max(0, case_depth - 1)
        elif (kind == "other" and text in _OPERATORS) or upper in _WORD_OPERATORS:
            terms += 1
    hint = "split the query, or compute the expression in steps (WITH ... AS x)"
    if max_case > MAX_CASE_NESTING:
        raise QueryTooComplex(
            f"the query nests CASE {max_case} deep; the limit is {MAX_CASE_NESTING}", hint=hint
        )
    if max_depth > MAX_NESTING:
        raise QueryTooComplex(
            f"the query nests brackets, parentheses, braces or CASE {max_depth} deep; the limit is {MAX_NESTING}",
            hint=hint,
        )
    if terms > MAX_TERMS:
        raise QueryTooComplex(
            f"the query chains {terms:,} operators and list items; the limit is {MAX_TERMS:,}", hint=hint
        )


def check_read_only(query: str) -> str:
    """Return the query (stripped of a trailing ';') if it may run on the read-only path, else raise QueryRefused."""
    if not query or not query.strip():
        raise QueryRefused("the query is empty", hint="write a MATCH ... RETURN query")
    if unicodedata.normalize("NFKC", query) != query:
        raise QueryRefused(
            "the query contains look-alike (compatibility) Unicode characters",
            hint="write Cypher keywords and names in plain ASCII",
        )
    toks = tokens(query)
    for i, (kind, text) in enumerate(toks):
        if kind == "semicolon":
            if any(k != "semicolon" for k, _ in toks[i + 1 :]):
                raise QueryRefused("only one statement may run at a time", hint="remove everything after ';'")
            continue
        if kind == "other" and not text.isascii():
            raise QueryRefused(
                f"the query contains the non-ASCII character {text!r} outside a string",
                hint="write Cypher keywords and names in plain ASCII",
            )
        if kind != "word":
            continue
        upper = text.upper()
        if upper in FORBIDDEN_KEYWORDS:
            raise QueryRefused(
                f"the read-only Cypher path refuses {upper}",
                hint="writes go through ingest and the catalog commands; only MATCH ... RETURN queries run here",
            )
        if upper == "CALL":
            nxt = toks[i + 1] if i + 1 < len(toks) else ("", "")
            if nxt[0] == "other" and nxt[1] == "{":
                continue  # CALL { subquery }: its body is checked token by token like the rest
            if nxt[0] != "word" or nxt[1].lower() not in READ_PROCEDURES:
                raise QueryRefused(
                    f"the read-only Cypher path refuses CALL {nxt[1]}".rstrip(),
                    hint=f"only these procedures may be called: {', '.join(sorted(READ_PROCEDURES))}",
                )
    check_complexity(toks)
    return query.strip().rstrip(";").rstrip()
