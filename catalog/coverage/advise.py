"""How many examples a cell needs: guidance from published fine-tuning runs, never a measurement.

The rule (docs/quantity-guidance.md gives the sources and the reasoning):
    suggested = base[complexity] x model[base model] x technique[method, complexity]
with base = 200 / 500 / 2,000 examples for low / medium / high complexity tasks on a strong base
model fully fine-tuned; x3 for a weak (small) base model; x2 for LoRA on high-complexity tasks.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel

from catalog.coverage.report import GapReport
from catalog.schema import Schema

log = logging.getLogger(__name__)

Complexity = Literal["low", "medium", "high"]

#: top-level tasks of the shipped ontology; a task not listed (a user's extension) is "medium"
COMPLEXITY: dict[str, Complexity] = {
    "classification": "low",
    "extraction": "low",
    "rewrite": "low",
    "summarization": "medium",
    "closed-qa": "low",
    "generation": "medium",
    "open-qa": "medium",
    "brainstorming": "medium",
    "chat": "medium",
    "translation": "medium",
    "other": "medium",
    "math-reasoning": "high",
    "coding": "high",
    "tool-use": "high",
}
BASE: dict[Complexity, int] = {"low": 200, "medium": 500, "high": 2_000}
WEAK_MODEL = 3.0
LORA_HIGH = 2.0

SOURCES = {
    "low": "InstructGPT's smallest SFT categories held ~240-330 prompts (1.9-2.6% of 12,725)",
    "medium": "LIMA: 1,000 curated examples over all tasks aligned a strong 65B base",
    "high": "GSM8K trains math reasoning on 7,473 problems; Code Alpaca used 20k code instructions",
}


@dataclass(frozen=True)
class Technique:
    method: Literal["lora", "full"] = "lora"
    base_model: Literal["strong", "weak"] = "strong"


class Advice(BaseModel):
    cell: str
    complexity: Complexity
    suggested: int
    have: int
    rationale: str


def _top(schema: Schema, task: str) -> str:
    while task in schema.tasks and schema.tasks[task].broader:
        task = schema.tasks[task].broader  # type: ignore[assignment]
    return task


def suggest(complexity: Complexity, technique: Technique) -> tuple[int, str]:
    n = float(BASE[complexity])
    why = [f"{BASE[complexity]:,} for a {complexity}-complexity task ({SOURCES[complexity]})"]
    if technique.base_model == "weak":
        n *= WEAK_MODEL
        why.append(f"x{WEAK_MODEL:g} for a weak base model")
    if technique.method == "lora" and complexity == "high":
        n *= LORA_HIGH
        why.append(f"x{LORA_HIGH:g}: LoRA learns less new domain knowledge than full fine-tuning")
    return int(n), "; ".join(why)


def advise(schema: Schema, report: GapReport, *, technique: Technique) -> list[Advice]:
    """One suggestion per task the report covers (wanted, or present in the catalog)."""
    out: list[Advice] = []
    for row in report.rows:
        if row.dimension != "task" or (row.want == 0 and row.have == 0):
            continue
        complexity = COMPLEXITY.get(_top(schema, row.value), "medium")
        n, why = suggest(complexity, technique)
        out.append(
            Advice(cell=f"task={row.value}", complexity=complexity, suggested=n, have=row.have, rationale=why)
        )
    out.sort(key=lambda a: (a.have - a.suggested, a.cell))
    return out
