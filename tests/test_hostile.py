"""Hostile and odd input: never an exception, never slow, never the user's markup echoed back live."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import CORPUS
from fakes import HashingEmbedder
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from timing import MAX_RATIO, fastest, ordinary_question_seconds

from assistant import Assistant, Settings

# Any raw tag, or a Markdown link to a script: the replies themselves contain neither.
LIVE_MARKUP = re.compile(r"<\s*[a-z!/]|\]\(\s*javascript:", re.IGNORECASE)


@pytest.fixture(scope="module")
def hardy_bot(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    index = tmp_path_factory.mktemp("index")
    return Assistant.load(Settings().updated({"corpus_dir": CORPUS, "index_dir": Path(index)}),
                          embedder=HashingEmbedder())


HOSTILE = [
    "", " ", "\n\t\r", "\x00\x01\x02", "\u200b\u200c\u200d\ufeff", "\ud800 lone surrogate \udfff",
    "🔥" * 5_000, "x" * 200_000, "back pain " * 20_000,
    "<script>alert(1)</script> how do I do the bridge?",
    '<img src=x onerror="alert(1)"> knee hug',
    "[click me](javascript:alert(1)) cat cow",
    "{0.__class__} {{7*7}} ${7*7} %s %(x)s <%= 7*7 %>",
    "¿Qué ejercicios ayudan con el dolor lumbar?", "腰痛に効く運動は？", "Какие упражнения помогают?",
    "'; DROP TABLE answers; --", "../../etc/passwd", "\\u0000\\x00",
    "I fell off a ladder <script>document.cookie</script>",
    "numb <img src=x onerror=alert(1)> when I wipe and wet myself",
]


@pytest.fixture(scope="module")
def ordinary_seconds(hardy_bot: Assistant) -> float:
    return ordinary_question_seconds(hardy_bot)


@pytest.mark.parametrize("question", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_input_gets_a_fast_safe_reply(hardy_bot: Assistant, ordinary_seconds: float, question: str):
    answer = hardy_bot.ask(question)
    ratio = fastest(lambda: hardy_bot.ask(question), 2) / ordinary_seconds
    assert ratio < MAX_RATIO, f"{ratio:.0f} ordinary questions"
    assert answer.text.endswith(answer.footer)
    assert not LIVE_MARKUP.search(answer.text), answer.text


def test_hostile_history_is_handled(hardy_bot: Assistant):
    history = [{"role": "user", "content": "<script>x</script>" * 1000},
               {"role": "assistant", "content": [{"type": "text", "text": "\x00" * 100}]},
               {"role": "user", "content": ["not a part", {"type": "image"}]}]
    answer = hardy_bot.ask("how long do I hold it?", history=history)
    assert answer.text.endswith(answer.footer)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=400))
def test_any_string_gets_an_answer_ending_with_the_footer(hardy_bot: Assistant, question: str):
    answer = hardy_bot.ask(question)
    assert answer.kind in {"answer", "emergency", "urgent", "out_of_scope", "invalid"}
    assert answer.text.endswith(answer.footer)
    assert not LIVE_MARKUP.search(answer.text)
