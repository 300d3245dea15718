"""The target mix: a YAML spec of how many examples of what a fine-tuning set should hold.

```yaml
name: my-mix
total: 10000                      # examples wanted in all
tasks:                            # a share of the total, or {share: 0.1, min: 500}, or {min: 500}
  generation: 0.456
  math-reasoning: {min: 1000}
formats: {chain-of-thought: {min: 500}}
languages: {en: 0.8, ko: 0.1}
topics: {mathematics: 0.1}        # any level of the topic hierarchy; a parent counts its descendants
cells:                            # cross cells: every named dimension must hold
  - {topic: mathematics, format: chain-of-thought, min: 500}
eligibility:                      # which examples count as "have"
  exclude_duplicates: true
  license_policy: any             # any | commercial (provenance issue)
  max_issue_severity: null        # e.g. warning (quality issue)
  min_confidence: 0.5             # tasks and topics below it are uncertain, not supply
  safety: exclude                 # exclude | include examples flagged with a safety risk
```
"""

from __future__ import annotations

import logging
import math
import re
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from catalog.errors import CatalogError
from catalog.schema import Schema

log = logging.getLogger(__name__)

DIMENSIONS = ("task", "format", "language", "topic")
_LANGUAGE = re.compile(r"^[a-z]{2,3}$")


class SpecError(CatalogError):
    """A target spec that cannot be used: the message names the offending key."""

    code = "spec_error"


class Quota(BaseModel):
    model_config = ConfigDict(extra="forbid")

    share: float | None = Field(default=None, ge=0.0, le=1.0)
    min: int | None = Field(default=None, ge=0)

    @model_validator(mode="after")
    def _something(self) -> Quota:
        if self.share is None and self.min is None:
            raise ValueError("give a share (0..1), a min count, or both")
        return self

    def wanted(self, total: int | None) -> int:
        by_share = math.ceil(self.share * total - 1e-9) if self.share is not None and total else 0
        return max(by_share, self.min or 0)


def _quota(value: object) -> object:
    return {"share": value} if isinstance(value, int | float) and not isinstance(value, bool) else value


class Cell(BaseModel):
    model_config = ConfigDict(extra="forbid")

    task: str | None = None
    format: str | None = None
    language: str | None = None
    topic: str | None = None
    share: float | None = Field(default=None, ge=0.0, le=1.0)
    min: int | None = Field(default=None, ge=0)

    @model_validator(mode="after")
    def _complete(self) -> Cell:
        if sum(getattr(self, d) is not None for d in DIMENSIONS) < 1:
            raise ValueError(f"a cell names at least one of {', '.join(DIMENSIONS)}")
        if self.share is None and self.min is None:
            raise ValueError("give a share (0..1), a min count, or both")
        return self

    def conditions(self) -> dict[str, str]:
        return {d: v for d in DIMENSIONS if (v := getattr(self, d)) is not None}

    def quota(self) -> Quota:
        return Quota(share=self.share, min=self.min)

    def label(self) -> str:
        return " x ".join(f"{d}={v}" for d, v in self.conditions().items())


#: a task or topic assigned with less confidence than this is *uncertain*: it does not count as
#: supply and does not fill a quota (docs/classification.md shows what each confidence is worth)
DEFAULT_MIN_CONFIDENCE = 0.5


class Eligibility(BaseModel):
    model_config = ConfigDict(extra="forbid")

    exclude_duplicates: bool = True
    license_policy: Literal["any", "commercial"] = "any"
    max_issue_severity: Literal["info", "warning", "error"] | None = None
    #: tasks and topics below it are uncertain (a multiple of 0.05: the confidence the census keeps)
    min_confidence: float = Field(default=DEFAULT_MIN_CONFIDENCE, ge=0.0, le=1.0)
    #: exclude: examples with a safety flag (HAS_RISK) are not supply and never selected;
    #: include: they are (for instance to build refusal training data on purpose)
    safety: Literal["exclude", "include"] = "exclude"

    @field_validator("min_confidence")
    @classmethod
    def _on_the_census_step(cls, value: float) -> float:
        if abs(value * 20 - round(value * 20)) > 1e-6:
            raise ValueError("min_confidence is a multiple of 0.05 (0.5, 0.55, 0.6, ...)")
        return round(value, 2)


class TargetSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1)
    description: str | None = None
    source: str | None = None
    total: int | None = Field(default=None, gt=0)
    tasks: dict[str, Quota] = Field(default_factory=dict)
    formats: dict[str, Quota] = Field(default_factory=dict)
    languages: dict[str, Quota] = Field(default_factory=dict)
    topics: dict[str, Quota] = Field(default_factory=dict)
    cells: list[Cell] = Field(default_factory=list)
    eligibility: Eligibility = Field(default_factory=Eligibility)

    @field_validator("tasks", "formats", "languages", "topics", mode="before")
    @classmethod
    def _shorthand(cls, value: object) -> object:
        if isinstance(value, dict):
            return {k: _quota(v) for k, v in value.items()}
        return value

    @model_validator(mode="after")
    def _shares(self) -> TargetSpec:
        for dim in ("tasks", "formats", "languages"):
            total = sum(q.share or 0.0 for q in getattr(self, dim).values())
            if total > 1.0 + 1e-6:
                raise ValueError(f"{dim}: shares add up to {total:.3f}, more than 1")
        uses_shares = any(
            q.share is not None
            for dim in ("tasks", "formats", "languages", "topics")
            for q in getattr(self, dim).values()
        ) or any(c.share is not None for c in self.cells)
        if uses_shares and self.total is None:
            raise ValueError("total: shares need a total number of examples")
        return self

    def dimension(self, name: str) -> dict[str, Quota]:
        return dict(getattr(self, name + "s"))

    def check_against(self, schema: Schema) -> None:
        """Every task, topic and format named must be a concept of the ontology."""
        known = {"task": schema.tasks, "topic": schema.topics, "format": schema.formats}
        named: list[tuple[str, str, str]] = []
        for dim in ("task", "format", "topic"):
            named += [(dim, f"{dim}s.{k}", k) for k in self.dimension(dim)]
        for dim in ("language",):
            named += [(dim, f"{dim}s.{k}", k) for k in self.dimension(dim)]
        for i, cell in enumerate(self.cells):
            named += [(d, f"cells[{i}].{d}", v) for d, v in cell.conditions().items()]
        for dim, key, value in named:
            if dim == "language":
                if not _LANGUAGE.match(value):
                    raise SpecError(
                        f"target spec key '{key}': {value!r} is not an ISO 639 code such as 'en', 'ko', 'zh'"
                    )
            elif value not in known[dim]:
                close = sorted(k for k in known[dim] if value.split("-")[0] in k)[:5]
                hint = (
                    f"did you mean {', '.join(close)}?"
                    if close
                    else f"one of: {', '.join(sorted(known[dim]))}"
                )
                raise SpecError(f"target spec key '{key}': unknown {dim} {value!r}", hint=hint)


def parse_spec(data: object, *, schema: Schema, origin: str = "target spec") -> TargetSpec:
    if not isinstance(data, dict):
        raise SpecError(f"{origin} must be a YAML mapping with at least 'name'")
    try:
        spec = TargetSpec.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        key = ".".join(str(p) for p in first["loc"]) or "(top level)"
        message = first["msg"].removeprefix("Value error, ")
        raise SpecError(
            f"{origin} key '{key}': {message}", hint=f"{len(exc.errors())} problem(s) in all"
        ) from None
    spec.check_against(schema)
    return spec


def load_spec(path: Path, *, schema: Schema) -> TargetSpec:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SpecError(
            f"target spec not found: {path}", hint="curagraph ships one: --target instructgpt"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SpecError(f"cannot read target spec {path}: {exc}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise SpecError(f"target spec {path} is not valid YAML: {exc}".replace("\n", " ")) from None
    return parse_spec(data, schema=schema, origin=f"target spec {path}")


SHIPPED_DIR = Path(__file__).resolve().parents[1] / "specs"


def resolve_spec_path(name_or_path: str) -> Path:
    """A path, or the name of a spec shipped in catalog/specs (e.g. 'instructgpt')."""
    path = Path(name_or_path)
    if path.exists() or path.suffix in (".yaml", ".yml"):
        return path
    shipped = SHIPPED_DIR / f"{name_or_path}.yaml"
    if shipped.exists():
        return shipped
    names = ", ".join(sorted(p.stem for p in SHIPPED_DIR.glob("*.yaml")))
    raise SpecError(
        f"no target spec file {name_or_path!r}", hint=f"give a YAML path or a shipped spec: {names}"
    )
