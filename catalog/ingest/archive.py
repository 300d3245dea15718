"""The raw archive: every ingested file kept as it was, content-addressed by sha256."""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from pathlib import Path

log = logging.getLogger(__name__)

_CHUNK = 1 << 20


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(_CHUNK):
            h.update(chunk)
    return h.hexdigest()


def archive_file(path: Path, raw_dir: Path) -> tuple[str, Path]:
    """Copy the file into the archive (once per content); return its sha256 and archived path.

    The copy is written to a temporary file and renamed, so a killed run never leaves a partial
    file under a content address.
    """
    raw_dir.mkdir(parents=True, exist_ok=True)
    h = hashlib.sha256()
    fd, tmp_name = tempfile.mkstemp(prefix=".incoming-", dir=raw_dir)
    try:
        with path.open("rb") as src, os.fdopen(fd, "wb") as dst:
            while chunk := src.read(_CHUNK):
                h.update(chunk)
                dst.write(chunk)
        digest = h.hexdigest()
        target = raw_dir / digest[:2] / digest
        if target.exists():
            os.unlink(tmp_name)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(tmp_name, target)
        return digest, target
    except BaseException:
        if os.path.exists(tmp_name):
            os.unlink(tmp_name)
        raise


__all__ = ["archive_file", "sha256_file"]
