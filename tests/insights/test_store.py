"""The event store, the same tests on SQLite and on a real PostgreSQL server: what a reply row holds, who may
vote on it (from any replica), retention, migrations run by two replicas at once, and a store that is down."""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text

from assistant import Assistant, Settings
from assistant.insights.schema import replies, schema_version
from assistant.insights.store import Claim, EventStore
from assistant.web.events import VOTE_WAIT_S, EventRecorder, VoteNotSaved
from benchmarks.postgres import free_port

QUESTION = "how do I do the bridge zanzibar-7f3c?"
DAY_S = 86_400


class Clock:
    """Seconds since the epoch that a test moves by hand."""

    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def settings(fake_settings: Settings, database: dict[str, Any]) -> Settings:
    return fake_settings.updated({**database, "max_votes_per_session": 3})


def recorder(settings: Settings, clock: Clock | None = None, **changes: Any) -> EventRecorder:
    changed = settings.updated(changes)
    return EventRecorder(EventStore.from_settings(changed), changed, **({"clock": clock} if clock else {}))


def rows(events: EventRecorder) -> list[dict[str, Any]]:
    assert events.store is not None
    with events.store.engine.connect() as connection:
        return [dict(r._mapping) for r in connection.execute(select(replies).order_by(replies.c.day))]


def flush(events: EventRecorder) -> None:
    """Write what is queued now, as the writer thread does."""
    events.start()
    events.stop()


def test_a_reply_is_recorded_with_what_the_server_said_and_no_question_or_session(fake_bot: Assistant,
                                                                                 settings: Settings):
    events = recorder(settings)
    answer = fake_bot.ask("how do I do the bridge?")
    emergency = fake_bot.ask("I can't feel anything when I wipe and I've wet myself")
    events.issue(answer, "session-a", QUESTION)
    events.issue(emergency, None, "I can't feel anything when I wipe")
    flush(events)
    bridge, card = sorted(rows(events), key=lambda r: r["kind"])
    assert (bridge["kind"], bridge["exercise"], bridge["section"]) == ("answer", "Bridge",
                                                                       "Exercises For Strengthening Lower Back")
    assert bridge["chunk_ids"] == " ".join(s.chunk_id for s in answer.sources)
    assert bridge["corpus_hash"] == answer.corpus_hash
    assert str(bridge["day"]) == datetime.now(UTC).date().isoformat()
    assert bridge["question"] is None and card["question"] is None
    assert bridge["session_hash"] not in (None, "session-a") and len(bridge["session_hash"]) == 64
    assert (card["kind"], card["category"], card["session_hash"]) == ("emergency", emergency.category, None)
    assert emergency.category, "a red flag's category is recorded"


def test_question_text_is_kept_only_when_the_clinic_turns_it_on(fake_bot: Assistant, settings: Settings):
    events = recorder(settings, feedback_questions=True)
    events.issue(fake_bot.ask(QUESTION), "session-a", QUESTION)
    flush(events)
    assert [r["question"] for r in rows(events)] == [QUESTION]


def test_only_the_session_given_the_reply_votes_on_it_once_and_can_take_it_back(fake_bot: Assistant,
                                                                               settings: Settings):
    events = recorder(settings)
    reply = events.issue(fake_bot.ask("how do I do the bridge?"), "session-a", None)
    assert events.vote(reply, "session-b", "like") is Claim.REFUSED
    assert events.vote("A" * 22, "session-a", "like") is Claim.UNKNOWN  # never issued (after VOTE_WAIT_S)
    for vote in ("like", "dislike"):
        assert events.vote(reply, "session-a", vote) is Claim.SAVED
    assert [(r["vote"], r["vote_day"] is not None) for r in rows(events)] == [("dislike", True)]
    assert events.vote(reply, "session-a", None) is Claim.SAVED
    assert [r["vote"] for r in rows(events)] == [None]


def test_votes_per_session_are_capped_and_a_change_of_mind_still_counts(fake_bot: Assistant, settings: Settings):
    events = recorder(settings)
    answer = fake_bot.ask("how do I do the bridge?")
    issued = [events.issue(answer, "session-a", None) for _ in range(5)]
    claims = [events.vote(reply, "session-a", "like") for reply in issued]
    assert claims == [Claim.SAVED] * 3 + [Claim.REFUSED] * 2
    assert events.vote(issued[0], "session-a", "dislike") is Claim.SAVED
    assert sorted(str(r["vote"]) for r in rows(events)) == ["None", "None", "dislike", "like", "like"]


