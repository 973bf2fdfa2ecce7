"""How a writer's conversation turns are judged: each by the label it carries, as that question asked alone."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pytest

from assistant.assistant import SMALL_TALK
from assistant.records import Answer, Source
from assistant.scope_eval import writer_counts
from assistant.scope_writers import turn_label, turn_labelled

BRIDGE = Source("strengthen/bridge", "Bridge", "Strengthening", 0.9)
REPLIES = {
    "how do i do the bridge": Answer("Lie on your back…", "answer", [BRIDGE]),
    "how often": Answer("The article doesn't say how often to do these.", "answer", [BRIDGE]),
    "what dose of ibuprofen": Answer("I can only help with lower-back exercises.", "out_of_scope"),
    "thanks": Answer("You're welcome.", "answer", category=SMALL_TALK),
    "wrongly answered": Answer("Lie on your back…", "answer", [BRIDGE]),
}


class ScriptedBot:
    """Replies by the question alone, whatever the history: the judging, not the assistant, is under test."""

    def ask(self, question: str, history: Sequence[Mapping[str, Any]] | None = None) -> Answer:
        return REPLIES[question]


def counts(turns: list[dict[str, Any]]) -> tuple[int, int]:
    blind = {"writer": "t", "conversations": [{"turns": [{"q": "how do i do the bridge",
                                                          "expect": ["strengthen/bridge"]}, *turns]}]}
    return tuple(writer_counts(ScriptedBot(), blind, {})["conversation_turns"])  # type: ignore[arg-type]


@pytest.mark.parametrize("turn", [
    {"q": "how often", "not_covered": "frequency"},
    {"q": "what dose of ibuprofen", "out_of_scope": "medication"},
    {"q": "thanks", "small_talk": "thanks"},
    {"q": "wrongly answered", "expect": ["strengthen/bridge"]},
])
def test_a_turn_passes_when_its_reply_is_what_its_label_asks(turn: dict[str, Any]) -> None:
    assert counts([turn]) == (1, 1)


@pytest.mark.parametrize("turn", [
    {"q": "wrongly answered", "out_of_scope": "medication"},
    {"q": "wrongly answered", "small_talk": "thanks"},
    {"q": "wrongly answered", "not_covered": "frequency"},
    {"q": "thanks", "expect": ["strengthen/bridge"]},
    {"q": "what dose of ibuprofen", "small_talk": "other"},
])
def test_a_turn_fails_when_its_reply_is_of_another_kind(turn: dict[str, Any]) -> None:
    assert counts([turn]) == (0, 1)


def test_a_turn_labelled_twice_or_not_at_all_is_rejected() -> None:
    with pytest.raises(ValueError, match="one of"):
        turn_label({"q": "how often", "expect": ["strengthen/bridge"], "not_covered": "frequency"})
    with pytest.raises(ValueError, match="one of"):
        turn_label({"q": "how often"})


def test_a_turn_trains_as_the_question_of_its_label() -> None:
    refused = turn_labelled("t", {"q": "what dose of ibuprofen", "out_of_scope": "medication"}, 2)
    assert (refused.label, refused.detail, refused.turn) == ("out_of_scope", "medication", 2)
    held = turn_labelled("t", {"q": "how long do i hold", "not_covered": "hold_duration"}, 1)
    assert (held.label, held.detail) == ("not_covered", "hold")
    answered = turn_labelled("t", {"q": "how do i do the bridge", "expect": ["strengthen/bridge"]}, 0)
    assert (answered.label, answered.expect) == ("in_scope", ("strengthen/bridge",))
