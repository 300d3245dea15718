"""What a question names: the ontology's concepts by any of their labels, languages, the
catalog's datasets and models, an example id, a number; and the template a question matched."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from typing import Any

from catalog.ask.words import (
    KEY,
    LANGUAGE_NAMES,
)
from catalog.schema import Schema

log = logging.getLogger(__name__)


ID_PATTERN = re.compile(r"(?<![0-9a-f])[0-9a-f]{32}(?![0-9a-f])")


#: a number, also where a Korean or Chinese counter follows it (10개, 10个)
NUMBER_PATTERN = re.compile(r"(?<![0-9.a-z])(\d{1,7})(?![0-9.a-z])")


@dataclass
class Mentions:
    concepts: dict[str, list[str]] = field(default_factory=dict)  # scheme -> ids, in order of appearance
    surfaces: dict[str, str] = field(default_factory=dict)  # concept id -> the words that named it
    languages: list[str] = field(default_factory=list)
    datasets: list[str] = field(default_factory=list)
    models: list[str] = field(default_factory=list)
    example_id: str | None = None
    number: int | None = None
    target: str | None = None
    #: the question with every slot's words taken out (what the intent words must account for)
    rest: str = ""


@dataclass(frozen=True)
class Match:
    template: str
    query: str | None  # the Cypher template, or None for a catalog call (gaps, commercial)
    params: dict[str, Any]
    #: concepts the question names only as part of the intent ("by language", "生成")
    consumed: frozenset[str] = frozenset()
    #: the intent words (KEY and DIM pattern names) this template stands for: with the slots and
    #: the words any question asks with, they must account for the whole question
    uses: tuple[str, ...] = ()


class Vocabulary:
    """Surface forms of what questions name: the ontology's concepts (every label, in every language,
    and the classifier's cue phrases), and the catalog's datasets and models."""

    def __init__(
        self, schema: Schema, *, datasets: list[str], models: list[tuple[str, str | None]], targets: list[str]
    ) -> None:
        forms: list[tuple[str, str, str]] = []  # (surface, scheme, id)
        for scheme, concepts in (
            ("topic", schema.topics),
            ("task", schema.tasks),
            ("format", schema.formats),
        ):
            for c in concepts.values():
                surfaces = {c.id, c.id.replace("-", " "), c.label}
                surfaces |= {a.split(":", 1)[1] for a in c.alt_labels}
                for s in surfaces:
                    if len(s) >= 2:
                        forms.append((s.lower(), scheme, c.id))
        # longest first, so "chain-of-thought" wins over "thought" and 수학 문제 over 수학
        self.forms = sorted(set(forms), key=lambda f: (-len(f[0]), f[0], f[1]))
        self.datasets = sorted(datasets, key=lambda d: -len(d))
        self.models = sorted(((m, (n or m)) for m, n in models), key=lambda m: -len(m[1]))
        self.targets = targets

    def read(self, question: str) -> Mentions:
        text = question.lower()
        found = Mentions()
        if m := ID_PATTERN.search(text):
            found.example_id = m.group(0)
            text = text.replace(m.group(0), " ")
        for d in self.datasets:
            if d.lower() in text:
                found.datasets.append(d)
                text = text.replace(d.lower(), " ")
        for ident, name in self.models:
            for surface in {ident.lower(), name.lower()}:
                if surface and surface in text:
                    found.models.append(ident)
                    text = text.replace(surface, " ")
                    break
        for t in self.targets:
            if t.lower() in text:
                found.target = t
                text = text.replace(t.lower(), " ")
        for code, names in LANGUAGE_NAMES.items():
            if any(n in text for n in names):
                found.languages.append(code)
                for n in names:
                    text = text.replace(n, " ")
        for surface, scheme, ident in self.forms:
            if mentions(text, surface):
                if ident not in found.concepts.get(scheme, []):
                    found.concepts.setdefault(scheme, []).append(ident)
                    found.surfaces[ident] = surface
                text = cut(text, surface)
        if m := NUMBER_PATTERN.search(text):
            found.number = int(m.group(1))
            text = text[: m.start()] + " " + text[m.end() :]
        found.rest = text
        return found


def surface_pattern(surface: str) -> re.Pattern[str]:
    if surface.isascii():
        return re.compile(rf"(?<![a-z0-9]){re.escape(surface)}(?![a-z0-9])")
    return re.compile(re.escape(surface))


def mentions(text: str, surface: str) -> bool:
    return surface_pattern(surface).search(text) is not None


def cut(text: str, surface: str) -> str:
    """The text with the surface (as a word, for ASCII) replaced by a space."""
    return surface_pattern(surface).sub(" ", text)


def intent_words(f: Mentions, pattern: re.Pattern[str]) -> frozenset[str]:
    """Concepts named by a word that is the question's intent ("language" in "by language")."""
    return frozenset(i for i, surface in f.surfaces.items() if pattern.fullmatch(surface))


def has_intent(key: str, q: str) -> bool:
    return KEY[key].search(q) is not None
