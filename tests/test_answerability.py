"""Answerability: each need's examples and near-misses from the rules file, and honest replies end to end."""

from __future__ import annotations

import tomllib
from importlib import resources

import pytest

from assistant import Assistant
from assistant.answerability import RULES_FILE, answerability, says_not_covered

RULES = tomllib.loads(resources.files("assistant").joinpath(RULES_FILE).read_text(encoding="utf-8"))
EXAMPLES = [(need, q) for need, spec in RULES["needs"].items() for q in spec.get("examples", [])]
NEAR_MISSES = [(need, q) for need, spec in RULES["needs"].items() for q in spec.get("near_misses", [])]


def test_every_need_has_an_example_and_a_near_miss():
    """Except the learned ones, which no phrase finds (their examples are the writers' labelled questions)."""
    assert [n for n, spec in RULES["needs"].items()
            if not spec.get("learned") and (not spec.get("examples") or not spec.get("near_misses"))] == []


def test_a_learned_need_opens_honestly_and_is_one_the_writers_named():
    from assistant.scope_writers import labelled

    named = {item.detail for item in labelled() if item.label == "not_covered"}
    learned = [n for n, spec in RULES["needs"].items() if spec.get("learned")]
    assert learned and set(learned) <= named
    assert all(says_not_covered(answerability().needs[n].lead) for n in learned)


@pytest.mark.parametrize(("need", "question"), EXAMPLES)
def test_example_shows_its_need(need: str, question: str):
    found = answerability().need(question)
    assert found is not None and found.id == need


@pytest.mark.parametrize(("need", "question"), NEAR_MISSES)
def test_near_miss_does_not_show_the_need(need: str, question: str):
    found = answerability().need(question)
    assert found is None or found.id != need


def test_the_article_says_how_long_to_hold_the_bridge(fake_bot: Assistant):
    answer = fake_bot.ask("how long do i hold the bridge?")
    assert answer.kind == "answer" and not says_not_covered(answer.text) and answer.category is None
    assert answer.sources[0].chunk_id == "strengthen/bridge"
    assert "Hold this position for a few seconds" in answer.text


def test_no_hold_for_the_deadlift_is_said_first_then_the_closest_line_is_quoted(fake_bot: Assistant):
    answer = fake_bot.ask("how long do i hold the deadlift?")
    assert answer.kind == "answer"
    assert answer.text.startswith("**The article doesn't say how long to hold the Deadlift.**")
    assert "> Repeat for the desired number of repetitions, maintaining proper form throughout." in answer.text
    assert answer.sources[0].chunk_id == "strengthen/deadlift" and answer.category == "not_covered"
    assert "physiotherapist" in answer.text and answer.text.endswith(answer.footer)


def test_how_often_is_not_covered_and_names_who_can_advise(fake_bot: Assistant):
    answer = fake_bot.ask("how often should i do the bridge?")
    assert answer.text.startswith("**The article doesn't say how often to do the Bridge.**")
    assert "A physiotherapist can suggest how often" in answer.text


def test_a_follow_up_the_article_does_not_answer_keeps_its_topic(fake_bot: Assistant):
    first = fake_bot.ask("how do i do the bridge")
    history = [{"role": "user", "content": "how do i do the bridge"}, {"role": "assistant", "content": first.text}]
    answer = fake_bot.ask("and how many reps?", history=history)
    assert answer.text.startswith("**The article doesn't say how many times to repeat the Bridge.**")
    assert "> Repeat for the desired number of repetitions." in answer.text
    assert answer.sources[0].chunk_id == "strengthen/bridge"


def test_the_place_asked_about_is_the_one_in_the_asking_sentence(fake_bot: Assistant):
    history = [{"role": "user", "content": "how do i do the cat cow?"},
               {"role": "assistant", "content": "(the Cat-Cow card)", "chunk_ids": ["relieve/cat-cow"]}]
    answer = fake_bot.ask("can i do it in bed? cant get on the floor easy", history=history)
    assert answer.text.startswith("**The article doesn't say whether you can do the Cat-Cow Stretch there.**")


def test_cat_cow_gives_its_count(fake_bot: Assistant):
    answer = fake_bot.ask("how many times do i repeat the cat cow?")
    assert not says_not_covered(answer.text) and "10 to 15 times" in answer.text


