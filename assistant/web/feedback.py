"""Like/dislike votes in a local SQLite file: the reply's chunks and kind, the question only if configured."""

from __future__ import annotations

import logging
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from assistant import Answer

Vote = Literal["like", "dislike"]
log = logging.getLogger(__name__)

SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY,
    created_at TEXT NOT NULL,
    vote TEXT NOT NULL CHECK (vote IN ('like', 'dislike')),
    kind TEXT NOT NULL,
    chunk_ids TEXT NOT NULL,
    corpus_hash TEXT NOT NULL,
    question TEXT
)
"""
# One row per reply: a second vote on the same reply (a change of mind) replaces the first.
# Added to files written before votes had a reply id; their old rows keep a NULL id.
REPLY_ID = ("ALTER TABLE feedback ADD COLUMN reply_id TEXT",
            "CREATE UNIQUE INDEX IF NOT EXISTS feedback_reply ON feedback (reply_id)")


@dataclass(frozen=True)
class Reply:
    """What the server answered, kept under the id it gave the reply, so a vote stores the server's own
    kind and chunk ids rather than anything the browser sends back."""

    reply_id: str
    session: str
    kind: str
    chunk_ids: tuple[str, ...]
    corpus_hash: str
    question: str | None

    @classmethod
    def of(cls, reply_id: str, session: str, answer: Answer, question: str | None) -> Reply:
        return cls(reply_id, session, answer.kind, tuple(s.chunk_id for s in answer.sources),
                   answer.corpus_hash, question)


class FeedbackStore:
    """One row per voted reply. A connection per call, because Gradio runs handlers on worker threads."""

    def __init__(self, path: Path, keep_questions: bool = False) -> None:
        self.path = path
        self.keep_questions = keep_questions
        self.problem: str | None = None

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(self.path, timeout=5)
        connection.execute(SCHEMA)
        columns = {row[1] for row in connection.execute("PRAGMA table_info(feedback)")}
        if "reply_id" not in columns:
            connection.execute(REPLY_ID[0])
        connection.execute(REPLY_ID[1])
        return connection

    def check(self) -> str | None:
        """None when a vote can be written now; otherwise why not (for the log and /healthz). Tries a
        real write and rolls it back: opening a read-only file succeeds, writing to it does not."""
        try:
            with closing(self._connect()) as connection:
                connection.execute("INSERT INTO feedback (created_at, vote, kind, chunk_ids, corpus_hash) "
                                   "VALUES ('probe', 'like', 'probe', '', '')")
                connection.rollback()
        except (OSError, sqlite3.Error) as exc:
            self._failed(exc)
        else:
            self.problem = None
        return self.problem

    def record(self, vote: Vote, reply: Reply) -> bool:
        """Store the vote; False (and the reason in `problem`, logged once) when the file cannot be written."""
        row = (datetime.now(UTC).isoformat(timespec="seconds"), vote, reply.kind, " ".join(reply.chunk_ids),
               reply.corpus_hash, reply.question if self.keep_questions else None, reply.reply_id)
        try:
            with closing(self._connect()) as connection, connection:
                connection.execute(
                    "INSERT INTO feedback (created_at, vote, kind, chunk_ids, corpus_hash, question, reply_id) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (reply_id) DO UPDATE SET vote = excluded.vote, "
                    "created_at = excluded.created_at", row)
        except sqlite3.IntegrityError:
            raise
        except (OSError, sqlite3.Error) as exc:
            self._failed(exc)
            return False
        self.problem = None
        return True

    def withdraw(self, reply: Reply) -> bool:
        """Forget the vote on `reply` (the visitor took it back); False when the file cannot be written."""
        try:
            with closing(self._connect()) as connection, connection:
                connection.execute("DELETE FROM feedback WHERE reply_id = ?", (reply.reply_id,))
        except (OSError, sqlite3.Error) as exc:
            self._failed(exc)
            return False
        self.problem = None
        return True

    def _failed(self, exc: Exception) -> None:
        reason = f"{self.path} cannot be written ({exc})"
        if reason != self.problem:
            log.warning("Feedback store: %s; votes are not saved until this is fixed.", reason)
        self.problem = reason

    def rows(self) -> list[dict[str, Any]]:
        """Every vote, oldest first, for a clinic's review."""
        if not self.path.exists():
            return []
        with closing(self._connect()) as connection:
            connection.row_factory = sqlite3.Row
            return [dict(r) for r in connection.execute("SELECT * FROM feedback ORDER BY id")]
