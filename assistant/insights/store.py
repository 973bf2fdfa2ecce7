"""The event store: one code path over SQLite (embedded, the default) and PostgreSQL (shared by replicas).

Every reply is a row keyed by its unguessable id, so a vote that reaches another replica than the one that
answered still finds what the server said, bound to the session it was said to. Methods raise SQLAlchemy's
errors (or OSError); deciding what a failure means for a visitor is the caller's job.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import Enum
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import Connection, Engine, create_engine, delete, event, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from assistant.insights.schema import SESSION_SALT, meta, migrate, replies
from assistant.records import Answer
from assistant.settings import Settings

Vote = Literal["like", "dislike"]
# A few connections per replica: writes are batched by one thread, votes are rare next to answers.
POOL_SIZE = 4
POOL_OVERFLOW = 4
# A store that does not answer must not hold a vote (or the writer) for long: connecting, and any one
# statement, give up after these.
CONNECT_TIMEOUT_S = 3
STATEMENT_TIMEOUT_MS = 5_000
# Rows deleted or cleared per transaction, so retention never holds a long lock on a big table.
PURGE_BATCH = 5_000


def database_url(settings: Settings) -> str:
    """`database_url`, with psycopg (3) as PostgreSQL's driver; else the SQLite file `feedback_db`."""
    url = settings.database_url
    if not url:
        return f"sqlite:///{settings.feedback_db}"
    for plain in ("postgresql://", "postgres://"):
        if url.startswith(plain):
            return "postgresql+psycopg://" + url.removeprefix(plain)
    return url


def open_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 5})
        _sqlite_writes_serialised(engine)
        return engine
    return create_engine(url, pool_size=POOL_SIZE, max_overflow=POOL_OVERFLOW, pool_pre_ping=True,
                         pool_timeout=CONNECT_TIMEOUT_S,
                         connect_args={"connect_timeout": CONNECT_TIMEOUT_S,
                                       "options": f"-c statement_timeout={STATEMENT_TIMEOUT_MS}"})