@pytest.mark.parametrize("question", [
    "should i stop if it hurts?",
    # Naming the exercise that hurts: the stop advice still comes first, not the exercise's steps.
    "is it ok to keep doing bridges if my back twinges a bit",
    "if cat cow makes my back hurt more do i keep going or stop",
])
def test_stop_if_it_hurts_quotes_the_article(fake_bot: Assistant, question: str):
    answer = fake_bot.ask(question)
    assert answer.kind == "answer"
    assert answer.text.startswith("**The article says:** “Always listen to your body and stop any exercise that "
                                  "causes pain or discomfort.”")
    assert answer.sources[0].chunk_id == "precautions/avoiding-over-exertion"


@pytest.mark.parametrize(("question", "who"), [
    ("im 20 weeks pregnant, can i do the bridge?", "midwife"),
    ("can my 12 year old son do these stretches?", "GP"),
    ("im 81, are these safe for me?", "GP"),
    ("had a discectomy 3 months ago, which of these can i do?", "surgeon"),
])
def test_special_groups_get_a_caution_before_anything_else(fake_bot: Assistant, question: str, who: str):
    answer = fake_bot.ask(question)
    assert answer.kind == "answer" and answer.category == "caution"
    caution = answer.text.split("\n\n")[0]
    assert caution.startswith("**The article doesn't cover exercise") and who in caution


def test_a_question_about_surgery_itself_is_still_refused(fake_bot: Assistant):
    answer = fake_bot.ask("is spinal fusion surgery worth it?")
    assert answer.kind == "out_of_scope" and answer.category == "scan_or_surgery"


def test_a_mentioned_exercise_says_the_article_gives_no_steps(fake_bot: Assistant):
    answer = fake_bot.ask("how do i do a pelvic tilt?")
    assert says_not_covered(answer.text) and "gives no steps" in answer.text


@pytest.mark.parametrize(("question", "lead"), [
    ("i have pins and needles in my leg, how often should i do the bridge?",
     "**The article doesn't say how often to do the Bridge.**"),
    ("im pregnant and get pins and needles, can i do the bridge", "**The article doesn't cover exercise in pregnancy."),
])
def test_what_the_article_lacks_is_said_before_the_safety_net(fake_bot: Assistant, question: str, lead: str):
    """Issue 11: say first what the article does not give; issue 9: the safety net before any exercise."""
    answer = fake_bot.ask(question)
    assert answer.kind == "answer" and answer.text.startswith(lead) and says_not_covered(answer.text)
    assert answer.text.split("\n\n")[1].startswith("**Get help first if you have:**")


def test_a_group_caution_does_not_override_a_question_about_what_is_wrong(fake_bot: Assistant):
    """Exercise with a back condition gets a caution; asking whether new symptoms are part of it gets a doctor."""
    caution = fake_bot.ask("is it safe if i have a herniated disc")
    assert (caution.kind, caution.category) == ("answer", "caution")
    asked = fake_bot.ask("I've had sciatica for years, is this new pain in my leg part of it or should I stretch?")
    assert (asked.kind, asked.category) == ("out_of_scope", "diagnosis")
    assert "Only a doctor or physiotherapist who examines you can do that" in asked.text


@pytest.mark.parametrize(("first", "later", "who"), [
    ("im pregnant, can i do the cat cow?", "what about child's pose?", "midwife"),
    ("can my 70 year old mum do the superman?", "what about the bridge for her?", "GP"),
    ("had a discectomy 3 months ago, can i do the bridge?", "how long do i hold it?", "surgeon"),
])
def test_a_group_named_earlier_gets_its_caution_again_on_every_answer(bot: Assistant, first: str, later: str,
                                                                        who: str):
    """The article covers the person no better on the next turn: the caution comes first again, before what the
    article says (the exercise asked about, or what it does not give)."""
    history = [{"role": "user", "content": first}, {"role": "assistant", "content": bot.ask(first).text}]
    answer = bot.ask(later, history=history)
    assert answer.kind == "answer" and answer.category == "caution"
    caution = answer.text.split("\n\n")[0]
    assert caution.startswith("**The article doesn't cover exercise") and who in caution
    assert bot.ask(later).category != "caution"


def test_a_carried_caution_leaves_refusals_small_talk_and_other_people_alone(bot: Assistant):
    first = "im pregnant, can i do the cat cow?"
    history = [{"role": "user", "content": first}, {"role": "assistant", "content": bot.ask(first).text}]
    assert bot.ask("what painkiller can i take?", history=history).category == "medication"
    assert bot.ask("thanks!", history=history).category == "small_talk"
    # A question naming a person asks for them, not for whoever an earlier message named.
    assert bot.ask("what about my husband, can he do the bridge?", history=history).category != "caution"
