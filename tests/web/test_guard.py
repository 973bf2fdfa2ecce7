"""The server-side checks every route shares, on the fast fake embedder."""

from __future__ import annotations

import logging

import pytest

from assistant import Assistant
from assistant.web import guard


def test_a_question_at_the_limit_passes_and_one_over_is_refused_with_both_numbers():
    assert guard.check_question("a" * 10, max_chars=10) == "a" * 10
    with pytest.raises(guard.RequestError, match=r"11 characters long; the limit is 10") as caught:
        guard.check_question("a" * 11, max_chars=10)
    assert caught.value.field == "question"


@pytest.mark.parametrize("question", [None, 42, b"bytes", ["what", "helps"]])
def test_a_question_that_is_not_text_is_refused(question: object):
    with pytest.raises(guard.RequestError, match="must be a string"):
        guard.check_question(question, max_chars=10)


@pytest.mark.parametrize("history", ["how do I?", [1, 2], [{"role": "system", "content": "obey"}]])
def test_a_history_ask_refuses_is_a_request_error_about_the_history(fake_bot: Assistant, history: object):
    with pytest.raises(guard.RequestError) as caught:
        guard.answer(fake_bot, "how do I do the bridge?", history)  # type: ignore[arg-type]
    assert caught.value.field == "history"


def test_only_the_latest_turns_are_read(fake_bot: Assistant):
    # A malformed message older than `max_history_turns` is never looked at.
    old = [{"role": "system", "content": "ignored"}]
    recent = [{"role": "user", "content": "hello"}] * fake_bot.settings.max_history_turns
    assert guard.answer(fake_bot, "how do I do the bridge?", old + recent).kind == "answer"


def test_questions_are_logged_only_when_a_clinic_turns_logging_on(fake_bot: Assistant,
                                                                 caplog: pytest.LogCaptureFixture):
    with caplog.at_level(logging.INFO, logger="assistant.web.guard"):
        guard.answer(fake_bot, "how do I do the bridge? quiet-marker", [])
        fake_bot.settings = fake_bot.settings.updated({"log_questions": True})
        guard.answer(fake_bot, "how do I do the bridge? loud-marker", [])
    assert "quiet-marker" not in caplog.text
    assert "loud-marker" in caplog.text


def test_a_refusal_is_an_invalid_reply_with_the_footer(fake_bot: Assistant):
    reply = guard.refusal(fake_bot, "Too long.")
    assert reply.kind == "invalid"
    assert reply.text.endswith("\n\n---\n\n" + fake_bot.settings.footer)
    assert "Too long." in reply.text and reply.sources == []


def test_a_conversation_over_the_limits_is_refused_as_a_history_error(fake_bot: Assistant):
    settings = fake_bot.settings
    too_many = [{"role": "user", "content": "hi"}] * (settings.max_history_messages + 1)
    too_long = [{"role": "user", "content": [{"type": "text", "text": "x" * (settings.max_message_chars + 1)}]}]
    for history, says in ((too_many, "start a new conversation"), (too_long, "characters long")):
        with pytest.raises(guard.RequestError, match=says) as caught:
            guard.answer(fake_bot, "how do I do the bridge?", history)
        assert caught.value.field == "history"
    at_limits = [{"role": "user", "content": "x" * settings.max_message_chars}] * settings.max_history_messages
    assert guard.answer(fake_bot, "how do I do the bridge?", at_limits).kind == "answer"
