"""What the server checks before a browser's or API client's words reach `Assistant.ask`, for every route."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from assistant import Answer, Assistant
from assistant.compose import with_footer
from assistant.conversation import content_text

log = logging.getLogger(__name__)


class RequestError(ValueError):
    """A question or history the server will not answer, with a message meant for the sender."""

    def __init__(self, message: str, field: str = "question") -> None:
        super().__init__(message)
        self.field = field


def check_question(question: object, max_chars: int) -> str:
    # The browser's maxlength and the UI's validator are advice; a direct API call skips both.
    if not isinstance(question, str):
        raise RequestError(f"question must be a string, not {type(question).__name__}.")
    if len(question) > max_chars:
        raise RequestError(f"question is {len(question):,} characters long; the limit is {max_chars:,}. "
                           "Please ask a shorter question.")
    return question


def check_history(history: object, max_messages: int, max_chars: int) -> None:
    """A history longer or wordier than any this assistant takes part in was not a real conversation."""
    if not isinstance(history, Sequence) or isinstance(history, str | bytes):
        return  # `ask` says what is wrong with its shape
    if len(history) > max_messages:
        raise RequestError(f"the conversation has {len(history):,} messages; the limit is {max_messages:,}. "
                           "Please start a new conversation.", field="history")
    for message in history:
        content = message.get("content") if isinstance(message, Mapping) else None
        if content is not None and len(content_text(content)) > max_chars:
            raise RequestError(f"a message in the conversation is over {max_chars:,} characters long.",
                               field="history")


def answer(bot: Assistant, question: object, history: Sequence[Mapping[str, Any]] | None) -> Answer:
    """The reply to a checked question; raises RequestError for anything `ask` refuses."""
    settings = bot.settings
    text = check_question(question, settings.max_question_chars)
    check_history(history, settings.max_history_messages, settings.max_message_chars)
    # Only the latest turns matter; dropping the rest first keeps a long conversation cheap.
    recent = list(history or [])[-bot.settings.max_history_turns:]
    try:
        reply = bot.ask(text, recent)
    except (TypeError, ValueError) as exc:
        # The question is already a checked string: what `ask` refuses here is the history.
        raise RequestError(str(exc), field="history") from exc
    if bot.settings.log_questions:
        log.info("question=%r kind=%s chunks=%s", text, reply.kind, [s.chunk_id for s in reply.sources])
    return reply


def refusal(bot: Assistant, reason: str) -> Answer:
    """An `invalid` reply that says why, for interfaces that must answer instead of failing."""
    return Answer(text=with_footer(f"**Sorry, I can't read that.** {reason}", bot.settings), kind="invalid",
                  footer=bot.settings.footer, corpus_hash=bot.manifest.corpus_hash)
