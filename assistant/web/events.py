"""Recording replies off the request path, and votes on them, for every interface of the server.

An answer only puts its event in a bounded queue (microseconds); one background thread writes the queue
in batches. If the store is down, answers go on being served: events wait in the queue (the oldest are
dropped once it is full), the failure is logged at most once a minute, and /healthz says "degraded".
Votes are written at once, because the visitor must be told when theirs was not saved.
"""

from __future__ import annotations

import logging
import queue
import secrets
import threading
import time
from collections.abc import Callable
from datetime import UTC, date, datetime

from sqlalchemy.exc import DataError, IntegrityError, SQLAlchemyError

from assistant import Answer, Settings
from assistant.insights.store import Claim, EventStore, ReplyEvent, Vote
from assistant.web.listener import OncePer

log = logging.getLogger(__name__)
FAILURE = "Event store:"
# A failing store is reported at most once a minute (with how many reports were held back), not per request.
FAILURE_LOG_EVERY_S = 60.0
# Events waiting for the writer. At about 200 answers a second (the 2-core figure in docs/deploy.md)
# this rides out a store outage of about 50 s; each event is a few hundred bytes.
QUEUE_SIZE = 10_000
# The writer takes up to this many events per transaction, every FLUSH_EVERY_S (sooner when that many wait).
BATCH_SIZE = 500
FLUSH_EVERY_S = 0.2
# After a failed write, the writer waits this long (doubling up to the maximum) before trying again.
RETRY_FIRST_S = 0.5
RETRY_MAX_S = 10.0
# Old rows are deleted at start and then this often by each replica (idempotent, in bounded batches).
PURGE_EVERY_S = 3_600.0
# A vote can reach a replica before the one that answered has written the reply (at most FLUSH_EVERY_S
# later while the store is up): the vote looks again for this long.
VOTE_WAIT_S = 2.0
VOTE_POLL_S = 0.05


