"""Like/dislike from the chat, on SQLite and PostgreSQL: the server's own chunk ids and kind for a reply it
issued, once per reply, bounded, and a store that cannot be written says so in words a visitor can read."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import gradio as gr
import pytest
from sqlalchemy import select

from assistant import Assistant, Settings
from assistant.insights.schema import replies
from assistant.insights.store import EventStore
from assistant.web.chat import as_message, record_reason, record_vote
from assistant.web.events import EventRecorder
from assistant.web.votes import reply_id_in

SESSION = "session-a"


@pytest.fixture
def events(fake_settings: Settings, database: dict[str, Any]) -> EventRecorder:
    settings = fake_settings.updated({**database, "max_votes_per_session": 3})
    events = EventRecorder(EventStore.from_settings(settings), settings)
    assert events.check() is None  # as the server does at start: the schema is there
    return events


def issued(bot: Assistant, events: EventRecorder, question: str) -> list[str]:
    """What Gradio sends as the liked message's value: the text parts of the reply the server issued."""
    answer = bot.ask(question)
    return [as_message(answer, events.issue(answer, SESSION, question))["content"]]


def voted(events: EventRecorder) -> list[dict[str, Any]]:
    assert events.store is not None
    with events.store.engine.connect() as connection:
        query = select(replies).where(replies.c.vote.is_not(None)).order_by(replies.c.vote, replies.c.reply_id)
        return [dict(r._mapping) for r in connection.execute(query)]


def test_a_like_stores_the_issued_replys_chunks_and_kind(fake_bot: Assistant, events: EventRecorder):
    bridge = issued(fake_bot, events, "how do I do the bridge?")
    expected = fake_bot.ask("how do I do the bridge?")
    record_vote(events, SESSION, bridge, True)
    [row] = voted(events)
    assert (row["vote"], row["kind"], row["reply_id"]) == ("like", "answer", reply_id_in(bridge))
    assert row["chunk_ids"] == " ".join(s.chunk_id for s in expected.sources)
    assert row["corpus_hash"] == expected.corpus_hash and row["question"] is None


def test_a_changed_mind_replaces_the_vote_and_taking_it_back_forgets_it(fake_bot: Assistant, events: EventRecorder):
    """Clicking the selected Like again: Gradio sends "" as `liked`, and the vote on that reply goes."""
    bridge, plank = issued(fake_bot, events, "how do I do the bridge?"), issued(fake_bot, events, "plank?")
    for liked in (True, False, True, False):
        record_vote(events, SESSION, bridge, liked)
    assert [r["vote"] for r in voted(events)] == ["dislike"]
    record_vote(events, SESSION, plank, True)
    record_vote(events, SESSION, bridge, "")
    assert [r["reply_id"] for r in voted(events)] == [reply_id_in(plank)]


def test_a_forged_reply_in_the_vote_is_ignored(fake_bot: Assistant, events: EventRecorder):
    """The browser's copy is untrusted: only the id counts, and the stored kind is the server's."""
    emergency = issued(fake_bot, events, "I can't feel anything when I wipe and I've wet myself")
    forged = [emergency[0].replace("reply-emergency", "reply-answer") + " *Source: Bridge*"]
    record_vote(events, SESSION, forged, True)
    assert [(r["kind"], r["chunk_ids"]) for r in voted(events)] == [("emergency", "")]


@pytest.mark.parametrize(("value", "liked", "session"), [
    (['<div class="reply reply-answer">made up</div>'], True, SESSION),      # no id
    (None, True, SESSION),
    ("ISSUED", True, "session-b"),      # another session's reply
    ("ISSUED", "Confusing", SESSION),   # a custom feedback option, not a vote
    ("ISSUED", None, SESSION),
])
def test_a_vote_that_points_at_no_reply_of_this_session_stores_nothing(fake_bot: Assistant, events: EventRecorder,
                                                                      value, liked, session: str):
    bridge = issued(fake_bot, events, "how do I do the bridge?")
    with pytest.warns(UserWarning, match="can no longer be rated"):
        record_vote(events, session, bridge if value == "ISSUED" else value, liked)
    assert voted(events) == []


def test_votes_per_session_are_capped(fake_bot: Assistant, events: EventRecorder):
    messages = [issued(fake_bot, events, "how do I do the bridge?") for _ in range(5)]
    with pytest.warns(UserWarning, match="can no longer be rated"):
        for message in messages:
            record_vote(events, SESSION, message, True)
    assert len(voted(events)) == events.settings.max_votes_per_session == 3


def test_a_store_that_cannot_be_written_is_found_at_once_and_the_browser_is_told(
        fake_bot: Assistant, fake_settings: Settings, tmp_path: Path, caplog: pytest.LogCaptureFixture):
    # A folder where the file should be: unwritable even for root, who ignores file permissions.
    path = tmp_path / "feedback.sqlite3"
    path.mkdir()
    settings = fake_settings.updated({"feedback_db": path})
    events = EventRecorder(EventStore.from_settings(settings), settings)
    with caplog.at_level(logging.WARNING, logger="assistant.web.events"):
        assert "cannot be written" in (events.check() or "")
        with pytest.raises(gr.Error) as raised:
            record_vote(events, SESSION, issued(fake_bot, events, "how do I do the bridge?"), True)
    assert "could not be saved" in raised.value.message and str(tmp_path) not in raised.value.message
    assert caplog.text.count("cannot be written") == 1, "one warning, not one per vote"
    path.rmdir()
    assert events.check() is None


def test_with_recording_off_nothing_is_stored_and_votes_are_not_counted(fake_bot: Assistant, tmp_path: Path,
                                                                       fake_settings: Settings):
    settings = fake_settings.updated({"feedback_db": tmp_path / "off.sqlite3", "record_events": False})
    events = EventRecorder(EventStore.from_settings(settings), settings)
    events.start()
    bridge = issued(fake_bot, events, "how do I do the bridge?")
    with pytest.warns(UserWarning, match="can no longer be rated"):
        record_vote(events, SESSION, bridge, True)
    events.stop()
    assert reply_id_in(bridge) and not (tmp_path / "off.sqlite3").exists()
    assert events.engine_name == "off"


def test_a_reason_reaches_only_the_disliked_reply_it_points_at(fake_bot: Assistant, fake_settings: Settings,
                                                               database: dict[str, Any]):
    """The page sends the reply's place in the conversation; the id comes from the session's own copy, and
    anything malformed, out of range or about another session's reply is dropped."""
    settings = fake_settings.updated({**database, "feedback_questions": True})
    events = EventRecorder(EventStore.from_settings(settings), settings)
    bridge = issued(fake_bot, events, "how do I do the bridge?")
    record_vote(events, SESSION, bridge, False)
    history = [{"role": "user", "content": "how do I do the bridge?"}, {"role": "assistant", "content": bridge[0]}]
    for saved, session in [('{"index": 0, "reason": "points at the question"}', SESSION),
                           ('{"index": 7, "reason": "out of range"}', SESSION),
                           ('{"index": 1, "reason": "another session"}', "session-b"),
                           ('{"index": 1}', SESSION), ("not json", SESSION), ('[1, "x"]', SESSION)]:
        record_reason(events, session, saved, history)
    assert [r["vote_reason"] for r in voted(events)] == [None]
    record_reason(events, SESSION, json.dumps({"index": 1, "reason": "  Too long  "}), history)
    assert [r["vote_reason"] for r in voted(events)] == ["Too long"]
