"""Import the Data Provenance Initiative's dataset summaries (`curagraph import dpi DIR`).

DIR is a checkout of github.com/Data-Provenance-Initiative/Data-Provenance-Collection (or the
snapshot in ../shared/datasets/dpi-data-summaries): `data_summaries/*.json`, one object per
collection mapping each entry's "Unique Dataset Identifier" to its metadata, and
`constants/license_classes.json`, DPI's own reading of each license (use: All / NC / Acad /
Unspecified; attribution; share-alike).

Each entry becomes a Dataset `dpi:<identifier>` with its languages, task categories, URLs,
creators (Agents), parent datasets (DERIVED_FROM, by DPI name), the models it says generated it
(an Activity GENERATED_BY, claimed by the DPI) and its license claims (LICENSED_UNDER, claimed by
the DPI). A DPI license the ontology does not know becomes a License node `LicenseRef-DPI-<name>`
with the conditions DPI's classes give it. Catalog datasets that match an entry by URL or name are
linked to it (DESCRIBED_BY) and receive its license and model claims beside their own, so that
conflicting claims sit side by side, each with who makes it.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from catalog.errors import CatalogError
from catalog.ingest.pipeline import slug
from catalog.schema import Schema
from catalog.store.base import GraphStore, NodeGroup, RelGroup, WriteBatch

log = logging.getLogger(__name__)

CLAIMANT = "Data Provenance Initiative"
PREFIX = "dpi:"

#: DPI license names -> the ontology's license ids (SPDX where there is one)
KNOWN = {
    "Apache License 2.0": "Apache-2.0",
    "Apache 2.0": "Apache-2.0",
    "MIT License": "MIT",
    "BSD 3-Clause License": "BSD-3-Clause",
    "CC0 1.0": "CC0-1.0",
    "CC BY 4.0": "CC-BY-4.0",
    "CC BY-SA 3.0": "CC-BY-SA-3.0",
    "CC BY-SA 4.0": "CC-BY-SA-4.0",
    "CC BY-NC 4.0": "CC-BY-NC-4.0",
    "CC BY-NC-SA 4.0": "CC-BY-NC-SA-4.0",
    "CC BY-NC-ND 4.0": "CC-BY-NC-ND-4.0",
    "GNU General Public License v3.0": "GPL-3.0-only",
    "ODC BY 1.0": "ODC-By-1.0",
    "Unspecified": "LicenseRef-Unspecified",
    "No License": "LicenseRef-Unspecified",
    "OpenAI": "LicenseRef-OpenAI-Terms",
}
#: DPI language names -> ISO 639-1, for the languages the catalog's datasets use most
LANGUAGES = {
    "English": "en", "Chinese": "zh", "Korean": "ko", "Japanese": "ja", "Spanish": "es", "French": "fr",
    "German": "de", "Italian": "it", "Portuguese": "pt", "Russian": "ru", "Arabic": "ar", "Hindi": "hi",
    "Vietnamese": "vi", "Thai": "th", "Indonesian": "id", "Turkish": "tr", "Dutch": "nl", "Polish": "pl",
    "Swedish": "sv", "Bengali": "bn", "Persian": "fa", "Ukrainian": "uk", "Czech": "cs", "Greek": "el",
}  # fmt: skip


class DpiReport(BaseModel):
    entries: int  # entries read
    datasets: int  # distinct identifiers (an identifier may appear in two files)
    files: int
    licenses_created: list[str]
    linked: dict[str, list[str]]  # catalog dataset -> DPI entries it matched
    unmapped_languages: int


def _entries(root: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    folder = root / "data_summaries"
    if not folder.is_dir():
        raise CatalogError(
            f"no data_summaries/ folder in {root}",
            hint="point at a checkout of Data-Provenance-Initiative/Data-Provenance-Collection",
        )
    for path in sorted(folder.glob("*.json")):
        if path.name.startswith("_"):
            continue
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise CatalogError(f"cannot read DPI summary {path}: {exc}") from None
        for ident, entry in data.items():
            if isinstance(entry, dict):
                yield ident, entry


def _norm_url(url: str) -> str:
    return re.sub(r"^https?://(www\.)?", "", url.strip().lower()).rstrip("/")


def _norm_name(name: str) -> str:
    name = re.sub(r"\(.*?\)", "", name.lower())
    return re.sub(r"[^a-z0-9]+", " ", name).strip()


def _license_id(
    name: str, classes: dict[str, list[str]], schema: Schema, created: dict[str, dict[str, Any]]
) -> str:
    if name in KNOWN and KNOWN[name] in schema.licenses:
        return KNOWN[name]
    ident = "LicenseRef-DPI-" + re.sub(r"[^A-Za-z0-9.]+", "-", name).strip("-")
    if ident not in created:
        use, attribution, share_alike = (classes.get(name) or ["Unspecified", "0", "0"])[:3]
        created[ident] = {
            "id": ident,
            "spdx_id": ident,
            "label": name,
            "kind": "data",
            "description": f"As classified by the Data Provenance Initiative: use {use}",
            "commercial_use": use == "All",
            "attribution_required": attribution == "1",
            "share_alike": share_alike == "1",
            "no_derivatives": "-ND" in name or " ND" in name,
        }
    return ident


def import_dpi(store: GraphStore, root: Path) -> DpiReport:
    schema = store.schema
    classes_path = root / "constants" / "license_classes.json"
    classes = json.loads(classes_path.read_text(encoding="utf-8")) if classes_path.exists() else {}
    created: dict[str, dict[str, Any]] = {}
    datasets, claims, parents, agents, attributed, models, activities, generated, used = (
        [],
        [],
        [],
        {},
        [],
        {},
        [],
        [],
        [],
    )
    by_name: dict[str, str] = {}
    outside: dict[str, dict[str, Any]] = {}
    index: dict[str, set[str]] = {}  # normalised URL or name -> DPI dataset ids
    unmapped = 0
    files = (
        len({p for p in (root / "data_summaries").glob("*.json") if not p.name.startswith("_")})
        if (root / "data_summaries").is_dir()
        else 0
    )
    entries = list(_entries(root))
    for ident, e in entries:
        node = PREFIX + ident
        by_name[str(e.get("Dataset Name") or ident)] = node
        by_name[ident] = node
    for ident, e in entries:
        node = PREFIX + ident
        langs = [LANGUAGES[x] for x in e.get("Languages") or [] if x in LANGUAGES]
        unmapped += sum(1 for x in e.get("Languages") or [] if x not in LANGUAGES)
        # the dataset's own pages; a GitHub URL is left out of matching: one repository often holds
        # several datasets (Gorilla's holds APIBench and BFCL), and derived sets cite their parent's
        urls = [
            u
            for k in ("Dataset URL", "Hugging Face URL", "Collection URL")
            if (u := e.get(k)) and u != "None"
        ]
        row: dict[str, Any] = {
            "id": node,
            "name": str(e.get("Dataset Name") or ident),
            "languages": sorted(set(langs)),
            "task_categories": [str(t) for t in e.get("Task Categories") or []],
            "description": f"Data Provenance Initiative entry {ident!r} of the {e.get('Collection')!s} collection",
        }
        if urls:
            row["origin_url"] = urls[0]
        datasets.append(row)
        for u in urls:
            index.setdefault("url:" + _norm_url(u), set()).add(node)
        if collection := str(e.get("Collection") or ""):  # a collection is the published dataset
            index.setdefault("name:" + _norm_name(collection), set()).add(node)
        notes = " ".join(str(e.get(k) or "") for k in ("License Notes", "License Verified By")).strip()
        for lic in e.get("Licenses") or []:
            name = str(lic.get("License") or "Unspecified")
            claims.append(
                {
                    "src": node,
                    "dst": _license_id(name, classes, schema, created),
                    "claimed_by": CLAIMANT,
                    "evidence": f"DPI license {name!r}. {notes}".strip(),
                }
            )
        for p in e.get("Derived from Datasets") or []:
            target = by_name.get(str(p))
            if target is None:  # a parent DPI does not describe itself (e.g. "Natural Questions")
                target = f"{PREFIX}parent:{slug(str(p))}"
                outside[target] = {
                    "id": target,
                    "name": str(p),
                    "description": "A parent dataset named by the Data Provenance Initiative",
                }
            if target != node:
                parents.append({"src": node, "dst": target, "method": "derived"})
        for c in e.get("Creators") or []:
            agents[slug(str(c))] = {"id": slug(str(c)), "name": str(c), "kind": "organisation"}
            attributed.append({"src": node, "dst": slug(str(c)), "role": "creator"})
        for m in e.get("Model Generated") or []:
            mid = slug(str(m))
            models[mid] = {"id": mid, "name": str(m)}
            act = f"{node}:generation:{mid}"
            activities.append(
                {"id": act, "kind": "generation", "label": f"generation of {ident} by {m} (DPI)"}
            )
            generated.append({"src": node, "dst": act, "claimed_by": CLAIMANT})
            used.append({"src": act, "dst": mid, "role": "generator"})
    dedup = lambda rows, keys: list({tuple(r[k] for k in keys): r for r in rows}.values())  # noqa: E731
    batch = WriteBatch(
        nodes=[
            NodeGroup("License", list(created.values()), update_existing=False),
            NodeGroup("Dataset", datasets),
            NodeGroup("Dataset", list(outside.values()), update_existing=False),
            NodeGroup("Agent", list(agents.values())),
            NodeGroup("Model", list(models.values()), update_existing=False),
            NodeGroup("Activity", dedup(activities, ("id",))),
        ],
        relationships=[
            RelGroup(
                "LICENSED_UNDER",
                "Dataset",
                "License",
                dedup(claims, ("src", "dst", "claimed_by")),
                key=("claimed_by",),
            ),
            RelGroup("DERIVED_FROM", "Dataset", "Dataset", dedup(parents, ("src", "dst"))),
            RelGroup("ATTRIBUTED_TO", "Dataset", "Agent", dedup(attributed, ("src", "dst"))),
            RelGroup("GENERATED_BY", "Dataset", "Activity", dedup(generated, ("src", "dst"))),
            RelGroup("USED_MODEL", "Activity", "Model", dedup(used, ("src", "dst"))),
        ],
    )
    store.write(batch=batch)
    linked = link_catalog_datasets(store, index, claims, generated)
    return DpiReport(
        entries=len(entries),
        datasets=len({i for i, _ in entries}),
        files=files,
        licenses_created=sorted(created),
        linked=linked,
        unmapped_languages=unmapped,
    )


def index_has(index: dict[str, set[str]], node: str) -> bool:
    return any(node in nodes for nodes in index.values())


def link_catalog_datasets(
    store: GraphStore,
    index: dict[str, set[str]],
    claims: list[dict[str, Any]],
    generated: list[dict[str, Any]],
) -> dict[str, list[str]]:
    """Match the catalog's own datasets to DPI entries (URL first, then name) and copy the DPI's
    license and model claims onto them, claimed by the DPI, beside the manifest's."""
    linked: dict[str, list[str]] = {}
    for d in store.catalog_datasets():
        ident, name, url, manifest = d.id, d.name, d.origin_url, d.manifest
        if ident.startswith(PREFIX):
            continue
        declared = json.loads(manifest).get("dpi_entries") if manifest else None
        if declared is not None:  # the manifest names its entries (an empty list: none)
            found = {PREFIX + d for d in declared if index_has(index, PREFIX + d)}
        else:
            found = index.get("url:" + _norm_url(url), set()) if url else set()
            if not found:
                found = index.get("name:" + _norm_name(name or ident), set()) | index.get(
                    "name:" + _norm_name(ident), set()
                )
        if found:
            linked[ident] = sorted(found)
    if not linked:
        return linked
    rows_by_entry: dict[str, list[dict[str, Any]]] = {}
    for c in claims:
        rows_by_entry.setdefault(c["src"], []).append(c)
    gen_by_entry: dict[str, list[dict[str, Any]]] = {}
    for g in generated:
        gen_by_entry.setdefault(g["src"], []).append(g)
    described: list[dict[str, Any]] = []
    copied: dict[tuple[str, str], dict[str, Any]] = {}
    copied_gen: dict[tuple[str, str], dict[str, Any]] = {}
    for ident, entries in linked.items():
        for entry in entries:
            described.append({"src": ident, "dst": entry})
            for c in rows_by_entry.get(entry, []):
                key = (ident, c["dst"])
                ev = copied.get(key, {}).get("evidence", "")
                copied[key] = {
                    "src": ident,
                    "dst": c["dst"],
                    "claimed_by": CLAIMANT,
                    "evidence": (ev + "; " if ev else "") + f"{entry[len(PREFIX) :]}: {c['evidence']}"[:300],
                }
            for g in gen_by_entry.get(entry, []):
                copied_gen[(ident, g["dst"])] = {"src": ident, "dst": g["dst"], "claimed_by": CLAIMANT}
    store.write(
        batch=WriteBatch(
            relationships=[
                RelGroup("DESCRIBED_BY", "Dataset", "Dataset", described),
                RelGroup("LICENSED_UNDER", "Dataset", "License", list(copied.values()), key=("claimed_by",)),
                RelGroup("GENERATED_BY", "Dataset", "Activity", list(copied_gen.values())),
            ]
        )
    )
    return linked
