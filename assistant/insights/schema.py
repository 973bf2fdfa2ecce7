"""The event store's tables and its versioned migrations, applied at start by whichever replica gets there first.

A migration is a numbered function; `schema_version` records those applied. All of them run in one
transaction that first takes a lock (a PostgreSQL advisory lock, SQLite's write lock), so two replicas
starting at once apply each migration exactly once: the second waits, then finds nothing to do.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Connection,
    Date,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    false,
    func,
    insert,
    inspect,
    select,
    text,
)

metadata = MetaData()

# One row per reply the server gave. No IP address, cookie, user agent or raw session id, ever; the
# question text only when a clinic turns `feedback_questions` on.
replies = Table(
    "replies", metadata,
    # Unguessable (secrets.token_urlsafe(16)); the chat page sends it back with a vote.
    Column("reply_id", String(32), primary_key=True),
    Column("day", Date, nullable=False),
    Column("kind", String(16), nullable=False),
    # The red-flag category, the scope reason, or an answer's category ("not_covered", ...).
    Column("category", String(64)),
    Column("chunk_ids", Text, nullable=False),
    Column("exercise", String(200)),
    Column("section", String(200)),
    Column("corpus_hash", String(64), nullable=False),
    # The answer given again to a reloaded tab (so that it can be voted on): not counted as asked again.
    Column("replayed", Boolean, nullable=False, server_default=false()),
    Column("question", Text),
    # A keyed hash (HMAC-SHA256, key in `meta`) of the chat session the reply was given to: a vote must
    # come from the same session. NULL for REST replies, which have no session and cannot be voted on.
    Column("session_hash", String(64)),
    # Seconds since the epoch after which the reply can no longer be voted on (the session's lifetime).
    Column("vote_until", BigInteger),
    Column("vote", String(8), CheckConstraint("vote IN ('like', 'dislike')", name="replies_vote")),
    Column("vote_day", Date),
    Column("vote_reason", Text),
    Index("replies_day", "day"),
    Index("replies_session", "session_hash"),
)

meta = Table(
    "meta", metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

schema_version = Table(
    "schema_version", metadata,
    Column("version", Integer, primary_key=True),
    Column("applied_at", String(32), nullable=False),
)

SESSION_SALT = "session_salt"
# Any fixed number: the key of the PostgreSQL advisory lock every replica takes before migrating.
MIGRATION_LOCK = 7_140_001


def create_events(connection: Connection) -> None:
    """The replies table, and the key that makes session hashes useless outside this database."""
    metadata.create_all(connection, tables=[replies, meta])
    connection.execute(insert(meta).values(key=SESSION_SALT, value=secrets.token_hex(32)))


def import_issue_10_votes(connection: Connection) -> None:
    """The votes of the earlier SQLite `feedback` table (one row per voted reply), kept as voted replies with
    no session; the old table goes, so votes live in one place."""
    if "feedback" not in inspect(connection).get_table_names():
        return
    old = connection.execute(text("SELECT id, created_at, vote, kind, chunk_ids, corpus_hash, question, "
                                  "reply_id FROM feedback")).all()
    for row in old:
        day = _day(row.created_at)
        connection.execute(insert(replies).values(
            reply_id=row.reply_id or f"issue10-{row.id}", day=day, kind=row.kind, chunk_ids=row.chunk_ids,
            corpus_hash=row.corpus_hash, question=row.question, vote=row.vote, vote_day=day))
    connection.execute(text("DROP TABLE feedback"))


def _day(created_at: str) -> date:
    try:
        return datetime.fromisoformat(created_at).date()
    except (TypeError, ValueError):
        return datetime.now(UTC).date()


@dataclass(frozen=True)
class Migration:
    version: int
    why: str
    apply: Callable[[Connection], None]


MIGRATIONS = (
    Migration(1, "replies with their votes, and the session-hash key", create_events),
    Migration(2, "votes from the feedback table of issue 10", import_issue_10_votes),
)


def migrate(connection: Connection) -> list[int]:
    """Apply every migration not yet applied, inside the caller's transaction; returns the versions applied."""
    if connection.dialect.name == "postgresql":
        connection.execute(select(func.pg_advisory_xact_lock(MIGRATION_LOCK)))
    schema_version.create(connection, checkfirst=True)
    current = connection.scalar(select(func.max(schema_version.c.version))) or 0
    applied = []
    for migration in MIGRATIONS:
        if migration.version > current:
            migration.apply(connection)
            connection.execute(insert(schema_version).values(
                version=migration.version, applied_at=datetime.now(UTC).isoformat(timespec="seconds")))
            applied.append(migration.version)
    return applied
