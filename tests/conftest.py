"""Shared fixtures: a fast assistant on a fake embedder, and one on the real model loaded once."""

from __future__ import annotations

import os
import shutil
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
sys.path.insert(0, str(Path(__file__).parent))

from fakes import HashingEmbedder  # noqa: E402

from assistant import Assistant, Settings  # noqa: E402
from benchmarks.postgres import Postgres, start_postgres  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
DATA = Path(__file__).parent / "data"
FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def corpus_copy(tmp_path: Path) -> Path:
    """A private copy of the bundled corpus that a test may change."""
    target = tmp_path / "corpus"
    shutil.copytree(CORPUS, target)
    return target


@pytest.fixture
def fake_settings(tmp_path: Path, corpus_copy: Path) -> Settings:
    return Settings().updated({"corpus_dir": corpus_copy, "index_dir": tmp_path / "index"})


@pytest.fixture
def fake_bot(fake_settings: Settings) -> Assistant:
    """The whole pipeline on the hashing embedder: real parsing, triage, BM25 and composition."""
    return Assistant.load(fake_settings, embedder=HashingEmbedder())


@pytest.fixture(scope="session")
def bot() -> Assistant:
    """The bundled corpus and index with the real model, as a user gets them."""
    return Assistant.load()


@pytest.fixture(scope="session")
def postgres() -> Iterator[Postgres]:
    """One throwaway PostgreSQL server for the session, started only when a test asks for it."""
    cluster = start_postgres()
    yield cluster
    cluster.remove()


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> dict[str, Any]:
    """The settings for a new, empty event store: each test runs once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        return {"feedback_db": tmp_path / "var" / "events.sqlite3"}
    cluster: Postgres = request.getfixturevalue("postgres")
    return {"database_url": cluster.create_database(f"test_{uuid.uuid4().hex[:12]}")}
