"""Language identification per message and per example, with py3langid (a naive Bayes model over
byte n-grams for 97 languages, the maintained fork of langid.py).

Text with too few letters to say anything (code, numbers, "ok") is 'und' rather than a guess; the
example's main language is that of most of its user turns' text, falling back to all its text.
"""

from __future__ import annotations

import logging
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


def languages_of(messages: list[dict[str, Any]]) -> tuple[str, float, list[str]]:
    """(main language, its probability, language of each message in order).

    The main language is the one most of the user turns' text is in (by characters), else the one
    most of all the text is in; each message is identified once."""
    found = [
        (m.get("role"), len(m.get("content") or ""), *identify(m.get("content") or "")) for m in messages
    ]
    per_message = [lang for _role, _n, lang, _p in found]
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
