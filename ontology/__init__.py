"""The curagraph ontology: Turtle files shipped as package data.

`ONTOLOGY_FILES` are the vocabulary and the concept schemes; `SHAPES_FILE` holds the SHACL shapes.
"""

from __future__ import annotations

import logging
from pathlib import Path

log = logging.getLogger(__name__)

ONTOLOGY_DIR = Path(__file__).resolve().parent
SHAPES_FILE = ONTOLOGY_DIR / "shapes.ttl"
ONTOLOGY_FILES: tuple[Path, ...] = tuple(
    sorted(p for p in ONTOLOGY_DIR.glob("*.ttl") if p.name != SHAPES_FILE.name)
)

__all__ = ["ONTOLOGY_DIR", "ONTOLOGY_FILES", "SHAPES_FILE"]
