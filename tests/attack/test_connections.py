"""Finding 6: half-open connections time out, file-descriptor exhaustion is survived with a bounded log,
and a body that never finishes arriving is a 408, on a server with a small descriptor limit."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import httpx
import pytest
from web.serving import Server, start

from attack.conftest import PROXIED

HEADER_TIMEOUT_S = 2
# Enough for the server's own files (about 30) and a few dozen connections: the flood below opens more.
OPEN_FILES = 128


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    workdir = tmp_path_factory.mktemp("small")
    server = start(workdir, {**PROXIED, "ASSISTANT_HEADER_TIMEOUT_SECONDS": str(HEADER_TIMEOUT_S),
                             "ASSISTANT_BODY_TIMEOUT_SECONDS": "2"}, max_open_files=OPEN_FILES)
    yield server
    server.stop()


def half_open(server: Server, count: int) -> list[socket.socket]:
    """Connections that send part of a request head and then nothing, as a slow-loris client does."""
    sockets = []
    for _ in range(count):
        s = socket.create_connection(("127.0.0.1", server.port), timeout=5)
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        sockets.append(s)
    return sockets


def closed_by_server(s: socket.socket, deadline: float) -> bool:
    s.settimeout(max(0.1, deadline - time.monotonic()))
    try:
        return s.recv(1024) == b""
    except TimeoutError:
        return False
    except ConnectionResetError:
        return True


def healthy_within(server: Server, seconds: float) -> float:
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        try:
            if httpx.get(f"{server.url}/healthz", timeout=1).status_code == 200:
                return time.monotonic() - started
        except httpx.TransportError:
            time.sleep(0.1)
    raise AssertionError(f"/healthz did not answer within {seconds} s")


def test_half_open_connections_are_closed_after_the_header_timeout(small: Server):
    sockets = half_open(small, 40)
    deadline = time.monotonic() + HEADER_TIMEOUT_S + 3
    try:
        assert all(closed_by_server(s, deadline) for s in sockets)
    finally:
        for s in sockets:
            s.close()
    healthy_within(small, 2)


def test_descriptor_exhaustion_recovers_and_logs_a_few_lines(small: Server):
    """More half-open connections than the server has descriptors: accepting fails for a while. The
    log gets a line per ten seconds instead of one per failed accept, and service comes back once the
    header timeout has closed the stalled connections."""
    log_before = small.log.stat().st_size
    sockets = []
    try:
        for _ in range(3 * OPEN_FILES):
            try:
                sockets.append(socket.create_connection(("127.0.0.1", small.port), timeout=1))
                sockets[-1].sendall(b"GET / HTTP/1.1\r\n")
            except OSError:
                break
        time.sleep(1)
        took = healthy_within(small, HEADER_TIMEOUT_S + 8)
    finally:
        for s in sockets:
            s.close()
    logged = small.log.read_bytes()[log_before:]
    assert len(logged) < 20_000, f"{len(logged):,} bytes of log"
    assert 1 <= logged.count(b"out of system resource") <= 3, logged[-2000:]
    assert took <= HEADER_TIMEOUT_S + 8


def test_a_body_that_stops_arriving_is_a_408(small: Server):
    with socket.create_connection(("127.0.0.1", small.port), timeout=10) as s:
        s.sendall(b"POST /api/ask HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                  b"Content-Length: 100\r\n\r\n{\"question\":")
        started = time.monotonic()
        reply = s.recv(4096)
    assert reply.startswith(b"HTTP/1.1 408") and time.monotonic() - started < 5
