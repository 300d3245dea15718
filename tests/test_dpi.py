"""The Data Provenance Initiative import on both engines: entries, links to the catalog's datasets,
and the conflicting claims it reveals, kept side by side with who makes them."""

from __future__ import annotations

from pathlib import Path

import pytest

from catalog.config import Settings
from catalog.errors import CatalogError
from catalog.ingest.pipeline import prepare_ingest, run_ingest
from catalog.provenance import check_licenses, lineage
from catalog.provenance.dpi import import_dpi
from catalog.schema import Schema
from tests.helpers import manifest_path

FILES = [
    ("self-instruct", "seed_tasks.jsonl"),
    ("stanford-alpaca-5k", "alpaca_5000.json"),
    ("code-alpaca-2k", "code_alpaca_2k.json"),
    ("oasst-en-100-trees", "en_100_tree.jsonl"),
    ("bfcl-v4", "BFCL_v4_simple_python.json"),
]


@pytest.fixture
def imported(store, datasets: Path, schema: Schema, tmp_path: Path):  # type: ignore[no-untyped-def]
    settings = Settings(db=tmp_path / "c")
    for dataset, name in FILES:
        plan = prepare_ingest(
            datasets / dataset / name,
            schema=schema,
            settings=settings,
            manifest_path=manifest_path(dataset),
        )
        run_ingest(store, plan, settings=settings)
    report = import_dpi(store, datasets / "dpi-data-summaries")
    return store, report


def test_dpi_entries_are_imported_and_linked(imported) -> None:  # type: ignore[no-untyped-def]
    store, report = imported
    # 2,311 entries in 108 files; one identifier is in two files (PII-Masking-200k / PII-masking-200k)
    assert (report.entries, report.datasets, report.files) == (2311, 2310, 108)
    assert report.linked["code-alpaca-2k"] == ["dpi:code_alpaca"]
    assert report.linked["oasst-en-100-trees"] == ["dpi:oasst-en"]
    assert report.linked["stanford-alpaca-5k"] == ["dpi:alpaca"]
    assert "bfcl-v4" not in report.linked  # its manifest says DPI has no entry for it
    rows = store.read_cypher(
        query="MATCH (d:Dataset) WHERE d.id STARTS WITH 'dpi:' AND NOT d.id STARTS WITH 'dpi:parent:' RETURN count(d)"
    ).rows
    assert rows == [[2310]]
    parents = store.read_cypher(
        query="MATCH (:Dataset {id: 'dpi:lima-stackexchange'})-[:DERIVED_FROM]->(p:Dataset) RETURN p.name"
    ).rows
    assert parents == [["Natural Questions"]]  # "Derived from Datasets", a dataset DPI does not describe
    before = store.stats()
    again = import_dpi(store, imported_dir())
    assert again.entries == 2311 and store.stats() == before  # idempotent


def imported_dir() -> Path:
    from tests.helpers import shared_datasets_dir

    return shared_datasets_dir() / "dpi-data-summaries"


def test_the_two_known_conflicts_are_reported_with_both_claims(imported) -> None:  # type: ignore[no-untyped-def]
    store, _ = imported
    check = check_licenses(store)
    conflicts = {c.holder: {(x.license, x.claimed_by) for x in c.claims} for c in check.conflicts}
    assert {
        ("CC-BY-NC-4.0", "upstream repository"),
        ("LicenseRef-Unspecified", "Data Provenance Initiative"),
    } <= conflicts["Dataset:code-alpaca-2k"]
    assert {("Apache-2.0", "upstream repository"), ("CC-BY-4.0", "Data Provenance Initiative")} <= conflicts[
        "Dataset:oasst-en-100-trees"
    ]
    models = {c.dataset: c.claims for c in check.model_conflicts}
    assert models["code-alpaca-2k"] == {
        "Data Provenance Initiative": ["OpenAI GPT-4"],
        "manifest": ["text-davinci-003"],
    }
    # the effective license of a Code Alpaca example takes the most restrictive claim and shows the conflict
    [[ident]] = store.read_cypher(
        query="MATCH (e:Example)-[:IN_DATASET]->(:Dataset {id: 'code-alpaca-2k'}) RETURN e.id ORDER BY e.id LIMIT 1"
    ).rows
    eff = lineage(store, ident).effective
    assert not eff.commercial_use
    assert any(c.holder == "Dataset:code-alpaca-2k" for c in eff.conflicts)
    assert {"text-davinci-003"} <= {m.name for m in lineage(store, ident).models}


def test_a_folder_without_dpi_summaries_is_refused(store, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(CatalogError, match="no data_summaries"):
        import_dpi(store, tmp_path)
