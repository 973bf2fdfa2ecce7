"""Conversation state as data: a reply names its topic, a history item carries its chunk ids back, and the
"Source:" line is read only for clients that send plain text; source lines name one place in one document."""

from __future__ import annotations

from pathlib import Path

import pytest
from fakes import HashingEmbedder

from assistant import Assistant, Settings, Topic
from assistant.compose import exercise_card, with_footer
from assistant.conversation import read_history

# Two handouts with the same title and headings: the holds differ, so a follow-up shows which one it used.
HANDOUT = """# Back Stretches

## Stretches

Gentle stretches for a stiff back.

### Cat Cow

1. Kneel on all fours with your hands under your shoulders.
2. Arch your back and hold for {hold} seconds.
3. Round your back and repeat 10 times.
"""
HOLDS = {"a.md": "10", "b.md": "20"}


@pytest.fixture
def twin_bot(tmp_path: Path) -> Assistant:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name, hold in HOLDS.items():
        (corpus / name).write_text(HANDOUT.format(hold=hold), encoding="utf-8")
    settings = Settings().updated({"corpus_dir": corpus, "index_dir": tmp_path / "index"})
    return Assistant.load(settings, embedder=HashingEmbedder())


def cat_cows(bot: Assistant) -> dict[str, str]:
    """Each handout's Cat Cow chunk id, by file name."""
    return {c.doc: c.chunk_id for c in bot.built.chunks if c.title == "Cat Cow"}


def test_the_same_headings_in_two_documents_give_distinct_source_lines(twin_bot: Assistant):
    labels = {doc: twin_bot.by_id[chunk_id].source_label for doc, chunk_id in cat_cows(twin_bot).items()}
    assert labels == {"a.md": "Back Stretches (a.md) › Stretches › Cat Cow",
                      "b.md": "Back Stretches (b.md) › Stretches › Cat Cow"}
    assert len(twin_bot.by_label) == len(twin_bot.built.chunks), "every chunk has a label of its own"


@pytest.mark.parametrize("doc", sorted(HOLDS))
@pytest.mark.parametrize("carries_ids", [True, False], ids=["chunk-ids", "plain-text"])
def test_a_follow_up_stays_in_the_document_the_reply_came_from(twin_bot: Assistant, doc: str, carries_ids: bool):
    chunk = twin_bot.by_id[cat_cows(twin_bot)[doc]]
    shown = with_footer(exercise_card(chunk, twin_bot.by_id), twin_bot.settings)
    # A client that keeps the state need not keep the text; one that keeps only text has the Source line.
    reply = {"role": "assistant", "content": "(shown)", "chunk_ids": [chunk.chunk_id]} if carries_ids \
        else {"role": "assistant", "content": shown}
    answer = twin_bot.ask("how long do I hold it?", [{"role": "user", "content": "how do I do the cat cow?"}, reply])
    assert answer.topic == Topic(chunk.chunk_id, "dose")
    assert f"hold for {HOLDS[doc]} seconds" in answer.text
    assert f"*Source: Back Stretches ({doc}) › Stretches › Cat Cow*" in answer.text


def test_a_reply_names_its_topic_as_its_first_source(fake_bot: Assistant):
    card = fake_bot.ask("how do I do the bridge?")
    assert card.topic == Topic("strengthen/bridge", "card") and card.sources[0].chunk_id == card.topic.chunk_id
    assert card.to_dict()["topic"] == {"chunk_id": "strengthen/bridge", "aspect": "card"}
    assert fake_bot.ask("hello").topic is None, "small talk gives a follow-up nothing to lean on"
    assert fake_bot.ask("I can't feel it when I wipe").topic is None, "nor does a red flag"


def test_the_state_wins_over_the_text(fake_bot: Assistant):
    """A reply's chunk ids name the topic even when its text has another exercise's Source line."""
    shown = fake_bot.ask("how do I do the bridge?").text
    history = [{"role": "user", "content": "how do I do the bridge?"},
               {"role": "assistant", "content": shown, "chunk_ids": ["relieve/cat-cow"]}]
    assert fake_bot.ask("how long do I hold it?", history).topic == Topic("relieve/cat-cow", "dose")


def test_a_plain_text_client_still_follows_up_by_the_source_line(fake_bot: Assistant):
    history = [{"role": "user", "content": "how do I do the bridge?"},
               {"role": "assistant", "content": fake_bot.ask("how do I do the bridge?").text}]
    answer = fake_bot.ask("how long do I hold it?", history)
    assert answer.topic == Topic("strengthen/bridge", "dose")
    assert "Hold this position for a few seconds" in answer.text


def test_chunk_ids_must_be_a_list_of_strings():
    assert read_history([{"role": "assistant", "content": "x", "chunk_ids": ["a/b"]}], 4)[0].chunk_ids == ("a/b",)
    assert read_history([{"role": "assistant", "content": "x"}], 4)[0].chunk_ids is None
    with pytest.raises(TypeError, match="chunk_ids must be a list of strings"):
        read_history([{"role": "assistant", "content": "x", "chunk_ids": "a/b"}], 4)

