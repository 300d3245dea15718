"""One exception tree. Each error says what went wrong and how to fix it.

The CLI and the API translate these at the edge (exit code 2 / one JSON error shape); nothing
below the edge prints or logs them.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

log = logging.getLogger(__name__)


class CatalogError(Exception):
    """Base of every error curagraph raises on purpose."""

    code = "catalog_error"

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message


class ConfigError(CatalogError):
    """Settings or command-line options that cannot work together."""

    code = "config_error"


class OntologyError(CatalogError):
    """The ontology (or a user's extension of it) is malformed or fails its SHACL shapes."""

    code = "ontology_error"


class SchemaViolation(CatalogError):
    """A write or query names a label, relationship, endpoint pair or property the ontology does not declare."""

    code = "schema_violation"

    def __init__(self, kind: str, offender: str, allowed: Iterable[str], *, context: str = "") -> None:
        allowed_sorted = sorted(allowed)
        where = f" {context}" if context else ""
        super().__init__(
            f"unknown {kind} {offender!r}{where}; the ontology allows: {', '.join(allowed_sorted) or '(none)'}",
            hint="declare it in an ontology extension (Turtle) or use one of the allowed names",
        )
        self.kind = kind
        self.offender = offender
        self.allowed = allowed_sorted


class StoreError(CatalogError):
    """The graph engine failed: cannot open, cannot reach, or a query failed."""

    code = "store_error"


class StoreUnavailable(StoreError):
    """The engine cannot be opened or reached (locked file, server down, wrong password)."""

    code = "store_unavailable"


class QueryRefused(CatalogError):
    """A query through the read-only path tried to write or to escape it."""

    code = "query_refused"


class QueryTooComplex(CatalogError):
    """A query nests deeper or chains more terms than the engine survives in reasonable time; it
    is refused before it reaches the engine (catalog/store/readonly.py has the limits)."""

    code = "query_too_complex"


class QueryTimeout(StoreError):
    """A query ran past its time limit."""

    code = "query_timeout"


class QueryFailed(StoreError):
    """The engine rejected a query (syntax error, unknown property, ...)."""

    code = "query_failed"


class IngestError(CatalogError):
    """An ingest cannot start: missing file, unreadable manifest, unknown or ambiguous format."""

    code = "ingest_error"


class NothingIngested(IngestError):
    """A file was read but none of its records became an example; nothing was written for it."""

    code = "nothing_ingested"

    def __init__(self, message: str, *, summary: object, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.summary = summary


class ManifestError(IngestError):
    code = "manifest_error"


class FormatDetectionError(IngestError):
    code = "format_detection_error"


class NotFound(CatalogError):
    code = "not_found"

    def __init__(self, kind: str, ident: str, *, hint: str | None = None) -> None:
        super().__init__(f"no {kind} with id {ident!r} in the catalog", hint=hint)
        self.kind = kind
        self.ident = ident


class AmbiguousId(CatalogError):
    """An id prefix that several nodes share; the candidates say which to pick."""

    code = "ambiguous_id"

    def __init__(self, kind: str, prefix: str, candidates: Iterable[str], *, more: bool = False) -> None:
        listed = sorted(candidates)
        tail = ", ..." if more else ""
        super().__init__(
            f"the {kind} id prefix {prefix!r} matches {len(listed)}{'+' if more else ''} ids: {', '.join(listed)}{tail}",
            hint="give more characters of the id",
        )
        self.kind = kind
        self.prefix = prefix
        self.candidates = listed


class AskRefused(CatalogError):
    """A query a model wrote that may not run; the message says why (and goes back to the model once)."""

    code = "ask_refused"


class NoModelConfigured(CatalogError):
    """No ask template answers the question and no model endpoint is configured."""

    code = "no_model_configured"


class LLMError(CatalogError):
    """The model endpoint failed, timed out or answered in a shape that is not chat completions."""

    code = "llm_error"
