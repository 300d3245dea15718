"""Logging, configured once at an edge (the CLI, the server); every module logs to its own
`logging.getLogger(__name__)` and never configures handlers itself."""

from __future__ import annotations

import logging
import sys

LEVELS = ("debug", "info", "warning", "error")
_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def configure(level: str | int) -> None:
    """Send curagraph's logs (the `catalog` and `api` loggers) to stderr at `level`."""
    numeric = level if isinstance(level, int) else getattr(logging, level.upper(), logging.WARNING)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter(_FORMAT, datefmt="%H:%M:%S"))
    for name in ("catalog", "api"):
        logger = logging.getLogger(name)
        logger.handlers[:] = [handler]
        logger.setLevel(numeric)
        logger.propagate = False


def level_for_verbosity(verbose: int) -> int:
    """-v: info, -vv: debug; none: warnings only."""
    return logging.DEBUG if verbose >= 2 else logging.INFO if verbose == 1 else logging.WARNING
