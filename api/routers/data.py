"""Data in and out: ingest by upload (streamed to disk, size-limited, the CLI's quarantine rules),
selection, training-file export, the ontology as Turtle and JSON-LD."""

from __future__ import annotations

import hashlib
import logging
import re
import shutil
import tempfile
import time
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Form, HTTPException, UploadFile
from fastapi.responses import FileResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from api.deps import CatalogDep, ReadAccess, SettingsDep, WriteAccess
from api.errors import ERROR_RESPONSES, WRITE_RESPONSES
from api.paths import served_path
from catalog.errors import CatalogError, NotFound
from catalog.model import IngestSummary
from catalog.schema import load_ontology_graph

log = logging.getLogger(__name__)

router = APIRouter(responses=ERROR_RESPONSES)
_CHUNK = 1 << 20
_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


async def _save(upload: UploadFile, folder: Path, limit: int) -> Path:
    """Stream an upload to disk, refusing it past `limit` bytes."""
    name = _SAFE.sub("_", Path(upload.filename or "upload").name)[:120] or "upload"
    path = folder / name
    size = 0
    with path.open("wb") as out:
        while chunk := await upload.read(_CHUNK):
            size += len(chunk)
            if size > limit:
                raise HTTPException(
                    413, f"the upload is over the limit of {limit // (1 << 20)} MiB (CURAGRAPH_UPLOAD_MAX_MB)"
                )
            out.write(chunk)
    return path


@router.post(
    "/ingest",
    response_model=IngestSummary,
    tags=["ingest"],
    dependencies=[WriteAccess],
    responses=WRITE_RESPONSES,
    summary="Ingest an uploaded data file with its manifest",
)
async def ingest(
    catalog: CatalogDep,
    settings: SettingsDep,
    file: Annotated[UploadFile, File(description="The data file (JSON, JSON Lines or CSV).")],
    manifest: Annotated[UploadFile, File(description="Its YAML manifest (name, license, languages, ...).")],
    format: Annotated[str | None, Form(description="A reader name; detected when omitted.")] = None,
) -> IngestSummary:
    from catalog.classify import classify_catalog
    from catalog.classify.retrain import load_models
    from catalog.ingest.pipeline import prepare_ingest, run_ingest

    uploads = settings.db / "uploads"
    uploads.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(dir=uploads))
    try:
        data = await _save(file, folder, settings.upload_max_mb << 20)
        spec = await _save(manifest, folder, 1 << 20)
        with catalog.use() as store:
            plan = prepare_ingest(
                data, schema=store.schema, settings=settings, manifest_path=spec, fmt=format
            )
            summary = run_ingest(store, plan, settings=settings)
            classify_catalog(store, only_new=True, workers=1, models=load_models(settings.db))
        # the upload's own name and the quarantine file inside the catalog folder, never absolute
        summary.file = file.filename or data.name
        summary.quarantine_file = served_path(summary.quarantine_file, settings.db)
        return summary
    finally:
        shutil.rmtree(folder, ignore_errors=True)


class SelectRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    target: str = Field(default="instructgpt", description="A shipped target spec.")
    n: int = Field(ge=1, le=1_000_000, examples=[1000])
    license_policy: Literal["any", "commercial"] | None = None
    max_issue_severity: Literal["info", "warning", "error"] | None = None
    exclude_duplicates: bool | None = None


@router.post(
    "/select",
    tags=["selection"],
    dependencies=[ReadAccess],
    summary="Select N examples that fill a target mix",
)
def select(body: SelectRequest, catalog: CatalogDep) -> Any:
    from api.routers.coverage import shipped_spec
    from catalog.selection import select_examples

    with catalog.use() as store:
        spec = shipped_spec(body.target, store.schema)
        rules = spec.eligibility.model_copy()
        for key in ("license_policy", "max_issue_severity", "exclude_duplicates"):
            if getattr(body, key) is not None:
                setattr(rules, key, getattr(body, key))
        return select_examples(store, spec, body.n, eligibility=rules)


