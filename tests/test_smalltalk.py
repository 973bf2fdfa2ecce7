"""Small talk: each kind recognised, questions with a greeting in front left to the pipeline, and the reply."""

from __future__ import annotations

import pytest

from assistant import Assistant
from assistant.smalltalk import small_talk


@pytest.mark.parametrize(("message", "kind"), [
    ("hello", "greeting"), ("hiya!", "greeting"), ("good morning", "greeting"), ("you there?", "greeting"),
    ("thanks", "thanks"), ("thank you so much", "thanks"), ("cheers mate", "thanks"), ("thx that helps", "thanks"),
    ("bye", "goodbye"), ("see you later", "goodbye"), ("that's all for now, bye", "goodbye"),
    ("who are you?", "identity"), ("are you a real person", "identity"), ("r u a bot", "identity"),
    ("am i talking to a robot", "identity"), ("tnx mam", "thanks"),
    ("what can you do?", "capabilities"), ("what can i ask you", "capabilities"),
    ("ok", "acknowledgement"), ("cool", "acknowledgement"), ("👍", "acknowledgement"), ("🙏", "thanks"),
    # A letter's closing is a goodbye, and the name after it says nothing more.
    ("Thank you, you have been very kind. Best regards, Arthur Jones", "thanks"), ("Yours sincerely, Edna", "goodbye"),
    ("many thanks, Bill", "thanks"), ("who am i speaking to please", "identity"),
    # Saying what one will do next takes the advice; it asks nothing.
    ("ok thanks ill ask my surgeon", "thanks"), ("will do", "acknowledgement"),
    ("i will talk to my physio first", "acknowledgement"),
])
def test_small_talk_kinds(message: str, kind: str):
    assert small_talk().kind(message) == kind


@pytest.mark.parametrize("message", [
    "hello, how do i do the bridge?", "thanks, and how long do i hold it?", "ok how do i do it",
    "help me with my maths homework", "what can you do for lower back pain", "bye the way is yoga good",
    "?!", "",
    "which stretch is best for the mornings? kind regards, Margaret", "regards my back, what helps it",
    "ill ask my doctor about the numbness", "should i ask my doctor",
])
def test_a_question_is_not_small_talk(message: str):
    assert small_talk().kind(message) is None


def test_small_talk_reply_is_an_answer_with_suggestions_and_no_sources(fake_bot: Assistant):
    answer = fake_bot.ask("hi there")
    assert answer.kind == "answer" and answer.category == "small_talk" and answer.sources == []
    assert answer.text.startswith("Hello!") and answer.text.endswith(answer.footer)
    assert answer.suggestions and all(s.startswith("Show ") for s in answer.suggestions)


def test_capabilities_reply_says_what_it_can_help_with(fake_bot: Assistant):
    assert "how long to hold it" in fake_bot.ask("what can you do?").text


def test_an_emoji_is_small_talk_but_punctuation_alone_is_invalid(fake_bot: Assistant):
    assert fake_bot.ask("👍").kind == "answer"
    assert fake_bot.ask("?!").kind == "invalid"


def test_a_red_flag_beats_small_talk(fake_bot: Assistant):
    history = [{"role": "user", "content": "I can't feel my bottom when I wipe and I can't pee"},
               {"role": "assistant", "content": "Get help now"}]
    assert fake_bot.ask("thanks", history=history).kind == "emergency"


@pytest.mark.parametrize("message", [
    "What is COPD?", "what are shingles", "whats fibromyalgia", "define spondylosis", "is it my kidneys",
    "sore throat", "my blood pressure", "diabetes",
])
def test_a_health_question_is_never_small_talk(message: str):
    """The learned small talk reads meaning alone: "What is COPD?" is near "what are you?" to it, so a message
    naming a health word or asking what something is never reaches it."""
    assert not small_talk().may_be(message)


@pytest.mark.parametrize("message", [
    "what are you", "wat r u", "whats up", "what is this chat", "thanks dear", "howya", "good evening doctor",
    "I'll try that", "is this a bot or someone at the clinic",
])
def test_small_talk_with_words_the_rules_do_not_know_may_still_be_small_talk(message: str):
    assert small_talk().may_be(message)


@pytest.mark.parametrize(("message", "rest"), [
    ("thanks!! and is swimming good too", "and is swimming good too"),
    ("cheers. what about the superman", "what about the superman"),
    ("hi! thanks. how do i do it", "how do i do it"), ("ok - the bridge?", "the bridge?"),
    # Nothing asked after the small talk, no clause break after it, or no small talk at all: the message whole.
    ("thanks, that makes sense", "thanks, that makes sense"), ("right side or left?", "right side or left?"),
    ("ok so how long", "ok so how long"), ("no, the other one?", "no, the other one?"),
])
def test_the_question_after_opening_small_talk(message: str, rest: str):
    assert small_talk().question_after(message) == rest
