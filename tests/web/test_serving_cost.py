"""What serving adds to an answer: the work around `Assistant.ask` on each REST request."""

from __future__ import annotations

import anyio.to_thread
import pytest
from fastapi.testclient import TestClient


def test_an_api_answer_takes_one_hop_to_a_worker_thread(clinic_client: TestClient,
                                                        monkeypatch: pytest.MonkeyPatch):
    """A plain-function route also has FastAPI check its response in a second worker thread; each hop cost
    about a millisecond under load, most of the REST overhead (issue 13, item 8)."""
    hops = []
    run_sync = anyio.to_thread.run_sync

    async def counted(*args: object, **kwargs: object) -> object:
        hops.append(args[0])
        return await run_sync(*args, **kwargs)

    monkeypatch.setattr(anyio.to_thread, "run_sync", counted)
    reply = clinic_client.post("/api/ask", json={"question": "how do I do the bridge?"})
    assert reply.status_code == 200 and reply.json()["kind"] == "answer"
    assert len(hops) == 1, hops
