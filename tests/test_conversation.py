"""Follow-ups resolve against the previous turn, from browser-style and API-style histories alike."""

from __future__ import annotations

import pytest

from assistant import Assistant
from assistant.conversation import aspect_of, content_text, read_history


def history_after(bot: Assistant, question: str, browser: bool = False) -> list[dict]:
    reply = bot.ask(question).text
    if browser:
        return [{"role": "user", "content": [{"type": "text", "text": question}]},
                {"role": "assistant", "content": [{"type": "text", "text": reply}]}]
    return [{"role": "user", "content": question}, {"role": "assistant", "content": reply}]


@pytest.mark.parametrize("browser", [False, True])
def test_how_long_after_the_bridge_answers_with_the_bridge_hold(fake_bot: Assistant, browser: bool):
    answer = fake_bot.ask("how long do I hold it?", history=history_after(fake_bot, "how do I do the bridge?", browser))
    assert answer.sources[0].chunk_id == "strengthen/bridge"
    assert "Hold this position for a few seconds" in answer.text


def test_other_leg_after_knee_to_chest(fake_bot: Assistant):
    answer = fake_bot.ask("and the other leg?", history=history_after(fake_bot, "knee to chest stretch"))
    assert answer.sources[0].chunk_id == "relieve/knee-to-chest"
    assert "Release the leg and repeat with the other leg." in answer.text


def test_something_gentler_after_a_strengthening_exercise(fake_bot: Assistant):
    answer = fake_bot.ask("show me something gentler", history=history_after(fake_bot, "deadlift"))
    assert answer.sources[0].chunk_id == "relieve/overview"


def test_ordinal_after_a_group_list(fake_bot: Assistant):
    history = history_after(fake_bot, "what stretches help lower back pain?")
    answer = fake_bot.ask("tell me about the third one", history=history)
    assert answer.sources[0].chunk_id == "relieve/cat-cow"


def test_a_new_topic_is_not_dragged_into_the_old_one(fake_bot: Assistant):
    answer = fake_bot.ask("what about the piriformis stretch?", history=history_after(fake_bot, "bridge"))
    assert answer.sources[0].chunk_id == "relieve/piriformis"


def test_content_text_reads_every_history_shape():
    assert content_text("plain") == "plain"
    assert content_text([{"type": "text", "text": "a"}, {"type": "text", "text": "b"}]) == "a b"
    assert content_text({"text": "c"}) == "c"
    assert content_text(None) == ""


def test_history_is_capped_to_the_latest_turns():
    history = [{"role": "user", "content": str(i)} for i in range(50)]
    assert [t.text for t in read_history(history, 4)] == ["46", "47", "48", "49"]


@pytest.mark.parametrize("question, aspect", [
    ("how long do I hold it?", "dose"), ("how many times?", "dose"), ("what muscles does that work?", "targets"),
    ("and the other leg?", "other_side"), ("what are the steps again", "steps"), ("tell me about it", "card"),
])
def test_aspects(question: str, aspect: str):
    assert aspect_of(question) == aspect


def test_every_offered_follow_up_is_answerable(fake_bot: Assistant):
    for chunk in fake_bot.built.chunks:
        if chunk.kind not in ("exercise", "group"):
            continue
        question = f"tell me about {chunk.title}"
        first = fake_bot.ask(question)
        history = [{"role": "user", "content": question}, {"role": "assistant", "content": first.text}]
        assert 2 <= len(first.suggestions) <= 3, chunk.chunk_id
        for suggestion in first.suggestions:
            answer = fake_bot.ask(suggestion, history=history)
            assert answer.kind == "answer", (chunk.chunk_id, suggestion)


def test_how_many_after_bird_dog_quotes_the_related_faq_and_says_so(fake_bot: Assistant):
    answer = fake_bot.ask("how many reps?", history=history_after(fake_bot, "bird dog"))
    assert answer.sources[0].chunk_id == "faq/bird-dogs"
    assert "Alternate sides and repeat 10-15 times." in answer.text
    assert "Also from: Frequently Asked Questions › What Is The Best Exercise For Lower Back Issues?" in answer.text


def test_how_many_after_a_passage_asks_about_that_passage(fake_bot: Assistant):
    history = history_after(fake_bot, "what is the best exercise for lower back issues?")
    answer = fake_bot.ask("how many times?", history=history)
    assert answer.sources[0].chunk_id == "faq/what-is-the-best-exercise-for-lower-back-issues"
    assert "repeat 10-15 times" in answer.text


