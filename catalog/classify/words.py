"""Where the words of a Chinese or Korean text begin and end, from real segmenters.

Chinese is cut by jieba's dictionary and HMM (`rjieba`, the Rust port: about 180,000 short texts a
second); Korean by Kiwi's morphological analyser (`kiwipiepy`, its model ships in the PyPI package
`kiwipiepy_model`, nothing is downloaded). A cue found in the text counts only where it is a word:

- Chinese: the cue starts and ends at word boundaries. A word may carry a verbal complement after
  the cue (解释一下 is 解释 + 一下, 翻译成 is 翻译 + 成), which counts as a boundary too.
- Korean: the cue starts where a morpheme starts, and ends where one ends, or inside a verb or
  adjective (Korean cues are often the stem of a conjugated form: 외로 in 외로워, 했어 in 했어요).

Both segmenters load lazily, once per process, on the first text that needs them.
"""

from __future__ import annotations

import logging
import re
from functools import lru_cache
from typing import Any

log = logging.getLogger(__name__)

_HANGUL = re.compile(r"[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]")
_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
#: what a Chinese word may add after a cue and still be the cue's word
_COMPLEMENTS = ("一下", "一遍", "成", "出", "了", "过", "着", "好", "完", "下")
#: Kiwi tags of predicates (verbs, adjectives, their roots and suffixes), inside which a cue may end
_PREDICATE_TAGS = ("V", "XR", "XS")


@lru_cache(maxsize=1)
def _kiwi() -> Any:
    from kiwipiepy import Kiwi

    return Kiwi()


def chinese_words(text: str) -> list[tuple[str, int, int]]:
    import rjieba

    return [(w, s, e) for w, s, e in rjieba.tokenize(text)]


class WordBounds:
    """Word starts and ends of one text, computed on the first question about each script."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._zh: tuple[set[int], set[int]] | None = None
        self._ko: tuple[set[int], set[int]] | None = None

    def _chinese(self) -> tuple[set[int], set[int]]:
        if self._zh is None:
            starts, ends = set(), set()
            for word, s, e in chinese_words(self.text):
                starts.add(s)
                ends.add(e)
                for tail in _COMPLEMENTS:
                    if len(word) > len(tail) and word.endswith(tail):
                        ends.add(e - len(tail))
            self._zh = (starts, ends)
        return self._zh

    def _korean(self) -> tuple[set[int], set[int]]:
        if self._ko is None:
            starts, ends = set(), set()
            for token in _kiwi().tokenize(self.text):
                s, e = token.start, token.start + token.len
                starts.add(s)
                ends.add(e)
                if token.tag.startswith(_PREDICATE_TAGS):
                    ends.update(range(s + 1, e))
            self._ko = (starts, ends)
        return self._ko

    def is_word(self, start: int, end: int) -> bool:
        """Is text[start:end] one or more whole words (see the module's rules)?"""
        phrase = self.text[start:end]
        if _HANGUL.search(phrase):
            starts, ends = self._korean()
            # a Korean cue may end before a particle or an ending glued to the word (요약해, 이야기를)
            return start in starts and (end in ends or end in starts or end >= len(self.text))
        if _HAN.search(phrase):
            starts, ends = self._chinese()
            return start in starts and end in ends
        return True  # kana and other scripts: as found
