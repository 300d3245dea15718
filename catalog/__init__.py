"""curagraph: a catalog of LLM fine-tuning data kept as a graph."""

__version__ = "0.1.0"