@pytest.mark.parametrize(("question", "chunk_id"), [
    ("what about the one with the knee", "relieve/knee-to-chest"),
    ("how do i do the cat one", "relieve/cat-cow"),
    ("tell me more about the first one", "relieve/childs-pose"),
])
def test_after_a_list_a_member_is_picked_by_a_word_of_its_name(fake_bot: Assistant, question: str, chunk_id: str):
    answer = fake_bot.ask(question, history=history_after(fake_bot, "what stretches help lower back pain?"))
    assert answer.sources[0].chunk_id == chunk_id


def test_a_word_many_names_share_picks_no_member(fake_bot: Assistant):
    from assistant.conversation import member_named

    group = fake_bot.by_id["relieve/overview"]
    assert member_named("the stretch one", group, fake_bot.by_id) is None
    assert member_named("the one with the bench", fake_bot.by_id["strengthen/overview"],
                        fake_bot.by_id) == "strengthen/reverse-hyperextension"


def test_a_word_that_is_part_of_a_name_picks_that_member(fake_bot: Assistant):
    from assistant.conversation import member_named

    group = fake_bot.by_id["strengthen/overview"]
    assert member_named("ok the lifting one then", group, fake_bot.by_id) == "strengthen/deadlift"
    assert member_named("the lift one", group, fake_bot.by_id) == "strengthen/deadlift"


def test_the_word_one_picks_from_the_list_shown_before_the_last_reply(fake_bot: Assistant):
    """After a list and then one of its members, "the lifting one" is another member of the list; a question
    about the member just shown ("how do I do it?") stays with it."""
    history = history_after(fake_bot, "list the strengthening exercises please")
    member = "how do I do the one with the bench"
    history += [{"role": "user", "content": member},
                {"role": "assistant", "content": fake_bot.ask(member, history=history).text}]
    assert fake_bot.ask("ok the lifting one then, how do I do it", history=history).sources[0].chunk_id == \
        "strengthen/deadlift"
    assert fake_bot.ask("how do I do it?", history=history).sources[0].chunk_id == "strengthen/reverse-hyperextension"


def test_the_other_one_is_the_other_of_two_named_together(fake_bot: Assistant):
    history = history_after(fake_bot, "supermans or bird dogs, which is better for my back?")
    asked = "how do I do the bird dog"
    history += [{"role": "user", "content": asked}, {"role": "assistant", "content": fake_bot.ask(asked, history).text}]
    assert fake_bot.ask("and the other one?", history=history).sources[0].chunk_id == "strengthen/superman"


def test_the_other_one_after_a_single_exercise_is_its_other_side(fake_bot: Assistant):
    history = history_after(fake_bot, "how do I do the knee to chest stretch?")
    answer = fake_bot.ask("and the other one?", history=history)
    assert answer.sources[0].chunk_id == "relieve/knee-to-chest"


def test_first_as_beforehand_picks_no_member_of_the_list(bot: Assistant):
    """"Should I check with anyone first?" after a list asks about checking, not for the list's first member; it is
    held to the gate's threshold for follow-ups, as a question in a conversation about the article. "The first one"
    still picks the first member."""
    history = history_after(bot, "what exercises strengthen the lower back?")
    assert bot.ask("should I check with anyone first?", history=history).sources[0].chunk_id == \
        "precautions/consulting-a-professional"
    assert bot.ask("the first one", history=history).sources[0].chunk_id == "strengthen/superman"


def test_the_word_one_after_an_exercise_picks_from_its_own_list(fake_bot: Assistant):
    """With no list shown, "the bench one" after the Deadlift is the member of the Deadlift's list that a bench
    names."""
    history = history_after(fake_bot, "how do I do deadlifts?")
    assert fake_bot.ask("what about the bench one where your legs hang off", history=history).sources[0].chunk_id == \
        "strengthen/reverse-hyperextension"


def test_a_place_in_the_list_shown_before_the_last_reply(fake_bot: Assistant):
    """"How long do I hold the first one?" after a list, then "and the last one?": the last of that list."""
    history = history_after(fake_bot, "what stretches relieve lower back pain?")
    first = "how long do I hold the first one"
    history += [{"role": "user", "content": first},
                {"role": "assistant", "content": fake_bot.ask(first, history=history).text}]
    group = fake_bot.by_id["relieve/overview"]
    assert fake_bot.ask("and the last one?", history=history).sources[0].chunk_id == group.members[-1]


