"""Find a concept scheme's cue phrases (the ontology's labels, skos:hiddenLabel, cg:supportCue,
cg:blockCue) in text, as words.

All cues of a scheme are compiled into two regular expressions, one for whole-word cues (Latin
script, case-insensitive) and one for cues in scripts written without spaces between words
(Chinese, Korean, Japanese), so a text is scanned twice whatever the number of concepts. A match in
the second only counts when it is a word of the text as a real segmenter cuts it (`catalog.classify
.words`): 计算 in 计算机 or 云计算, 求 in 要求 or 几 in 几乎 is not a word, so not a cue.

Block cues (云计算 for math, "per cent" for "per") are matched like the others and count for nothing:
the regular expression takes the longest phrase at a position and never looks inside it again, so
the cue inside a block cue is not found. Support cues (ambiguous words: "date", "mean", 解释) come
back marked `support`; the classifier counts them only next to other evidence for the concept.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass

from catalog.classify.words import WordBounds
from catalog.schema import Concept

log = logging.getLogger(__name__)

_NO_SPACES = re.compile(r"[\u1100-\u11ff\u3040-\u30ff\u3130-\u318f\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff]")


@dataclass(frozen=True)
class Hit:
    concept: str
    position: int  # character offset of the cue in the text
    cue: str = ""
    support: bool = False  # an ambiguous cue: evidence only next to another cue of the concept


def _phrases(values: tuple[str, ...]) -> list[str]:
    out = []
    for cue in values:
        _lang, _, text = cue.partition(":")
        text = text.strip().lower()
        if text:
            out.append(text)
    return out


class CueMatcher:
    def __init__(self, concepts: Mapping[str, Concept]) -> None:
        #: cue text -> ((concept, support), ...); a block cue maps to nothing
        by_cue: dict[str, set[tuple[str, bool]]] = {}
        for concept in concepts.values():
            for text in _phrases(concept.cues):
                by_cue.setdefault(text, set()).add((concept.id, False))
            for text in _phrases(concept.support_cues):
                by_cue.setdefault(text, set()).add((concept.id, True))
            for text in _phrases(concept.block_cues):
                by_cue.setdefault(text, set())
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
        if self._words is not None:
            for m in self._words.finditer(lowered):
                out.extend(Hit(c, m.start(), m.group(0), s) for c, s in self._concepts_of[m.group(0)])
        if self._glyphs is not None:
            bounds: WordBounds | None = None
            for m in self._glyphs.finditer(lowered):
                found = self._concepts_of[m.group(0)]
                if not found:
                    continue  # a block cue
                bounds = bounds or WordBounds(lowered)
                if bounds.is_word(m.start(), m.end()):
                    out.extend(Hit(c, m.start(), m.group(0), s) for c, s in found)
        return out
