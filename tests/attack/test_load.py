"""The load test: locust's 50 people for a bounded time with 0 errors, while another client floods the
chat queue and a real user's chat question is answered within a second every time."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
import time
from pathlib import Path

from gradio_client import Client
from web.serving import ARTIFACTS, Server

from attack import raw
from attack.conftest import Functions

HERE = Path(__file__).parent
PEOPLE = 50
SECONDS = 12


def test_fifty_people_and_a_flood(functions: Functions, target: Server, tmp_path: Path):
    user = Client(target.url, analytics_enabled=False, verbose=False, headers=raw.client(90))
    user.predict("hello", api_name="/ask")
    locust = subprocess.Popen([sys.executable, "-m", "locust", "-f", str(HERE / "locustfile.py"), "--headless",
                               "-u", str(PEOPLE), "-r", str(PEOPLE), "-t", f"{SECONDS}s", "--host", target.url,
                               "--csv", str(tmp_path / "load"), "--only-summary", "--loglevel", "WARNING"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    time.sleep(SECONDS / 3)  # everyone has arrived
    flood = subprocess.Popen([sys.executable, str(HERE / "flood.py"), target.url, str(functions["ask"]), "100", "91"],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert flood.stdout is not None and flood.stdin is not None
    assert flood.stdout.readline().strip() == "ready"
    flood.stdin.write("go\n")
    flood.stdin.flush()
    took = []
    for _ in range(5):
        started = time.perf_counter()
        assert "Bridge" in user.predict("how do I do the bridge?", api_name="/ask")["content"]
        took.append(time.perf_counter() - started)
    flooded = json.loads(flood.communicate(timeout=60)[0])
    _, errors = locust.communicate(timeout=SECONDS + 60)
    user.close()
    with (tmp_path / "load_stats.csv").open() as stats:
        total = next(row for row in csv.DictReader(stats) if row["Name"] == "Aggregated")
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "attack-load.json").write_text(json.dumps({
        "people": PEOPLE, "seconds": SECONDS, "requests": int(total["Request Count"]),
        "failures": int(total["Failure Count"]), "p50_ms": total["50%"], "p95_ms": total["95%"],
        "user_chat_s": [round(t, 3) for t in took],
        "flood_statuses": {str(s): [f for f, _ in flooded].count(s) for s in {f for f, _ in flooded}}}))
    assert int(total["Request Count"]) >= PEOPLE * SECONDS / 3, errors[-2000:]
    assert int(total["Failure Count"]) == 0, errors[-2000:]
    assert max(took) < 1.0, [f"{t:.2f}" for t in took]
    assert 503 not in [status for status, _ in flooded]
