"""The web server (`python app.py`) under single requests and under many concurrent clients."""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from benchmarks.process import ROOT
from benchmarks.stats import p50, rss_mb
from benchmarks.workload import unique_questions

HOST = "127.0.0.1"
START_TIMEOUT_S = 180
HEALTH_EVERY_S = 0.25
REQUEST_TIMEOUT_S = 30
# The load runs many clients from one address to measure what the server can do; the per-client rate
# limits (120 answers a minute by default) would measure the limiter instead, so they are lifted here.
UNTHROTTLED = {"ASSISTANT_RATE_LIMIT_API": "1000000/second"}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


@contextmanager
def server(env: dict[str, str] | None = None) -> Iterator[tuple[int, int]]:
    """`python app.py` on a free loopback port; yields (port, pid) once /healthz answers."""
    port = free_port()
    process = subprocess.Popen([sys.executable, "app.py", "--host", HOST, "--port", str(port)], cwd=ROOT,
                               env={**os.environ, **UNTHROTTLED, **(env or {})}, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while get(port, "/healthz")[0] != 200:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"app.py did not start: {process.communicate(timeout=10)[1][-3000:]}")
            time.sleep(0.2)
        yield port, process.pid
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def get(port: int, path: str) -> tuple[int, float]:
    """Status and seconds of one GET on a fresh connection; status 0 when the connection fails."""
    started = time.perf_counter()
    try:
        connection = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT_S)
        connection.request("GET", path)
        status = connection.getresponse().status
        connection.close()
    except OSError:
        status = 0
    return status, time.perf_counter() - started


def post_ask(connection: http.client.HTTPConnection, question: str) -> int:
    body = json.dumps({"question": question, "history": []})
    connection.request("POST", "/api/ask", body=body, headers={"Content-Type": "application/json"})
    response = connection.getresponse()
    response.read()
    return response.status


def request_p50(port: int, questions: list[str]) -> float:
    """p50 seconds of POST /api/ask, one request at a time on a keep-alive connection."""
    connection = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT_S)
    latencies = []
    for question in questions:
        started = time.perf_counter()
        if post_ask(connection, question) != 200:
            raise RuntimeError(f"POST /api/ask failed for {question!r}")
        latencies.append(time.perf_counter() - started)
    connection.close()
    return p50(latencies)


@dataclass
class LoadResult:
    """What many clients saw over a fixed time, and what /healthz and the server's memory did meanwhile."""

    seconds: float
    statuses: dict[int, int] = field(default_factory=dict)
    errors: int = 0
    health_checks: int = 0
    health_failures: int = 0
    health_worst_s: float = 0.0
    rss_start_mb: float = 0.0
    rss_end_mb: float = 0.0

    @property
    def completed(self) -> int:
        return sum(self.statuses.values())

    @property
    def per_s(self) -> float:
        return self.statuses.get(200, 0) / self.seconds

    @property
    def memory_growth(self) -> float:
        return self.rss_end_mb / self.rss_start_mb - 1


def load(port: int, pid: int, questions: list[str], clients: int, seconds: float) -> LoadResult:
    """`clients` threads posting never-seen questions back to back while another thread polls /healthz."""
    stream = unique_questions(questions)
    lock = threading.Lock()
    result = LoadResult(seconds=seconds, rss_start_mb=rss_mb(pid))
    started = time.monotonic()
    deadline = started + seconds

    def client() -> None:
        connection = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT_S)
        while time.monotonic() < deadline:
            with lock:
                question = next(stream)
            try:
                status = post_ask(connection, question)
            except (OSError, http.client.HTTPException):
                status = 0
                connection.close()
                connection = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT_S)
            with lock:
                result.statuses[status] = result.statuses.get(status, 0) + 1
                result.errors += status != 200
        connection.close()

    def health() -> None:
        while time.monotonic() < deadline:
            status, took = get(port, "/healthz")
            with lock:
                result.health_checks += 1
                result.health_failures += status != 200
                result.health_worst_s = max(result.health_worst_s, took)
            time.sleep(HEALTH_EVERY_S)

    threads = [threading.Thread(target=client) for _ in range(clients)] + [threading.Thread(target=health)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # Requests in flight at the deadline finish after it: count the time they took.
    result.seconds = time.monotonic() - started
    result.rss_end_mb = rss_mb(pid)
    return result
