"""Spelling: typos and SMS shorthand fixed towards the article's words; nothing triage needs is changed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import CORPUS, DATA

from assistant import Assistant
from assistant.corpus import load_corpus
from assistant.spelling import Speller, spelling_rules
from assistant.triage import triage


@pytest.fixture(scope="module")
def speller() -> Speller:
    return Speller(load_corpus(CORPUS).chunks, spelling_rules())


@pytest.mark.parametrize(("text", "fixed"), [
    ("wat streches r gud 4 my lowr bak", "what stretches are good for my lower back"),
    ("hw 2 strenthen lowr bak muscels", "how to strengthen lower back muscles"),
    ("brige exersize steps", "bridge exercise steps"),
    ("kne to chesst strech", "knee to chest stretch"),
    ("supermna steps pls", "superman steps please"),
    ("deadlifts w/o a barbell", "deadlifts without a barbell"),
])
def test_typos_and_shorthand_are_fixed(speller: Speller, text: str, fixed: str):
    assert speller.correct(text) == fixed


@pytest.mark.parametrize("text", [
    "how do I do the bridge?", "im 24 weeks pregnant", "hold for 4 seconds", "repeat 2 times",
    "can i take naproxen", "my nan's 82", "lol ok",
])
def test_known_words_units_and_names_are_left_alone(speller: Speller, text: str):
    assert speller.correct(text) == text


def _messages(path: Path) -> list[str]:
    items = json.loads(path.read_text(encoding="utf-8")) if path.exists() else []
    return [m for item in items for m in (item.get("messages") or [item["text"]])]


def test_a_message_triage_flags_is_never_corrected(fake_bot: Assistant, monkeypatch: pytest.MonkeyPatch):
    """Triage reads the user's own words and stops the pipeline, so no correction can hide a sign
    ("pooed" would otherwise become "posed")."""
    corrected: list[str] = []
    real = fake_bot.speller.correct
    monkeypatch.setattr(fake_bot.speller, "correct", lambda text: corrected.append(text) or real(text))
    flagged = [m for m in _messages(DATA / "red_flags.json") if triage([m]).level != "none"]
    assert len(flagged) > 50
    assert all(fake_bot.ask(m).kind in ("emergency", "urgent") for m in flagged)
    assert corrected == []


def test_correcting_never_raises_a_false_alarm(speller: Speller):
    messages = [m for folder in (DATA, DATA / "independent") for m in _messages(folder / "look_alikes.json")]
    assert len(messages) > 100
    assert [m for m in messages if triage([speller.correct(m)]).level != triage([m]).level] == []
