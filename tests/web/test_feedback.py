"""Like/dislike storage: the server's own chunk ids and kind for a reply it issued, once per reply, bounded,
the question only when a clinic opts in, and a store that cannot be written says so."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

import gradio as gr
import pytest

from assistant import Assistant
from assistant.web.chat import as_message, record_vote
from assistant.web.feedback import FeedbackStore, Reply
from assistant.web.votes import IssuedReplies, reply_id_in

SESSION = "session-a"


def issued(bot: Assistant, replies: IssuedReplies, question: str, keep_question: bool = False) -> list[str]:
    """What Gradio sends as the liked message's value: the text parts of the reply the server issued."""
    answer = bot.ask(question)
    reply_id = replies.issue(SESSION, answer, question if keep_question else None)
    return [as_message(answer, reply_id)["content"]]


@pytest.fixture
def replies() -> IssuedReplies:
    return IssuedReplies(capacity=100, ttl=600, votes_per_session=3)


def test_a_like_stores_the_issued_replys_chunks_and_kind_but_not_the_question(fake_bot: Assistant, tmp_path: Path,
                                                                            replies: IssuedReplies):
    store = FeedbackStore(tmp_path / "var" / "feedback.sqlite3")
    bridge = issued(fake_bot, replies, "how do I do the bridge?")
    expected = fake_bot.ask("how do I do the bridge?")
    record_vote(store, replies, SESSION, bridge, True)
    [row] = store.rows()
    assert (row["vote"], row["kind"]) == ("like", "answer")
    assert row["chunk_ids"] == " ".join(s.chunk_id for s in expected.sources)
    assert row["corpus_hash"] == expected.corpus_hash
    assert row["question"] is None and row["reply_id"] == reply_id_in(bridge)
    assert b"bridge?" not in store.path.read_bytes()


def test_a_changed_mind_replaces_the_vote_rather_than_adding_one(fake_bot: Assistant, tmp_path: Path,
                                                                 replies: IssuedReplies):
    store = FeedbackStore(tmp_path / "feedback.sqlite3")
    bridge = issued(fake_bot, replies, "how do I do the bridge?")
    for liked in (True, False, True, False):
        record_vote(store, replies, SESSION, bridge, liked)
    assert [r["vote"] for r in store.rows()] == ["dislike"]


def test_a_vote_taken_back_is_forgotten(fake_bot: Assistant, tmp_path: Path, replies: IssuedReplies):
    """Clicking the selected Like again: Gradio sends "" as `liked`, and the row for that reply goes."""
    store = FeedbackStore(tmp_path / "feedback.sqlite3")
    bridge, plank = issued(fake_bot, replies, "how do I do the bridge?"), issued(fake_bot, replies, "plank?")
    record_vote(store, replies, SESSION, bridge, True)
    record_vote(store, replies, SESSION, plank, False)
    record_vote(store, replies, SESSION, bridge, "")
    assert [r["reply_id"] for r in store.rows()] == [reply_id_in(plank)]
    record_vote(store, replies, SESSION, bridge, True)
    assert [r["vote"] for r in store.rows()] == ["dislike", "like"]


def test_the_question_is_kept_only_when_configured(fake_bot: Assistant, tmp_path: Path, replies: IssuedReplies):
    store = FeedbackStore(tmp_path / "feedback.sqlite3", keep_questions=True)
    question = "I can't feel anything when I wipe and I've wet myself"
    record_vote(store, replies, SESSION, issued(fake_bot, replies, question, keep_question=True), False)
    [row] = store.rows()
    assert (row["kind"], row["chunk_ids"], row["question"]) == ("emergency", "", question)


def test_a_forged_reply_in_the_vote_is_ignored(fake_bot: Assistant, tmp_path: Path, replies: IssuedReplies):
    """The browser's copy is untrusted: only the id counts, and the stored kind is the server's."""
    store = FeedbackStore(tmp_path / "feedback.sqlite3")
    emergency = issued(fake_bot, replies, "I can't feel anything when I wipe and I've wet myself")
    forged = [emergency[0].replace("reply-emergency", "reply-answer") + " *Source: Bridge*"]
    record_vote(store, replies, SESSION, forged, True)
    assert [(r["kind"], r["chunk_ids"]) for r in store.rows()] == [("emergency", "")]


