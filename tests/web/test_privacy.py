"""Offline and private by default: no outbound connection while serving, no question text logged or stored."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx
from gradio_client import Client

from web.serving import LAUNCHER, Server, start

MARKER = "zanzibar-7f3c"


def test_the_audit_hook_catches_an_outbound_attempt(tmp_path: Path):
    """The detector can fail: a script that reaches out is caught, by lookup and by connect."""
    script = tmp_path / "reach_out.py"
    script.write_text(
        "import socket\n"
        "for target in (('192.0.2.1', 9), ('localhost', 9)):\n"
        "    s = socket.socket(); s.setblocking(False)\n"
        "    try: s.connect(target)\n"
        "    except OSError: pass\n"
        "try: socket.getaddrinfo('telemetry.invalid', 443)\n"
        "except OSError: pass\n")
    log = tmp_path / "connections.log"
    subprocess.run([sys.executable, str(LAUNCHER), str(script)], check=True, timeout=60,
                   env={**os.environ, "AUDIT_CONNECTIONS_LOG": str(log)})
    assert log.read_text().splitlines() == ["connect 192.0.2.1:9", "lookup telemetry.invalid"]


def test_serving_attempts_no_outbound_connection(server: Server):
    """Load the page and its config, ask over REST and gradio_client: nothing leaves the machine."""
    page = httpx.get(f"{server.url}/")
    assert page.status_code == 200
    for path in ("/config", "/gradio_api/info", "/widget.js", "/docs", "/healthz"):
        assert httpx.get(f"{server.url}{path}").status_code == 200
    reply = httpx.post(f"{server.url}/api/ask", json={"question": "how do I do the bridge?"})
    assert reply.status_code == 200
    client = Client(server.url, analytics_enabled=False, verbose=False)
    assert "Bridge" in client.predict("how do I do the bridge?", api_name="/ask")["content"]
    client.close()
    attempts = server.connections.read_text() if server.connections.exists() else ""
    assert attempts == ""


def test_question_text_is_not_logged_by_default(server: Server):
    question = f"how do I do the bridge {MARKER}?"
    assert httpx.post(f"{server.url}/api/ask", json={"question": question}).status_code == 200
    client = Client(server.url, analytics_enabled=False, verbose=False)
    client.predict(question, api_name="/ask")
    client.close()
    log = server.log.read_text()
    assert "/api/ask" in log and MARKER not in log


def test_a_clinic_can_turn_question_logging_on(tmp_path: Path):
    """The switch works end to end, through an environment variable, in a second server of its own."""
    logged = start(tmp_path, {"ASSISTANT_LOG_QUESTIONS": "true"})
    try:
        question = f"how do I do the bridge {MARKER}?"
        assert httpx.post(f"{logged.url}/api/ask", json={"question": question}).status_code == 200
    finally:
        logged.stop()
    assert MARKER in logged.log.read_text()


TRACED_REQUEST = """
import sys
from opentelemetry import trace
from opentelemetry.trace import NoOpTracer, TracerProvider
from fastapi.testclient import TestClient
from fakes import HashingEmbedder
from assistant import Assistant, Settings
from assistant.web import create_app

asked_for_tracers = []

class Recording(TracerProvider):
    def get_tracer(self, *args, **kwargs):
        asked_for_tracers.append(args[:1])
        return NoOpTracer()

trace.set_tracer_provider(Recording())
settings = Settings().updated({"index_dir": sys.argv[1] + "/index", "feedback_db": sys.argv[1] + "/f.sqlite3"})
with TestClient(create_app(Assistant.load(settings, embedder=HashingEmbedder()))) as client:
    assert client.post("/api/ask", json={"question": "how do I do the bridge?"}).status_code == 200
print(len(asked_for_tracers))
"""


def test_fastapi_telemetry_stays_off_when_a_tracer_is_installed(tmp_path: Path):
    """FastAPI traces every request into whatever OpenTelemetry provider the process has (and exports to an
    OTLP endpoint when FASTAPI_OTEL_AUTO_CONFIGURE is set): a host's agent could then carry question URLs and
    timings off the machine. The app turns it off whatever the environment says."""
    tests = Path(__file__).resolve().parents[1]
    run = subprocess.run([sys.executable, "-c", TRACED_REQUEST, str(tmp_path)], cwd=tests, capture_output=True,
                         text=True, timeout=300, env={**os.environ, "FASTAPI_OTEL_AUTO_CONFIGURE": "true",
                                                      "PYTHONPATH": str(tests)})
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.split()[-1] == "0"
