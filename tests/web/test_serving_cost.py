"""What serving adds to an answer: the work around `Assistant.ask` on each REST request."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

import anyio.to_thread
import pytest
from fastapi import APIRouter, FastAPI
from fastapi.testclient import TestClient

from assistant.web import answering, front
from assistant.web.front import Front


@pytest.fixture
def hops(monkeypatch: pytest.MonkeyPatch) -> list[Callable[..., object]]:
    """Every function a request hands to a worker thread (Starlette and FastAPI both go through anyio)."""
    handed: list[Callable[..., object]] = []
    run_sync = anyio.to_thread.run_sync

    async def counted(function: Callable[..., object], *args: object, **kwargs: object) -> object:
        handed.append(function)
        return await run_sync(function, *args, **kwargs)

    monkeypatch.setattr(anyio.to_thread, "run_sync", counted)
    return handed


def test_an_api_answer_takes_at_most_one_hop_to_a_worker_thread(clinic_client: TestClient, hops: list):
    """A plain-function route also has FastAPI check its response in a second worker thread; each hop cost
    about a millisecond under load, most of the REST overhead (issue 13, item 8). A conversation's answer takes
    one; an opening question on an idle server none (`assistant/web/answering.py`)."""
    history = [{"role": "user", "content": "how do I do the bridge?"},
               {"role": "assistant", "content": "### Bridge", "chunk_ids": ["strengthen/bridge"]}]
    reply = clinic_client.post("/api/ask", json={"question": "how long do I hold it?", "history": history})
    assert reply.status_code == 200 and reply.json()["kind"] == "answer"
    assert len(hops) == 1, hops
    time.sleep(2 * answering.QUIET_S)
    reply = clinic_client.post("/api/ask", json={"question": "how do I do the bridge?"})
    assert reply.status_code == 200 and reply.json()["kind"] == "answer"
    assert len(hops) == 1, hops


def test_the_health_check_waits_for_no_worker_thread(clinic_client: TestClient, hops: list):
    """Under load every worker thread may be answering; a load balancer's check must not queue behind them."""
    assert clinic_client.get("/healthz").json()["status"] == "ok"
    assert hops == []


def test_the_app_adds_one_layer_to_fastapis_own(clinic_client: TestClient):
    """The gate, CORS and the security headers are one layer (`Front`): each layer is a call on every request,
    on the event loop every answer waits for (issue 13, item 8)."""
    def layers(app: object) -> list[type]:
        chain, node = [], app
        while hasattr(node, "app") and not isinstance(node, APIRouter):
            chain.append(type(node))
            node = node.app
        return chain

    ours = layers(clinic_client.app.build_middleware_stack())
    assert [layer for layer in ours if layer is not Front] == layers(FastAPI().build_middleware_stack())
    assert ours.count(Front) == 1


def test_a_reply_passes_one_send_wrapper_of_ours(clinic_client: TestClient):
    """Counts the functions the reply's first message was handed through on its way to the server: each
    holds it as a local. One of them is ours (Front's), however many of FastAPI's and Starlette's there are."""
    holders: list[str] = []

    def holders_of(message: dict) -> None:
        if message["type"] == "http.response.start":
            frame = sys._getframe(2)
            while frame is not None:
                if any(value is message for value in frame.f_locals.values()):
                    holders.append(f"{frame.f_code.co_filename}:{frame.f_code.co_name}")
                frame = frame.f_back

    async def counted(scope: dict, receive: Callable, send: Callable) -> None:
        async def server_send(message: dict) -> None:
            holders_of(message)
            await send(message)

        await clinic_client.app(scope, receive, server_send)

    # Through a TestClient of its own (it runs the app in a thread with its own event loop): another test's
    # browser may have left an event loop running in this thread.
    reply = TestClient(counted).post("/api/ask", json={"question": "how do I do the bridge?"})
    assert reply.status_code == 200 and reply.json()["kind"] == "answer"
    package = str(Path(front.__file__).parent.parent)
    ours = [holder for holder in holders if holder.startswith(package)]
    assert len(ours) == 1 and ours[0].endswith("front.py:send_out"), holders
