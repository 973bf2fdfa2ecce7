"""Two replicas (`python app.py` twice) sharing one PostgreSQL under many clients, with and without recording.

REST clients ask either replica in turn and time `POST /api/ask`; chat clients ask one replica through
Gradio's queue and like the reply on the other, as a load balancer may send them. Each phase runs on a
new database; the same load against two replicas that record nothing is the baseline.
"""

from __future__ import annotations

import http.client
import itertools
import json
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import Any

import httpx
from sqlalchemy import create_engine, text

from benchmarks import serve
from benchmarks.postgres import Postgres
from benchmarks.stats import p50
from benchmarks.workload import unique_questions

# Nothing here measures the per-client limits: every client comes from one address.
UNLIMITED = {f"ASSISTANT_RATE_LIMIT_{kind}": "1000000/second"
             for kind in ("API", "CHAT", "PAGE_CALLS", "VOTES", "NEW_SESSIONS")}
TIMEOUT_S = 30


@dataclass
class Phase:
    """What one phase's clients saw, and what the store held after it."""

    recording: bool
    seconds: float
    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    votes_sent: int = 0
    vote_failures: int = 0
    chat_answers: int = 0
    chat_failures: int = 0
    replies_stored: int = 0
    votes_stored: int = 0

    @property
    def requests(self) -> int:
        return sum(self.statuses.values())

    @property
    def errors(self) -> int:
        return self.requests - self.statuses.get(200, 0) + self.chat_failures + self.vote_failures

    @property
    def p50_ms(self) -> float:
        return p50(self.latencies) * 1000

    def summary(self) -> dict[str, Any]:
        return {"recording": self.recording, "seconds": round(self.seconds, 1), "requests": self.requests,
                "errors": self.errors, "api_p50_ms": round(self.p50_ms, 2), "chat_answers": self.chat_answers,
                "votes_sent": self.votes_sent, "votes_stored": self.votes_stored,
                "replies_stored": self.replies_stored}


def _connection(port: int) -> http.client.HTTPConnection:
    return http.client.HTTPConnection(serve.HOST, port, timeout=TIMEOUT_S)


def functions(port: int) -> dict[str, int]:
    """Gradio's numbers for the page's functions, as the page reads them from /config."""
    config = httpx.get(f"http://{serve.HOST}:{port}/config", timeout=TIMEOUT_S).json()
    return {d["api_name"]: d["id"] for d in config["dependencies"] if d.get("api_name")}


def chat_and_like(ports: tuple[int, int], numbers: dict[str, int], question: str) -> tuple[bool, bool]:
    """Ask on the first replica through the queue, like the reply on the second; (answered, vote saved)."""
    session = secrets.token_hex(6)
    body = {"data": [question, None], "event_data": None, "fn_index": numbers["ask"], "trigger_id": 1,
            "session_hash": session}
    first, second = (f"http://{serve.HOST}:{port}" for port in ports)
    if httpx.post(f"{first}/gradio_api/queue/join", json=body, timeout=TIMEOUT_S).status_code != 200:
        return False, False
    reply = None
    with httpx.stream("GET", f"{first}/gradio_api/queue/data", params={"session_hash": session},
                      timeout=TIMEOUT_S) as stream:
        for line in stream.iter_lines():
            message = json.loads(line[5:]) if line.startswith("data:") else {}
            if message.get("msg") == "process_completed":
                reply = (message.get("output") or {}).get("data", [None])[0]
                break
    if not isinstance(reply, dict):
        return False, False
    like = {"data": [], "fn_index": numbers["on_like"], "trigger_id": 1, "session_hash": session,
            "event_data": {"index": 1, "value": [reply["content"]], "liked": True}}
    voted = httpx.post(f"{second}/gradio_api/run/predict", json=like, timeout=TIMEOUT_S)
    return True, voted.status_code == 200 and "error" not in voted.json()


