"""What serving adds to an answer: the work around `Assistant.ask` on each REST request."""

from __future__ import annotations

from collections.abc import Callable

import anyio.to_thread
import pytest
from fastapi.testclient import TestClient


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


def test_an_api_answer_takes_one_hop_to_a_worker_thread(clinic_client: TestClient, hops: list):
    """A plain-function route also has FastAPI check its response in a second worker thread; each hop cost
    about a millisecond under load, most of the REST overhead (issue 13, item 8)."""
    reply = clinic_client.post("/api/ask", json={"question": "how do I do the bridge?"})
    assert reply.status_code == 200 and reply.json()["kind"] == "answer"
    assert len(hops) == 1, hops


def test_the_health_check_waits_for_no_worker_thread(clinic_client: TestClient, hops: list):
    """Under load every worker thread may be answering; a load balancer's check must not queue behind them."""
    assert clinic_client.get("/healthz").json()["status"] == "ok"
    assert hops == []
