"""docker-compose.yml, checked without a Docker engine: services, ports, healthcheck, and settings
that the Settings class really reads."""

from __future__ import annotations

import re

import yaml

from catalog.config import Settings
from tests.helpers import REPO


def _compose() -> dict:
    return yaml.safe_load((REPO / "docker-compose.yml").read_text())


def test_services_ports_and_healthcheck() -> None:
    services = _compose()["services"]
    assert set(services) == {"neo4j", "api"}
    neo4j, api = services["neo4j"], services["api"]
    assert neo4j["image"] == "neo4j:5.26-community"
    assert "127.0.0.1:7687:7687" in neo4j["ports"]
    assert neo4j["healthcheck"]["test"] and neo4j["healthcheck"]["retries"] >= 10
    assert api["depends_on"] == {"neo4j": {"condition": "service_healthy"}}
    assert api["build"] == "."
    assert (REPO / "Dockerfile").is_file()
    assert "127.0.0.1:8000:8000" in api["ports"]


def test_password_is_required_not_defaulted() -> None:
    services = _compose()["services"]
    assert re.fullmatch(r"neo4j/\$\{NEO4J_PASSWORD:\?.+\}", services["neo4j"]["environment"]["NEO4J_AUTH"])
    assert services["api"]["environment"]["CURAGRAPH_NEO4J_PASSWORD"].startswith("${NEO4J_PASSWORD:?")


def test_api_environment_is_read_by_the_settings_class(monkeypatch) -> None:
    env = _compose()["services"]["api"]["environment"]
    fields = {f"CURAGRAPH_{name.upper()}" for name in Settings.model_fields}
    assert set(env) <= fields, set(env) - fields
    for key, value in env.items():
        monkeypatch.setenv(key, "secret" if "PASSWORD" in key else str(value))
    settings = Settings()
    assert settings.store == "neo4j"
    assert settings.neo4j_uri == "bolt://neo4j:7687"  # the compose service name and Bolt port
    assert settings.neo4j_password.get_secret_value() == "secret"


def test_dockerfile_serves_the_api() -> None:
    text = (REPO / "Dockerfile").read_text()
    assert "curagraph init" in text and "exec curagraph serve --host 0.0.0.0 --port 8000" in text
    assert "COPY api ./api" in text  # routers, templates and the vendored chart library
    assert "pip install --no-cache-dir ." in text
