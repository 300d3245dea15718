"""Safety flags on real data, and a selection and export that leave flagged and uncertain examples
out: a catalog of HH-RLHF's red-team conversations (chosen side) with Alpaca, GSM8K and LIMA."""

from __future__ import annotations

import gzip
from pathlib import Path
from typing import Any

import orjson
import pytest

from catalog.census import confident, parse_scored_key
from catalog.classify import classify_catalog
from catalog.config import Settings
from catalog.coverage import load_spec, resolve_spec_path
from catalog.coverage.spec import Eligibility
from catalog.export.training import write_training
from catalog.ingest.pipeline import prepare_ingest, run_ingest
from catalog.schema import Schema
from catalog.selection import select_examples
from catalog.store.embedded import EmbeddedStore
from tests.helpers import manifest_path
from tests.helpers.oracles import plan_of

#: the share of HH-RLHF's prompts the rules flag is a floor under today's figure (0.40 on the whole
#: file, docs/classification.md), not the issue's goal of 0.70, which the rules do not reach
HH_FLOOR = 0.35
BENIGN_CEILING = 0.02


def _hh_as_messages(datasets: Path, out: Path) -> Path:
    with gzip.open(datasets / "hh-rlhf-harmless" / "test.jsonl.gz", "rt") as f:
        rows = [orjson.loads(line) for line in f]
    with out.open("wb") as w:
        for r in rows:
            parts = ("\n\n" + r["chosen"].strip()).split("\n\n")
            messages: list[dict[str, str]] = []
            for part in parts:
                for role, tag in (("user", "Human: "), ("assistant", "Assistant: ")):
                    if part.startswith(tag):
                        messages.append({"role": role, "content": part[len(tag) :]})
                        break
                else:
                    if messages and part:
                        messages[-1]["content"] += "\n\n" + part
            w.write(orjson.dumps({"messages": messages}) + b"\n")
    return out


@pytest.fixture(scope="module")
def catalog(datasets: Path, schema: Schema, tmp_path_factory: pytest.TempPathFactory) -> Any:
    tmp = tmp_path_factory.mktemp("safety")
    store = EmbeddedStore(tmp / "c.lbdb", schema=schema)
    store.ensure_schema()
    settings = Settings(db=tmp / "catalog")
    hh = prepare_ingest(
        _hh_as_messages(datasets, tmp / "hh-rlhf-harmless.jsonl"),
        schema=schema,
        settings=settings,
        manifest_path=manifest_path("hh-rlhf-harmless"),
    )
    run_ingest(store, hh, settings=settings)
    for dataset, name in (
        ("stanford-alpaca-5k", "alpaca_5000.json"),
        ("gsm8k", "train.jsonl"),
        ("lima", "lima.json"),
    ):
        run_ingest(store, plan_of(schema, settings, datasets, dataset, name), settings=settings)
    classify_catalog(store)
    yield store
    store.close()


def _flag_share(store: Any, dataset: str) -> float:
    [[n, flagged]] = store.read_cypher(
        query="MATCH (e:Example)-[:IN_DATASET]->(:Dataset {id: $d}) "
        "RETURN count(e), sum(CASE WHEN EXISTS { MATCH (e)-[:HAS_RISK]->(:Risk) } THEN 1 ELSE 0 END)",
        params={"d": dataset},
    ).rows
    return flagged / n


def test_safety_flags_hh_rlhf_and_rarely_anything_else(catalog: Any) -> None:
    assert _flag_share(catalog, "hh-rlhf-harmless") >= HH_FLOOR
    for dataset in ("stanford-alpaca-5k", "gsm8k", "lima"):
        assert _flag_share(catalog, dataset) <= BENIGN_CEILING, dataset
    per_risk = {r.risk for r in catalog.risk_counts() if r.dataset == "hh-rlhf-harmless"}
    assert {"crime-theft", "violence-weapons", "privacy-violation", "hate-harassment"} <= per_risk


def test_a_commercial_instructgpt_selection_has_no_flagged_or_uncertain_example(
    catalog: Any, schema: Schema, tmp_path: Path
) -> None:
    spec = load_spec(resolve_spec_path("instructgpt"), schema=schema)
    rules = Eligibility(license_policy="commercial")
    sel = select_examples(catalog, spec, 1000, eligibility=rules)
    flagged = catalog.flagged_examples()
    assert sel.selected > 0 and not set(sel.ids) & flagged
    assert sel.excluded["safety flag"] > 0  # it says how many it left out, and why
    keys = {r.id: r.coverage_key for r in catalog.selection_rows(role="supply")}
    for ident in sel.ids:  # every pick has a task at or above the threshold
        assert confident(parse_scored_key(keys[ident])[0], rules.min_confidence), ident
    assert (
        sel.excluded.get("task below the confidence threshold", 0)
        + sel.excluded.get("no task (unlabelled)", 0)
        > 0
    )
    # the exported file holds none of the flagged examples, even when asked to write them
    manifest = write_training(catalog, sel.ids + sorted(flagged)[:50], tmp_path / "train.jsonl")
    assert not set(manifest["ids"]) & flagged
    assert manifest["left_out_by_safety"]["count"] == 50
    included = write_training(catalog, sorted(flagged)[:50], tmp_path / "refusals.jsonl", safety="include")
    assert included["examples"] == 50  # the policy switch writes them on purpose
