"""The YAML manifest: what a file itself cannot say about its provenance.

```yaml
name: stanford-alpaca-5k            # dataset id in the catalog
title: Stanford Alpaca (5k subset)
origin_url: https://github.com/tatsu-lab/stanford_alpaca
license: CC-BY-NC-4.0               # SPDX id the ontology knows
languages: [en]
models:                             # generator / teacher models, if synthetic
  - {name: text-davinci-003, provider: OpenAI, role: generator}
  # optional per model: terms (license id of its terms of use), base_model, trained_on: [dataset ids]
parents: [self-instruct]            # datasets this one was built from
task: generation                    # default task (a task id of the ontology), optional
topics: []                          # default topics, optional
fields: {instruction: prompt}       # canonical field name -> this file's field name
files:                              # per-file overrides, by glob on the file name
  "*_zh_*": {languages: [zh]}
```
"""

from __future__ import annotations

import fnmatch
import logging
import unicodedata
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, field_validator

from catalog.errors import ManifestError
from catalog.schema import Schema

log = logging.getLogger(__name__)


class ModelRef(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1)
    provider: str | None = None
    role: Literal["generator", "teacher", "judge", "translator"] = "generator"
    activity: Literal["generation", "augmentation", "translation", "distillation"] = "generation"
    #: the license id of the model's terms of use, which bind what it generated (e.g. LicenseRef-OpenAI-Terms)
    terms: str | None = None
    #: the model it was fine-tuned from, and the catalog datasets it was trained on, if known: with
    #: them the synthetic-data audit finds self-distillation (a model trained on its own outputs)
    base_model: str | None = None
    trained_on: list[str] = Field(default_factory=list)


class RecordParents(BaseModel):
    """Each record derives from the record with the same record key (e.g. Self-Instruct's `id`) in
    another dataset: a translation, augmentation or distillation of it."""

    model_config = ConfigDict(extra="forbid")

    dataset: str = Field(min_length=1)
    method: Literal["translation", "augmentation", "distillation", "derived"] = "derived"


class LicenseClaim(BaseModel):
    model_config = ConfigDict(extra="forbid")

    spdx: str
    claimed_by: str = "manifest"
    evidence: str | None = None


class TaskLabels(BaseModel):
    """Labels a record already carries, mapped to the ontology's tasks: `field` in the record's
    metadata, `map` from its values to task ids. Values not in the map leave the task to the classifier."""

    model_config = ConfigDict(extra="forbid")

    field: str = Field(min_length=1)
    map: dict[str, str] = Field(min_length=1)

    _normal: dict[str, str] = PrivateAttr(default_factory=dict)

    def model_post_init(self, context: Any, /) -> None:
        self._normal = {label_key(k): v for k, v in self.map.items()}

    def task_of(self, value: Any) -> str | None:
        """The task a record's label maps to, the label and the map's keys compared after Unicode
        normalisation (NFKC, whitespace runs of any kind as one space, trimmed): a label written
        with a non-breaking space or a full-width letter still maps."""
        return self._normal.get(label_key(value)) if isinstance(value, str) else None


def label_key(value: str) -> str:
    """A source label as the task map compares it: NFKC, whitespace collapsed, trimmed."""
    return " ".join(unicodedata.normalize("NFKC", value).split())


class FileOverride(BaseModel):
    model_config = ConfigDict(extra="forbid")

    languages: list[str] | None = None
    format: str | None = None
    task: str | None = None
    topics: list[str] | None = None
    role: Literal["supply", "usage"] | None = None
    models: list[ModelRef] | None = None
    task_labels: TaskLabels | None = None


