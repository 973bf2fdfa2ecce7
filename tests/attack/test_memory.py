"""Finding 3 (memory): huge bodies are refused before they are read, chat state expires with its session,
and the server's memory comes back to within 10% of where it started."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from web.serving import ARTIFACTS, Server, start

from assistant import Settings
from attack import raw
from attack.conftest import PROXIED, Functions
from benchmarks.stats import rss_mb

IDLE_S = 3
MB = 1024 * 1024


@pytest.fixture(scope="module")
def forgetful(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    workdir = tmp_path_factory.mktemp("forgetful")
    server = start(workdir, {**PROXIED, "ASSISTANT_SESSION_IDLE_SECONDS": str(IDLE_S)})
    yield server
    server.stop()


def conversation(size: int) -> list[dict]:
    """A stored chat value of about `size` bytes, in the messages a page sends."""
    text = "stiff back " * 1800  # under max_message_chars
    count = size // (len(text) + 80)
    return [{"role": "user", "metadata": None, "options": None, "content": [{"type": "text", "text": text}]}
            for _ in range(count)]


def settle(server: Server) -> float:
    time.sleep(0.5)
    return rss_mb(server.process.pid)


def test_memory_attacks_leave_memory_where_it_was(functions: Functions, forgetful: Server):
    url = forgetful.url
    # Warm up each path once, so the baseline includes what any first request loads.
    warm = raw.session()
    assert raw.run(url, functions["lambda"], [conversation(100_000)], warm, raw.client(60)).status_code == 200
    raw.ask(url, functions["ask"], "how do I do the bridge?", warm, raw.client(60))
    time.sleep(2 * IDLE_S + 1)  # the warm-up session expires too
    baseline = settle(forgetful)

    # 1. Bodies far over the limit: refused by their declared length, never read.
    huge = b" " * (50 * MB)
    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(lambda n: httpx.post(f"{url}/api/ask", content=huge, timeout=60,
                                                      headers={"content-type": "application/json",
                                                               **raw.client(61)}).status_code, range(8)))
    assert set(statuses) == {413}
    # 2. Chat values of 10 MB (80 of them in the original attack): refused the same way.
    ten_mb = {"data": [conversation(10 * MB)], "fn_index": functions["lambda"], "session_hash": raw.session()}
    assert httpx.post(f"{url}/gradio_api/run/predict", json=ten_mb, headers=raw.client(62),
                      timeout=60).status_code == 413
    # 3. The largest chat value allowed, stored in 80 sessions from 80 addresses.
    stored = conversation(Settings().max_chat_body_bytes - 64 * 1024)

    def store(number: int) -> int:
        return raw.run(url, functions["lambda"], [stored], raw.session(), raw.client(100 + number)).status_code

    with ThreadPoolExecutor(8) as pool:
        assert set(pool.map(store, range(80))) == {200}
    peak = settle(forgetful)
    # Sessions idle for IDLE_S are swept within the sweep period after that.
    time.sleep(2 * IDLE_S + 1)
    after = settle(forgetful)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "attack-memory.json").write_text(json.dumps(
        {"baseline_mb": round(baseline), "peak_mb": round(peak), "after_expiry_mb": round(after)}))
    assert after <= baseline * 1.10, f"baseline {baseline:.0f} MB, peak {peak:.0f} MB, after {after:.0f} MB"