@pytest.mark.parametrize(("value", "liked", "session"), [
    (['<div class="reply reply-answer">made up</div>'], True, SESSION),      # no id
    (['<div class="reply" data-reply="AAAAAAAAAAAAAAAAAAAAAA">x</div>'], True, SESSION),  # an id never issued
    (None, True, SESSION),
    ("ISSUED", True, "session-b"),      # another session's reply
    ("ISSUED", "Confusing", SESSION),   # a custom feedback option, not a vote
    ("ISSUED", None, SESSION),
])
def test_a_vote_that_points_at_no_reply_of_this_session_stores_nothing(fake_bot: Assistant, tmp_path: Path,
                                                                      replies: IssuedReplies, value, liked,
                                                                      session: str):
    store = FeedbackStore(tmp_path / "feedback.sqlite3")
    bridge = issued(fake_bot, replies, "how do I do the bridge?")
    with pytest.warns(UserWarning, match="can no longer be rated"):
        record_vote(store, replies, session, bridge if value == "ISSUED" else value, liked)
    assert store.rows() == []


def test_votes_per_session_are_capped(fake_bot: Assistant, tmp_path: Path, replies: IssuedReplies):
    store = FeedbackStore(tmp_path / "feedback.sqlite3")
    messages = [issued(fake_bot, replies, "how do I do the bridge?") for _ in range(5)]
    with pytest.warns(UserWarning, match="can no longer be rated"):
        for message in messages:
            record_vote(store, replies, SESSION, message, True)
    assert len(store.rows()) == replies.votes_per_session == 3
    record_vote(store, replies, SESSION, messages[0], False)  # a change of mind still counts
    assert [r["vote"] for r in store.rows()] == ["dislike", "like", "like"]


def test_issued_replies_are_bounded_and_expire(fake_bot: Assistant):
    answer = fake_bot.ask("how do I do the bridge?")
    bounded = IssuedReplies(capacity=10, ttl=600, votes_per_session=3)
    ids = [bounded.issue(SESSION, answer, None) for _ in range(25)]
    assert len(bounded) == 10
    assert bounded.claim(ids[0], SESSION) is None and bounded.claim(ids[-1], SESSION) is not None
    expiring = IssuedReplies(capacity=10, ttl=0, votes_per_session=3)
    assert expiring.claim(expiring.issue(SESSION, answer, None), SESSION) is None


def test_a_store_that_cannot_be_written_is_found_at_once_and_the_browser_is_told(
        fake_bot: Assistant, tmp_path: Path, replies: IssuedReplies, caplog: pytest.LogCaptureFixture):
    # A folder where the file should be: unwritable even for root, who ignores file permissions.
    path = tmp_path / "feedback.sqlite3"
    path.mkdir()
    store = FeedbackStore(path)
    with caplog.at_level(logging.WARNING, logger="assistant.web.feedback"):
        assert "cannot be written" in (store.check() or "")
        with pytest.raises(gr.Error) as raised:
            record_vote(store, replies, SESSION, issued(fake_bot, replies, "how do I do the bridge?"), True)
    assert "could not be saved" in raised.value.message and str(tmp_path) not in raised.value.message
    assert caplog.text.count("cannot be written") == 1, "one warning, not one per vote"
    path.rmdir()
    assert store.check() is None


def test_the_table_refuses_a_vote_that_is_neither(tmp_path: Path, fake_bot: Assistant):
    store = FeedbackStore(tmp_path / "feedback.sqlite3")
    reply = Reply.of("r1", SESSION, fake_bot.ask("how do I do the bridge?"), None)
    with pytest.raises(sqlite3.IntegrityError):
        store.record("meh", reply)  # type: ignore[arg-type]
