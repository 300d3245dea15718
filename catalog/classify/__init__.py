"""Assignment of formats, languages, tasks and topics (issue: coverage)."""

import logging

from catalog.classify.run import ClassifyReport, assign_by_person, classify_catalog

log = logging.getLogger(__name__)

__all__ = ["ClassifyReport", "assign_by_person", "classify_catalog"]