def test_a_reply_can_no_longer_be_voted_on_after_the_sessions_lifetime(fake_bot: Assistant, settings: Settings):
    clock = Clock()
    events = recorder(settings, clock)
    reply = events.issue(fake_bot.ask("how do I do the bridge?"), "session-a", None)
    clock.now += settings.session_idle_seconds + 1
    assert events.vote(reply, "session-a", "like") is Claim.REFUSED


def test_a_vote_reaching_another_replica_finds_the_reply(fake_bot: Assistant, settings: Settings):
    """Replica A answered (its writer writes within a fraction of a second); replica B gets the vote at once
    and waits for the row rather than refusing it. A vote reaching A first writes the reply itself."""
    replica_a, replica_b = recorder(settings), recorder(settings)
    answer = fake_bot.ask("how do I do the bridge?")
    first = replica_a.issue(answer, "session-a", None)
    assert replica_a.vote(first, "session-a", "like") is Claim.SAVED  # before A's writer ever ran
    replica_a.start()
    try:
        second = replica_a.issue(answer, "session-a", None)
        started = time.monotonic()
        assert replica_b.vote(second, "session-a", "dislike") is Claim.SAVED
        assert time.monotonic() - started < VOTE_WAIT_S
        assert replica_b.vote(second, "session-b", "like") is Claim.REFUSED
    finally:
        replica_a.stop()
    assert sorted(r["vote"] for r in rows(replica_a)) == ["dislike", "like"]


def test_a_dislikes_reason_is_bounded_and_kept_only_with_question_text(fake_bot: Assistant, settings: Settings):
    answer = fake_bot.ask("how do I do the bridge?")
    quiet = recorder(settings)
    reply = quiet.issue(answer, "session-a", None)
    quiet.vote(reply, "session-a", "dislike")
    assert quiet.give_reason(reply, "session-a", "too long") is Claim.REFUSED
    kept = recorder(settings, feedback_questions=True)
    liked, disliked = kept.issue(answer, "session-a", None), kept.issue(answer, "session-a", None)
    kept.vote(liked, "session-a", "like")
    kept.vote(disliked, "session-a", "dislike")
    assert kept.give_reason(liked, "session-a", "not a dislike") is Claim.REFUSED
    assert kept.give_reason(disliked, "session-b", "not my reply") is Claim.REFUSED
    assert kept.give_reason(disliked, "session-a", "x" * 1000) is Claim.SAVED
    reasons = [r["vote_reason"] for r in rows(kept) if r["vote_reason"]]
    assert reasons == ["x" * settings.max_vote_reason_chars]
    kept.vote(disliked, "session-a", "like")
    assert [r["vote_reason"] for r in rows(kept) if r["vote_reason"]] == [], "a changed vote drops the reason"


def test_retention_deletes_old_replies_and_their_text(fake_bot: Assistant, settings: Settings, database: dict):
    clock = Clock()
    events = recorder(settings, clock, feedback_questions=True, retention_days=90)
    answer = fake_bot.ask("how do I do the bridge?")
    clock.now -= 91 * DAY_S
    old = events.issue(answer, "session-a", f"old {QUESTION}")
    events.vote(old, "session-a", "dislike")
    events.give_reason(old, "session-a", "old reason zanzibar-7f3c")
    clock.now += 2 * DAY_S
    events.issue(answer, "session-b", f"kept {QUESTION}")
    clock.now += 89 * DAY_S
    flush(events)  # the writer purges at its start
    [left] = rows(events)
    assert left["question"] == f"kept {QUESTION}"
    assert left["session_hash"] is None, "a session hash goes once no vote can use it"
    if "feedback_db" in database:
        assert b"zanzibar-7f3c" not in _sqlite_bytes(database["feedback_db"]).replace(
            f"kept {QUESTION}".encode(), b""), "deleted text is overwritten in the file, not left in free pages"


def test_turning_question_text_off_clears_what_was_kept(fake_bot: Assistant, settings: Settings):
    kept = recorder(settings, feedback_questions=True)
    kept.issue(fake_bot.ask(QUESTION), "session-a", QUESTION)
    flush(kept)
    flush(recorder(settings))
    assert [r["question"] for r in rows(kept)] == [None]


def test_two_replicas_migrating_at_once_apply_each_migration_once(settings: Settings):
    stores = [EventStore.from_settings(settings) for _ in range(4)]
    errors: list[BaseException] = []

    def prepare(store: EventStore) -> None:
        try:
            store.prepare()
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=prepare, args=(s,)) for s in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    with stores[0].engine.connect() as connection:
        assert connection.scalars(select(schema_version.c.version)).all() == [1, 2]
    assert len({s.session_hash("session-a") for s in stores}) == 1, "every replica hashes with the one key"
    stores[0].prepare()  # and again, later: nothing to do


