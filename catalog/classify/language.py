"""Language identification per message and per example, with py3langid (a naive Bayes model over
byte n-grams for 97 languages, the maintained fork of langid.py).

Text with too few letters to say anything (code, numbers, "ok") is 'und' rather than a guess; the
example's main language is that of most of its user turns' text, falling back to all its text.

A user turn that gives an instruction and then quotes a passage in another language ("将下面的段落
翻译成中文：<an English paragraph>") is in the language of the instruction: its first line, or what
comes before the first colon, when that is long enough to identify. The passage's language is kept
in the example's mix: `message_languages` holds one code per message, then the language of each
quoted passage that no message is in.
"""

from __future__ import annotations

import logging
import re
from functools import lru_cache
from typing import Any

log = logging.getLogger(__name__)

UNDETERMINED = "und"
#: below this many letters a message has no language worth naming
MIN_LETTERS = 4
#: the identifier's normalised probability under which its answer is not trusted
MIN_PROBABILITY = 0.5
#: characters looked at per text: the start says as much as the whole, at a fraction of the cost
SAMPLE_CHARS = 400


@lru_cache(maxsize=1)
def _identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    # ISO 639-1 languages only: the model's few 3-letter ones (e.g. 'wuu') misfire on short Chinese
    identifier.set_languages([code for code in identifier.nb_classes if len(code) == 2])
    return identifier


def _has_letters(text: str, at_least: int) -> bool:
    seen = 0
    for ch in text:
        if ch.isalpha():
            seen += 1
            if seen >= at_least:
                return True
    return False


def identify(text: str) -> tuple[str, float]:
    """(ISO 639-1 code or 'und', probability) for one text."""
    sample = text[:SAMPLE_CHARS]
    if not _has_letters(sample, MIN_LETTERS):
        return UNDETERMINED, 0.0
    code, prob = _identifier().classify(sample)
    if prob < MIN_PROBABILITY:
        return UNDETERMINED, float(prob)
    return str(code), float(prob)


#: an instruction before a quoted passage needs this many letters to be identified on its own
INSTRUCTION_LETTERS = 8
_INSTRUCTION_END = re.compile(r"\n|[:：]\s*\S")


def instruction_and_passage(text: str) -> tuple[str, float, str | None]:
    """(language, probability) of a user turn, and the language of a passage it quotes, if any."""
    whole, prob = identify(text)
    cut = _INSTRUCTION_END.search(text[:SAMPLE_CHARS])
    if cut is None or whole == UNDETERMINED:
        return whole, prob, None
    head = text[: cut.start()]
    if not _has_letters(head, INSTRUCTION_LETTERS):
        return whole, prob, None
    lead, lead_prob = identify(head)
    if lead in (UNDETERMINED, whole):
        return whole, prob, None
    return lead, lead_prob, whole


def languages_of(messages: list[dict[str, Any]]) -> tuple[str, float, list[str]]:
    """(main language, its probability, language of each message in order, then of quoted passages).

    The main language is the one most of the user turns' text is in (by characters), else the one
    most of all the text is in; each message is identified once (a user turn with an instruction
    and a quoted passage, twice)."""
    found = []
    quoted: list[str] = []
    for m in messages:
        text = m.get("content") or ""
        if m.get("role") == "user":
            lang, prob, passage = instruction_and_passage(text)
            if passage is not None:
                quoted.append(passage)
        else:
            lang, prob = identify(text)
        found.append((m.get("role"), len(text), lang, prob))
    per_message = [lang for _role, _n, lang, _p in found]
    per_message += [q for q in dict.fromkeys(quoted) if q not in per_message]
    for pool in ([f for f in found if f[0] == "user"], found):
        weight: dict[str, float] = {}
        best_prob: dict[str, float] = {}
        for _role, n, lang, prob in pool:
            if lang != UNDETERMINED:
                weight[lang] = weight.get(lang, 0.0) + n
                best_prob[lang] = max(best_prob.get(lang, 0.0), prob)
        if weight:
            main = max(sorted(weight), key=lambda k: weight[k])
            return main, best_prob[main], per_message
    return UNDETERMINED, 0.0, per_message