def test_a_question_of_its_own_kind_about_something_else_is_not_answered_after_an_exercise(bot: Assistant):
    """"Any tips for sleeping better?" after the Bridge asks for tips, a kind of answer the article gives, about
    something it does not cover: the gate decides, as for any question that does not lean on the last answer.
    "Any tips for a beginner?" is still answered."""
    history = history_after(bot, "how do I do the bridge?")
    assert bot.ask("any tips for sleeping better?", history=history).kind == "out_of_scope"
    assert bot.ask("any tips for a beginner?", history=history).sources[0].chunk_id.startswith("precautions/")


def then(bot: Assistant, history: list[dict], question: str) -> list[dict]:
    """The history with one more exchange."""
    return [*history, {"role": "user", "content": question},
            {"role": "assistant", "content": bot.ask(question, history=history).text}]


@pytest.mark.parametrize("between", ["thanks!", "should I get an MRI?"])
def test_small_talk_or_a_refusal_in_between_does_not_lose_the_exercise(bot: Assistant, between: str):
    """"How long do I hold it?" after the Bridge, a "thanks!" and its reply, still asks about the Bridge."""
    history = then(bot, history_after(bot, "how do I do the bridge?"), between)
    answer = bot.ask("how long do I hold it?", history=history)
    assert answer.sources[0].chunk_id == "strengthen/bridge"
    assert "Hold this position for a few seconds" in answer.text


def test_the_exercise_is_forgotten_after_enough_replies_without_one(bot: Assistant):
    history = history_after(bot, "how do I do the bridge?")
    for between in ["thanks!", "what is the weather like?", "what painkiller should I take?"]:
        history = then(bot, history, between)
    answer = bot.ask("how long do I hold it?", history=history)
    assert "strengthen/bridge" not in [s.chunk_id for s in answer.sources]


@pytest.mark.parametrize("question", ["why?", "how come", "like what?"])
def test_a_few_words_asking_why_lean_on_the_last_answer_whatever_it_was(bot: Assistant, question: str):
    """After a passage as after an exercise: "why?" is not a greeting nor a new question."""
    for first, chunk_id in [("what is the best exercise for lower back problems?",
                             "faq/what-is-the-best-exercise-for-lower-back-issues"),
                            ("how do I do the bridge?", "strengthen/bridge")]:
        answer = bot.ask(question, history=history_after(bot, first))
        assert answer.kind == "answer" and answer.sources[0].chunk_id == chunk_id


def test_an_opening_thanks_does_not_hide_the_question_after_it(bot: Assistant):
    history = history_after(bot, "how do I do the bridge?")
    answer = bot.ask("cheers. what about the superman", history=history)
    assert answer.kind == "answer" and answer.sources[0].chunk_id == "strengthen/superman"
    assert bot.ask("thanks, that makes sense", history=history).category == "small_talk"


@pytest.mark.parametrize(("question", "chunk_id"), [
    ("first one how", "relieve/childs-pose"),
    ("the knee one", "relieve/knee-to-chest"),
    ("and the last one?", "relieve/knee-to-chest"),
])
def test_a_passage_that_names_exercises_is_the_list_a_follow_up_picks_from(bot: Assistant, question: str,
                                                                            chunk_id: str):
    """"How do you release your lower back?" names Child's Pose and the Knee-to-Chest Stretch: "the first one"
    after it is the first it names, not the passage again."""
    history = history_after(bot, "how do you release your lower back?")
    assert bot.ask("how do you release your lower back?").sources[0].chunk_id == \
        "faq/how-do-you-release-your-lower-back"
    assert bot.ask(question, history=history).sources[0].chunk_id == chunk_id


def test_a_passage_names_no_list_of_its_own_exercise_or_of_one(bot: Assistant):
    named = bot.named_lists["faq/how-do-you-release-your-lower-back"]
    assert named.members == ("relieve/childs-pose", "relieve/knee-to-chest")
    assert not any(bot.by_id[c].kind in ("exercise", "group") for c in bot.named_lists)
    assert all(len(listed.members) >= 2 for listed in bot.named_lists.values())


@pytest.mark.parametrize("question", ["hurts my back when i do it", "knees hurt doing it"])
def test_pain_while_doing_the_exercise_just_shown_quotes_stop_if_it_hurts(bot: Assistant, question: str):
    answer = bot.ask(question, history=history_after(bot, "superman"))
    assert answer.kind == "answer"
    assert "stop any exercise that causes pain" in answer.text


def test_another_part_asked_about_for_its_own_sake_after_an_exercise_is_still_refused(bot: Assistant):
    answer = bot.ask("my neck is stiff, any stretches for it", history=history_after(bot, "bridge"))
    assert answer.kind == "out_of_scope"
