"""The model annotator: labels from a model behind any OpenAI-compatible endpoint, checked against
the ontology, cached in a ledger, resumable, costed, with provenance on every label."""

from catalog.annotate.run import AnnotateReport, annotate

__all__ = ["AnnotateReport", "annotate"]