def test_votes_of_the_issue_10_feedback_file_are_kept(tmp_path: Path, fake_settings: Settings):
    path = tmp_path / "feedback.sqlite3"
    with sqlite3.connect(path) as old:
        old.execute("CREATE TABLE feedback (id INTEGER PRIMARY KEY, created_at TEXT NOT NULL, vote TEXT NOT NULL, "
                    "kind TEXT NOT NULL, chunk_ids TEXT NOT NULL, corpus_hash TEXT NOT NULL, question TEXT, "
                    "reply_id TEXT)")
        old.execute("INSERT INTO feedback VALUES (1, '2026-11-20T10:00:00+00:00', 'dislike', 'answer', "
                    "'strengthen/bridge', 'abc', NULL, 'R1')")
    events = recorder(fake_settings.updated({"feedback_db": path}))
    flush(events)
    [row] = rows(events)
    assert (row["reply_id"], row["vote"], str(row["day"]), row["chunk_ids"]) == (
        "R1", "dislike", "2026-11-20", "strengthen/bridge")
    with sqlite3.connect(path) as db:
        assert "feedback" not in {r[0] for r in db.execute("SELECT name FROM sqlite_master")}


def test_a_store_that_cannot_be_written_never_holds_up_an_answer(fake_bot: Assistant, tmp_path: Path,
                                                                fake_settings: Settings,
                                                                caplog: pytest.LogCaptureFixture):
    blocked = tmp_path / "events.sqlite3"
    blocked.mkdir()  # a folder where the file should be: unwritable even for root
    events = recorder(fake_settings.updated({"feedback_db": blocked}))
    answer = fake_bot.ask("how do I do the bridge?")
    with caplog.at_level(logging.WARNING, logger="assistant.web.events"):
        events.start()
        try:
            started = time.perf_counter()
            issued = [events.issue(answer, "session-a", None) for _ in range(200)]
            assert (time.perf_counter() - started) / 200 < 0.001, "an answer only queues its event"
            with pytest.raises(VoteNotSaved):
                events.vote(issued[0], "session-a", "like")
            assert events.problem and "cannot be written" in events.problem
        finally:
            events.stop()
    assert caplog.text.count("cannot be written") == 1, "once a minute, not once per failure"
    blocked.rmdir()
    assert events.check() is None


def test_a_postgresql_server_that_is_down_is_reported_quickly(fake_bot: Assistant, fake_settings: Settings):
    """Nothing listens on the port: connecting fails at once, and the vote is reported as not saved."""
    events = recorder(fake_settings, database_url=f"postgresql://postgres@127.0.0.1:{free_port()}/none")
    started = time.monotonic()
    assert events.check() is not None
    with pytest.raises(VoteNotSaved):
        events.vote(events.issue(fake_bot.ask("how do I do the bridge?"), "s", None), "s", "like")
    assert time.monotonic() - started < 10
    assert events.engine_name == "postgresql"


def _sqlite_bytes(path: Path) -> bytes:
    return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))


def test_text_is_read_back_from_postgresql_as_stored(postgres: Any, fake_settings: Settings, fake_bot: Assistant):
    """Non-ASCII question text survives the round trip (the cluster is UTF-8)."""
    url = postgres.create_database("unicode_roundtrip")
    events = recorder(fake_settings, database_url=url, feedback_questions=True)
    question = "Rückenschmerzen: wie lange halten? 背中"
    events.issue(fake_bot.ask(question), "s", question)
    flush(events)
    assert events.store is not None
    with events.store.engine.connect() as connection:
        assert connection.scalar(text("SELECT question FROM replies")) == question


def test_a_long_section_title_is_cut_to_its_column_and_a_refused_row_holds_back_nothing(
        fake_bot: Assistant, settings: Settings, database: dict):
    """A clinic's own document can have a long section title: it is cut, not refused. A row the store refuses
    anyway (here a kind no pipeline gives, longer than its column) is dropped with its batch, and the next
    batch is written."""
    events = recorder(settings)
    answer = fake_bot.ask("how do I do the bridge?")
    long_title = replace(answer, sources=[replace(answer.sources[0], section="Section " * 50)])
    events.issue(long_title, "session-a", None)
    flush(events)
    assert [len(r["section"]) for r in rows(events)] == [replies.c.section.type.length]
    if "database_url" not in database:
        return  # SQLite keeps any length: nothing to refuse there
    events.issue(replace(answer, kind="k" * 40), "session-a", None)  # type: ignore[arg-type]
    flush(events)
    events.issue(answer, "session-a", None)
    flush(events)
    assert len(rows(events)) == 2 and events.dropped == 1
