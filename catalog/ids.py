"""Example ids and the short forms people type.

An example's id is the first 32 hex characters (128 bits) of the sha256 of its canonical form
(messages, then tools; catalog/ingest/canonical.py), so the same conversation has the same id in
any format. Commands print the first 12 characters where space is short; every command that takes
an id takes any unique prefix of at least MIN_PREFIX characters, as git does.
"""

from __future__ import annotations

import logging
import re

from catalog.errors import AmbiguousId, CatalogError, NotFound
from catalog.ingest.canonical import ID_HEX_CHARS
from catalog.store import GraphStore

log = logging.getLogger(__name__)

MIN_PREFIX = 8
#: how many candidates an ambiguous prefix lists
SHOWN_CANDIDATES = 10
_HEX = re.compile(r"[0-9a-f]+")


def resolve_example_id(store: GraphStore, given: str) -> str:
    """The full id of the one example whose id starts with `given`.

    Raises NotFound when none does, AmbiguousId (with the candidates) when several do, and a
    CatalogError when `given` is shorter than MIN_PREFIX or is not hex.
    """
    prefix = given.strip().lower()
    if not _HEX.fullmatch(prefix or "-") or len(prefix) > ID_HEX_CHARS:
        raise CatalogError(
            f"{given!r} is not an example id",
            hint=f"an example id is {ID_HEX_CHARS} hex characters; any unique prefix of {MIN_PREFIX} or more works",
        )
    if len(prefix) < MIN_PREFIX:
        raise CatalogError(
            f"the example id prefix {given!r} is too short",
            hint=f"give at least {MIN_PREFIX} characters of the id",
        )
    if len(prefix) == ID_HEX_CHARS:
        if store.get_node(label="Example", node_id=prefix) is None:
            raise NotFound("example", prefix, hint="ids are listed by `curagraph cypher` and the API")
        return prefix
    found = store.example_ids_with_prefix(prefix=prefix, limit=SHOWN_CANDIDATES + 1)
    if not found:
        raise NotFound("example", prefix, hint="no example id starts with it; check for a typo")
    if len(found) > 1:
        raise AmbiguousId("example", prefix, found[:SHOWN_CANDIDATES], more=len(found) > SHOWN_CANDIDATES)
    log.debug("example id %s resolved to %s", prefix, found[0])
    return found[0]
