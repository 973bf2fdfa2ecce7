"""Like/dislike votes in a local SQLite file: the reply's chunks and kind, the question only if configured."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from assistant import Answer

Vote = Literal["like", "dislike"]

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


class FeedbackStore:
    """One row per vote. A connection per call, because Gradio runs handlers on worker threads."""

    def __init__(self, path: Path, keep_questions: bool = False) -> None:
        self.path = path
        self.keep_questions = keep_questions

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(self.path, timeout=5)
        connection.execute(SCHEMA)
        return connection

    def record(self, vote: Vote, answer: Answer, question: str) -> None:
        row = (datetime.now(UTC).isoformat(timespec="seconds"), vote, answer.kind,
               " ".join(s.chunk_id for s in answer.sources), answer.corpus_hash,
               question if self.keep_questions else None)
        with closing(self._connect()) as connection, connection:
            connection.execute("INSERT INTO feedback (created_at, vote, kind, chunk_ids, corpus_hash, "
                               "question) VALUES (?, ?, ?, ?, ?, ?)", row)

    def rows(self) -> list[dict[str, Any]]:
        """Every vote, oldest first, for a clinic's review."""
        if not self.path.exists():
            return []
        with closing(self._connect()) as connection:
            connection.row_factory = sqlite3.Row
            return [dict(r) for r in connection.execute("SELECT * FROM feedback ORDER BY id")]
