"""Start the real server (`python app.py`) once per test session, audited for outbound connections."""

from __future__ import annotations

import json
import os
import resource
import socket
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
LAUNCHER = Path(__file__).with_name("audited_app.py")
ARTIFACTS = ROOT / "artifacts"
READY_TIMEOUT = 180.0
# What a reverse proxy in front of a test server would send: a test names its client in this header (from
# loopback, a trusted proxy by default), so each test can be a client of its own under the default limits.
PROXIED = {"ASSISTANT_TRUSTED_PROXY_HEADER": "X-Forwarded-For"}


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    url: str
    port: int
    workdir: Path
    startup_seconds: float

    @property
    def feedback_db(self) -> Path:
        return self.workdir / "feedback.sqlite3"

    def votes(self) -> list[dict[str, object]]:
        """The voted replies in the server's event store (SQLite), oldest vote first."""
        if not self.feedback_db.exists():
            return []
        with sqlite3.connect(self.feedback_db) as db:
            db.row_factory = sqlite3.Row
            return [dict(r) for r in db.execute("SELECT * FROM replies WHERE vote IS NOT NULL ORDER BY rowid")]

    @property
    def log(self) -> Path:
        return self.workdir / "server.log"

    @property
    def connections(self) -> Path:
        return self.workdir / "connections.log"

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-3000:]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start(workdir: Path, settings: dict[str, str] | None = None, prefix: tuple[str, ...] = (),
          max_open_files: int | None = None) -> Server:
    """`python app.py --port <free>` with a private feedback db and any `ASSISTANT_*` settings given,
    optionally under a tracer (`prefix`) or a file-descriptor limit; returns once /healthz answers."""
    port = free_port()
    env = {**os.environ, "ASSISTANT_FEEDBACK_DB": str(workdir / "feedback.sqlite3"),
           "AUDIT_CONNECTIONS_LOG": str(workdir / "connections.log"), "PYTHONUNBUFFERED": "1",
           **(settings or {})}
    # As from a plain shell: app.py itself must switch off what would reach the network.
    for name in ("ASSISTANT_CONFIG", "GRADIO_ANALYTICS_ENABLED", "HF_HUB_OFFLINE",
                 "HF_HUB_DISABLE_TELEMETRY"):
        env.pop(name, None)
    started = time.perf_counter()
    with (workdir / "server.log").open("wb") as log:
        process = subprocess.Popen([*prefix, sys.executable, str(LAUNCHER), str(ROOT / "app.py"), "--port", str(port)],
                                   cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                   preexec_fn=None if max_open_files is None else limit_open_files(max_open_files))
    server = Server(process, f"http://127.0.0.1:{port}", port, workdir, 0.0)
    deadline = started + READY_TIMEOUT
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}:\n{server.tail()}")
        try:
            if httpx.get(f"{server.url}/healthz", timeout=2).status_code == 200:
                break
        except httpx.TransportError:
            pass
        if time.perf_counter() > deadline:
            server.stop()
            raise RuntimeError(f"the server was not ready in {READY_TIMEOUT:.0f} s:\n{server.tail()}")
        time.sleep(0.1)
    server.startup_seconds = time.perf_counter() - started
    return server


def limit_open_files(count: int):
    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_NOFILE, (count, count))

    return apply


SERVER_KEY = pytest.StashKey[Server]()


def session_server(config: pytest.Config, tmp_path_factory: pytest.TempPathFactory) -> Server:
    """One server for the whole session, shared by tests/web and tests/browser, stopped when pytest exits."""
    if SERVER_KEY not in config.stash:
        server = start(tmp_path_factory.mktemp("server"), PROXIED)
        config.add_cleanup(server.stop)
        ARTIFACTS.mkdir(exist_ok=True)
        timing = {"app_py_to_healthz_s": round(server.startup_seconds, 2)}
        (ARTIFACTS / "web-startup.json").write_text(json.dumps(timing))
        config.stash[SERVER_KEY] = server
    return config.stash[SERVER_KEY]
