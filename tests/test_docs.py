"""Docs that cannot drift: the configuration and CLI pages are generated and current, nothing is
undocumented, and no doc points at a file the repository does not have."""

from __future__ import annotations

import re
import subprocess
import sys

from catalog.cli import app
from catalog.config import Settings
from tests.helpers import REPO

DOCS = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]


def test_the_generated_pages_are_current() -> None:
    done = subprocess.run(
        [sys.executable, "scripts/gen_docs.py", "--check"], cwd=REPO, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr


def test_every_setting_and_command_is_documented() -> None:
    import typer.main

    configuration = (REPO / "docs" / "configuration.md").read_text()
    prefix = Settings.model_config.get("env_prefix", "")
    for name, field in Settings.model_fields.items():
        assert field.description, f"setting {name} has no description"
        assert f"`{prefix}{name.upper()}`" in configuration, name
    cli = (REPO / "docs" / "cli.md").read_text()
    group = typer.main.get_command(app)
    for name in group.list_commands(group.context_class(group)):  # type: ignore[attr-defined]
        assert f"### `curagraph {name}`" in cli, name


#: `path/to/file.ext` in backticks, or a relative markdown link
_PATH = re.compile(r"`((?:[\w.-]+/)+[\w.-]+\.(?:py|md|ttl|yaml|yml|toml|sh|json|jsonl|html|js|css))`")
_LINK = re.compile(r"\]\((?!https?://|#|mailto:)([^)#\s]+)")


def test_no_doc_cites_a_file_the_repository_lacks() -> None:
    missing = []
    for doc in DOCS:
        text = doc.read_text()
        for ref in _PATH.findall(text):
            if ref.startswith(("../", "bench/.work", "~")) or "<" in ref:
                continue  # the shared datasets beside the repository, benchmark output, placeholders
            if not (REPO / ref).exists() and not (doc.parent / ref).exists():
                missing.append(f"{doc.name}: {ref}")
        for ref in _LINK.findall(text):
            if not (doc.parent / ref).exists():
                missing.append(f"{doc.name}: link {ref}")
        if "DESIGN.md" in text:
            missing.append(f"{doc.name}: DESIGN.md (not in the repository)")
    assert not missing, missing
