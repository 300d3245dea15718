"""The Cypher the catalog runs, written once, each query with the typed row it returns.

Queries are `Query` constants (catalog/store/query.py) grouped by role: writes and whole nodes
(`writes.py`), provenance, coverage, quality and browsing. Every value is a `$param`. Labels,
relationship types and property names are filled in only through `label`, `rel_type` and `quote`
(`names.py`), which take them from the schema (so only names the ontology declares reach a query)
and backtick them. Where the engines' dialects differ, a small per-engine variant sits next to the
shared form, named `..._EMBEDDED` / `..._NEO4J`.
"""

from catalog.store.cypher.browse import *  # noqa: F403
from catalog.store.cypher.coverage import *  # noqa: F403
from catalog.store.cypher.names import assignments as assignments
from catalog.store.cypher.names import key_match as key_match
from catalog.store.cypher.names import label as label
from catalog.store.cypher.names import map_literal as map_literal
from catalog.store.cypher.names import quote as quote
from catalog.store.cypher.names import rel_type as rel_type
from catalog.store.cypher.provenance import *  # noqa: F403
from catalog.store.cypher.quality import *  # noqa: F403
from catalog.store.cypher.writes import *  # noqa: F403
