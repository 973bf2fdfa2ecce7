"""How the server listens: the log filter that keeps a descriptor flood from filling the disk, and whose
address a request comes from."""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

import httpx
import uvicorn

from assistant import Settings
from assistant.web import listener
from assistant.web.listener import OncePer
from web.serving import free_port


def record(message: str) -> logging.LogRecord:
    return logging.LogRecord("asyncio", logging.ERROR, __file__, 1, message, None, None)


def test_one_resource_message_per_period_and_a_count_of_the_rest():
    limit = OncePer("socket.accept() out of system resource", seconds=60)
    passed = [limit.filter(record("socket.accept() out of system resource\nsocket: ...")) for _ in range(1000)]
    assert passed.count(True) == 1
    limit.last -= 61
    later = record("socket.accept() out of system resource")
    assert limit.filter(later) and "(999 more like it suppressed)" in later.getMessage()


def test_other_messages_pass():
    limit = OncePer("socket.accept() out of system resource", seconds=60)
    assert all(limit.filter(record("something else")) for _ in range(5))


def test_the_listener_leaves_the_client_address_to_the_assistant():
    """uvicorn's own proxy-header handling trusts X-Forwarded-For from 127.0.0.1 by default and rewrites the
    client before the app sees it: a forged header from loopback would then dodge the rate limits even with no
    `trusted_proxy_header` set. The listener leaves the socket's address alone; `ClientIdentity` decides."""
    seen: list[tuple[str, int]] = []

    async def echo(scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        seen.append(scope["client"])
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    port = free_port()
    server = uvicorn.Server(listener.config(echo, "127.0.0.1", port, Settings()))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 30
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        reply = httpx.get(f"http://127.0.0.1:{port}/", headers={"X-Forwarded-For": "203.0.113.9"}, timeout=10)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
    assert reply.status_code == 204
    assert [host for host, _ in seen] == ["127.0.0.1"]