@dataclass
class Pair:
    """Two replicas on one database, and what the load against them saw."""

    url: str
    ports: list[int]
    numbers: dict[str, int]
    phase: Phase


def run(cluster: Postgres, clients: int, voters: int, seconds: float, slice_s: float,
        questions: list[str]) -> tuple[Phase, Phase]:
    """Two recording replicas and two that record nothing, all started first; then the load goes to one pair
    and the other in turn, `slice_s` at a time, until each pair has had `seconds`. Alternating keeps the
    machine's other work (it is shared and noisy) from landing on one side of the ratio."""
    stream = unique_questions(questions)
    with ExitStack() as stack:
        pairs = []
        for recording in (True, False):
            url = cluster.create_database(f"bench_{secrets.token_hex(4)}")
            env = {**UNLIMITED, "ASSISTANT_DATABASE_URL": url, "ASSISTANT_RECORD_EVENTS": str(recording).lower()}
            # One after the other: both migrate at start, and the second finds the work done.
            ports = [stack.enter_context(serve.server(env))[0] for _ in range(2)]
            pairs.append(Pair(url, ports, functions(ports[0]), Phase(recording, 0.0)))
        # Warm-up (worker threads, connection pools, the writer's first batches), measured apart.
        warm = [Phase(pair.phase.recording, 0.0) for pair in pairs]
        for pair, warming in zip(pairs, warm, strict=True):
            load(pair, clients, voters, min(slice_s, 2.0), stream, into=warming)
        done = 0.0
        while done < seconds:
            step = min(slice_s, seconds - done)
            for pair in pairs:
                load(pair, clients, voters, step, stream)
            done += step
    # Every replica has stopped, so its writer has flushed: the store holds everything now.
    recording = pairs[0]
    engine = create_engine(recording.url)
    with engine.connect() as connection:
        recording.phase.replies_stored = connection.scalar(text("SELECT count(*) FROM replies"))
        recording.phase.votes_stored = connection.scalar(text("SELECT count(*) FROM replies WHERE vote IS NOT NULL"))
    engine.dispose()
    # The warm-up's replies and votes are in the store too.
    recording.phase.replies_stored -= warm[0].requests + warm[0].chat_answers
    recording.phase.votes_stored -= warm[0].votes_sent
    return recording.phase, pairs[1].phase


def load(pair: Pair, clients: int, voters: int, seconds: float, stream: Iterator[str],
         into: Phase | None = None) -> None:
    """`clients` threads against the pair for `seconds` (`voters` of them chatting and voting)."""
    phase = into or pair.phase
    recording = pair.phase.recording
    ports = pair.ports
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def rest(offset: int) -> None:
        connections = [_connection(port) for port in ports]
        for turn in itertools.count(offset):
            if time.monotonic() >= deadline:
                break
            with lock:
                question = next(stream)
            started = time.perf_counter()
            try:
                status = serve.post_ask(connections[turn % 2], question)
            except (OSError, http.client.HTTPException):
                status = 0
                connections[turn % 2] = _connection(ports[turn % 2])
            took = time.perf_counter() - started
            with lock:
                phase.statuses[status] = phase.statuses.get(status, 0) + 1
                phase.latencies.append(took)
        for connection in connections:
            connection.close()

    def chat(offset: int) -> None:
        for turn in itertools.count(offset):
            if time.monotonic() >= deadline:
                break
            with lock:
                question = next(stream)
            order = (ports[0], ports[1]) if turn % 2 else (ports[1], ports[0])
            answered, saved = chat_and_like(order, pair.numbers, question)
            with lock:
                phase.chat_answers += answered
                phase.chat_failures += not answered
                phase.votes_sent += answered
                # Without recording a vote is answered "can no longer be rated": not a failure there.
                phase.vote_failures += answered and recording and not saved

    threads = [threading.Thread(target=rest, args=(n,)) for n in range(clients - voters)]
    threads += [threading.Thread(target=chat, args=(n,)) for n in range(voters)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    phase.seconds += time.monotonic() - started
