"""Names and aliases are found with typos forgiven, run-together or spread out, longest first."""

from __future__ import annotations

import pytest

from assistant import Assistant
from assistant.names import NameIndex, token_matches


@pytest.mark.parametrize("question, expected", [
    ("how do I do the brige", ("strengthen/bridge",)),
    ("catcow streth", ("relieve/cat-cow",)),
    ("knee to chest stretch and then the glute bridge", ("relieve/knee-to-chest", "strengthen/bridge")),
    ("piriformus", ("relieve/piriformis",)),
    ("figure 4 stretch", ("relieve/piriformis",)),
    ("what is a pelvic tilt", ("relieve/pelvic-tilt",)),
    ("what's the main takeaway", ("about/conclusion",)),
    ("my chest hurts", ()),
    # Pain that keeps going names the FAQ on relieving the muscles; a user who keeps going does not.
    ("my back pain keeps going, what else helps", ("faq/how-do-you-relieve-lower-back-muscles",)),
    ("do I need rest between sets or can I just keep going", ()),
    ("the pain's not shifting, actually getting worse, what now", ("faq/how-do-you-relieve-lower-back-muscles",)),
    ("something for when my bum muscle is tight", ("relieve/piriformis",)),
    ("is it worth talking to my doctor before I start a back exercise plan", ()),
    # How heavy to start names the precaution on it, before the exercise it is about; steps asked first name the
    # exercise first.
    ("should i go heavy straight away on deadlifts or build up to it",
     ("precautions/gradual-progression", "strengthen/deadlift")),
    ("how do i do the deadlift with light weights", ("strengthen/deadlift", "precautions/gradual-progression")),
    ("any tips on technique", ("precautions/proper-form-and-technique",)),
    ("how do i avoid overdoing it", ("precautions/avoiding-over-exertion",)),
    ("", ()),
])
def test_names_in_questions(fake_bot: Assistant, question: str, expected: tuple[str, ...]):
    assert NameIndex(fake_bot.built.chunks).find(question) == expected


def test_token_matching_rules():
    assert token_matches("stretches", "stretch")
    assert token_matches("brigde", "bridge")      # two letters swapped
    assert not token_matches("cat", "car")        # short words must match exactly
    assert not token_matches("plank", "bridge")
    # A common English word is meant as written; a rarer one may still be a slip.
    assert not token_matches("talking", "walking")
    assert not token_matches("plan", "plank")
    assert token_matches("bride", "bridge")
