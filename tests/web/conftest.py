"""The running server for HTTP-level tests, and an in-process app configured for one clinic."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fakes import HashingEmbedder
from fastapi.testclient import TestClient

from assistant import Assistant, Settings
from assistant.web import create_app
from web.serving import Server, session_server

CLINIC = {"clinic_name": "Riverside Physio", "allowed_origins": ["https://clinic.example"],
          "booking_link": 'https://clinic.example/book?who="me"&when=soon'}


@pytest.fixture(scope="session")
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Server:
    return session_server(request.config, tmp_path_factory)


@pytest.fixture(scope="session")
def clinic_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """The app configured for one clinic, in process on the fast fake embedder."""
    tmp = tmp_path_factory.mktemp("clinic")
    paths = {"index_dir": tmp / "index", "feedback_db": tmp / "feedback.sqlite3"}
    settings = Settings().updated({**CLINIC, **paths})
    with TestClient(create_app(Assistant.load(settings, embedder=HashingEmbedder()))) as client:
        yield client
