"""Find a concept scheme's cue phrases (the ontology's labels and skos:hiddenLabel) in text.

All cues of a scheme are compiled into two regular expressions, one for whole-word cues (Latin
script, case-insensitive) and one for cues in scripts written without spaces between words
(Korean, Chinese, Japanese), so a text is scanned twice whatever the number of concepts.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass

from catalog.schema import Concept

log = logging.getLogger(__name__)

_NO_SPACES = re.compile(r"[\u1100-\u11ff\u3040-\u30ff\u3130-\u318f\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff]")


@dataclass(frozen=True)
class Hit:
    concept: str
    position: int  # character offset of the cue in the text


class CueMatcher:
    def __init__(self, concepts: Mapping[str, Concept]) -> None:
        by_cue: dict[str, set[str]] = {}
        for concept in concepts.values():
            for cue in concept.cues:
                _lang, _, text = cue.partition(":")
                text = text.strip().lower()
                if text:
                    by_cue.setdefault(text, set()).add(concept.id)
        self._concepts_of = {cue: tuple(sorted(ids)) for cue, ids in by_cue.items()}
        words = sorted((c for c in by_cue if not _NO_SPACES.search(c)), key=len, reverse=True)
        glyphs = sorted((c for c in by_cue if _NO_SPACES.search(c)), key=len, reverse=True)
        self._words = (
            re.compile(r"(?<![\w])(?:" + "|".join(map(re.escape, words)) + r")(?![\w])") if words else None
        )
        self._glyphs = re.compile("|".join(map(re.escape, glyphs))) if glyphs else None

    def hits(self, text: str) -> list[Hit]:
        lowered = text.lower()
        out: list[Hit] = []
        for pattern in (self._words, self._glyphs):
            if pattern is None:
                continue
            for m in pattern.finditer(lowered):
                out.extend(Hit(c, m.start()) for c in self._concepts_of[m.group(0)])
        return out
