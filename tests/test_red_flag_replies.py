"""What a user meets after a red flag: the card, the conversation after it, the safety net, the second opinion."""

from __future__ import annotations

import pytest

from assistant import Assistant, Settings
from assistant.replies import HELD_BACK
from assistant.triage import describes_symptoms, explain, triage

FLAGGED = [{"role": "user", "content": "I can't feel my bum when I wipe"},
           {"role": "assistant", "content": "(the emergency card)"}]


def test_the_card_quotes_the_users_words_and_says_back_pain_only_when_they_did(fake_bot: Assistant) -> None:
    plain = fake_bot.ask("I can't feel my bum when I wipe")
    assert (plain.kind, plain.category) == ("emergency", "cauda_equina")
    assert "You said: “I can't feel my bum when I wipe”" in plain.text
    assert "with back pain" not in plain.text.lower()
    with_back = fake_bot.ask("my back hurts and I can't feel my bum when I wipe")
    assert "With back pain, numbness around your bottom" in with_back.text


def test_the_quoted_words_are_escaped(fake_bot: Assistant) -> None:
    answer = fake_bot.ask("I can't feel my *bum* <b>at all</b> when I wipe")
    assert answer.kind == "emergency"
    assert "\\*bum\\*" in answer.text and "&lt;b&gt;" in answer.text and "<b>" not in answer.text


def test_the_emergency_number_is_a_tap_to_call_link_only_when_set(fake_bot: Assistant) -> None:
    assert "tel:" not in fake_bot.ask("I fell off a ladder onto my back").text
    fake_bot.settings = fake_bot.settings.updated({"emergency_number": "999"})
    answer = fake_bot.ask("I fell off a ladder onto my back")
    assert answer.kind == "emergency" and "[Call 999](tel:999)" in answer.text


def test_a_later_question_gets_its_own_reply_with_a_reminder(fake_bot: Assistant) -> None:
    answer = fake_bot.ask("what painkiller should I take?", history=FLAGGED)
    assert (answer.kind, answer.category) == ("emergency", "cauda_equina")
    assert "Remember:" in answer.text and "I can't give advice about medicines" in answer.text
    assert "Get help now" not in answer.text and "You said" not in answer.text
    assert answer.text.endswith(answer.footer)


def test_no_exercises_for_the_rest_of_a_flagged_conversation(fake_bot: Assistant) -> None:
    answer = fake_bot.ask("how do I do the bridge?", history=FLAGGED)
    assert (answer.kind, answer.category) == ("emergency", "cauda_equina")
    assert HELD_BACK in answer.text and "Lie on your back" not in answer.text and not answer.sources


def test_small_talk_after_a_warning_gets_its_own_reply_under_the_reminder(fake_bot: Assistant) -> None:
    answer = fake_bot.ask("thanks", history=FLAGGED)
    assert (answer.kind, answer.category) == ("emergency", "cauda_equina")
    assert answer.text.startswith("⚠️ **Remember:**") and "You're welcome" in answer.text
    assert not answer.sources


def test_what_the_article_does_not_say_is_held_back_too_after_a_warning(fake_bot: Assistant) -> None:
    answer = fake_bot.ask("how often should i do the bridge?", history=FLAGGED)
    assert (answer.kind, answer.category) == ("emergency", "cauda_equina")
    assert HELD_BACK in answer.text and "The article doesn't say" not in answer.text and not answer.sources


def test_a_new_red_flag_in_the_latest_message_gets_the_full_card(fake_bot: Assistant) -> None:
    history = [{"role": "user", "content": "back pain and a fever since yesterday"},
               {"role": "assistant", "content": "(the urgent card)"}]
    answer = fake_bot.ask("and now I can't feel my bum when I wipe", history=history)
    assert (answer.kind, answer.category) == ("emergency", "cauda_equina")
    assert "Get help now" in answer.text and "You said: “and now I can't feel my bum when I wipe”" in answer.text


def test_an_answer_to_a_message_with_symptoms_carries_the_safety_net(fake_bot: Assistant) -> None:
    answer = fake_bot.ask("my leg feels a bit numb after sitting, which stretch helps?")
    net = answer.text.find("**Get help first if you have:**")
    # Before any of the article's content (a "doesn't say" or caution line may lead it).
    assert answer.kind == "answer" and net >= 0 and "###" not in answer.text[:net]
    assert "- new trouble peeing or pooing" in answer.text
    assert "Get help first" not in fake_bot.ask("how do I do the bridge?").text


@pytest.mark.parametrize(("message", "symptoms"), [
    ("my foot feels numb", True), ("numbness in my leg", True), ("it went numbish", True),
    ("how many reps? any number is fine?", False), ("what's the clinic's phone number", False)])
def test_numbness_is_read_in_its_word_forms_not_as_number(message: str, symptoms: bool) -> None:
    assert describes_symptoms(message) is symptoms


@pytest.mark.parametrize("question", ["how do I do the knee to chest stretch?", "is knees-to-chest good for me"])
def test_an_exercise_named_with_a_symptom_word_is_not_a_symptom(fake_bot: Assistant, question: str) -> None:
    answer = fake_bot.ask(question)
    assert answer.kind == "answer" and "Knee" in answer.sources[0].title
    assert "Get help first" not in answer.text
    # The same word outside the name still counts.
    assert "Get help first" in fake_bot.ask(f"{question} my chest has felt odd").text


@pytest.mark.model
def test_the_learned_opinion_raises_what_no_rule_words_and_says_why(bot: Assistant) -> None:
    said = "since my back went, when I sit on the toilet seat it feels like the seat is not there under me"
    assert triage([said]).level == "none"  # no rule has these words
    answer = bot.ask(said)
    assert answer.kind in ("emergency", "urgent") and answer.category == "cauda_equina"
    assert f"You said: “{said}”" in answer.text
    why = explain([said], bot.opinion)
    assert "learned" in why and "most like cauda_equina" in why


@pytest.mark.model
def test_the_learned_opinion_keeps_plain_questions_and_negations_plain(bot: Assistant) -> None:
    assert bot.ask("I fell off a ladder onto my back").kind == "emergency"
    assert bot.ask("no numbness down below and peeing is normal, just a stiff back").kind == "answer"
    assert bot.ask("how do I do the bridge?").kind == "answer"


def test_the_emergency_number_setting_is_empty_by_default() -> None:
    assert Settings().emergency_number == ""
