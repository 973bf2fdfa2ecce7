"""Fifty people asking over REST, each from their own address (run by tests/attack/test_load.py)."""

from __future__ import annotations

import itertools

from locust import HttpUser, between, task

QUESTIONS = ["what helps lower back pain?", "how do I do the bridge?", "how long do I hold the child's pose?",
             "is it safe to exercise with back pain?", "which exercises strengthen my lower back?"]
# TEST-NET-3 (RFC 5737): labels for the simulated people, named to the server by the trusted proxy header.
addresses = (f"203.0.113.{n}" for n in itertools.count(1))


class Patient(HttpUser):
    wait_time = between(0.5, 1.5)

    def on_start(self) -> None:
        self.client.headers["X-Forwarded-For"] = next(addresses)
        self.turn = 0

    @task
    def ask(self) -> None:
        self.turn += 1
        question = QUESTIONS[self.turn % len(QUESTIONS)]
        with self.client.post("/api/ask", json={"question": question, "history": []},
                              catch_response=True) as reply:
            if reply.status_code != 200 or not reply.json()["text"]:
                reply.failure(f"{reply.status_code}")