class EventRecorder:
    """Issues reply ids, records replies through a background writer, and records votes on them."""

    def __init__(self, store: EventStore | None, settings: Settings,
                 clock: Callable[[], float] = time.time) -> None:
        self.store = store if settings.record_events else None
        self.settings = settings
        self.clock = clock
        self.problem: str | None = None
        self.dropped = 0
        self._queue: queue.Queue[ReplyEvent] = queue.Queue(QUEUE_SIZE)
        # Events this process has issued but not yet written, by id, for a vote that comes first.
        self._unwritten: dict[str, ReplyEvent] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._failure_log = OncePer(FAILURE, FAILURE_LOG_EVERY_S)

    @property
    def engine_name(self) -> str:
        return self.store.engine_name if self.store else "off"

    # ---- Start and stop (the app's lifespan) ------------------------------------------------------------
    def start(self) -> None:
        """Check the store now, so an operator learns at start (log, /healthz) rather than from lost votes."""
        if self.store is None or self._thread is not None:
            return
        self.check()
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="event-writer", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Write what is queued (bounded by the store's timeouts), then end the writer."""
        if self._thread is None:
            return
        self._stop.set()
        self._thread.join(timeout=2 * FLUSH_EVERY_S + 10)
        self._thread = None

    def check(self) -> str | None:
        """None when replies can be written now; otherwise why not (for the log and /healthz)."""
        if self.store is None:
            return None
        try:
            self.store.check()
        except (SQLAlchemyError, OSError) as exc:
            self._failed(exc)
        else:
            self._recovered()
        return self.problem

    # ---- The request path ----------------------------------------------------------------------------------
    def issue(self, answer: Answer, session: str | None, question: str | None, replayed: bool = False) -> str:
        """A new reply id; the reply's event joins the queue (never blocks: when full, the oldest goes).
        `replayed`: the answer to a question asked before, given again to a reloaded tab."""
        reply_id = secrets.token_urlsafe(16)
        if self.store is None:
            return reply_id
        now = self.clock()
        keep = question if self.settings.feedback_questions and isinstance(question, str) else None
        event = ReplyEvent.of(reply_id, answer, day=_day(now), session=session, question=keep,
                              vote_until=int(now) + self.settings.session_idle_seconds if session else None,
                              replayed=replayed)
        with self._lock:
            self._unwritten[reply_id] = event
            while True:
                try:
                    self._queue.put_nowait(event)
                    break
                except queue.Full:
                    self._drop_oldest()
        return reply_id

    def vote(self, reply_id: str | None, session: str, vote: Vote | None) -> Claim:
        """Record (or with None, take back) a vote from `session`; raises VoteNotSaved when the store fails."""
        if self.store is None or not reply_id:
            return Claim.REFUSED
        now = self.clock()
        deadline = time.monotonic() + VOTE_WAIT_S
        while True:
            with self._lock:
                unwritten = self._unwritten.get(reply_id)
            try:
                claim = self.store.vote(reply_id, session, vote, now=int(now), today=_day(now),
                                        cap=self.settings.max_votes_per_session, unwritten=unwritten)
            except (SQLAlchemyError, OSError) as exc:
                self._failed(exc)
                raise VoteNotSaved from exc
            self._recovered()
            if claim is not Claim.UNKNOWN or time.monotonic() > deadline:
                return claim
            time.sleep(VOTE_POLL_S)

    def give_reason(self, reply_id: str | None, session: str, reason: str) -> Claim:
        """The words of a dislike, when a clinic keeps such text; raises VoteNotSaved when the store fails."""
        if self.store is None or not reply_id:
            return Claim.REFUSED
        try:
            claim = self.store.give_reason(reply_id, session, reason[: self.settings.max_vote_reason_chars],
                                           now=int(self.clock()))
        except (SQLAlchemyError, OSError) as exc:
            self._failed(exc)
            raise VoteNotSaved from exc
        self._recovered()
        return claim

    # ---- The writer thread -------------------------------------------------------------------------------
    def _run(self) -> None:
        retry_in = RETRY_FIRST_S
        next_purge = 0.0
        batch: list[ReplyEvent] = []
        while True:
            # The writer sleeps between batches rather than waiting on the queue: a waiting reader would be
            # woken by every answer and write one row at a time (measured: 1 ms of the server's CPU per answer).
            full = self._queue.qsize() >= BATCH_SIZE
            stopping = self._stop.is_set() if full else self._stop.wait(FLUSH_EVERY_S)
            batch += self._take(BATCH_SIZE - len(batch))
            try:
                if batch or self.problem is None:
                    self.store.write(batch)  # type: ignore[union-attr]
                else:
                    self.store.check()  # idle after a failure: /healthz learns when the store is back
                if time.monotonic() >= next_purge:
                    self._purge()
                    next_purge = time.monotonic() + PURGE_EVERY_S
            except (DataError, IntegrityError) as exc:
                # The store is up but refuses these rows: trying them again would hold back every later batch.
                self._failed(exc, refused=len(batch))
                self._forget(batch)
                batch = []
                continue
            except (SQLAlchemyError, OSError) as exc:
                self._failed(exc)
                if stopping:
                    return
                # The batch is kept and tried again; new events wait in the queue meanwhile.
                self._stop.wait(retry_in)
                retry_in = min(RETRY_MAX_S, retry_in * 2)
                continue
            self._recovered()
            retry_in = RETRY_FIRST_S
            self._forget(batch)
            batch = []
            if stopping and self._queue.empty():
                return

    def _take(self, limit: int) -> list[ReplyEvent]:
        """Up to `limit` queued events, without waiting."""
        taken: list[ReplyEvent] = []
        try:
            while len(taken) < limit:
                taken.append(self._queue.get_nowait())
        except queue.Empty:
            pass
        return taken

    def _forget(self, batch: list[ReplyEvent]) -> None:
        with self._lock:
            for event in batch:
                self._unwritten.pop(event.reply_id, None)

    def _purge(self) -> None:
        now = self.clock()
        deleted = self.store.purge(today=_day(now), now=int(now),  # type: ignore[union-attr]
                                   retention_days=self.settings.retention_days)
        if deleted:
            log.info("Event store retention: deleted %d replies older than %d days.", deleted,
                     self.settings.retention_days)

    def _drop_oldest(self) -> None:
        try:
            oldest = self._queue.get_nowait()
        except queue.Empty:
            return
        self._unwritten.pop(oldest.reply_id, None)
        self.dropped += 1

    # ---- Failures: logged at most once a minute, shown on /healthz -----------------------------------------
    def _failed(self, exc: BaseException, refused: int = 0) -> None:
        self.dropped += refused
        self.problem = f"{self.engine_name} store cannot be written ({type(exc).__name__})"
        # The driver's message can name the database's address, never a password (SQLAlchemy hides it).
        record = log.makeRecord(log.name, logging.WARNING, __file__, 0, "%s %s cannot be written (%s); answers go "
                                "on, replies and votes are not saved until this is fixed. %d events waiting, "
                                "%d dropped.", (FAILURE, self.engine_name, _first_line(exc), self._queue.qsize(),
                                                self.dropped), None)
        if log.isEnabledFor(logging.WARNING) and self._failure_log.filter(record):
            log.handle(record)

    def _recovered(self) -> None:
        if self.problem is not None:
            self.problem = None
            log.warning("Event store recovered: %s can be written again.", self.engine_name)


class VoteNotSaved(Exception):
    """The store failed: the visitor is told their vote was not saved."""


def _day(now: float) -> date:
    return datetime.fromtimestamp(now, UTC).date()


def _first_line(exc: BaseException) -> str:
    original = getattr(exc, "orig", None) or exc
    return (str(original).strip().splitlines() or [type(original).__name__])[0][:300]