class Manifest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
    title: str | None = None
    description: str | None = None
    origin_url: str | None = None
    license: str | None = None
    licenses: list[LicenseClaim] = Field(default_factory=list)
    languages: list[str] = Field(default_factory=list)
    format: str | None = None
    models: list[ModelRef] = Field(default_factory=list)
    parents: list[str] = Field(default_factory=list)
    creators: list[str] = Field(default_factory=list)
    task: str | None = None
    task_labels: TaskLabels | None = None
    record_parents: RecordParents | None = None
    #: the Data Provenance Initiative entries describing this dataset (`curagraph import dpi`);
    #: unset: matched by URL or collection name; []: none
    dpi_entries: list[str] | None = None
    topics: list[str] = Field(default_factory=list)
    fields: dict[str, str] = Field(default_factory=dict)
    role: Literal["supply", "usage"] = "supply"
    attribution: str | None = None
    files: dict[str, FileOverride] = Field(default_factory=dict)

    @field_validator("languages")
    @classmethod
    def _lang(cls, value: list[str]) -> list[str]:
        for code in value:
            if not (2 <= len(code) <= 3 and code.isalpha() and code.islower()):
                raise ValueError(f"{code!r} is not an ISO 639 language code such as 'en', 'ko', 'zh'")
        return value

    def license_claims(self) -> list[LicenseClaim]:
        claims = list(self.licenses)
        if self.license and not any(c.spdx == self.license for c in claims):
            claims.insert(0, LicenseClaim(spdx=self.license))
        return claims

    def for_file(self, file_name: str) -> Manifest:
        """This manifest with the overrides whose glob matches the file name applied."""
        data = self.model_dump()
        for pattern, override in self.files.items():
            if fnmatch.fnmatch(file_name, pattern):
                data.update({k: v for k, v in override.model_dump().items() if v is not None})
        data["files"] = {}
        return Manifest.model_validate(data)

    def check_against(self, schema: Schema, formats: set[str]) -> None:
        """Names the ontology must know: licenses, task, topics, format."""
        allowed: dict[str, Any] = {
            "license": schema.licenses,
            "task": schema.tasks,
            "topic": schema.topics,
            "format": formats,
        }
        for kind, key, value in self._named_values():
            if value not in allowed[kind]:
                choices = ", ".join(sorted(allowed[kind]))
                raise ManifestError(f"manifest key '{key}': unknown {kind} {value!r}; allowed: {choices}")

    def _named_values(self) -> list[tuple[str, str, str]]:
        out: list[tuple[str, str, str]] = []
        if self.license:
            out.append(("license", "license", self.license))
        out += [("license", f"licenses[{i}].spdx", c.spdx) for i, c in enumerate(self.licenses)]
        out += [("license", f"models[{i}].terms", m.terms) for i, m in enumerate(self.models) if m.terms]
        if self.task:
            out.append(("task", "task", self.task))
        out += [("topic", f"topics[{i}]", t) for i, t in enumerate(self.topics)]
        if self.task_labels:
            out += [("task", f"task_labels.map.{k}", v) for k, v in self.task_labels.map.items()]
        if self.format:
            out.append(("format", "format", self.format))
        for pattern, o in self.files.items():
            if o.task:
                out.append(("task", f"files.{pattern}.task", o.task))
            out += [("topic", f"files.{pattern}.topics[{i}]", t) for i, t in enumerate(o.topics or [])]
            if o.format:
                out.append(("format", f"files.{pattern}.format", o.format))
            if o.task_labels:
                out += [
                    ("task", f"files.{pattern}.task_labels.map.{k}", v) for k, v in o.task_labels.map.items()
                ]
        return out


def load_manifest(path: Path) -> Manifest:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ManifestError(f"manifest not found: {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ManifestError(f"cannot read manifest {path}: {exc}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ManifestError(f"manifest {path} is not valid YAML: {exc}".replace("\n", " ")) from None
    if not isinstance(data, dict):
        raise ManifestError(f"manifest {path} must be a YAML mapping with at least 'name'")
    try:
        return Manifest.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        key = ".".join(str(p) for p in first["loc"]) or "(top level)"
        raise ManifestError(
            f"manifest {path}: key '{key}': {first['msg']}", hint=f"{len(exc.errors())} problem(s) in all"
        ) from None


def default_manifest(path: Path) -> Manifest:
    """For a file ingested without a manifest: the dataset is named after the file."""
    stem = "".join(ch if ch.isalnum() or ch in "._-" else "-" for ch in path.stem).strip("-._") or "dataset"
    return Manifest(name=stem, license="LicenseRef-Unspecified")
