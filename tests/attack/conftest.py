"""One real server (`python app.py`) for the attacks, behind a trusted loopback proxy header so each
test can be its own client; the page's function numbers, read from a chat built the same way."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fakes import HashingEmbedder
from web.serving import PROXIED, Server, start

from assistant import Assistant, Settings
from assistant.web.chat import build_chat
from assistant.web.events import EventRecorder


@dataclass(frozen=True)
class Functions:
    """Gradio's numbers for the page's functions: the same code builds the same numbers."""

    numbers: dict[str, int]

    def __getitem__(self, name: str) -> int:
        return self.numbers[name]


@pytest.fixture(scope="session")
def functions(tmp_path_factory: pytest.TempPathFactory) -> Functions:
    tmp = tmp_path_factory.mktemp("functions")
    bot = Assistant.load(Settings().updated({"index_dir": tmp / "index"}), embedder=HashingEmbedder())
    chat = build_chat(bot, EventRecorder(None, bot.settings))
    return Functions({f.api_name: n for n, f in chat.fns.items()})


@pytest.fixture(scope="session")
def target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The server under attack, with the default limits; Gradio's temporary folder is the test's own."""
    workdir = tmp_path_factory.mktemp("target")
    server = start(workdir, {**PROXIED, "GRADIO_TEMP_DIR": str(workdir / "gradio")})
    yield server
    server.stop()


def gradio_dir(server: Server) -> Path:
    return server.workdir / "gradio"
