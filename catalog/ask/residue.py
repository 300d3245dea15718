"""Whether a template accounts for the whole question: what the question names must be its
parameters, and every other word its intent words or words any question asks with."""

from __future__ import annotations

import logging
import re

from catalog.ask.vocabulary import (
    Match,
    Mentions,
)
from catalog.ask.words import (
    ASKING_EN,
    ASKING_KO,
    ASKING_ZH,
    DIM,
    KEY,
    KO_PARTICLES,
    TEMPLATE_WORD,
    TOKENS,
)

log = logging.getLogger(__name__)


def ko_accounted(token: str) -> bool:
    """A Korean word that is an asking word, or one with particles and endings attached (or the
    particles alone, left when the word before them was a slot or an intent word)."""
    if token in KO_PARTICLES:
        return True
    while token:
        if token in ASKING_KO:
            return True
        for ending in KO_PARTICLES:
            if token.endswith(ending) and len(token) > len(ending):
                token = token[: -len(ending)]
                break
        else:
            return token in ASKING_KO
    return True


def strip_matches(pattern: re.Pattern[str], text: str) -> str:
    """The text with the pattern's matches taken out; an English match takes the rest of its word
    with it ("commercial" takes "commercially", "licen[cs]e" takes "licenses"), never the start of
    one ("uncommercial" keeps its "un", which then counts as unaccounted)."""
    out, last = [], 0
    for m in pattern.finditer(text):
        if m.start() < last or m.end() == m.start():
            continue
        end = m.end()
        if text[m.start() : end].isascii():
            while end < len(text) and text[end].isascii() and text[end].isalnum():
                end += 1
        out.append(text[last : m.start()] + " ")
        last = end
    out.append(text[last:])
    return "".join(out)


def residue(found: Mentions, got: Match) -> list[str]:
    """The words of the question that neither the template (its slots and intent words) nor the
    words every question asks with account for. A template that leaves any answers another
    question ("how many math examples" is not the total), so it declines."""
    text = found.rest
    # a slot may be named with its dimension ("the summarization task", "the lima dataset")
    dims = [d for d in ("topic", "task", "format") if found.concepts.get(d)]
    dims += ["language"] * bool(found.languages) + ["dataset"] * bool(found.datasets)
    for key in (*[k for k in got.uses if k in DIM], *dims):
        text = strip_matches(DIM[key], text)
    for key in got.uses:
        if key in KEY:
            text = strip_matches(KEY[key], text)
    extra = TEMPLATE_WORD.get(got.template)
    if extra is not None:
        text = strip_matches(extra, text)
    left: list[str] = []
    for token in TOKENS.findall(text):
        if token.isascii():
            if token not in ASKING_EN:
                left.append(token)
        elif "\uac00" <= token[0] <= "\ud7a3":
            if not ko_accounted(token):
                left.append(token)
        else:
            for word in ASKING_ZH:
                token = token.replace(word, "")
            if token:
                left.append(token)
    return left


def unused(found: Mentions, got: Match) -> list[str]:
    """What the question names that the matched template would ignore (so it would answer another
    question): a concept, language, dataset, model or example id not among its parameters."""
    used = {str(v) for v in got.params.values()} | got.consumed
    named = (
        [i for ids in found.concepts.values() for i in ids] + found.languages + found.datasets + found.models
    )
    if found.example_id:
        named.append(found.example_id)
    return [n for n in named if n not in used]