Role = Literal["supply", "usage"]


class ExportRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ids: list[str] = Field(default_factory=list, description="Example ids (e.g. a selection's).")
    datasets: list[str] = Field(default_factory=list, description="Every example of these datasets.")
    format: Literal["openai", "alpaca"] = "openai"
    reasoning: Literal["inline", "field", "drop"] = "inline"
    roles: list[Role] = Field(
        default_factory=lambda: list[Role](["supply"]),
        description="Usage roles to write: training supply only by default; usage prompts when asked.",
    )


def prune_exports(folder: Path, *, keep: int, max_age_s: float) -> int:
    """Remove exports older than `max_age_s`, then the oldest beyond `keep - 1` (room for the one to
    come). Returns how many files went."""
    if not folder.is_dir():
        return 0
    now = time.time()
    files = sorted(folder.glob("*.jsonl"), key=lambda p: p.stat().st_mtime)
    gone = [p for p in files if now - p.stat().st_mtime > max_age_s]
    kept = [p for p in files if p not in gone]
    gone += kept[: max(0, len(kept) - (keep - 1))]
    for path in gone:
        for victim in (path, path.with_name(path.name + ".manifest.json")):
            victim.unlink(missing_ok=True)
    if gone:
        log.info("removed %d old exports from %s", len(gone), folder)
    return len(gone)


@router.post(
    "/export",
    tags=["export"],
    dependencies=[WriteAccess],
    responses=WRITE_RESPONSES,
    summary="Write training JSON Lines (training supply unless asked); returns the manifest and a download link",
)
def export(body: ExportRequest, catalog: CatalogDep, settings: SettingsDep) -> dict[str, Any]:
    from catalog.export import example_ids_of
    from catalog.export.training import write_training

    with catalog.use() as store:
        ids = example_ids_of(store, datasets=body.datasets, ids=body.ids)
        if not ids:
            raise CatalogError("nothing to export", hint="give ids or datasets")
        key = hashlib.sha256(
            "|".join([body.format, body.reasoning, ",".join(sorted(body.roles)), *ids]).encode()
        ).hexdigest()[:16]
        folder = settings.db / "exports"
        prune_exports(folder, keep=settings.export_max_files, max_age_s=settings.export_max_age_hours * 3600)
        out = folder / f"{key}.jsonl"
        manifest = write_training(
            store, ids, out, fmt=body.format, reasoning=body.reasoning, roles=tuple(body.roles)
        )
    return {"manifest": manifest, "download": f"/export/{key}.jsonl"}


@router.get(
    "/export/{name}",
    tags=["export"],
    dependencies=[ReadAccess],
    summary="Download an export",
    response_class=FileResponse,
)
def download(name: str, settings: SettingsDep) -> FileResponse:
    if not re.fullmatch(r"[0-9a-f]{16}\.jsonl(\.manifest\.json)?", name):
        raise NotFound("export", name, hint="POST /export first; it returns the download link")
    path = settings.db / "exports" / name
    if not path.exists():
        raise NotFound("export", name, hint="POST /export first; it returns the download link")
    return FileResponse(
        path, media_type="application/x-ndjson" if name.endswith(".jsonl") else "application/json"
    )


@router.get(
    "/ontology.ttl",
    tags=["ontology"],
    dependencies=[ReadAccess],
    summary="The ontology as Turtle",
    response_class=Response,
)
def ontology_turtle() -> Response:
    return Response(load_ontology_graph().serialize(format="turtle"), media_type="text/turtle")


@router.get(
    "/ontology.jsonld",
    tags=["ontology"],
    dependencies=[ReadAccess],
    summary="The ontology as JSON-LD",
    response_class=Response,
)
def ontology_jsonld() -> Response:
    return Response(load_ontology_graph().serialize(format="json-ld"), media_type="application/ld+json")
