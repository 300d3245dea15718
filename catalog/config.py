"""One typed settings object. Read from the environment (prefix CURAGRAPH_) when it is built,
never at import; commands and the API build it once and pass it down."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

log = logging.getLogger(__name__)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CURAGRAPH_", extra="ignore")

    db: Path = Field(
        default=Path("curagraph-catalog"),
        description="Catalog directory: the embedded database, the raw archive and quarantine files.",
    )
    store: Literal["embedded", "neo4j"] = Field(default="embedded", description="Graph engine.")

    neo4j_uri: str = Field(default="bolt://127.0.0.1:7687", description="Bolt URI of the Neo4j server.")
    neo4j_user: str = Field(default="neo4j", description="User name on the Neo4j server.")
    neo4j_password: SecretStr = Field(
        default=SecretStr(""), description="Neo4j password (required for neo4j)."
    )
    neo4j_database: str = Field(default="neo4j", description="The database on the Neo4j server.")

    batch_size: int = Field(
        default=100_000,
        ge=1,
        le=1_000_000,
        description="Most examples written per transaction. Each commit checkpoints the embedded engine, which "
        "costs more as the catalog grows, so larger batches ingest faster (1M examples: 17.7k ex/s at 50k, "
        "~20k at 100k); a killed run loses at most one batch, which the re-run writes.",
    )
    batch_mb: int = Field(
        default=128,
        ge=1,
        description="A batch also closes once its examples' text reaches this many MiB (bounds memory).",
    )
    ingest_workers: int = Field(
        default=-1,
        ge=-1,
        le=1,
        description="Parse in a worker process beside the writes: 1 always, 0 never, -1 for files of 16 MiB and more.",
    )
    buffer_pool_mb: int = Field(
        default=4096,
        ge=64,
        description="Memory the embedded engine may use for its page cache (its own default is most of RAM). "
        "Checkpoints need more as the catalog grows: 1 GiB failed at ~475k examples, 2 GiB was at the edge at 1M.",
    )
    query_timeout_s: float = Field(default=30.0, gt=0, description="Time limit of a read-only Cypher query.")
    row_cap: int = Field(default=1000, ge=1, description="Most rows a read-only Cypher query returns.")
    result_max_bytes: int = Field(
        default=4 * 1024 * 1024,
        ge=1024,
        description="Most bytes of rows (as JSON) a read-only Cypher query returns; the answer is cut "
        "there with truncated: true, like the row cap.",
    )
    max_record_bytes: int = Field(
        default=16 * 1024 * 1024, ge=1024, description="A record larger than this is quarantined unread."
    )
    api_token: SecretStr = Field(
        default=SecretStr(""),
        description="Bearer token for the API's writes (ingest by upload, checks, dedup). Unset: writes are off.",
    )
    api_read_token_required: bool = Field(
        default=False, description="Require the API token for reads too (reads are open by default)."
    )
    upload_max_mb: int = Field(default=512, ge=1, description="Largest file the API accepts for ingest.")
    export_max_files: int = Field(
        default=20, ge=1, description="Exports the API keeps (POST /export); the oldest go first."
    )
    export_max_age_hours: float = Field(
        default=24.0, gt=0, description="Exports older than this are removed before the API writes a new one."
    )
    api_engine_concurrency: int = Field(
        default=4,
        ge=1,
        description="Catalog calls the API runs at once (read connections on the embedded engine, "
        "sessions on Neo4j); more requests wait their turn. A long query holds one of them.",
    )
    api_switch_interval_ms: float = Field(
        default=0.5,
        gt=0,
        le=100,
        description="How long a busy server thread holds the interpreter lock before another may run "
        "(Python's switch interval, 5 ms by default): shorter keeps /health and light requests fast "
        "under load.",
    )
    api_threads: int = Field(
        default=100,
        ge=1,
        description="Worker threads for the API's requests (Starlette's default of 40 makes the 41st "
        "concurrent request queue for a thread before it can queue for the engine).",
    )
    llm_base_url: str = Field(
        default="",
        description="An OpenAI-compatible /v1 endpoint for `ask` questions no template answers "
        "(https://api.openai.com/v1, http://localhost:11434/v1 for Ollama, a vLLM or llama.cpp server). Unset: templates only.",
    )
    llm_model: str = Field(default="", description="The model name the endpoint serves.")
    llm_api_key: SecretStr = Field(
        default=SecretStr(""), description="Bearer key for the endpoint, if it needs one."
    )
    llm_timeout_s: float = Field(default=60.0, gt=0, description="Time limit of one request to the model.")
    log_level: Literal["debug", "info", "warning", "error"] = Field(
        default="info",
        description="The server's log level (`curagraph serve`): requests that fail with a 500 are "
        "logged with their traceback at error. The CLI logs warnings, or more with -v / -vv.",
    )
    ontology_extensions: list[Path] = Field(
        default_factory=list, description="Extra Turtle files that extend the ontology."
    )

    @field_validator("db")
    @classmethod
    def _expand(cls, value: Path) -> Path:
        return value.expanduser()

    @property
    def graph_path(self) -> Path:
        """The embedded database file inside the catalog directory."""
        return self.db / "graph.lbdb"

    @property
    def extension_file(self) -> Path:
        """The catalog's own ontology extension: the concepts a person accepted (`topics accept`)."""
        return self.db / "extension.ttl"

    @property
    def extensions_in_force(self) -> list[Path]:
        """The ontology extensions this catalog is read with: the settings' files, then the
        catalog's own extension when it has one."""
        return [*self.ontology_extensions, *([self.extension_file] if self.extension_file.exists() else [])]

    @property
    def raw_dir(self) -> Path:
        return self.db / "raw"

    @property
    def quarantine_dir(self) -> Path:
        return self.db / "quarantine"
