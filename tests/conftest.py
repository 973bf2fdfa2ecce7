"""Shared fixtures: a fast assistant on a fake embedder, and one on the real model loaded once."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
sys.path.insert(0, str(Path(__file__).parent))

from fakes import HashingEmbedder  # noqa: E402

from assistant import Assistant, Settings  # noqa: E402

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
