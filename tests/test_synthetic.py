"""The synthetic-data audit on both engines, on catalogs built for it: self-distillation loops
through base models and derived datasets, declared-language and parent-language drift, and the
manifest keys (base_model, trained_on) that put model training into the graph."""

from __future__ import annotations

from pathlib import Path

import orjson

from catalog.config import Settings
from catalog.ingest.pipeline import prepare_ingest, run_ingest
from catalog.provenance.synthetic import synthetic_audit
from catalog.store.base import NodeGroup, RelGroup, WriteBatch


def _msgs(user: str, assistant: str) -> str:
    return orjson.dumps(
        [{"role": "user", "content": user}, {"role": "assistant", "content": assistant}]
    ).decode()


def _catalog(store) -> None:  # type: ignore[no-untyped-def]
    ex = [
        {"id": "e1", "usage_role": "supply", "language": "en", "message_languages": ["en", "en"], "messages": _msgs("a", "b")},
        {"id": "e2", "usage_role": "supply", "language": "en", "message_languages": ["en", "de"], "messages": _msgs("c", "d")},
        {"id": "e3", "usage_role": "supply", "language": "ko", "message_languages": ["ko", "en"], "messages": _msgs("e", "f")},
        {"id": "e4", "usage_role": "supply", "language": "fr", "message_languages": ["fr", "fr"], "messages": _msgs("g", "h")},
    ]  # fmt: skip
    store.write(
        batch=WriteBatch(
            nodes=[
                NodeGroup("Example", ex),
                NodeGroup("Dataset", [{"id": "d1", "languages": ["en"]}, {"id": "d2", "languages": ["ko"]}]),
                NodeGroup("Model", [{"id": m} for m in ("teacher", "student", "other")]),
                NodeGroup("Activity", [{"id": "a1", "kind": "generation"}]),
            ],
            relationships=[
                RelGroup(
                    "IN_DATASET",
                    "Example",
                    "Dataset",
                    [
                        {"src": "e1", "dst": "d1"},
                        {"src": "e2", "dst": "d1"},
                        {"src": "e3", "dst": "d2"},
                        {"src": "e4", "dst": "d2"},
                    ],
                ),
                RelGroup(
                    "GENERATED_BY",
                    "Example",
                    "Activity",
                    [{"src": "e1", "dst": "a1"}, {"src": "e2", "dst": "a1"}],
                ),
                RelGroup(
                    "USED_MODEL", "Activity", "Model", [{"src": "a1", "dst": "teacher", "role": "teacher"}]
                ),
                RelGroup("DERIVED_FROM", "Dataset", "Dataset", [{"src": "d2", "dst": "d1"}]),
                RelGroup(
                    "DERIVED_FROM",
                    "Example",
                    "Example",
                    [
                        {"src": "e3", "dst": "e1", "method": "translation"},
                        {"src": "e4", "dst": "e2", "method": "augmentation"},
                    ],
                ),
                RelGroup("FINE_TUNED_FROM", "Model", "Model", [{"src": "student", "dst": "teacher"}]),
                RelGroup(
                    "TRAINED_ON",
                    "Model",
                    "Dataset",
                    [
                        {"src": "student", "dst": "d2"},
                        {"src": "other", "dst": "d2"},
                        {"src": "teacher", "dst": "d1"},
                    ],
                ),
                RelGroup(
                    "HAS_FORMAT", "Example", "Format", [{"src": e["id"], "dst": "single-turn"} for e in ex]
                ),
            ],
        )
    )


def test_loops_drift_and_shares(store) -> None:  # type: ignore[no-untyped-def]
    _catalog(store)
    audit = synthetic_audit(store)
    assert (audit.examples, audit.synthetic) == (4, 2)
    assert [(m.model, m.role, m.examples, m.share) for m in audit.models] == [("teacher", "teacher", 2, 0.5)]
    fmt = [c for c in audit.cells if c.dimension == "format"]
    assert [(c.value, c.examples, c.cell_examples, c.share) for c in fmt] == [("single-turn", 2, 4, 0.5)]
    loops = [(x.model, x.trained_on, x.generator, x.via, x.data_path, x.examples) for x in audit.loops]
    assert loops == [
        (
            "student",
            "d2",
            "teacher",
            ["student", "teacher"],
            ["d2", "d1"],
            2,
        ),  # via its base model and d2 -> d1
        ("teacher", "d1", "teacher", ["teacher"], ["d1"], 2),  # trained on its own outputs
    ]  # "other" was trained on d2 too, but nothing in its lineage generated any of it
    drift = {(d.kind, d.dataset, d.method, d.detail): (d.examples, d.sample) for d in audit.drift}
    assert drift == {
        ("declared", "d1", None, "text in de; the dataset declares en"): (1, ["e2"]),
        ("declared", "d2", None, "text in en; the dataset declares ko"): (1, ["e3"]),
        ("declared", "d2", None, "text in fr; the dataset declares ko"): (1, ["e4"]),
        ("parent", None, "translation", "messages left in en in a translation to ko"): (1, ["e3"]),
        ("parent", None, "augmentation", "en -> fr"): (1, ["e4"]),
    }


def test_manifest_models_put_training_and_base_models_into_the_graph(store, tmp_path: Path, schema) -> None:  # type: ignore[no-untyped-def]
    data = tmp_path / "distilled.jsonl"
    data.write_text(orjson.dumps({"instruction": "Say hi", "input": "", "output": "Hi"}).decode() + "\n")
    manifest = tmp_path / "distilled.yaml"
    manifest.write_text(
        "name: distilled\nlicense: CC-BY-4.0\nlanguages: [en]\n"
        "models:\n  - {name: Student-7B, role: generator, base_model: Teacher-70B, trained_on: [seed-set]}\n"
    )
    settings = Settings(db=tmp_path / "catalog")
    run_ingest(
        store,
        prepare_ingest(data, schema=schema, settings=settings, manifest_path=manifest),
        settings=settings,
    )
    assert store.edges(rel_type="FINE_TUNED_FROM", from_label="Model", to_label="Model") == [
        {"src": "student-7b", "dst": "teacher-70b"}
    ]
    assert store.edges(rel_type="TRAINED_ON", from_label="Model", to_label="Dataset") == [
        {"src": "student-7b", "dst": "seed-set"}
    ]
    assert store.get_node(label="Dataset", node_id="seed-set") is not None
