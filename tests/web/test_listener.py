"""How the server listens: the log filter that keeps a descriptor flood from filling the disk, whose address
a request comes from, and how large a request head may be."""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
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
    with listening(seen) as port:
        reply = httpx.get(f"http://127.0.0.1:{port}/", headers={"X-Forwarded-For": "203.0.113.9"}, timeout=10)
    assert reply.status_code == 204
    assert [host for host, _ in seen] == ["127.0.0.1"]


@contextmanager
def listening(seen: list[tuple[str, int]]) -> Iterator[int]:
    """The listener in a thread, in front of an app that reads the whole body and answers 204; yields the port."""

    async def echo(scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        seen.append(scope["client"])
        more = True
        while more:
            more = (await receive()).get("more_body", False)
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
        yield port
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def exchange(port: int, pieces: list[bytes], hang_up: bool = True) -> bytes:
    """Sends `pieces` one by one on a fresh connection, then (with `hang_up`) ends the sending side;
    everything the server wrote back before it closed. Waits less than the header timeout, so without
    `hang_up` only the head cap can have closed a connection in time."""
    with socket.create_connection(("127.0.0.1", port), timeout=Settings().header_timeout_seconds / 2) as s:
        try:
            for piece in pieces:
                s.sendall(piece)
                time.sleep(0.01)
            if hang_up:
                s.shutdown(socket.SHUT_WR)
        except OSError:
            pass  # the server closed the connection part-way
        reply = b""
        try:
            while chunk := s.recv(65536):
                reply += chunk
        except ConnectionResetError:
            pass  # closed with our unread bytes still queued: the kernel may drop its reply for a reset
    return reply


def head(extra_header_bytes: int) -> bytes:
    return b"GET / HTTP/1.1\r\nHost: x\r\nX-Filler: " + b"a" * extra_header_bytes + b"\r\n\r\n"


def pieces(data: bytes, size: int = 1000) -> list[bytes]:
    return [data[n:n + size] for n in range(0, len(data), size)]


def test_a_request_head_over_the_cap_is_a_400_whether_it_comes_at_once_or_in_pieces():
    big = head(listener.MAX_HEAD_BYTES)
    # One header that never ends: httptools would buffer it whole before any callback saw it.
    endless = b"GET / HTTP/1.1\r\nX-Filler: " + b"a" * (4 * listener.MAX_HEAD_BYTES)
    with listening([]) as port:
        replies = [exchange(port, [big]), exchange(port, pieces(big))]
        cut_off = exchange(port, pieces(endless), hang_up=False)
    assert all(reply.startswith(b"HTTP/1.1 400") for reply in replies), [r[:40] for r in replies]
    assert cut_off == b"" or cut_off.startswith(b"HTTP/1.1 400")


def test_heads_under_the_cap_and_large_bodies_are_served_on_one_connection():
    """The cap counts each request's head afresh, and a body, however it arrives, is not head."""
    body = b"x" * (4 * listener.MAX_HEAD_BYTES)
    post = (b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)
    near = head(listener.MAX_HEAD_BYTES - 200)
    seen: list[tuple[str, int]] = []
    with listening(seen) as port:
        reply = exchange(port, [near, post, near + near])
    assert reply.count(b"HTTP/1.1 204") == 4 and b" 400 " not in reply and len(seen) == 4
