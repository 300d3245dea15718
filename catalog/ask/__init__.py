"""Ask mode: a question in English, Korean or Chinese, answered by Cypher the ontology constrains.

1. Templates first (catalog/ask/templates.py): the common questions map to parameterised Cypher
   with no model at all; the same question always gives the same query and answer.
2. Otherwise, if a model endpoint is configured, it writes the query (temperature 0, the ontology's
   schema in the prompt). The query must pass the checker (one read-only statement, only declared
   labels, relationships and properties, a LIMIT) and then the read-only path every query takes
   (the lexical gate, the engine's read-only mode, a time limit, a row cap). If it fails, the error
   goes back to the model once; a second failure is a clear refusal.
3. Every answer shows the Cypher it ran, the rows, a short answer and what produced it.
"""

from __future__ import annotations

import logging
from typing import Any

from pydantic import BaseModel, Field

from catalog.ask.checker import check_generated
from catalog.ask.llm import ChatClient, extract_cypher, messages_for
from catalog.ask.templates import explain
from catalog.ask.vocabulary import Match, Vocabulary
from catalog.config import Settings
from catalog.errors import AskRefused, CatalogError, LLMError, NoModelConfigured
from catalog.store.base import GraphStore

log = logging.getLogger(__name__)


class Ran(BaseModel):
    cypher: str
    params: dict[str, Any] = Field(default_factory=dict)


class AskAnswer(BaseModel):
    question: str
    source: str = Field(description="template:NAME, or model:NAME when a model wrote the query")
    cypher: list[Ran] = Field(description="Every query the answer ran, in order.")
    columns: list[str]
    rows: list[list[Any]]
    truncated: bool
    answer: str = Field(description="A short answer read off the rows.")
    attempts: int = Field(description="Queries the model wrote (0 for a template).")


def _short(columns: list[str], rows: list[list[Any]], truncated: bool) -> str:
    if not rows:
        return "no rows"
    if len(rows) == 1 and len(rows[0]) == 1:
        return f"{columns[0]}: {rows[0][0]}"
    head = "; ".join(", ".join(str(v) for v in r) for r in rows[:5])
    more = f" (first 5 of {len(rows)}{'+' if truncated else ''})" if len(rows) > 5 else ""
    return head + more


def vocabulary(store: GraphStore) -> Vocabulary:
    from catalog.coverage.spec import SHIPPED_DIR

    datasets = [d.id for d in store.catalog_datasets() if not d.id.startswith("dpi:")]
    models = [(m["id"], m.get("name")) for m in store.nodes(label="Model")]
    return Vocabulary(
        store.schema,
        datasets=datasets,
        models=models,
        targets=sorted(p.stem for p in SHIPPED_DIR.glob("*.yaml")),
    )


def _template(store: GraphStore, question: str, m: Match) -> AskAnswer:
    rows: list[list[Any]]
    usable_total = (0, 0)
    with store.recording() as sink:
        if m.template == "gaps-for-target":
            from catalog.coverage import load_spec
            from catalog.coverage.spec import SHIPPED_DIR
            from catalog.eligibility import build_report

            spec = load_spec(SHIPPED_DIR / f"{m.params['target']}.yaml", schema=store.schema)
            report = build_report(store, spec)
            columns = ["dimension", "value", "have", "want", "deficit"]
            rows = [[r.dimension, r.value, r.have, r.want, r.deficit] for r in report.rows if r.deficit > 0][
                :20
            ]
            truncated = False
        elif m.template == "commercially-usable":
            from catalog.provenance import check_licenses

            check = check_licenses(store, policy="commercial")
            columns = ["usable", "examples", "datasets"]
            rows = [[g.allowed, g.examples, ", ".join(g.datasets)] for g in check.groups]
            truncated = False
            usable_total = (check.allowed, check.examples)
        else:
            if m.query is None:
                raise CatalogError(f"ask template {m.template} has no query", hint="report this as a bug")
            result = store.read_cypher(query=m.query, params=m.params)
            columns, rows, truncated = result.columns, result.rows, result.truncated
    if m.template == "commercially-usable":
        answer = f"{usable_total[0]} of {usable_total[1]} examples may be used commercially"
    elif m.template == "gaps-for-target":
        answer = f"{len(rows)} cells short of {m.params['target']}; largest: " + (
            f"{rows[0][0]} {rows[0][1]} (deficit {rows[0][4]})" if rows else "none"
        )
    else:
        answer = _short(columns, rows, truncated)
    ran = [Ran(cypher=q, params=p) for q, p in sink]
    return AskAnswer(question=question, source=f"template:{m.template}", cypher=ran, columns=columns, rows=rows,
                     truncated=truncated, answer=answer, attempts=0)  # fmt: skip


def ask(store: GraphStore, question: str, settings: Settings) -> AskAnswer:
    question = question.strip()
    if not question:
        raise CatalogError("the question is empty", hint='e.g. curagraph ask "how many examples per task?"')
    found, why = explain(vocabulary(store), question)
    if found is not None:
        return _template(store, question, found)
    if not settings.llm_base_url:
        raise NoModelConfigured(
            f"no template answers this question ({why}), and no model endpoint is configured",
            hint="set CURAGRAPH_LLM_BASE_URL (any OpenAI-compatible /v1 endpoint: OpenAI, Ollama, vLLM, "
            "llama.cpp) and CURAGRAPH_LLM_MODEL, or rephrase as one of the common questions (docs/ask.md)",
        )
    client = ChatClient(
        settings.llm_base_url,
        settings.llm_model,
        api_key=settings.llm_api_key.get_secret_value(),
        timeout_s=settings.llm_timeout_s,
    )
    messages = messages_for(store.schema, store.engine.name, question)
    problem = ""
    for attempt in (1, 2):
        reply = client.complete(messages)
        query = extract_cypher(reply)
        try:
            statement = check_generated(store.schema, query, row_cap=settings.row_cap)
            with store.recording() as sink:
                result = store.read_cypher(query=statement)
            ran = [Ran(cypher=q, params=p) for q, p in sink]
        except (AskRefused, CatalogError) as exc:
            problem = str(exc)
            if attempt == 2:
                break
            messages = [*messages, {"role": "assistant", "content": reply},
                        {"role": "user", "content": f"That query cannot run: {problem}. Write a corrected query, in a ```cypher block."}]  # fmt: skip
            continue
        return AskAnswer(question=question, source=f"model:{settings.llm_model}", cypher=ran, columns=result.columns,
                         rows=result.rows, truncated=result.truncated,
                         answer=_short(result.columns, result.rows, result.truncated), attempts=attempt)  # fmt: skip
    raise AskRefused(
        f"the model's query was refused twice; last: {problem}",
        hint="rephrase the question, or ask one of the common questions (docs/ask.md)",
    )


__all__ = ["AskAnswer", "AskRefused", "LLMError", "NoModelConfigured", "ask"]
