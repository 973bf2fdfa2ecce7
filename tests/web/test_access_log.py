"""The access log: one line per request, written after its response, with no query string and no address."""

from __future__ import annotations

import logging
import time
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
from fakes import HashingEmbedder
from fastapi.testclient import TestClient

from assistant import Assistant, Settings
from assistant.web import create_app
from web.serving import Server

MARKER = "wombat-7d1e"


def logged(server: Server, line: str) -> bool:
    """Whether the server's output has `line`, waiting briefly: it is written after the response."""
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        if line in server.log.read_text(errors="replace"):
            return True
        time.sleep(0.05)
    return False


def test_each_request_is_logged_by_method_path_and_status(server: Server):
    """The query string is left out: Gradio's chat streams carry the raw session id there."""
    assert httpx.get(f"{server.url}/healthz", params={"session_hash": MARKER}).status_code == 200
    assert httpx.get(f"{server.url}/no-such-{MARKER}-page").status_code == 404
    assert logged(server, '"GET /healthz HTTP/1.1" 200')
    assert logged(server, f'"GET /no-such-{MARKER}-page HTTP/1.1" 404')
    assert f"session_hash={MARKER}" not in server.log.read_text(errors="replace")


def test_the_access_log_can_be_turned_off(tmp_path: Path, caplog: pytest.LogCaptureFixture):
    """A clinic whose proxy keeps the access log can stop this server writing one."""
    settings = Settings(index_dir=tmp_path / "index", feedback_db=tmp_path / "feedback.sqlite3")
    for access_log, lines in ((True, 1), (False, 0)):
        bot = Assistant.load(replace(settings, access_log=access_log), embedder=HashingEmbedder())
        with TestClient(create_app(bot)) as client, caplog.at_level(logging.INFO, logger="assistant.access"):
            caplog.clear()
            assert client.get("/healthz").status_code == 200
            assert [r.getMessage() for r in caplog.records if r.name == "assistant.access"] == \
                   ['"GET /healthz HTTP/1.1" 200'] * lines
