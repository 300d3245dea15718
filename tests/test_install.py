"""curagraph installed as users install it: a wheel built from the checkout in a fresh virtual
environment outside it, and the Dockerfile's own install steps, each run from another working
directory, then `demo` and `serve` with every dashboard page, the static files the pages load,
`/docs` and `/openapi.json` fetched.

Every other test runs on the editable install, which hides a package or a data file the wheel
leaves out (issue 13: `pip install .` gave a tool whose every command failed).
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.helpers import REPO

pytestmark = pytest.mark.slow

#: the environment of a user's shell: none of this checkout's Python paths or settings
_CLEAN_ENV = {
    k: v for k, v in os.environ.items() if not k.startswith(("CURAGRAPH_", "PYTHON", "VIRTUAL_ENV"))
}


def _run(cmd: list[str], *, cwd: Path, env: dict[str, str] | None = None, timeout: float = 900) -> str:
    done = subprocess.run(
        cmd, cwd=cwd, env={**_CLEAN_ENV, **(env or {})}, capture_output=True, text=True, timeout=timeout
    )
    assert done.returncode == 0, (
        f"{shlex.join(cmd)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}"
    )
    return done.stdout + done.stderr


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(url: str) -> tuple[int, str, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=30) as r:
            return r.status, r.headers.get("content-type", ""), r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("content-type", ""), e.read()


@contextmanager
def _serving(cmd: list[str], *, cwd: Path, env: dict[str, str], port: int) -> Iterator[str]:
    log = cwd / f"serve-{port}.log"
    with log.open("w") as sink:
        proc = subprocess.Popen(
            cmd, cwd=cwd, env={**_CLEAN_ENV, **env}, stdout=sink, stderr=subprocess.STDOUT
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            assert proc.poll() is None, f"the server exited ({proc.returncode}):\n{log.read_text()}"
            try:
                if _get(base + "/health")[0] == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, f"the server did not answer within 90 s:\n{log.read_text()}"
            time.sleep(0.3)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()


def _fresh_venv(where: Path) -> Path:
    _run([sys.executable, "-m", "venv", str(where)], cwd=where.parent)
    return where / "bin"


def _check_served_catalog(base: str) -> None:
    """Every dashboard page and its JSON twin, the static files the pages load, /docs, /openapi.json."""
    status, kind, body = _get(base + "/openapi.json")
    assert status == 200 and "json" in kind
    doc = json.loads(body)
    ui_paths = sorted(p for p, ops in doc["paths"].items() if p.startswith("/ui") and "get" in ops)
    assert {"/ui", "/ui/coverage", "/ui/provenance", "/ui/quality", "/ui/examples"} <= set(ui_paths)
    status, _, body = _get(base + "/ui/examples.json?limit=1")
    assert status == 200, body
    example_id = json.loads(body)["data"][0]["id"]
    assets: set[str] = set()
    for path in ui_paths:
        url = base + path.replace("{example_id}", example_id)
        status, kind, body = _get(url)
        assert status == 200, (path, body[:300])
        if path.endswith(".json"):
            assert "json" in kind, path
            json.loads(body)
            continue
        assert "text/html" in kind, path
        page = body.decode()
        assets |= set(re.findall(r'(?:src|href)="(/static/[^"]+)"', page))
        assets |= {u for u in re.findall(r'(?:src|href)="(https?://[^"]+/static/[^"]+)"', page)}
    assert any(a.endswith("echarts.min.js") for a in assets), assets
    assert any(a.endswith(".css") for a in assets), assets
    for asset in sorted(assets):
        status, _, body = _get(asset if asset.startswith("http") else base + asset)
        assert status == 200 and body, asset
    status, kind, body = _get(base + "/docs")
    assert status == 200 and "text/html" in kind and b"openapi.json" in body
    # /docs works offline: everything it loads comes from this server
    page = body.decode()
    assert not re.findall(r'(?:src|href)="(https?://[^"]+)"', page), "the API docs load from a CDN"
    for asset in re.findall(r'(?:src|href)="(/static/[^"]+)"', page):
        status, _, data = _get(base + asset)
        assert status == 200 and data, asset


def _built_wheel(tmp: Path) -> Path:
    out = _run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--wheel-dir", str(tmp / "dist"), str(REPO)],
        cwd=tmp,
    )
    warnings = [line for line in out.splitlines() if "would be ignored" in line or "Warning" in line]
    assert not warnings, "the build printed packaging warnings:\n" + "\n".join(warnings)
    (wheel,) = (tmp / "dist").glob("curagraph-*.whl")
    return wheel


def test_the_wheel_installs_and_runs_outside_the_checkout(tmp_path: Path) -> None:
    wheel = _built_wheel(tmp_path)
    bin_dir = _fresh_venv(tmp_path / "venv")
    _run([str(bin_dir / "pip"), "install", "--quiet", str(wheel)], cwd=tmp_path)
    work = tmp_path / "elsewhere"
    work.mkdir()
    # the installed package, not the checkout, answers
    where = _run([str(bin_dir / "python"), "-c", "import catalog; print(catalog.__file__)"], cwd=work)
    assert str(tmp_path / "venv") in where and str(REPO) not in where
    assert "Set up" in _run([str(bin_dir / "curagraph"), "--help"], cwd=work)
    _run([str(bin_dir / "curagraph"), "demo", "--db", "demo-catalog"], cwd=work)
    port = _free_port()
    cmd = [str(bin_dir / "curagraph"), "serve", "--db", "demo-catalog", "--port", str(port)]
    with _serving(cmd, cwd=work, env={}, port=port) as base:
        _check_served_catalog(base)


def _dockerfile_steps() -> tuple[list[tuple[list[str], str]], list[str], dict[str, str], list[str], str]:
    """(COPY sources and destination, RUN commands, ENV, CMD, HEALTHCHECK command) of the Dockerfile."""
    lines = (REPO / "Dockerfile").read_text().replace("\\\n", " ").splitlines()
    copies, runs, env, cmd, health = [], [], {}, [], ""
    for line in lines:
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        word, _, rest = line.partition(" ")
        word = word.upper()
        if word == "COPY":
            *srcs, dst = shlex.split(rest)
            copies.append((srcs, dst))
        elif word == "RUN":
            runs.append(rest)
        elif word == "ENV":
            key, _, value = rest.partition("=")
            env[key.strip()] = value.strip()
        elif word == "CMD":
            cmd = json.loads(rest)
        elif word == "HEALTHCHECK":
            health = rest.split(" CMD ", 1)[1]
    return copies, runs, env, cmd, health


def test_the_dockerfile_install_steps_give_an_image_that_starts(tmp_path: Path) -> None:
    """The image's steps without a Docker engine: its COPY lines into an empty /app, its pip
    install in a fresh environment (pip's cache allowed), its CMD, then its HEALTHCHECK."""
    copies, runs, env, cmd, health = _dockerfile_steps()
    app = tmp_path / "app"
    app.mkdir()
    for srcs, dst in copies:
        target = app / dst.removeprefix("./").removeprefix("/app/")
        for src in srcs:
            source = REPO / src.removeprefix("./")
            assert source.exists(), f"the Dockerfile copies {src}, which the checkout lacks"
            if source.is_dir():
                shutil.copytree(
                    source, target, dirs_exist_ok=True, ignore=shutil.ignore_patterns("__pycache__")
                )
            else:
                target.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, target / source.name)
    bin_dir = _fresh_venv(tmp_path / "venv")
    pip_steps = [r for r in runs if r.startswith("pip ")]
    assert pip_steps, "the Dockerfile installs curagraph with pip"
    for step in pip_steps:
        args = [a for a in shlex.split(step) if a != "--no-cache-dir"]
        _run([str(bin_dir / "pip"), *args[1:]], cwd=app)
    data = tmp_path / "data"
    data.mkdir()
    port = _free_port()
    run_env = {**env, "CURAGRAPH_DB": str(data / "catalog"), "PATH": f"{bin_dir}:{os.environ['PATH']}"}
    assert cmd[:2] == ["sh", "-c"], cmd
    script = cmd[2].replace("--port 8000", f"--port {port}").replace("0.0.0.0", "127.0.0.1")
    with _serving(["sh", "-c", script], cwd=app, env=run_env, port=port) as base:
        probe = health.replace("8000", str(port))
        _run(["sh", "-c", probe], cwd=app, env=run_env, timeout=60)
        status, _, body = _get(base + "/health")
        assert status == 200 and json.loads(body)["status"] == "ok"
        status, _, _ = _get(base + "/ui")
        assert status == 200