def _sqlite_writes_serialised(engine: Engine) -> None:
    """Each transaction takes SQLite's write lock at its start (BEGIN IMMEDIATE), so a vote's check and
    update cannot interleave with another's; deleted rows are overwritten, not left in free pages."""

    @event.listens_for(engine, "connect")
    def connect(connection: Any, _record: Any) -> None:
        connection.isolation_level = None  # SQLAlchemy, not the driver, begins transactions
        connection.execute("PRAGMA secure_delete = ON")

    @event.listens_for(engine, "begin")
    def begin(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


@dataclass(frozen=True)
class ReplyEvent:
    """What is recorded about one reply. `session` is the raw chat session id, held in memory only until
    the row is written: the row keeps a keyed hash of it."""

    reply_id: str
    day: date
    kind: str
    category: str | None
    chunk_ids: tuple[str, ...]
    exercise: str | None
    section: str | None
    corpus_hash: str
    question: str | None
    session: str | None
    vote_until: int | None
    replayed: bool = False

    @classmethod
    def of(cls, reply_id: str, answer: Answer, *, day: date, session: str | None, question: str | None,
           vote_until: int | None, replayed: bool = False) -> ReplyEvent:
        # Cut to their columns' lengths: PostgreSQL refuses a longer value (a clinic's own section title
        # could be one), and one refused row would hold back its whole batch.
        return cls(reply_id, day, answer.kind, _cut(answer.category, replies.c.category),
                   tuple(s.chunk_id for s in answer.sources),
                   _cut(answer.exercise.title if answer.exercise else None, replies.c.exercise),
                   _cut(answer.sources[0].section if answer.sources else None, replies.c.section),
                   answer.corpus_hash, question, session, vote_until if session else None, replayed)


def _cut(value: str | None, column: Any) -> str | None:
    return value[: column.type.length] if value is not None else None


class Claim(Enum):
    """What became of a vote."""

    SAVED = "saved"
    REFUSED = "refused"  # another session's reply, expired, or over the session's number of votes
    UNKNOWN = "unknown"  # no such reply (yet: another replica may not have written it)


class EventStore:
    def __init__(self, engine: Engine, keep_text: bool = False) -> None:
        self.engine = engine
        self.keep_text = keep_text
        self._salt: bytes | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> EventStore:
        return cls(open_engine(database_url(settings)), keep_text=settings.feedback_questions)

    @property
    def engine_name(self) -> str:
        return self.engine.dialect.name

    def prepare(self) -> None:
        """Migrate to the current schema and read the session-hash key; safe to call from every replica."""
        database = self.engine.url.database
        if self.engine_name == "sqlite" and database:
            # SQLite cannot make folders; failing here is reported like any other store error.
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        with self.engine.begin() as connection:
            migrate(connection)
            self._salt = bytes.fromhex(connection.scalar(select(meta.c.value).where(meta.c.key == SESSION_SALT)))

    def check(self) -> None:
        """Raises unless a reply could be written now: a real write, rolled back (a read-only file opens fine)."""
        self._ensure_prepared()
        with self.engine.connect() as connection, connection.begin() as transaction:
            connection.execute(update(meta).where(meta.c.key == SESSION_SALT).values(value=meta.c.value))
            transaction.rollback()

    def write(self, events: Sequence[ReplyEvent]) -> None:
        """Insert replies; one already there (a vote wrote it first) is left as it is."""
        if not events:
            return
        self._ensure_prepared()
        with self.engine.begin() as connection:
            self._insert_new(connection, [self._row(e) for e in events])

    def vote(self, reply_id: str, session: str, vote: Vote | None, *, now: int, today: date, cap: int,
             unwritten: ReplyEvent | None = None) -> Claim:
        """Set (or with `vote` None, take back) the vote on a reply issued to `session`, still open to votes,
        within the session's `cap` of voted replies. `unwritten`: the reply, if this process has not written
        it yet; it is written first, in the same transaction."""
        self._ensure_prepared()
        session_hash = self.session_hash(session)
        with self.engine.begin() as connection:
            self._lock_session(connection, session_hash)
            if unwritten is not None:
                self._insert_new(connection, [self._row(unwritten)])
            row = connection.execute(select(replies.c.session_hash, replies.c.vote_until, replies.c.vote)
                                     .where(replies.c.reply_id == reply_id)).first()
            if row is None:
                return Claim.UNKNOWN
            if row.session_hash != session_hash or (row.vote_until or 0) < now:
                return Claim.REFUSED
            if vote is not None and row.vote is None:
                voted = connection.scalar(select(func.count()).select_from(replies).where(
                    replies.c.session_hash == session_hash, replies.c.vote.is_not(None)))
                if voted >= cap:
                    return Claim.REFUSED
            connection.execute(update(replies).where(replies.c.reply_id == reply_id).values(
                vote=vote, vote_day=today if vote else None, vote_reason=None))
        return Claim.SAVED

    def give_reason(self, reply_id: str, session: str, reason: str, *, now: int) -> Claim:
        """The words of a dislike, on a reply this session disliked; kept only where question text is."""
        if not self.keep_text:
            return Claim.REFUSED
        self._ensure_prepared()
        with self.engine.begin() as connection:
            changed = connection.execute(update(replies).where(
                replies.c.reply_id == reply_id, replies.c.session_hash == self.session_hash(session),
                replies.c.vote == "dislike", replies.c.vote_until >= now).values(vote_reason=reason)).rowcount
        return Claim.SAVED if changed == 1 else Claim.REFUSED

    def purge(self, *, today: date, now: int, retention_days: int) -> int:
        """Delete replies older than the retention; forget session hashes no vote can use any more; and where
        question text is not kept (any longer), clear what was kept. Returns the rows deleted."""
        self._ensure_prepared()
        cutoff = today - timedelta(days=retention_days)
        deleted = self._in_batches(lambda ids: delete(replies).where(replies.c.reply_id.in_(ids)),
                                   replies.c.day < cutoff)
        self._in_batches(lambda ids: update(replies).where(replies.c.reply_id.in_(ids)).values(
            session_hash=None, vote_until=None), replies.c.vote_until < now)
        if not self.keep_text:
            self._in_batches(lambda ids: update(replies).where(replies.c.reply_id.in_(ids)).values(
                question=None, vote_reason=None), or_(replies.c.question.is_not(None),
                                                      replies.c.vote_reason.is_not(None)))
        return deleted

    def session_hash(self, session: str) -> str:
        assert self._salt is not None
        return hmac.new(self._salt, session.encode(), hashlib.sha256).hexdigest()

    def _ensure_prepared(self) -> None:
        if self._salt is None:
            self.prepare()

    def _in_batches(self, statement: Any, where: Any) -> int:
        done = 0
        while True:
            with self.engine.begin() as connection:
                ids = select(replies.c.reply_id).where(where).limit(PURGE_BATCH).scalar_subquery()
                count = connection.execute(statement(ids)).rowcount
            done += count
            if count < PURGE_BATCH:
                return done

    def _lock_session(self, connection: Connection, session_hash: str) -> None:
        """Votes of one session one at a time, across replicas (SQLite's BEGIN IMMEDIATE already serialises)."""
        if connection.dialect.name == "postgresql":
            key = int.from_bytes(bytes.fromhex(session_hash[:16]), "big", signed=True)
            connection.execute(select(func.pg_advisory_xact_lock(key)))

    def _insert_new(self, connection: Connection, rows: Iterable[dict[str, Any]]) -> None:
        statement = (postgresql_insert if connection.dialect.name == "postgresql" else sqlite_insert)(replies)
        connection.execute(statement.on_conflict_do_nothing(index_elements=["reply_id"]), list(rows))

    def _row(self, reply: ReplyEvent) -> dict[str, Any]:
        return {"reply_id": reply.reply_id, "day": reply.day, "kind": reply.kind, "category": reply.category,
                "chunk_ids": " ".join(reply.chunk_ids), "exercise": reply.exercise, "section": reply.section,
                "corpus_hash": reply.corpus_hash, "question": reply.question if self.keep_text else None,
                "session_hash": self.session_hash(reply.session) if reply.session else None,
                "vote_until": reply.vote_until, "replayed": reply.replayed}
