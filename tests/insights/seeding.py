"""A small, known history of replies and votes, written through the recorder as the server writes them."""

from __future__ import annotations

import time

from assistant import Assistant
from assistant.web.events import EventRecorder

DAY_S = 86_400
# (days ago, question, session, vote): what a clinic's week could look like, with known counts.
HISTORY = [
    (2, "how do I do the bridge?", "s1", "like"),
    (2, "how do I do the bridge?", "s1", "dislike"),
    (2, "how do I do the bridge?", "s2", "dislike"),
    (1, "how do I do the bridge?", "s2", None),
    (1, "what helps lower back pain?", "s3", "like"),
    (1, "I can't feel anything when I wipe and I've wet myself", "s3", None),
    (1, "I have a fever and my back hurts", "s4", None),
    (0, "is it sciatica?", "s4", None),
    (0, "how do I bake bread?", "s5", None),
    (0, "how long should I hold the child's pose?", "s5", "like"),
]
# A question the pipeline answers "the article doesn't say" (Answer.category "not_covered"): its topic is the
# exercise it was about. It starts like a spreadsheet formula, as anything the public types may.
NOT_COVERED_QUESTION = "=1+1 what equipment do I need for the bridge?"
DISLIKE_REASON = "Too long to read on my phone"


class Clock:
    def __init__(self, now: float | None = None) -> None:
        self.now = time.time() if now is None else now

    def __call__(self) -> float:
        return self.now


def seed(bot: Assistant, events: EventRecorder, clock: Clock) -> dict[str, int]:
    """Writes HISTORY (and one reply the article cannot answer, today); returns the replies per kind."""
    today = clock.now
    kinds: dict[str, int] = {}
    for days_ago, question, session, vote in HISTORY:
        clock.now = today - days_ago * DAY_S
        answer = bot.ask(question)
        kinds[answer.kind] = kinds.get(answer.kind, 0) + 1
        reply = events.issue(answer, session, question)
        if vote:
            events.vote(reply, session, vote)
        if vote == "dislike" and session == "s2":
            events.give_reason(reply, session, DISLIKE_REASON)
    clock.now = today
    events.issue(bot.ask(NOT_COVERED_QUESTION), "s6", NOT_COVERED_QUESTION)
    kinds["answer"] += 1
    events.start()
    events.stop()
    return kinds
