"""Assignment of formats, languages, tasks and topics (issue: coverage)."""

from catalog.classify.run import ClassifyReport, assign_by_person, classify_catalog

__all__ = ["ClassifyReport", "assign_by_person", "classify_catalog"]
