"""Several replicas on one PostgreSQL, and PostgreSQL going away: real servers, a real database, bounded load.

`make bench` runs the same two-replica load for 30 s a side (benchmarks/replicas.py); here it is shorter.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text
from web.serving import ARTIFACTS, start

from benchmarks import serve
from benchmarks.postgres import Postgres, start_postgres
from benchmarks.replicas import UNLIMITED, run
from benchmarks.workload import labelled_questions

SECONDS = 6.0
SLICE_S = 3.0
CLIENTS = 16
VOTERS = 4
OUTAGE_LOAD_S = 12.0


def test_two_replicas_on_one_postgresql_keep_every_reply_and_vote(postgres: Postgres):
    """16 clients, 4 of them asking one replica and liking the reply on the other, against two recording
    replicas and, in alternating slices, two that record nothing."""
    recording, baseline = run(postgres, CLIENTS, VOTERS, SECONDS, SLICE_S, labelled_questions(None))
    ratio = recording.p50_ms / baseline.p50_ms
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "replicas.json").write_text(json.dumps({
        "recording": recording.summary(), "baseline": baseline.summary(), "api_p50_ratio": round(ratio, 3)}))
    assert recording.errors == 0 and baseline.errors == 0, (recording.summary(), baseline.summary())
    assert recording.votes_sent > 0 and recording.votes_stored == recording.votes_sent
    assert recording.replies_stored == recording.requests + recording.chat_answers
    # The 1.1× target is measured by `make bench` over 30 s a side; a few seconds on a shared machine only
    # catch a gross slowdown.
    assert ratio < 1.5, (recording.p50_ms, baseline.p50_ms)


@pytest.fixture
def own_postgres() -> Iterator[Postgres]:
    """A cluster of this test's own, which it stops and starts again."""
    cluster = start_postgres()
    yield cluster
    cluster.remove()


def test_postgresql_going_away_mid_load_costs_no_answer(own_postgres: Postgres, tmp_path: Path):
    url = own_postgres.create_database("outage")
    server = start(tmp_path, {**UNLIMITED, "ASSISTANT_DATABASE_URL": url})
    health: list[dict[str, str]] = []
    try:
        result: list[serve.LoadResult] = []
        loader = threading.Thread(target=lambda: result.append(
            serve.load(server.port, server.process.pid, labelled_questions(None), 8, OUTAGE_LOAD_S)))
        loader.start()
        time.sleep(OUTAGE_LOAD_S / 4)
        own_postgres.stop("fast")
        time.sleep(OUTAGE_LOAD_S / 2)
        health.append(httpx.get(f"{server.url}/healthz", timeout=10).json())
        own_postgres.start()
        loader.join(timeout=OUTAGE_LOAD_S + 60)
        deadline = time.monotonic() + 30  # the writer retries at most every 10 s
        while httpx.get(f"{server.url}/healthz", timeout=10).json()["status"] != "ok":
            assert time.monotonic() < deadline, "the store never came back"
            time.sleep(0.5)
        health.append(httpx.get(f"{server.url}/healthz", timeout=10).json())
    finally:
        server.stop()
    [load] = result
    assert load.statuses.get(200, 0) > 100 and set(load.statuses) == {200}, load.statuses
    assert load.health_failures == 0
    assert (health[0]["status"], health[0]["feedback"], health[0]["store"]) == ("degraded", "not writable",
                                                                                 "postgresql")
    assert health[1]["status"] == "ok"
    log = server.log.read_text()
    assert log.count("Event store: postgresql cannot be written") == 1, "one line a minute, not one per request"
    assert "Event store recovered" in log and "Traceback" not in log
    # The replies answered while the store was away waited in the queue and were written once it was back.
    engine = create_engine(url)
    with engine.connect() as connection:
        assert connection.scalar(text("SELECT count(*) FROM replies")) == load.statuses[200]
    engine.dispose()
