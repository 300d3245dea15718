"""Language identification per message and per example, with py3langid (a naive Bayes model over
byte n-grams for 97 languages, the maintained fork of langid.py).

Text with too few letters to say anything (code, numbers, "ok") is 'und' rather than a guess; the
example's main language is that of its user turns, falling back to all its text.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

UNDETERMINED = "und"
#: below this many letters a message has no language worth naming
MIN_LETTERS = 4
#: the identifier's normalised probability under which its answer is not trusted
MIN_PROBABILITY = 0.5
#: characters looked at per text: the start says as much as the whole, at a fraction of the cost
SAMPLE_CHARS = 600


@lru_cache(maxsize=1)
def _identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    # ISO 639-1 languages only: the model's few 3-letter ones (e.g. 'wuu') misfire on short Chinese
    identifier.set_languages([code for code in identifier.nb_classes if len(code) == 2])
    return identifier


def _letters(text: str) -> int:
    return sum(1 for ch in text if ch.isalpha())


def identify(text: str) -> tuple[str, float]:
    """(ISO 639-1 code or 'und', probability) for one text."""
    sample = text[:SAMPLE_CHARS]
    if _letters(sample) < MIN_LETTERS:
        return UNDETERMINED, 0.0
    code, prob = _identifier().classify(sample)
    if prob < MIN_PROBABILITY:
        return UNDETERMINED, float(prob)
    return str(code), float(prob)


def languages_of(messages: list[dict[str, Any]]) -> tuple[str, float, list[str]]:
    """(main language, its probability, language of each message in order)."""
    per_message = [identify(m.get("content") or "")[0] for m in messages]
    users = "\n".join(m.get("content") or "" for m in messages if m.get("role") == "user")
    main, prob = identify(users)
    if main == UNDETERMINED:
        main, prob = identify("\n".join(m.get("content") or "" for m in messages))
    return main, prob, per_message
