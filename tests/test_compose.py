"""What a reply shows: no line twice, follow-ups that add something, and a way to book where that is the advice."""

from __future__ import annotations

import pytest

from assistant import Assistant, Settings
from assistant.compose import booking_line, suggestions, tel_number

CLINIC = {"clinic_name": "Riverside Physio", "booking_link": "https://riverside.example/book?who=me",
          "clinic_phone": "+44 (0)1234 567-890"}


def follow_up(bot: Assistant, first: str, then: str):
    history = [{"role": "user", "content": first}, {"role": "assistant", "content": bot.ask(first).text}]
    return bot.ask(then, history)


def test_a_card_shows_each_hold_line_once(fake_bot: Assistant):
    text = fake_bot.ask("how do I do the bridge?").text
    assert text.count("Hold this position for a few seconds") == 1
    assert "How long / how many" not in text


def test_a_hold_line_that_is_no_step_is_still_shown(fake_bot: Assistant):
    """Planks have no steps: their one line, with its 30 seconds, is the card."""
    text = fake_bot.ask("how do I do a plank?").text
    assert text.count("for 30 seconds") == 1


@pytest.mark.parametrize(("question", "repeated"), [
    ("how long do I hold it?", "How long do I hold it?"),
    ("what muscles does it work?", "What muscles does it work?"),
])
def test_a_follow_up_is_never_suggested_right_after_it_was_answered(fake_bot: Assistant, question: str,
                                                                    repeated: str):
    reply = follow_up(fake_bot, "how do I do the bridge?", question)
    assert reply.exercise is not None and reply.exercise.aspect in ("dose", "targets")
    assert repeated not in reply.suggestions
    assert "How do I do it?" in reply.suggestions, "the steps are offered instead"


def test_a_whole_card_does_not_offer_its_own_steps(fake_bot: Assistant):
    bridge = fake_bot.by_id["strengthen/bridge"]
    assert "How do I do it?" not in suggestions(bridge, fake_bot.by_id, "card")
    assert suggestions(bridge, fake_bot.by_id, "card")[:2] == ("How long do I hold it?", "What muscles does it work?")


def test_exercise_data_comes_from_the_chunk(fake_bot: Assistant):
    reply = fake_bot.ask("how do I do the child's pose?")
    assert reply.exercise is not None
    assert (reply.exercise.chunk_id, reply.exercise.aspect, reply.exercise.hold_seconds) == (
        "relieve/childs-pose", "card", 30)
    assert reply.to_dict()["exercise"]["hold_seconds"] == 30
    assert fake_bot.ask("what stretches help lower back pain?").to_dict()["exercise"] is None


def test_booking_line_names_the_clinic_and_dials_digits_only():
    line = booking_line(Settings().updated(CLINIC))
    assert "[Book an appointment with Riverside Physio](<https://riverside.example/book?who=me>)" in line
    assert "[+44 (0)1234 567-890](tel:+4401234567890)" in line
    assert booking_line(Settings()) == ""
    assert booking_line(Settings().updated({"clinic_phone": "01234 567890"})).startswith(
        "**To see someone:** call Back Exercise Helper on [01234 567890](tel:01234567890)")
    assert tel_number("(01234) 567.890") == "01234567890"


@pytest.mark.parametrize(("question", "kind"), [
    ("should I see a professional before I start?", "answer"),
    ("what is causing my back pain?", "out_of_scope"),
    ("how do I do a pelvic tilt?", "answer"),
    ("how often should I do the bridge?", "answer"),
    ("i'm pregnant, can i do the bridge?", "answer"),
    ("how much does an appointment cost?", "out_of_scope"),
])
def test_the_booking_link_comes_where_seeing_someone_is_the_advice(fake_settings: Settings, question: str,
                                                                   kind: str):
    from fakes import HashingEmbedder

    bot = Assistant.load(fake_settings.updated(CLINIC), embedder=HashingEmbedder())
    reply = bot.ask(question)
    assert reply.kind == kind
    assert "Book an appointment with Riverside Physio" in reply.text
    assert reply.text.endswith(reply.footer)
    assert "Book an appointment" not in bot.ask("how do I do the bridge?").text, "an exercise card is not that advice"
