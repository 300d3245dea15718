"""An ingest plan: the file, its manifest and its format, checked before anything is written."""

from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass
from pathlib import Path

from catalog.config import Settings
from catalog.errors import IngestError
from catalog.ingest.detect import detect_format
from catalog.ingest.manifest import Manifest, default_manifest, load_manifest
from catalog.ingest.readers import READERS, Reader
from catalog.ingest.records import Container, sniff_container, unread_container
from catalog.schema import Schema

log = logging.getLogger(__name__)


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9.]+", "-", text.lower()).strip("-") or "unnamed"


@dataclass
class IngestPlan:
    path: Path
    manifest: Manifest
    format: str
    container: Container
    reader: Reader

    @property
    def dataset_id(self) -> str:
        return self.manifest.name


def prepare_ingest(
    path: Path,
    *,
    schema: Schema,
    settings: Settings,
    manifest_path: Path | None = None,
    fmt: str | None = None,
) -> IngestPlan:
    """Check the file, manifest and format; write nothing. Raises IngestError with a fix."""
    path = Path(path)
    if not path.exists():
        raise IngestError(f"file not found: {path}", hint="check the path")
    if not path.is_file():
        raise IngestError(f"not a file: {path}", hint="ingest one file at a time")
    if not os.access(path, os.R_OK):
        raise IngestError(f"cannot read {path}: permission denied")
    if (unread := unread_container(path)) is not None:
        what, fix = unread
        raise IngestError(
            f"{path} is {what}, a container curagraph does not read yet (JSON, JSON Lines, CSV and Parquet are read, also gzip-, bzip2- or xz-compressed)",
            hint=fix.replace("FILE", str(path)),
        )
    manifest = load_manifest(manifest_path) if manifest_path else default_manifest(path)
    manifest.check_against(schema, set(READERS))
    manifest = manifest.for_file(path.name)
    fmt = fmt or manifest.format
    if fmt is not None:
        if fmt not in READERS:
            raise IngestError(f"unknown format {fmt!r}", hint=f"choose one of {', '.join(sorted(READERS))}")
        container = sniff_container(path)
        if container not in READERS[fmt].containers:
            raise IngestError(f"format {fmt!r} does not come as {container}; {path.name} is {container}")
    else:
        fmt, container = detect_format(path, max_record_bytes=settings.max_record_bytes)
    reader = READERS[fmt](path, manifest.fields)
    return IngestPlan(path=path, manifest=manifest, format=fmt, container=container, reader=reader)


def quarantine_path(settings: Settings, plan: IngestPlan, checksum: str) -> Path:
    return settings.quarantine_dir / f"{plan.dataset_id}--{plan.path.name}--{checksum[:12]}.jsonl"
