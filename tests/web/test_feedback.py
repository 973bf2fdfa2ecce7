"""Like/dislike storage: the server's own chunk ids and kind, and the question only when a clinic opts in."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from assistant import Assistant
from assistant.web.chat import as_message, record_vote
from assistant.web.feedback import FeedbackStore


def conversation(bot: Assistant, *questions: str) -> list[dict]:
    """A history as the browser sends it: content as text parts, replies wrapped as the chat shows them."""
    history: list[dict] = []
    for question in questions:
        reply = as_message(bot.ask(question, history))
        history += [{"role": "user", "content": [{"type": "text", "text": question}]},
                    {"role": "assistant", "content": [{"type": "text", "text": reply["content"]}]}]
    return history


def test_a_like_stores_the_answers_chunks_and_kind_but_not_the_question(fake_bot: Assistant, tmp_path: Path):
    store = FeedbackStore(tmp_path / "var" / "feedback.sqlite3")
    history = conversation(fake_bot, "how do I do the bridge?", "how long do I hold it?")
    expected = fake_bot.ask("how long do I hold it?", history[:2])

    assert record_vote(fake_bot, store, history, 3, True)
    assert record_vote(fake_bot, store, history, 1, False)
    rows = store.rows()
    assert [(r["vote"], r["kind"]) for r in rows] == [("like", "answer"), ("dislike", "answer")]
    assert rows[0]["chunk_ids"] == " ".join(s.chunk_id for s in expected.sources)
    assert rows[0]["corpus_hash"] == expected.corpus_hash
    assert all(r["question"] is None for r in rows)
    assert b"hold it" not in store.path.read_bytes()


def test_the_question_is_kept_only_when_configured(fake_bot: Assistant, tmp_path: Path):
    store = FeedbackStore(tmp_path / "feedback.sqlite3", keep_questions=True)
    history = conversation(fake_bot, "I can't feel anything when I wipe and I've wet myself")
    assert record_vote(fake_bot, store, history, 1, False)
    [row] = store.rows()
    assert (row["kind"], row["chunk_ids"]) == ("emergency", "")
    assert row["question"] == "I can't feel anything when I wipe and I've wet myself"


@pytest.mark.parametrize(("index", "liked"), [
    (0, True),          # a user message
    (5, True),          # past the end
    (-1, True),         # counted from the end
    ((1, 0), True),     # a two-dimensional index
    ("1", True),
    (1, "Confusing"),   # a custom feedback option, not a vote
    (1, None),
])
def test_an_event_that_points_at_no_reply_stores_nothing(fake_bot: Assistant, tmp_path: Path, index, liked):
    store = FeedbackStore(tmp_path / "feedback.sqlite3")
    history = conversation(fake_bot, "how do I do the bridge?")
    assert not record_vote(fake_bot, store, history, index, liked)
    assert store.rows() == []


def test_a_reply_with_no_question_before_it_stores_nothing(fake_bot: Assistant, tmp_path: Path):
    store = FeedbackStore(tmp_path / "feedback.sqlite3")
    assert not record_vote(fake_bot, store, [{"role": "assistant", "content": "Hello"}] * 2, 1, True)
    assert store.rows() == []


def test_the_table_refuses_a_vote_that_is_neither(tmp_path: Path, fake_bot: Assistant):
    store = FeedbackStore(tmp_path / "feedback.sqlite3")
    with pytest.raises(sqlite3.IntegrityError):
        store.record("meh", fake_bot.ask("how do I do the bridge?"), "q")  # type: ignore[arg-type]
