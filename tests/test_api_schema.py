"""Schemathesis against the API's own OpenAPI document, on a real embedded demo catalog: every
operation, every check (no 5xx, status codes, content types, response schemas and headers, positive
and negative data), examples and stateful sequences. The API answers 400 for requests its schema
admits but the catalog cannot serve (an unknown spec name, a Cypher syntax error), and documents it,
so 400 counts as an accepted answer to valid data."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.config import SchemathesisConfig

from api.app import create_app
from catalog.config import Settings
from catalog.demo import build_demo
from catalog.store import open_store

TOKEN = "schemathesis-token"
CONFIG = SchemathesisConfig.from_dict(
    {
        "checks": {
            "positive_data_acceptance": {
                "expected-statuses": ["2xx", "3xx", "400", "401", "403", "404", "408", "409", "413", "429"]
            }
        }
    }
)


@pytest.fixture(scope="module")
def api_schema(tmp_path_factory: pytest.TempPathFactory) -> Iterator[schemathesis.schemas.BaseSchema]:
    from catalog.cli.data_in import ingest_plans

    cfg = Settings(db=tmp_path_factory.mktemp("schemathesis") / "catalog", api_token=TOKEN)  # type: ignore[arg-type]
    build_demo(cfg, ingest=lambda st, plans: ingest_plans(st, plans, cfg))
    store = open_store(cfg, create=False)
    try:
        yield schemathesis.openapi.from_asgi("/openapi.json", create_app(cfg, store=store), config=CONFIG)
    finally:
        store.close()


@pytest.mark.slow  # schemathesis over every operation: ~30 s
def test_every_operation_conforms_to_its_schema(api_schema: schemathesis.schemas.BaseSchema) -> None:
    """Each operation with valid (positive) and invalid (negative) generated requests, every check.
    (One test looping over the operations: schemathesis' lazy fixture loader does not run on pytest 9.)"""
    failures: list[str] = []
    operations = [r.ok() for r in api_schema.get_all_operations()]
    assert len(operations) >= 30
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            # valid requests carry the token (writes then do their work); invalid ones may lack it
            headers = {"Authorization": f"Bearer {TOKEN}"} if mode == GenerationMode.POSITIVE else None
            try:
                _runner(operation.as_strategy(generation_mode=mode), headers)()
            except Unsatisfiable:  # nothing to make invalid (an operation without parameters)
                continue
            except (Exception, BaseExceptionGroup) as exc:  # every operation's failure, then report them all
                failures.append(f"{operation.label} ({mode.value}): {_describe(exc)}")
    assert failures == [], "\n".join(failures)


def _runner(strategy: Any, headers: dict[str, str] | None) -> Any:
    @given(case=strategy)
    @settings(
        max_examples=10,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
        database=None,
    )
    def run(case: schemathesis.Case) -> None:
        case.call_and_validate(headers=headers)

    return run


def _describe(exc: BaseException) -> str:
    inner = getattr(exc, "exceptions", None)
    text = (
        " | ".join(str(e).strip().replace("\n", " ")[:400] for e in inner)
        if inner
        else str(exc).strip().replace("\n", " ")
    )
    return text[:900]


def test_stateful_sequences(api_schema: schemathesis.schemas.BaseSchema) -> None:
    machine = api_schema.as_state_machine()
    machine.run(
        settings=settings(
            max_examples=8, stateful_step_count=4, deadline=None, suppress_health_check=list(HealthCheck)
        )
    )


def test_the_schema_lists_the_ontologys_concepts(api_schema: schemathesis.schemas.BaseSchema) -> None:
    doc = api_schema.raw_schema
    params = {p["name"]: p for p in doc["paths"]["/examples"]["get"]["parameters"]}
    enum = next(o["enum"] for o in params["topic"]["schema"]["anyOf"] if o.get("type") == "string")
    assert "mathematics" in enum and "algebra" in enum
    assert all(
        "examples" in op or "requestBody" not in op or op["requestBody"]
        for path in doc["paths"].values()
        for op in path.values()
    )
    _ = Path
