"""Server paths as a response may show them: relative to the catalog's folder, never absolute
(a client has no business knowing the server's layout; the server log keeps the full path)."""

from __future__ import annotations

import logging
from pathlib import Path

log = logging.getLogger(__name__)


def served_path(path: str | Path | None, root: Path) -> str | None:
    """`path` relative to the catalog folder `root` when it lies inside it, else its file name."""
    if path is None or str(path) == "":
        return None if path is None else ""
    p = Path(path)
    if not p.is_absolute():
        return str(p)
    try:
        return str(p.resolve().relative_to(root.resolve()))
    except ValueError:
        return p.name
