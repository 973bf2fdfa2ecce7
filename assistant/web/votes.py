"""Replies the chat issued, by an unguessable id, so a like or dislike needs no re-run of the pipeline
and can only be about something the server said, once per reply, a bounded number per session."""

from __future__ import annotations

import re
import secrets
import threading
import time
from collections import OrderedDict

from assistant import Answer
from assistant.web.feedback import Reply

# The id rides in the reply's own wrapper (`data-reply="..."`), which the browser sends back with a vote.
REPLY_ID = re.compile(r'data-reply="([A-Za-z0-9_-]{22})"')


def reply_id_in(value: object) -> str | None:
    """The id in a liked message as Gradio sends it (its text parts), or None."""
    texts = value if isinstance(value, list) else [value]
    for text in texts:
        found = REPLY_ID.search(text) if isinstance(text, str) else None
        if found:
            return found.group(1)
    return None


class IssuedReplies:
    """The latest `capacity` replies, each forgotten after `ttl` seconds (the session lifetime)."""

    def __init__(self, capacity: int, ttl: float, votes_per_session: int) -> None:
        self.capacity = capacity
        self.ttl = ttl
        self.votes_per_session = votes_per_session
        self._replies: OrderedDict[str, tuple[float, Reply]] = OrderedDict()
        self._voted: dict[str, set[str]] = {}
        self._lock = threading.Lock()

    def issue(self, session: str, answer: Answer, question: str | None) -> str:
        reply_id = secrets.token_urlsafe(16)
        with self._lock:
            self._expire(time.monotonic())
            self._replies[reply_id] = (time.monotonic(), Reply.of(reply_id, session, answer, question))
            while len(self._replies) > self.capacity:
                self._replies.popitem(last=False)
        return reply_id

    def claim(self, reply_id: str | None, session: str) -> Reply | None:
        """The reply a vote from `session` is about, or None: unknown or forgotten id, another session's
        reply, or a session over its number of voted replies. Voting again on one reply is allowed (the
        store keeps the last vote), and does not count twice."""
        with self._lock:
            self._expire(time.monotonic())
            found = self._replies.get(reply_id or "")
            if found is None or found[1].session != session:
                return None
            voted = self._voted.setdefault(session, set())
            if reply_id not in voted and len(voted) >= self.votes_per_session:
                return None
            voted.add(found[1].reply_id)
            return found[1]

    def __len__(self) -> int:
        return len(self._replies)

    def _expire(self, now: float) -> None:
        expired = 0
        while self._replies:
            issued, _ = next(iter(self._replies.values()))
            if now - issued < self.ttl:
                break
            self._replies.popitem(last=False)
            expired += 1
        if not expired:
            return
        live = {reply.session for _, reply in self._replies.values()}
        for session in [s for s in self._voted if s not in live]:
            del self._voted[session]
