"""Quality queries: checks and their issues, near-duplicates, the inputs of selection."""

from __future__ import annotations

import logging
from typing import NamedTuple

from catalog.store.cypher.writes import IdRow
from catalog.store.query import Query

log = logging.getLogger(__name__)


class CheckInputRow(NamedTuple):
    id: str
    messages: str | None
    tools: str | None
    has_reasoning: bool | None
    language: str | None
    checked_with: str | None
    usage_role: str | None


class ExampleIssueIdRow(NamedTuple):
    example: str
    issue: str


class IssueSummaryRow(NamedTuple):
    factor: str | None
    checker: str | None
    checker_version: str | None
    kind: str | None
    severity: str | None
    issues: int
    examples: int


class IssueRow(NamedTuple):
    id: str
    factor: str | None
    checker: str | None
    checker_version: str | None
    kind: str | None
    severity: str | None
    message: str | None
    span: str | None


class SelectionRow(NamedTuple):
    id: str
    coverage_key: str | None
    language: str | None


class MessagesRow(NamedTuple):
    id: str
    messages: str | None


class DuplicateRow(NamedTuple):
    """A DUPLICATE_OF edge: the member, the representative it duplicates, how and how close."""

    member: str
    representative: str
    score: float | None
    method: str | None


class DuplicateEdge(NamedTuple):
    """A DUPLICATE_OF edge as the store hands it out: score 0.0 and method "" when unset."""

    member: str
    representative: str
    score: float
    method: str


class SeverityCountRow(NamedTuple):
    id: str
    severity: str | None
    issues: int


class FirstIngestedRow(NamedTuple):
    id: str
    ingested_at: str | None


#: examples a check (name@version, as ",name@1,") has not looked at yet
EXAMPLES_TO_CHECK = Query(
    "MATCH (e:`Example`) WHERE e.checked_with IS NULL OR NOT e.checked_with CONTAINS $tag "
    "RETURN e.id AS id ORDER BY e.id",
    IdRow,
)
EXAMPLES_FOR_CHECKS = Query(
    "UNWIND $ids AS i MATCH (e:`Example` {id: i}) "
    "RETURN e.id AS id, e.messages AS messages, e.tools AS tools, e.has_reasoning AS has_reasoning, "
    "e.language AS language, e.checked_with AS checked_with, e.usage_role AS usage_role",
    CheckInputRow,
)
ISSUES_OF = Query(
    "UNWIND $ids AS i MATCH (e:`Example` {id: i})-[:`HAS_ISSUE`]->(q:`QualityIssue`) "
    "WHERE q.checker IN $checkers RETURN e.id AS example, q.id AS issue",
    ExampleIssueIdRow,
)
ISSUE_SUMMARY = Query(
    "MATCH (e:`Example`)-[:`HAS_ISSUE`]->(q:`QualityIssue`) "
    "RETURN q.factor AS factor, q.checker AS checker, q.checker_version AS checker_version, q.kind AS kind, "
    "q.severity AS severity, count(q) AS issues, count(DISTINCT e) AS examples",
    IssueSummaryRow,
)
EXAMPLE_ISSUES = Query(
    "MATCH (e:`Example` {id: $id})-[:`HAS_ISSUE`]->(q:`QualityIssue`) "
    "RETURN q.id AS id, q.factor AS factor, q.checker AS checker, q.checker_version AS checker_version, "
    "q.kind AS kind, q.severity AS severity, q.message AS message, q.span AS span ORDER BY q.id",
    IssueRow,
)
#: examples with at least one issue of a severity among $severities (selection eligibility)
EXAMPLES_WITH_ISSUES = Query(
    "MATCH (e:`Example`)-[:`HAS_ISSUE`]->(q:`QualityIssue`) WHERE q.severity IN $severities "
    "RETURN DISTINCT e.id AS id",
    IdRow,
)

# ---------------------------------------------------------------- near-duplicates

SELECTION_ROWS = Query(
    "MATCH (e:`Example`) WHERE e.usage_role = $role "
    "RETURN e.id AS id, e.coverage_key AS coverage_key, e.language AS language ORDER BY e.id",
    SelectionRow,
)
EXAMPLE_IDS_OF_ROLE = Query(
    "MATCH (e:`Example`) WHERE e.usage_role = $role RETURN e.id AS id ORDER BY e.id", IdRow
)
EXAMPLE_MESSAGES = Query(
    "UNWIND $ids AS i MATCH (e:`Example` {id: i}) RETURN e.id AS id, e.messages AS messages", MessagesRow
)
_DUPLICATE = "RETURN e.id AS member, r.id AS representative, d.score AS score, d.method AS method"
DUPLICATES_FROM = Query(
    "UNWIND $ids AS i MATCH (e:`Example` {id: i})-[d:`DUPLICATE_OF`]->(r:`Example`) " + _DUPLICATE,
    DuplicateRow,
)
DUPLICATES_TO = Query(
    "UNWIND $ids AS i MATCH (e:`Example`)-[d:`DUPLICATE_OF`]->(r:`Example` {id: i}) " + _DUPLICATE,
    DuplicateRow,
)
DUPLICATE_MEMBERS = Query(
    "MATCH (e:`Example`)-[:`DUPLICATE_OF`]->(:`Example`) RETURN DISTINCT e.id AS id ORDER BY id", IdRow
)
DUPLICATE_CLUSTERS = Query(
    "MATCH (e:`Example`)-[d:`DUPLICATE_OF`]->(r:`Example`) " + _DUPLICATE + " ORDER BY r.id, e.id",
    DuplicateRow,
)
SYNTHETIC_AMONG = Query(
    "UNWIND $ids AS i MATCH (e:`Example` {id: i})-[:`GENERATED_BY`]->(:`Activity`) RETURN DISTINCT e.id AS id",
    IdRow,
)
ISSUE_COUNTS_AMONG = Query(
    "UNWIND $ids AS i MATCH (e:`Example` {id: i})-[:`HAS_ISSUE`]->(q:`QualityIssue`) "
    "RETURN e.id AS id, q.severity AS severity, count(q) AS issues",
    SeverityCountRow,
)
FIRST_INGESTED_AMONG = Query(
    "UNWIND $ids AS i MATCH (e:`Example` {id: i})-[:`FROM_SOURCE`]->(s:`Source`) "
    "RETURN e.id AS id, min(s.ingested_at) AS ingested_at",
    FirstIngestedRow,
)
