"""Steady under concurrency: threads and HTTP clients get exactly the answers a single caller gets."""

from __future__ import annotations

import http.client
import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from conftest import DATA

from assistant import Assistant
from benchmarks import serve

THREADS = 8
CLIENTS = 16
LOAD_SECONDS = 5.0


def _questions() -> list[str]:
    return [item["q"] for item in json.loads((DATA / "questions.json").read_text(encoding="utf-8"))]


@pytest.mark.parametrize("which", ["fake_bot", pytest.param("bot", marks=pytest.mark.model)])
def test_eight_threads_asking_at_once_get_exactly_the_serial_answers(which: str,
                                                                    request: pytest.FixtureRequest):
    loaded: Assistant = request.getfixturevalue(which)
    questions = _questions()
    serial = [loaded.ask(q).to_dict() for q in questions]
    # A fresh assistant on the same index and encoder: an empty query cache, so the threads encode at once.
    fresh = Assistant(loaded.built, loaded.embedder, loaded.settings)
    with ThreadPoolExecutor(THREADS) as pool:
        concurrent = list(pool.map(lambda q: fresh.ask(q).to_dict(), questions * 2))
    assert concurrent == serial * 2


@pytest.mark.model
def test_the_server_under_many_clients_answers_every_request_and_health_check_correctly(bot: Assistant):
    questions = _questions()[:20]
    expected = {q: bot.ask(q).to_dict() for q in questions}
    wrong: list[str] = []
    statuses: list[int] = []
    health: list[int] = []
    lock = threading.Lock()
    with serve.server() as (port, _pid):
        deadline = time.monotonic() + LOAD_SECONDS

        def client(offset: int) -> None:
            connection = http.client.HTTPConnection(serve.HOST, port, timeout=serve.REQUEST_TIMEOUT_S)
            turn = offset
            while time.monotonic() < deadline:
                question = questions[turn % len(questions)]
                body = json.dumps({"question": question, "history": []})
                connection.request("POST", "/api/ask", body=body,
                                   headers={"Content-Type": "application/json"})
                response = connection.getresponse()
                reply = json.loads(response.read())
                with lock:
                    statuses.append(response.status)
                    if reply != expected[question]:
                        wrong.append(question)
                turn += 1
            connection.close()

        def poll_health() -> None:
            while time.monotonic() < deadline:
                health.append(serve.get(port, "/healthz")[0])
                time.sleep(serve.HEALTH_EVERY_S)

        threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
        threads.append(threading.Thread(target=poll_health))
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert len(statuses) >= CLIENTS and set(statuses) == {200}
    assert wrong == []
    assert health and set(health) == {200}
