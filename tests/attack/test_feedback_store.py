"""Finding 7: a feedback store that cannot be written is reported at start (log once, /healthz), and a
vote is answered "not saved" in words a visitor can read, with no path or setting in them."""

from __future__ import annotations

from pathlib import Path

import httpx
from web.serving import start

from attack import raw
from attack.conftest import PROXIED, Functions


def test_an_unwritable_store_is_reported_and_votes_say_they_were_not_saved(functions: Functions, tmp_path: Path):
    # A folder where the database file should be: unwritable even for root, as a read-only volume is.
    blocked = tmp_path / "feedback.sqlite3"
    blocked.mkdir()
    server = start(tmp_path, {**PROXIED, "ASSISTANT_FEEDBACK_DB": str(blocked)})
    try:
        health = httpx.get(f"{server.url}/healthz").json()
        headers, session = raw.client(70), raw.session()
        reply = raw.ask(server.url, functions["ask"], "how do I do the bridge?", session, headers)
        votes = [raw.like(server.url, functions["on_like"], reply, session, headers) for _ in range(3)]
    finally:
        server.stop()
    assert (health["status"], health["feedback"]) == ("degraded", "not writable")
    for vote in votes:
        error = vote.json()["error"]
        assert "could not be saved" in error and str(tmp_path) not in error and "sqlite" not in error.lower()
    log = server.log.read_text()
    assert log.count("cannot be written") == 1, "one warning at start, not one per vote"
    assert "Traceback" not in log
